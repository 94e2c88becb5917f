"""运营总览 / Overview: the operations manager's morning numbers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import polars as pl
import streamlit as st

from dashboards import charts, data, filters
from dashboards.i18n import lang, t
from dashboards.kpis import OVERVIEW_KPIS, definition, format_value, label, period_value

st.title(t("overview"))

info = data.build_info()
chosen = filters.current()
if info is None or chosen is None:
    st.info(f"**{t('no_data_title')}** — {t('no_data_body')}")
    st.stop()

currency = info["reporting_currency"]
tz = ZoneInfo(info["timezone"])
built_local = info["built_at"].replace(tzinfo=dt.UTC).astimezone(tz)
bounds = data.kpi_date_bounds()
st.caption(
    t("freshness", latest=bounds[1].isoformat(), built=f"{built_local:%Y-%m-%d %H:%M}", tz=tz.key)
    + " · "
    + t("currency_note", currency=currency)
)

frame = data.daily_kpis(chosen.start, chosen.end, chosen.platforms)
if frame.is_empty():
    st.warning(t("no_rows"))
    st.stop()
before = data.daily_kpis(chosen.previous().start, chosen.previous().end, chosen.platforms)
docs = data.column_docs("fct_daily_kpis")

columns = st.columns(4)
for i, kpi in enumerate(OVERVIEW_KPIS):
    doc = docs.get(kpi.column, {})
    value = period_value(frame, kpi)
    previous = period_value(before, kpi)
    delta = None
    if value is not None and previous:
        delta = f"{(value - previous) / abs(previous):+.1%} " + t("vs_previous", days=chosen.days)
    columns[i % 4].metric(
        label(doc, kpi.label_en, lang()),
        format_value(value, kpi.kind, lang(), currency),
        delta=delta,
        help=definition(doc, lang()),
        border=True,
    )

st.altair_chart(
    charts.daily_trend(frame, "net_revenue", t("trend"), currency),
    width="stretch",
)

st.subheader(t("breakdown"))
by_platform = (
    frame.group_by("platform")
    .agg(
        pl.col("net_revenue").sum(),
        pl.col("orders").sum(),
        pl.col("customers").sum(),
        pl.col("sessions").sum(),
        pl.col("gross_profit").sum(),
    )
    .with_columns(
        (pl.col("orders") / pl.col("sessions")).alias("conversion_rate"),
        (pl.col("net_revenue") / pl.col("net_revenue").sum()).alias("share"),
    )
    .sort("net_revenue", descending=True)
)


def column(name: str, english: str, **kw) -> st.column_config.Column:
    doc = docs.get(name, {})
    return st.column_config.NumberColumn(
        label(doc, english, lang()), help=definition(doc, lang()), **kw
    )


st.dataframe(
    by_platform,
    hide_index=True,
    column_config={
        "platform": st.column_config.TextColumn(
            label(docs.get("platform", {}), "Platform", lang())
        ),
        "net_revenue": column("net_revenue", "Net revenue", format="%.2f"),
        "orders": column("orders", "Orders"),
        "customers": column("customers", "Buyers (sum of daily)"),
        "sessions": column("sessions", "Sessions"),
        "gross_profit": column("gross_profit", "Gross profit", format="%.2f"),
        "conversion_rate": column(
            "conversion_rate", "Conversion rate (sessions)", format="percent"
        ),
        "share": st.column_config.NumberColumn(t("share"), format="percent"),
    },
)
