"""运营总览 / Overview: the operations manager's morning numbers."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, data, page
from dashboards.aggregate import known_total
from dashboards.i18n import lang, t
from dashboards.kpis import (
    OVERVIEW_KPIS,
    definition,
    format_value,
    label,
    period_value,
    safe_ratio,
)

ctx = page.begin("overview", main_source="orders", also_uses=("traffic", "products", "logistics"))
chosen = ctx.chosen
frame = data.daily_kpis(chosen.start, chosen.end, chosen.platforms)
page.stop_if_empty(frame)
before = data.daily_kpis(chosen.previous().start, chosen.previous().end, chosen.platforms)
year_ago = data.daily_kpis(chosen.last_year().start, chosen.last_year().end, chosen.platforms)
docs = data.column_docs("fct_daily_kpis")


def change(value: float | None, base: float | None) -> float | None:
    return None if value is None or not base else (value - base) / abs(base)


cards = st.columns(4)
for i, kpi in enumerate(OVERVIEW_KPIS):
    if kpi.derived:
        title, helptext = t(f"{kpi.column}_label"), t(f"{kpi.column}_help")
    else:
        doc = docs.get(kpi.column, {})
        title, helptext = label(doc, kpi.label_en, lang()), definition(doc, lang())
    value = period_value(frame, kpi)
    vs_previous = change(value, period_value(before, kpi))
    vs_year = change(value, period_value(year_ago, kpi))
    with cards[i % 4]:
        st.metric(
            title,
            format_value(value, kpi.kind, lang(), ctx.currency),
            delta=None
            if vs_previous is None
            else f"{vs_previous:+.1%} " + t("vs_previous", days=chosen.days),
            help=helptext,
            border=True,
        )
        st.caption(
            t("no_last_year") if vs_year is None else t("vs_last_year", delta=f"{vs_year:+.1%}")
        )

left, right = st.columns(2)
left.altair_chart(
    charts.daily_trend(frame, "net_revenue", t("trend"), ctx.currency), width="stretch"
)
right.altair_chart(charts.daily_trend(frame, "orders", t("orders_trend"), ""), width="stretch")

weekly = (
    frame.group_by_dynamic("date", every="1w")
    .agg(pl.col("new_customers").sum(), pl.col("returning_customers").sum())
    .rename({"new_customers": t("new_buyers"), "returning_customers": t("returning_buyers")})
)
st.altair_chart(charts.stacked_weeks(weekly, t("new_vs_returning")), width="stretch")

st.subheader(t("breakdown"))
totals = (
    pl.col("net_revenue").sum(),
    pl.col("orders").sum(),
    known_total("sessions"),
    known_total("gross_profit"),
)
by_platform = (
    frame.group_by("platform")
    .agg(*totals)
    .join(
        before.group_by("platform").agg(pl.col("net_revenue").sum().alias("previous")),
        on="platform",
        how="left",
    )
    .with_columns(
        safe_ratio(pl.col("orders"), pl.col("sessions")).alias("conversion_rate"),
        safe_ratio(pl.col("net_revenue"), pl.col("net_revenue").sum()).alias("share"),
        safe_ratio(pl.col("net_revenue") - pl.col("previous"), pl.col("previous").abs()).alias(
            "growth"
        ),
    )
    .drop("previous")
    .sort("net_revenue", descending=True)
)
growing = by_platform.drop_nulls("growth").sort("growth", descending=True)
if growing.height:
    best = growing.row(0, named=True)
    st.markdown(
        t("fastest_growth", platform=best["platform"], growth=f"{best['growth']:+.1%}",
          days=chosen.days)
    )  # fmt: skip
config = page.columns(
    "fct_daily_kpis",
    {"platform": "text", "net_revenue": "money", "orders": "count", "sessions": "count",
     "gross_profit": "money", "conversion_rate": "ratio"},
)  # fmt: skip
config["share"] = st.column_config.NumberColumn(t("share"), format="percent")
config["growth"] = st.column_config.NumberColumn(t("growth"), format="percent")
st.dataframe(by_platform, hide_index=True, column_config=config)
