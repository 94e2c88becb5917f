"""What every platform adapter is made of, and the helpers they share.

An adapter turns one platform export (a frame of text columns as `pipelines.lib.readers`
read it) into rows of the canonical format of design.md, still as text: parsing,
validation and quarantine stay in one place (`pipelines.lib.parse`). An adapter never
drops a row silently: a row it does not turn into canonical rows (a `Total:` row, a
continuation row merged into its order) is counted in `Adapted.skipped` with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from pipelines.lib.parse import ROW
from pipelines.lib.settings import Settings

# A buyer the export does not name (masked as ##密文 or ***, or absent) becomes one
# placeholder customer per order: sales KPIs count the order and its buyer, customer
# KPIs (new customers, cohorts, repurchase, RFM, CAC) leave placeholders out.
PLACEHOLDER_CUSTOMER_PREFIX = "anonymous:"
# An order-level report has no SKU: its single line carries this SKU (no unit cost).
ORDER_LEVEL_SKU = "(order level)"


@dataclass(frozen=True)
class Warning:
    """Something the analyst should know about a loaded file (shown on /data-health)."""

    kind: str  # placeholder_customer | order_level | period_report | truncated_ids | ...
    rows: int
    message: str


@dataclass
class Adapted:
    frame: pl.DataFrame  # canonical column names, text values, plus ROW (the source row)
    skipped: int = 0  # source rows deliberately not loaded (totals, continuation rows)
    warnings: list[Warning] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # why rows were skipped, for the log
    # rows the adapter itself refuses (an order-list row with no item rows): ROW, _reason,
    # record, and _file when the row is in the partner file of a pair
    rejected: pl.DataFrame | None = None
    # of a pair, the file whose rows the canonical rows are (ROW numbers count in it)
    rows_file: str | None = None


@dataclass(frozen=True)
class Export:
    """One file as read, handed to an adapter."""

    frame: pl.DataFrame  # text columns, header names stripped
    preamble: tuple[str, ...]
    file_name: str
    modified: datetime | None = None  # the file's modification time (local), for snapshots


@dataclass(frozen=True)
class Mapping:
    """One canonical column: where it comes from in the platform's export, for the docs."""

    canonical: str
    platform: str
    note: str = ""


@dataclass(frozen=True)
class Adapter:
    name: str  # short id, stored in audit.file_loads.format
    title: str  # how the platform calls the export, for people
    source: str  # the canonical source it loads into
    signature: tuple[str, ...]  # header names (normalised) that identify the format
    convert: Callable[[Export, Settings], Adapted]
    mappings: tuple[Mapping, ...] = ()
    how_to_export: str = ""  # where in the back office to get the file
    revenue_semantics: str = ""  # which amount is gross, paid, refunded (docs/formats.md)
    statuses: dict[str, str] = field(default_factory=dict)  # platform -> canonical, for docs
    # a format that needs a second file (Taobao order list + order detail): its partner's
    # name; one of the two converts the pair: (its own file, the partner's file) -> rows
    partner: str | None = None
    convert_pair: Callable[[Export, Export, Settings], Adapted] | None = None

    def missing(self, header: Sequence[str]) -> list[str]:
        names = {normalise(h) for h in header}
        return [s for s in self.signature if s not in names]


def normalise(name: str) -> str:
    """Header names as compared: no BOM, no outer spaces or quotes, lower case."""
    return name.replace("\ufeff", "").strip().strip('"').strip().lower()


