"""运营总览 / Overview: the operations manager's morning numbers."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, data, page
from dashboards.i18n import lang, t
from dashboards.kpis import (
    OVERVIEW_KPIS,
    definition,
    format_value,
    label,
    roll_up,
    safe_ratio,
)
from pipelines.lib.canonical import missing_export_note

ctx = page.begin("overview", main_source="orders", also_uses=("traffic", "products", "logistics"))
chosen = ctx.chosen
frame = data.daily_kpis(chosen.start, chosen.end, chosen.platforms)
page.stop_if_empty(frame)
before = data.daily_kpis(chosen.previous().start, chosen.previous().end, chosen.platforms)
year_ago = data.daily_kpis(chosen.last_year().start, chosen.last_year().end, chosen.platforms)
docs = data.column_docs("fct_daily_kpis")


def change(value: float | None, base: float | None) -> float | None:
    """The relative change from base: NULL when either is unknown or base is 0."""
    return None if value is None or not base else (value - base) / abs(base)


now, previous, last_year = (roll_up(rows, docs).row(0, named=True)
                            for rows in (frame, before, year_ago))  # fmt: skip
cards = st.columns(4)
for i, column in enumerate(OVERVIEW_KPIS):
    doc = docs.get(column, {})
    value = now[column]
    vs_previous = change(value, previous[column])
    vs_year = change(value, last_year[column])
    with cards[i % 4]:
        st.metric(
            label(doc, column, lang()),
            format_value(value, doc.get("format") or "number", lang(), ctx.currency),
            delta=None
            if vs_previous is None
            else f"{vs_previous:+.1%} " + t("vs_previous", days=chosen.days),
            # a rise in refunds or costs is bad news: shown red
            delta_color="inverse" if doc.get("better") == "lower" else "normal",
            help=definition(doc, lang()),
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
shown = ["platform", "net_revenue", "orders", "sessions", "gross_profit", "conversion_rate"]
previous_revenue = roll_up(before, docs, by=["platform"]).select(
    "platform", pl.col("net_revenue").alias("previous")
)
by_platform = (
    roll_up(frame, docs, by=["platform"])
    .select(shown)
    .join(previous_revenue, on="platform", how="left")
    .with_columns(
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
config = page.columns("fct_daily_kpis", shown)
config["share"] = st.column_config.NumberColumn(t("share"), format="percent")
config["growth"] = st.column_config.NumberColumn(t("growth"), format="percent")
page.table(by_platform, hide_index=True, column_config=config)

st.subheader(t("targets"))
first_month, last_month = chosen.months()
targets = data.monthly_targets(first_month, last_month)
if targets.is_empty():
    st.caption(missing_export_note("targets", lang()))
else:
    # a platform filter shows its platforms' targets; the whole shop's only without one
    every_platform = set(chosen.platforms) >= set(data.platforms())
    targets = targets.filter(
        pl.col("platform").is_in(chosen.platforms)
        | ((pl.col("platform") == "all") & every_platform)
    )
    behind = targets.filter(
        (pl.col("month_elapsed") > 0) & (pl.col("target_attainment") < pl.col("month_elapsed"))
    )
    for row in behind.tail(3).iter_rows(named=True):
        key = "missed_target" if row["month_elapsed"] >= 1 else "behind_pace"
        st.markdown(
            t(key, platform=row["platform"], month=f"{row['month']:%Y-%m}",
              attainment=f"{row['target_attainment']:.0%}", elapsed=f"{row['month_elapsed']:.0%}")
        )  # fmt: skip
    shown = ["month", "platform", "net_revenue_target", "net_revenue", "target_attainment",
             "month_elapsed"]  # fmt: skip
    page.table(
        targets.select(shown), hide_index=True,
        column_config=page.columns("fct_monthly_targets", shown),
    )  # fmt: skip
