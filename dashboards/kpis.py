"""The KPIs the pages show: their labels and definitions come from the dbt docs.

The definition of each KPI is written once, in the dbt YAML (description and
meta.label_zh), published with the marts, and shown here as tooltips.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Kpi:
    column: str  # a fct_daily_kpis column (its dbt docs are the tooltip) or a derived name
    label_en: str
    kind: str  # money | count | ratio
    # how the period's value is computed from daily rows: a sum, or a ratio of sums
    numerator: str | None = None
    denominator: str | None = None
    derived: bool = False  # not a mart column: label and definition live in i18n


OVERVIEW_KPIS = (
    Kpi("gross_sales", "GMV (gross sales)", "money"),
    Kpi("net_revenue", "Net revenue", "money"),
    Kpi("orders", "Orders", "count"),
    Kpi("aov", "AOV (per order)", "money", "sales_after_discounts", "orders"),
    Kpi(
        "revenue_per_buyer",
        "Revenue per buyer (客单价)",
        "money",
        "sales_after_discounts",
        "customers",
    ),
    Kpi("conversion_rate", "Conversion rate (sessions)", "ratio", "orders", "sessions"),
    Kpi("buyer_conversion_rate", "Buyer conversion (visitors)", "ratio", "customers", "visitors"),
    Kpi("new_customers", "New customers", "count"),
    Kpi("returning", "Returning buyers (daily sum)", "count", derived=True),
    Kpi("gross_profit", "Gross profit", "money"),
    Kpi(
        "gross_margin",
        "Gross margin",
        "ratio",
        "gross_profit",
        "net_revenue_with_profit",
        derived=True,
    ),
    Kpi("cogs_coverage", "Cost of goods known", "ratio", "net_revenue_with_cost", "net_revenue"),
    Kpi("refund_rate", "Refund rate", "ratio", "refunds", "sales_after_discounts"),
)


def safe_ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator, NULL when the denominator is 0 or NULL: the marts'
    safe_ratio macro, for ratios the pages compute over a chosen period."""
    return pl.when(denominator != 0).then(numerator / denominator)


def ratio_of(numerator: float | None, denominator: float | None) -> float | None:
    """The same for two totals: NULL when either is unknown or the denominator is 0."""
    return numerator / denominator if numerator is not None and denominator else None


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


def label(doc: dict[str, str], english: str, lang: str) -> str:
    """The column's name for people: its Chinese label from the dbt YAML, or English."""
    return (doc.get("label_zh") or english) if lang == "zh" else english


def definition(doc: dict[str, str], lang: str) -> str | None:
    """The column's definition from the dbt YAML, in the UI language when written."""
    text = doc.get("description_zh") if lang == "zh" else None
    return text or doc.get("description") or None


def known_sum(values: pl.Series) -> float | None:
    """A sum over days, NULL (unknown) when no day knows the value: never a silent 0."""
    return None if values.null_count() == len(values) else float(values.sum())


def period_value(frame: pl.DataFrame, kpi: Kpi) -> float | None:
    """A KPI over a period: sums, and ratios of sums (never a mean of daily ratios)."""
    if frame.is_empty():
        return None
    if kpi.column == "returning":
        return known_sum(frame["returning_customers"])
    if kpi.numerator is None:
        return known_sum(frame[kpi.column])
    sums = {
        "sales_after_discounts": known_sum(frame["gross_sales"] - frame["discounts"]),
        **{c: known_sum(frame[c]) for c in ("orders", "customers", "sessions", "visitors", "refunds",
                                            "gross_profit", "net_revenue",
                                            "net_revenue_with_cost")},
        # a margin over the days whose gross profit is known
        "net_revenue_with_profit": known_sum(
            frame.filter(pl.col("gross_profit").is_not_null())["net_revenue"]
        ),
    }  # fmt: skip
    numerator, denominator = sums[kpi.numerator], sums[kpi.denominator]
    return ratio_of(numerator, denominator)


def format_value(value: float | None, kind: str, lang: str, currency: str = "CNY") -> str:
    """Numbers for people: ¥1.2万 in Chinese, ¥12.3K in English, percentages to 2 places."""
    if value is None:
        return "—"
    if kind == "ratio":
        return f"{value:.2%}"
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
