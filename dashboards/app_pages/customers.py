"""用户复购 / Customers: cohort retention, 90-day repurchase, RFM segments."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from dashboards import charts, data, page
from dashboards.i18n import lang, t
from dashboards.kpis import definition, label, safe_ratio

# gross profit needs the products (cost of goods) and logistics (shipping cost) exports
ctx = page.begin("customers", main_source="orders", also_uses=("products", "logistics"))
chosen = ctx.chosen
last_month = chosen.end.replace(day=1)
first_month = (last_month - dt.timedelta(days=335)).replace(day=1)  # 12 cohorts
st.caption(t("customers_scope"))

cohorts = data.cohorts(first_month, last_month)
page.stop_if_empty(cohorts)
retention = cohorts.with_columns(pl.col("cohort_month").dt.strftime("%Y-%m"))
st.altair_chart(
    charts.heatmap(retention, "months_since_first", "cohort_month", "retention_rate",
                   t("retention_heatmap"), ".0%", t("months_since_first"), t("cohort_month")),
    width="stretch",
)  # fmt: skip

repurchase = data.repurchase(first_month, last_month).with_columns(
    pl.col("cohort_month").dt.strftime("%Y-%m")
)
docs = data.column_docs("repurchase")
left, right = st.columns([3, 2])
left.altair_chart(
    charts.bars(repurchase.drop_nulls("repurchase_rate_90d"), "cohort_month",
                "repurchase_rate_90d", t("repurchase_chart"), ".0%", highlight="window_complete",
                by_value=False),
    width="stretch",
)  # fmt: skip
left.caption(t("window_open"))
page.table(
    repurchase,
    where=right,
    hide_index=True,
    column_config=page.columns(
        "repurchase",
        {"cohort_month": "text", "new_customers": "count", "repurchased_90d": "count",
         "repurchase_rate_90d": "ratio", "window_complete": "check"},
    ),
)  # fmt: skip

st.subheader(t("rfm_title"))
segments = data.rfm_segments(chosen.platforms)
page.stop_if_empty(segments)
customer_docs = data.column_docs("dim_customers")
segment_column = "rfm_segment_zh" if lang() == "zh" else "rfm_segment"
shown = segments.select(
    pl.col(segment_column).alias("segment"),
    "customers",
    "orders",
    "net_revenue",
    "gross_profit",
    safe_ratio(pl.col("net_revenue"), pl.col("customers")).alias("revenue_per_customer"),
    "avg_recency_days",
)
left, right = st.columns([2, 3])
left.altair_chart(
    charts.bars(shown, "segment", "customers", t("customers_count"), ",.0f"), width="stretch"
)
config = page.columns(
    "dim_customers", {"orders": "count", "net_revenue": "money", "gross_profit": "money"}
)
segment_doc = customer_docs.get(segment_column, {})  # the column shown, in the UI's language
config |= {
    "segment": st.column_config.TextColumn(
        label(segment_doc, segment_column, lang()), help=definition(segment_doc, lang())
    ),
    "customers": st.column_config.NumberColumn(t("customers_count"), format="localized"),
    "revenue_per_customer": st.column_config.NumberColumn(t("revenue_per_customer"), format="%.2f"),
    "avg_recency_days": st.column_config.NumberColumn(t("avg_recency"), format="%.0f"),
}
page.table(shown, hide_index=True, column_config=config, where=right)
