"""Validate and type a frame of text columns against the canonical format.

`parse_rows` returns the good rows typed for `raw.<source>` and the bad rows with a
reason per row that names the column, the value and what was expected. Nothing is
dropped silently: every input row is in exactly one of the two frames.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import polars as pl

from pipelines.lib.canonical import Column, SourceSpec
from pipelines.lib.readers import READ_PROBLEM, FileRejected

ROW = "_row_number"  # 1 = the first data row below the header
REASON = "_reason"

# whole seconds before fractions: polars reads a format without %.f on a fast path (a
# fifth of the time), and a column of whole seconds ties, so the fast one is tried first
_NAIVE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S%.f",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
)
_AWARE_FORMATS = ("%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%d %H:%M%z")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")
# what exports write that only `_iso_text` makes a known format: tried on the text as
# written first, which saves its regexes when one of them reads the whole column
# (%#z reads Z, +08:00 and +0800 alike)
_AS_WRITTEN_FORMATS = (
    ("%Y-%m-%dT%H:%M:%S%.f%#z", True),
    ("%Y-%m-%d %H:%M:%S%.f%#z", True),
    ("%Y-%m-%dT%H:%M:%S", False),
    ("%Y-%m-%dT%H:%M:%S%.f", False),
)


@dataclass(frozen=True)
class ParsedRows:
    good: pl.DataFrame  # canonical columns, typed, plus _row_number
    bad: pl.DataFrame  # _row_number, _reason, record (JSON of the row as read)
    ignored_columns: list[str]
    # per timestamp column, loaded rows whose local time the clock skipped or repeated
    dst_rows: dict[str, int] = field(default_factory=dict)


def match_columns(frame: pl.DataFrame, spec: SourceSpec) -> tuple[pl.DataFrame, list[str]]:
    """Map header names onto canonical names (case-insensitive); reject missing ones."""
    by_lower = {name.lower(): name for name in frame.columns if name not in (READ_PROBLEM, ROW)}
    missing = [name for name in spec.required_names if name not in by_lower]
    if missing:
        hint = _other_source_hint(set(by_lower), spec)
        raise FileRejected(
            f"missing required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} for source '{spec.name}'{hint}"
        )
    renames = {by_lower[c.name]: c.name for c in spec.columns if c.name in by_lower}
    extra = [c for c in (READ_PROBLEM, ROW) if c in frame.columns]  # carried through
    ignored = [name for name in frame.columns if name not in renames and name not in extra]
    selected = frame.select(list(renames)).rename(renames).with_columns(frame.select(extra))
    absent = [pl.lit(None, pl.String).alias(c.name) for c in spec.columns if c.name not in by_lower]
    return selected.with_columns(absent).select(*spec.column_names, *extra), ignored


def _other_source_hint(columns: set[str], spec: SourceSpec) -> str:
    """Name the source a misplaced file belongs to, when its header says so."""
    from pipelines.lib.canonical import SPECS

    for other in SPECS.values():
        if other.name != spec.name and set(other.required_names) <= columns:
            return f"; it looks like a {other.name} file: put it in inbox/{other.name}/"
    return ""


def _blank_to_null(col: pl.Expr) -> pl.Expr:
    stripped = col.str.strip_chars()
    return pl.when(stripped == "").then(None).otherwise(stripped)


# what people write around a number: '¥1,234.50', '1 234', '12.00元', '$12'
NUMBER_NOISE = r"[¥￥$€£,\s]|元|RMB|CNY|USD"


def _number_text(col: pl.Expr) -> pl.Expr:
    """Money and counts as people write them, without the noise around the number."""
    return col.str.replace_all(NUMBER_NOISE, "")


def _iso_text(col: pl.Expr) -> pl.Expr:
    text = col.str.replace(r"^(\d{4}[-/]\d{1,2}[-/]\d{1,2})[T ]", "$1 ")
    return text.str.replace(r"Z$", "+0000").str.replace(r"\s*([+-]\d{2}):?(\d{2})$", "$1$2")


def _formats_by_sample(text: pl.Series, formats: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """The formats, those that read most of a sample first: an export writes one format,
    and a format that fails on every row costs a pass over the column."""
    sample = text.drop_nulls().head(200).to_frame("t")
    counts = sample.select(
        _to_datetime(pl.col("t"), fmt).count().alias(str(index))
        for index, (fmt, _) in enumerate(formats)
    ).row(0)  # one query: a query costs more than reading 200 values
    order = sorted(range(len(formats)), key=lambda i: -counts[i])  # stable: ties keep order
    return [formats[i] for i in order]


def _to_datetime(text: pl.Expr, fmt: str) -> pl.Expr:
    # no cache: order times are nearly all distinct, and caching them costs more than it saves
    return text.str.to_datetime(fmt, strict=False, time_unit="us", cache=False)


def _local_to_utc(naive: pl.Expr, timezone: str) -> pl.Expr:
    """Shop-local wall time to naive UTC, read as Python's zoneinfo reads it (fold=0).

    A time the clock repeats (fall-back) is its first occurrence; a time the clock skips
    (spring-forward gap) keeps the offset from before the gap, so 02:30 on the night
    Los Angeles jumps from 02:00 to 03:00 is 10:30 UTC.
    """
    local = naive.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
    # the offset in force a few hours earlier: no zone changes its clock twice in 6 hours
    earlier = naive - pl.duration(hours=6)
    earlier_utc = (
        earlier.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
        .dt.replace_time_zone(None)
    )
    in_gap = naive - (earlier - earlier_utc)
    return pl.coalesce(local.dt.convert_time_zone("UTC").dt.replace_time_zone(None), in_gap)


def _parsed_stamp(name: str) -> str:
    return f"__timestamp_{name}"


def _dst_flag(name: str) -> str:
    return f"__dst_{name}"


# what `_read_as` gives per row read: its index, naive UTC value, and the DST flag
_STAMP_SCHEMA = {"i": pl.Int64, "value": pl.Datetime("us"), "dst": pl.Boolean}
_KNOWN_FORMATS = [(f, True) for f in _AWARE_FORMATS] + [(f, False) for f in _NAIVE_FORMATS]


def _as_utc(read: pl.DataFrame, aware: bool, timezone: str) -> pl.DataFrame:
    """Values read by one format ("v") -> naive UTC ("value") and whether the local time
    is one the clock skipped or repeated ("dst"), in place of "v"."""
    v = pl.col("v")
    if aware:
        utc = v.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        return read.with_columns(utc.alias("value"), pl.lit(False).alias("dst")).drop("v")
    strict = v.dt.replace_time_zone(timezone, ambiguous="null", non_existent="null")
    utc = strict.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    out = read.with_columns(utc.alias("value"), (strict.is_null() & v.is_not_null()).alias("dst"))
    if out["dst"].any():  # rare: only then the reading of skipped and repeated times
        fallback = _local_to_utc(v, timezone)
        out = out.with_columns(
            pl.when(pl.col("dst")).then(fallback).otherwise(pl.col("value")).alias("value")
        )
    return out.drop("v")


def _read_as(tried: pl.DataFrame, aware: bool, timezone: str) -> pl.DataFrame:
    """The rows one format read ("v" not null) -> i, naive UTC value, and the DST flag."""
    read = tried.filter(pl.col("v").is_not_null()).select("i", "v")
    return _as_utc(read, aware, timezone).cast(_STAMP_SCHEMA)


def _parse_timestamps(text: pl.Series, column: Column, timezone: str) -> pl.DataFrame:
    """A timestamp column's text -> naive UTC (NULL where unreadable), and whether the
    text named a local time the clock skipped or repeated.

    Fast: the format that reads most of a sample is tried on the text as written, and
    when it reads every value that is all. Otherwise the rows it did not read are made
    ISO and each known format is tried only on the rows no earlier format read (a format
    that fails makes polars parse value by value)."""
    rows = text.alias("t").to_frame()
    if column.date_means_end_of_day:
        bare_date = pl.col("t").str.contains(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}$")
        rows = rows.with_columns(
            pl.when(bare_date).then(pl.col("t") + " 23:59:59.999999").otherwise(pl.col("t"))
        )
    fmt, aware = _formats_by_sample(rows["t"], [*_AS_WRITTEN_FORMATS, *_KNOWN_FORMATS])[0]
    tried = rows.with_columns(_to_datetime(pl.col("t"), fmt).alias("v"))
    if tried["v"].null_count() == tried["t"].null_count():  # the common case: one pass
        stamped = _as_utc(tried.select("v"), aware, timezone)
    else:
        tried = tried.with_row_index("i").with_columns(pl.col("i").cast(pl.Int64))
        parts = [_read_as(tried, aware, timezone)]
        pending = tried.filter(pl.col("v").is_null() & pl.col("t").is_not_null())
        pending = pending.select("i", _iso_text(pl.col("t")))
        for fmt, aware in _formats_by_sample(pending["t"], _KNOWN_FORMATS):
            if pending.is_empty():
                break
            tried_next = pending.with_columns(_to_datetime(pl.col("t"), fmt).alias("v"))
            parts.append(_read_as(tried_next, aware, timezone))
            pending = tried_next.filter(pl.col("v").is_null()).select("i", "t")
        stamped = tried.select("i").join(
            pl.concat(parts), on="i", how="left", maintain_order="left"
        )
    return stamped.select(
        pl.col("value").alias(_parsed_stamp(column.name)),
        pl.col("dst").fill_null(False).alias(_dst_flag(column.name)),
    )


def _date(col: pl.Expr) -> pl.Expr:
    head = col.str.slice(0, 10)
    return pl.coalesce([head.str.to_date(f, strict=False) for f in _DATE_FORMATS])


def _typed_name(name: str) -> str:
    return f"__typed_{name}"


# a check on one column: the rows it fails, and the message for a failing row
Problem = tuple[pl.Expr, pl.Expr]


def _parse_column(column: Column, timezone: str) -> tuple[pl.Expr, list[Problem]]:
    """(typed value, the checks on it) for one canonical column. The checks read the typed
    value from its own column (`_typed_name`), so it is computed once."""
    text = pl.col(column.name)
    expected = {
        "int": "a whole number",
        "float": "a number",
        "money": "an amount of money",
        "timestamp": "a date and time (ISO 8601, e.g. 2025-06-18 20:15:00+08:00)",
        "date": "a date (YYYY-MM-DD)",
    }
    if column.kind in ("text",):
        value = text
    elif column.kind == "currency":
        value = text.str.to_uppercase()
    elif column.kind == "code":
        value = text.str.to_lowercase()
    elif column.kind in ("int", "float", "money"):
        as_float = _number_text(text).cast(pl.Float64, strict=False)
        value = as_float.cast(pl.Int64, strict=False) if column.kind == "int" else as_float
        if column.kind == "int":
            value = pl.when(as_float == as_float.round(0)).then(value)
    elif column.kind == "timestamp":
        value = pl.col(_parsed_stamp(column.name))  # parsed once by _parse_timestamps
    elif column.kind == "date":
        value = _date(text)
    else:  # pragma: no cover - a spec typo
        raise ValueError(f"unknown column kind {column.kind}")

    if column.default is not None:
        value = pl.when(text.is_null()).then(pl.lit(column.default)).otherwise(value)

    typed = pl.col(_typed_name(column.name))
    quoted = pl.lit("'") + text + pl.lit("'")
    problems: list[Problem] = []
    if not column.nullable:
        problems.append((text.is_null(), pl.lit(f"{column.name} is empty (a value is required)")))
    if column.kind in expected:
        problems.append(
            (
                text.is_not_null() & typed.is_null(),
                pl.lit(f"{column.name}: ") + quoted + pl.lit(f" is not {expected[column.kind]}"),
            )
        )
    if column.kind == "currency":
        problems.append(
            (
                text.is_not_null() & ~typed.str.contains(r"^[A-Z]{3}$"),
                pl.lit(f"{column.name}: ") + quoted + pl.lit(" is not a 3-letter ISO 4217 code"),
            )
        )
    if column.allowed:
        problems.append(
            (
                text.is_not_null() & ~typed.is_in(list(column.allowed)),
                pl.lit(f"{column.name}: ")
                + quoted
                + pl.lit(f" is not one of {', '.join(column.allowed)}"),
            )
        )
    if column.min_value is not None:
        problems.append(
            (
                text.is_not_null() & (typed < column.min_value),
                pl.lit(f"{column.name}: ") + quoted + pl.lit(f" is below {column.min_value:g}"),
            )
        )
    if column.positive:
        problems.append(
            (
                text.is_not_null() & (typed <= 0),
                pl.lit(f"{column.name}: ") + quoted + pl.lit(" must be greater than 0"),
            )
        )
    return value, problems


def _reason(problems: list[Problem]) -> pl.Expr:
    """Every failed check of a row, in column order, joined by '; '."""
    messages = [
        pl.when(condition.fill_null(False)).then(message) for condition, message in problems
    ]
    return pl.concat_str(messages, separator="; ", ignore_nulls=True)


@functools.lru_cache(maxsize=32)
def _typing_and_checks(
    columns: tuple[Column, ...], timezone: str
) -> tuple[tuple[pl.Expr, ...], tuple[Problem, ...]]:
    """Every column's typed value and checks, built once per format and timezone: building
    the expressions costs more than running them on a small file. Tuples: the cached
    answer is shared by every call."""
    values, problems = [], []
    for column in columns:
        value, checks = _parse_column(column, timezone)
        values.append(value.alias(_typed_name(column.name)))
        problems.extend(checks)
    return tuple(values), tuple(problems)


def parse_rows(frame: pl.DataFrame, spec: SourceSpec, timezone: str) -> ParsedRows:
    """Type every canonical column; split rows into good and bad (with reasons).

    The checks are flags over every row; the messages, which build a string per row, are
    written only for the rows that fail (a million-line export has few or none)."""
    matched, ignored = match_columns(frame, spec)
    cleaned = matched.with_columns(_blank_to_null(pl.col(c)).alias(c) for c in spec.column_names)
    if ROW not in cleaned.columns:  # an adapter numbers rows by the file's own rows
        cleaned = cleaned.with_row_index(ROW, offset=1)
    cleaned = cleaned.with_columns(pl.col(ROW).cast(pl.Int64))
    stamps = [c for c in spec.columns if c.kind == "timestamp"]
    for column in stamps:
        cleaned = pl.concat(
            [cleaned, _parse_timestamps(cleaned[column.name], column, timezone)], how="horizontal"
        )

    values, problems = _typing_and_checks(spec.columns, timezone)
    if READ_PROBLEM in cleaned.columns:
        problems = [(pl.col(READ_PROBLEM).is_not_null(), pl.col(READ_PROBLEM)), *problems]
    failed = pl.any_horizontal(condition.fill_null(False) for condition, _ in problems)
    checked = cleaned.with_columns(values).with_columns(failed.alias("__failed"))

    if checked["__failed"].any():
        bad = checked.filter(pl.col("__failed")).select(
            ROW,
            _reason(problems).alias(REASON),
            pl.struct(spec.column_names).struct.json_encode().alias("record"),
        )
    else:  # most files: no message to write
        bad = pl.DataFrame(schema={ROW: pl.Int64, REASON: pl.String, "record": pl.String})
    good_rows = checked.filter(~pl.col("__failed"))
    dst = good_rows.select(pl.col(_dst_flag(c.name)).sum().alias(c.name) for c in stamps)
    dst_rows = {name: n for name, n in dst.row(0, named=True).items() if n} if stamps else {}
    good = good_rows.select(ROW, *(pl.col(_typed_name(c.name)).alias(c.name) for c in spec.columns))
    return ParsedRows(good=good, bad=bad, ignored_columns=ignored, dst_rows=dst_rows)


def split_duplicate_keys(parsed: ParsedRows, spec: SourceSpec) -> ParsedRows:
    """Within one file the last row of a natural key wins; earlier ones are quarantined."""
    key = natural_key_exprs(spec)
    good = parsed.good
    is_last = pl.col(ROW) == pl.col(ROW).max().over(key)
    superseded = good.filter(~is_last)
    if superseded.is_empty():
        return parsed
    kept_row = pl.col(ROW).max().over(key)
    dup = good.with_columns(kept_row.alias("_kept")).filter(~is_last)
    dup_bad = dup.select(
        ROW,
        (
            pl.lit(f"duplicate {' + '.join(spec.natural_key)} in the same file; row ")
            + pl.col("_kept").cast(pl.String)
            + pl.lit(" is kept")
        ).alias(REASON),
        pl.struct([pl.col(c).cast(pl.String) for c in spec.column_names])
        .struct.json_encode()
        .alias("record"),
    )
    return ParsedRows(
        good=good.filter(is_last),
        bad=pl.concat([parsed.bad, dup_bad]).sort(ROW),
        ignored_columns=parsed.ignored_columns,
        dst_rows=parsed.dst_rows,
    )


def natural_key_exprs(spec: SourceSpec) -> list[pl.Expr]:
    exprs = []
    for name in spec.natural_key:
        expr = pl.col(name)
        if name in spec.key_fallbacks:
            expr = pl.coalesce(expr, pl.col(spec.key_fallbacks[name]))
        exprs.append(expr.cast(pl.String).fill_null("").alias(f"_key_{name}"))
    return exprs
