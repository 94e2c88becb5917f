"""物流 / Logistics: cost per order and cost-to-revenue, on-time rate, delivery days, returns."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import aggregate, charts, data, page
from dashboards.i18n import lang, t
from dashboards.kpis import definition, english_label, format_value, label

ctx = page.begin("logistics", main_source="logistics", also_uses=("orders",))
first_month, last_month = ctx.chosen.months()
st.caption(t("logistics_scope", first=f"{first_month:%Y-%m}", last=f"{last_month:%Y-%m}"))
months = data.logistics_months(first_month, last_month)
page.stop_if_empty(months)
docs = data.column_docs("logistics_performance")
whole = aggregate.logistics_by(months.with_columns(pl.lit("all").alias("all")), ["all"]).row(
    0, named=True
)
by_carrier = aggregate.logistics_by(months, ["carrier"])
by_region = aggregate.logistics_by(months, ["carrier", "region"])

cards = [
    ("cost_per_order", format_value(whole["cost_per_order"], "money", lang(), ctx.currency)),
    ("cost_to_revenue", format_value(whole["cost_to_revenue"], "ratio", lang())),
    ("on_time_rate", format_value(whole["on_time_rate"], "ratio", lang())),
    ("avg_delivery_days", "—" if whole["avg_delivery_days"] is None
     else f"{whole['avg_delivery_days']:.2f}"),
    ("return_rate", format_value(whole["return_rate"], "ratio", lang())),
    ("shipments", format_value(float(whole["shipments"]), "count", lang())),
]  # fmt: skip
for column, (name, shown) in zip(st.columns(3) + st.columns(3), cards, strict=True):
    doc = docs.get(name, {})
    column.metric(label(doc, english_label(name), lang()), shown, help=definition(doc, lang()),
                  border=True)  # fmt: skip

late = by_carrier.drop_nulls("on_time_rate").sort("on_time_rate")
if late.height:
    worst = late.row(0, named=True)
    st.markdown(
        t("most_late", carrier=worst["carrier"], rate=f"{worst['on_time_rate']:.1%}",
          late=int(worst["late_shipments"]))
    )  # fmt: skip

kinds = {"carrier": "text", "shipments": "count", "orders_shipped": "count",
         "shipping_cost": "money", "cost_per_order": "money", "cost_to_revenue": "ratio",
         "on_time_rate": "ratio", "avg_delivery_days": "days", "return_rate": "ratio"}  # fmt: skip
config = page.columns("logistics_performance", kinds)
config["late_shipments"] = st.column_config.NumberColumn(t("late_shipments"), format="localized")
st.subheader(t("by_carrier"))
st.dataframe(by_carrier.select(*kinds, "late_shipments"), hide_index=True, column_config=config)

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

region_config = page.columns("logistics_performance", {"region": "text", **kinds})
region_config["late_shipments"] = config["late_shipments"]
st.dataframe(
    by_region.select("carrier", "region", *list(kinds)[1:], "late_shipments"),
    hide_index=True,
    column_config=region_config,
)
