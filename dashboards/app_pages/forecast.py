"""预测 / Forecast: forecast vs actuals per series, accuracy vs the baseline, stock-out list."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, data, page
from dashboards.i18n import t
from dashboards.kpis import UNKNOWN

ctx = page.begin("forecast", main_source="orders", also_uses=("inventory",))
st.caption(t("forecast_scope"))
series_list = data.forecast_series_list()
if series_list.is_empty():
    st.info(t("no_forecast"))
    st.stop()

# the whole shop's and the SKUs' accuracy: the targets the forecasts are held to
accuracy = data.forecast_accuracy()
selected = accuracy.filter(pl.col("is_selected")) if accuracy.height else accuracy
st.subheader(t("accuracy_title"))
shop = selected.filter(pl.col("series") == "ALL")
if shop.height:
    row = shop.row(0, named=True)
    gain = 1 - row["mase"] / row["baseline_mase"] if row["mase"] and row["baseline_mase"] else None
    st.markdown(
        t("accuracy_all", mase=f"{row['mase']:.3f}", model=row["model"],
          baseline=f"{row['baseline_mase']:.3f}", gain=UNKNOWN if gain is None else f"{gain:.0%}")
    )  # fmt: skip
skus = selected.filter(pl.col("series_type") == "sku").drop_nulls(["mase", "baseline_mase"])
if skus.height:
    st.markdown(
        t("accuracy_skus", mase=f"{skus['mase'].mean():.3f}",
          baseline=f"{skus['baseline_mase'].mean():.3f}",
          share=f"{(skus['mase'] <= skus['baseline_mase']).mean():.0%}")
    )  # fmt: skip

# how each kind of series is forecast: SKUs that sold on too few days get a rate, no model
methods = series_list.group_by("series_type", "model").len().sort("series_type", "len")
for kind_name, models in methods.group_by("series_type", maintain_order=True):
    counts = ", ".join(f"{m} {n:,}" for m, n in models.select("model", "len").iter_rows())
    st.caption(t("forecast_methods", kind=t(f"series_{kind_name[0]}"), counts=counts))
if "RecentRate" in set(series_list["model"]):
    st.caption(t("recent_rate_note"))

kinds = [k for k in ("all", "category", "sku") if k in set(series_list["series_type"])]
kind = st.segmented_control(
    t("series_type"), kinds, default=kinds[0], format_func=lambda k: t(f"series_{k}"),
    key="forecast_kind", required=True,
)  # fmt: skip
names = series_list.filter(pl.col("series_type") == kind)["series"].to_list()
name = st.selectbox(t("pick_series"), names, key="forecast_series")
rows = data.forecast_rows(name)
ahead = rows.filter(pl.col("kind") == "future").height
st.altair_chart(
    charts.forecast_band(rows, t("forecast_chart", series=name, days=ahead), t("actual"),
                         t("forecast_line")),
    width="stretch",
)  # fmt: skip
page.table(
    data.forecast_accuracy(name),
    hide_index=True,
    column_config=page.columns(
        "forecast_accuracy",
        {"model": "text", "mase": "number", "smape": "number", "baseline_mase": "number",
         "baseline_smape": "number", "selection_mase": "number", "is_selected": "check",
         "error_sd": "number", "holdout_start": "date", "holdout_end": "date"},
    )
    | {"series": None, "series_type": None, "backtested_at": None},
)  # fmt: skip

st.subheader(t("stockout_list"), anchor="stockout")
risk = data.inventory_risk()
if risk.height:
    lead, level = risk["lead_time_days"][0], risk["service_level"][0]
    st.caption(t("stockout_note", lead=lead, level=f"{level:.0%}"))
    at_risk_only = st.toggle(t("only_at_risk"), value=True, key="only_at_risk")
    shown = (
        risk.filter(pl.col("stockout_date").is_not_null() | (pl.col("reorder_qty") > 0))
        if at_risk_only else risk
    )  # fmt: skip
    page.table(
        shown.select("sku", "on_hand_qty", "daily_demand_forecast", "days_of_cover",
                     "stockout_date", "reorder_qty", "safety_stock", "model"),
        hide_index=True,
        column_config=page.columns(
            "inventory_risk",
            {"sku": "text", "on_hand_qty": "count", "daily_demand_forecast": "number",
             "days_of_cover": "days", "stockout_date": "date", "reorder_qty": "count",
             "safety_stock": "number", "model": "text"},
        ),
    )  # fmt: skip