def rename_known(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns renamed to their normalised names, so adapters look them up one way."""
    return frame.rename({c: normalise(c) for c in frame.columns if c != ROW})


def col(frame: pl.DataFrame, *names: str) -> pl.Expr:
    """The first of `names` the frame has (normalised), else a column of nulls."""
    for name in names:
        if normalise(name) in frame.columns:
            return pl.col(normalise(name))
    return pl.lit(None, pl.String)


def has(frame: pl.DataFrame, *names: str) -> bool:
    return any(normalise(n) in frame.columns for n in names)


def with_source_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """ROW = the data row's number below the header (1 = first), as quarantine reports it."""
    return (
        rename_known(frame).with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    )


def clean_id(expr: pl.Expr) -> pl.Expr:
    """Ids as back offices wrap them: `="123"`, a leading TAB, quotes, trailing spaces."""
    text = expr.str.strip_chars(" \t\r\n\u3000")
    text = text.str.replace(r'^=\s*"(.*)"$', "$1").str.replace(r"^'", "")
    return text.str.strip_chars(" \t\"'\u3000")


def clean_text(expr: pl.Expr, nulls: Sequence[str] = ("-", "--", "—", "/")) -> pl.Expr:
    """Text cell with the export's spelling of 'nothing' turned into null."""
    text = expr.str.strip_chars(" \t\u3000")
    return pl.when(text.is_in(list(nulls)) | (text == "")).then(None).otherwise(text)


def is_masked(expr: pl.Expr) -> pl.Expr:
    """A buyer the platform hides: `##密文...`, `***`, `张**`, or nothing at all."""
    text = expr.str.strip_chars(" \t")
    return text.is_null() | (text == "") | text.str.starts_with("##") | text.str.contains(r"\*")


def customer_or_placeholder(buyer: pl.Expr, order_id: pl.Expr) -> pl.Expr:
    return (
        pl.when(is_masked(buyer))
        .then(pl.lit(PLACEHOLDER_CUSTOMER_PREFIX) + order_id)
        .otherwise(buyer.str.strip_chars(" \t"))
    )


def number(expr: pl.Expr) -> pl.Expr:
    """Money or counts written with currency signs, thousands separators or ` --`."""
    text = expr.str.replace_all(r"[¥￥$€£,\s]|元|RMB|CNY|USD", "")
    text = pl.when(text.is_in(["-", "--", ""])).then(None).otherwise(text)
    return text.cast(pl.Float64, strict=False)


def money(frame: pl.DataFrame, *names: str) -> pl.Expr:
    """A money column in 元; a header saying (分) means fen, divided by 100."""
    for name in names:
        for unit, scale in (("", 1), ("(分)", 100), ("（分）", 100), ("(元)", 1), ("（元）", 1)):
            key = normalise(name + unit)
            if key in frame.columns:
                return number(pl.col(key)) / scale
    return pl.lit(None, pl.Float64)


def text_of(expr: pl.Expr) -> pl.Expr:
    """A number back to text the canonical parser reads (no float noise)."""
    return expr.round(4).cast(pl.String)


def map_status(expr: pl.Expr, mapping: dict[str, str]) -> pl.Expr:
    """Platform status -> canonical status; an unknown status stays as is, so parsing
    quarantines the row naming it. Full- and half-width punctuation compare equal."""
    key = _status_key(expr)
    normalised = {_status_key_text(k): v for k, v in mapping.items()}
    return key.replace_strict(normalised, default=expr.str.strip_chars())


def _status_key_text(text: str) -> str:
    return re.sub(r"[\s,，、]", "", text).lower()


def _status_key(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_all(r"[\s,，、]", "").str.to_lowercase()


def allocate(total: pl.Expr, weight: pl.Expr, over: str | list[str], unit: float = 0.01) -> pl.Expr:
    """Split an order-level amount over its lines in proportion to `weight`, to the cent
    (or to whole units, unit=1): the shares add up to the total exactly (largest
    remainder)."""
    units = (total / unit).round(0)
    weight_sum = weight.sum().over(over)
    share = pl.when(weight_sum > 0).then(weight / weight_sum).otherwise(1.0 / pl.len().over(over))
    exact = units * share
    floor = exact.floor()
    leftover = (units - floor.sum().over(over)).cast(pl.Int64)
    rank = (exact - floor).rank("ordinal", descending=True).over(over)
    return (floor + pl.when(rank <= leftover).then(1).otherwise(0)) * unit


def excel_truncated(ids: pl.Series) -> int:
    """How many ids look cut by Excel, which keeps 15 significant digits of a number:
    all-digit ids longer than 15 whose tail is zeros. One such id can be chance (1 in
    10 ends in 0); the file is flagged when most long ids are like that."""
    long = ids.drop_nulls().filter(ids.drop_nulls().str.contains(r"^\d{16,}$"))
    if long.is_empty():
        return 0
    cut = long.filter(long.str.slice(15).str.contains(r"^0+$"))
    return cut.len() if cut.len() >= max(3, 0.9 * long.len()) else 0


def truncated_ids_warning(ids: pl.Series, what: str) -> list[Warning]:
    count = excel_truncated(ids)
    if not count:
        return []
    return [
        Warning(
            "truncated_ids",
            count,
            f"{count} {what} have more than 15 digits and end in zeros: Excel cut them to "
            "15 significant digits, so different orders may share an id and re-exports "
            "may not match. Export again and open it as text (or do not open it in Excel "
            "before dropping it in).",
        )
    ]


def day_range(preamble: Sequence[str]) -> tuple[str, str] | None:
    """The report period from preamble lines like `"March 27, 2026 - April 23, 2026"`,
    `Start date: 20240101` / `End date: 20240131`, or `2024-01-01 ~ 2024-01-31`."""
    import datetime as dt

    text = " ".join(preamble)
    start = re.search(r"Start date:\s*(\d{8})", text)
    end = re.search(r"End date:\s*(\d{8})", text)
    if start and end:
        return (
            dt.datetime.strptime(start.group(1), "%Y%m%d").date().isoformat(),
            dt.datetime.strptime(end.group(1), "%Y%m%d").date().isoformat(),
        )
    iso = re.search(r"(\d{4}-\d{1,2}-\d{1,2})\s*(?:~|至|-|–|to)\s*(\d{4}-\d{1,2}-\d{1,2})", text)
    if iso:
        days = [dt.date.fromisoformat(_pad(d)) for d in iso.groups()]
        return days[0].isoformat(), days[1].isoformat()
    words = re.search(r"([A-Z][a-z]+ \d{1,2}, \d{4})\s*[-–]\s*([A-Z][a-z]+ \d{1,2}, \d{4})", text)
    if words:
        days = [dt.datetime.strptime(d, "%B %d, %Y").date() for d in words.groups()]
        return days[0].isoformat(), days[1].isoformat()
    single = re.search(r"\b([A-Z][a-z]+ \d{1,2}, \d{4})\b", text)
    if single:
        day = dt.datetime.strptime(single.group(1), "%B %d, %Y").date().isoformat()
        return day, day
    return None


def _pad(day: str) -> str:
    y, m, d = day.split("-")
    return f"{y}-{int(m):02d}-{int(d):02d}"


def spread_over_days(
    frame: pl.DataFrame, start: str, end: str, amounts: Sequence[str], counts: Sequence[str]
) -> pl.DataFrame:
    """A period row (no day segment) becomes one row per day of the period, its amounts
    split evenly to the cent and its counts to whole units: the days add up to the row."""
    days = pl.date_ranges(pl.lit(start).str.to_date(), pl.lit(end).str.to_date())
    exploded = frame.with_columns(days.alias("date"), pl.lit(1.0).alias("_w")).explode("date")
    split = [text_of(allocate(number(pl.col(n)), pl.col("_w"), ROW)).alias(n) for n in amounts] + [
        text_of(allocate(number(pl.col(n)), pl.col("_w"), ROW, unit=1)).alias(n) for n in counts
    ]
    return exploded.with_columns(*split, pl.col("date").cast(pl.String)).drop("_w")
