"""物流 / Logistics: cost per order and cost-to-revenue, on-time rate, delivery days, returns."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import aggregate, charts, data, page
from dashboards.i18n import lang, t
from dashboards.kpis import definition, format_value, label

ctx = page.begin("logistics", main_source="logistics", also_uses=("orders",))
first_month, last_month = ctx.chosen.months()
st.caption(t("logistics_scope", first=f"{first_month:%Y-%m}", last=f"{last_month:%Y-%m}"))
months = data.logistics_months(first_month, last_month)
page.stop_if_empty(months)
docs = data.column_docs("logistics_performance")
whole = aggregate.logistics_by(months.with_columns(pl.lit("all").alias("all")), ["all"], docs)
whole = whole.row(0, named=True)
by_carrier = aggregate.logistics_by(months, ["carrier"], docs)
by_region = aggregate.logistics_by(months, ["carrier", "region"], docs)

cards = ("cost_per_order", "cost_to_revenue", "on_time_rate", "avg_delivery_days", "return_rate",
         "shipments")  # fmt: skip
for column, name in zip(st.columns(3) + st.columns(3), cards, strict=True):
    doc = docs.get(name, {})
    shown = format_value(whole[name], doc.get("format") or "number", lang(), ctx.currency)
    column.metric(label(doc, name, lang()), shown, help=definition(doc, lang()), border=True)

late = by_carrier.drop_nulls("on_time_rate").sort("on_time_rate")
if late.height:
    worst = late.row(0, named=True)
    st.markdown(
        t("most_late", carrier=worst["carrier"], rate=f"{worst['on_time_rate']:.1%}",
          late=int(worst["late_shipments"]))
    )  # fmt: skip

shown_columns = ["carrier", "shipments", "orders_shipped", "shipping_cost", "cost_per_order",
                 "cost_to_revenue", "on_time_rate", "avg_delivery_days", "return_rate"]  # fmt: skip
config = page.columns("logistics_performance", shown_columns)
config["late_shipments"] = st.column_config.NumberColumn(t("late_shipments"), format="localized")
st.subheader(t("by_carrier"))
page.table(by_carrier.select(*shown_columns, "late_shipments"), hide_index=True,
             column_config=config)  # fmt: skip

left, right = st.columns(2)
left.altair_chart(
    charts.bars(by_carrier.drop_nulls("on_time_rate"), "carrier", "on_time_rate",
                t("on_time_chart"), ".0%"),
    width="stretch",
)  # fmt: skip
right.altair_chart(
    charts.heatmap(by_region.drop_nulls("cost_per_order"), "carrier", "region", "cost_per_order",
                   t("cost_heatmap"), ",.1f", None, None),
    width="stretch",
)  # fmt: skip

region_config = page.columns("logistics_performance", ["region", *shown_columns])
region_config["late_shipments"] = config["late_shipments"]
page.table(
    by_region.select("carrier", "region", *shown_columns[1:], "late_shipments"),
    hide_index=True,
    column_config=region_config,
)
