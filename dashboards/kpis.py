"""The KPIs the pages show, with everything about them read from the dbt YAML.

Each mart column's label (meta.label_zh, meta.label_en), definition (description,
meta.description_zh), format (meta.format) and roll-up rule live once, in the YAML beside
its SQL, and are published with the marts. The roll-up rule says how the column adds up
over a period or group the user chooses:
- meta.rollup: an aggregate over the mart's rows, `sum` for short (DuckDB SQL);
- meta.derive: a formula over the rolled-up columns, the same one the mart's SQL uses for
  a row (ratios of sums, never means of daily ratios).
`roll_up` applies them; the pages never write a KPI formula of their own.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import duckdb
import polars as pl

# how a figure that cannot be known (an export not sent yet, a ratio of nothing) is shown,
# on the cards and in the tables alike; its tooltip says why
UNKNOWN = "—"

# the cards on the Overview, in order: fct_daily_kpis columns
OVERVIEW_KPIS = (
    "gross_sales", "net_revenue", "orders", "aov", "revenue_per_buyer", "conversion_rate",
    "buyer_conversion_rate", "new_customers", "returning_customers", "gross_profit",
    "gross_margin", "cogs_coverage", "refund_rate",
)  # fmt: skip

# the marts' safe_ratio macro (dbt_project/macros/money.sql), for the roll-up rules
SAFE_RATIO_MACRO = (
    "create macro safe_ratio(numerator, denominator) as "
    "cast(numerator as double) / nullif(cast(denominator as double), 0)"
)


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def rollup_sql(column: str, rule: str, rows: pl.DataFrame) -> str:
    if rule != "sum":
        return rule
    # a summed column the rows do not carry is unknown (NULL), so is what derives from it
    return f"sum({quoted(column)})" if column in rows.columns else "null"


def roll_up(
    rows: pl.DataFrame, docs: dict[str, dict[str, str]], by: Sequence[str] = ()
) -> pl.DataFrame:
    """Mart rows -> one row per `by` group (one row for all when empty), every column that
    has a roll-up rule in the YAML rolled up by it, then every derived column computed.

    A sum over rows that are all NULL stays NULL (unknown, never 0); a ratio whose
    denominator sums to 0 is NULL.
    """
    rolled = [
        f"{rollup_sql(name, doc['rollup'], rows)} as {quoted(name)}"
        for name, doc in docs.items()
        if doc.get("rollup") and name not in by
    ]
    keys = [quoted(k) for k in by]
    # the row count keeps the select valid when no column has a rule
    sql = f"select {', '.join([*keys, *rolled, 'count(*) as _rows'])} from mart_rows"
    if keys:
        sql += f" group by all order by {', '.join(keys)}"
    return _run(rows, f"select * exclude (_rows) from ({derive_sql(sql, docs, list(docs))})")


def derive(frame: pl.DataFrame, docs: dict[str, dict[str, str]]) -> pl.DataFrame:
    """The YAML's derive formulas over rows already rolled up (in YAML order)."""
    return _run(frame, derive_sql("select * from mart_rows", docs, list(docs)))


def derive_sql(sql: str, docs: dict[str, dict[str, str]], names: list[str]) -> str:
    # one layer per derived column, in YAML order: one may use another (days_of_inventory
    # uses turnover)
    for name in names:
        if docs[name].get("derive"):
            sql = f"select *, {docs[name]['derive']} as {quoted(name)} from ({sql})"
    return sql


@functools.cache
def _roll_up_database() -> duckdb.DuckDBPyConnection:
    """One in-memory database with the macro for every roll-up of the process."""
    con = duckdb.connect()
    con.execute(SAFE_RATIO_MACRO)
    return con


def _run(rows: pl.DataFrame, sql: str) -> pl.DataFrame:
    # a cursor per call (pages run in threads of their own): its registered rows are its own
    with _roll_up_database().cursor() as con:
        con.register("mart_rows", rows.to_arrow())
        result = con.execute(sql).pl()
    # DuckDB sums integers as 128-bit (a decimal with no places here): back to 64-bit
    # integers, and money to floats as the pages read it
    return result.with_columns(
        pl.col(name).cast(pl.Int64 if dtype.scale == 0 else pl.Float64)
        for name, dtype in result.schema.items()
        if isinstance(dtype, pl.Decimal)
    ).with_columns(pl.col(pl.Int128).cast(pl.Int64))


def period_value(rows: pl.DataFrame, docs: dict[str, dict[str, str]], column: str):
    """One KPI over all the rows given (a period), by its YAML roll-up rule."""
    return roll_up(rows, docs)[column][0]


def safe_ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator, NULL when the denominator is 0 or NULL: the marts'
    safe_ratio macro, for ratios the pages compute over a chosen period."""
    return pl.when(denominator != 0).then(numerator / denominator)


ACRONYMS = {"aov": "AOV", "ctr": "CTR", "cpc": "CPC", "roas": "ROAS", "roi": "ROI",
            "cac": "CAC", "mer": "MER", "sku": "SKU", "rfm": "RFM", "90d": "90 days",
            "mase": "MASE", "smape": "sMAPE", "sd": "SD", "qty": "quantity"}  # fmt: skip


ENGLISH_OVERRIDES = {"sell_through_rate": "Sell-through rate", "on_time_rate": "On-time rate",
                     "avg_delivery_days": "Mean delivery days"}  # fmt: skip


def english_label(column: str) -> str:
    """A mart column's name for people: net_revenue -> Net revenue, roas -> ROAS."""
    if column in ENGLISH_OVERRIDES:
        return ENGLISH_OVERRIDES[column]
    words = [ACRONYMS.get(w, w) for w in column.split("_")]
    first = words[0] if column.split("_")[0] in ACRONYMS else words[0].capitalize()
    return " ".join([first, *words[1:]])


def label(doc: dict[str, str], column: str, lang: str) -> str:
    """The column's name for people, from the dbt YAML: meta.label_zh in Chinese,
    meta.label_en (else one made from the column's name) in English."""
    english = doc.get("label_en") or english_label(column)
    return (doc.get("label_zh") or english) if lang == "zh" else english


def definition(doc: dict[str, str], lang: str) -> str | None:
    """The column's definition from the dbt YAML, in the UI language when written."""
    text = doc.get("description_zh") if lang == "zh" else None
    return text or doc.get("description") or None


def format_value(value: float | None, kind: str, lang: str, currency: str = "CNY") -> str:
    """Numbers for people: ¥1.2万 in Chinese, ¥12.3K in English, percentages to 2 places."""
    if value is None:
        return UNKNOWN
    if kind == "ratio":
        return f"{value:.2%}"
    if kind == "number":  # a multiple such as ROAS or turnover
        return f"{value:,.2f}"
    if kind == "days":
        return f"{value:,.1f}"
    symbol = (
        {"CNY": "¥", "USD": "$", "EUR": "€"}.get(currency, currency + " ")
        if kind == "money"
        else ""
    )
    magnitude = abs(value)
    if lang == "zh":
        if magnitude >= 1e8:
            return f"{symbol}{value / 1e8:.2f}亿"
        if magnitude >= 1e4:
            return f"{symbol}{value / 1e4:.1f}万"
    else:
        if magnitude >= 1e6:
            return f"{symbol}{value / 1e6:.2f}M"
        if magnitude >= 1e4:
            return f"{symbol}{value / 1e3:.1f}K"
    return f"{symbol}{value:,.2f}" if kind == "money" else f"{value:,.0f}"
