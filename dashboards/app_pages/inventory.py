"""库存周转 / Inventory: turnover and days of inventory, sell-through, stock-outs, slow movers."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import aggregate, data, page
from dashboards.i18n import lang, t
from dashboards.kpis import definition, format_value, label

ctx = page.begin(
    "inventory", main_source="inventory", also_uses=("orders", "products"), shows_without_main=True
)
first_month, last_month = ctx.chosen.months()
st.caption(t("inventory_scope", first=f"{first_month:%Y-%m}", last=f"{last_month:%Y-%m}"))
months = data.inventory_months(first_month, last_month)
page.stop_if_empty(months)
docs = data.column_docs("inventory_turnover")
by_sku = aggregate.inventory_by_sku(months, docs)
by_category = aggregate.inventory_by_category(by_sku, docs)

if "inventory" in data.missing_sources():
    # no stock counts yet: what was sold, per SKU and category, is all there is to show
    sold = ["sku", "category", "units_sold", "cogs"]
    st.subheader(t("by_category"))
    page.table(
        by_category.select("category", "units_sold", "cogs"),
        hide_index=True,
        column_config=page.columns("inventory_turnover", sold),
    )
    st.subheader(t("by_sku"))
    page.table(
        by_sku.select(sold).sort("units_sold", descending=True),
        hide_index=True,
        column_config=page.columns("inventory_turnover", sold),
    )
    st.stop()

# the whole shop is one more roll-up with the same formulas
whole = aggregate.inventory_by_category(by_sku.with_columns(pl.lit("all").alias("category")), docs)
whole = whole.row(0, named=True)
running_low = by_sku.filter(
    (pl.col("days_of_cover") < aggregate.RUN_OUT_DAYS) & (pl.col("units_sold") > 0)
).sort("days_of_cover")
overstocked = by_sku.filter(pl.col("days_of_inventory") > aggregate.OVERSTOCK_DAYS).sort(
    "days_of_inventory", descending=True
)


def doc_metric(column, name: str) -> None:
    doc = docs.get(name, {})
    shown = format_value(whole[name], doc.get("format") or "number", lang())
    column.metric(label(doc, name, lang()), shown, help=definition(doc, lang()), border=True)


cards = st.columns(3) + st.columns(3)
for slot, name in zip(cards, ("turnover", "days_of_inventory", "sell_through_rate"), strict=False):
    doc_metric(slot, name)
cards[3].metric(t("stockout_skus"), f"{(by_sku['stockout_days'] > 0).sum():,}", border=True,
                help=definition(docs.get("stockout_days", {}), lang()))  # fmt: skip
cards[4].metric(t("skus_at_risk"), f"{running_low.height:,}", border=True,
                help=t("run_out_risk", days=aggregate.RUN_OUT_DAYS))  # fmt: skip
cards[5].metric(t("skus_overstocked"), f"{overstocked.height:,}", border=True,
                help=t("overstocked", days=aggregate.OVERSTOCK_DAYS))  # fmt: skip

sku_columns = ["sku", "category", "units_sold", "cogs", "avg_inventory_value", "turnover",
               "days_of_inventory", "sell_through_rate", "closing_on_hand_qty",
               "stockout_days"]  # fmt: skip
sku_config = page.columns("inventory_turnover", sku_columns)
sku_config["days_of_cover"] = st.column_config.NumberColumn(
    t("forward_cover"), help=t("forward_cover_help"), format="%.1f"
)
shown_columns = [*sku_columns, "days_of_cover"]

st.page_link("app_pages/forecast.py", label=t("see_forecast"), icon=":material/query_stats:")
left, right = st.columns(2)
left.markdown(f"**{t('run_out_risk', days=aggregate.RUN_OUT_DAYS)}**")
page.table(running_low.select(shown_columns), where=left, hide_index=True, column_config=sku_config)
right.markdown(f"**{t('overstocked', days=aggregate.OVERSTOCK_DAYS)}**")
page.table(
    overstocked.select(shown_columns), where=right, hide_index=True, column_config=sku_config
)

st.subheader(t("by_category"))
category_config = page.columns(
    "inventory_turnover",
    ["category", "units_sold", "cogs", "avg_inventory_value", "turnover", "days_of_inventory",
     "sell_through_rate", "closing_on_hand_qty"],
)  # fmt: skip
category_config["skus_with_stockouts"] = st.column_config.NumberColumn(t("stockout_skus"))
category_config["snapshot_days"] = None  # hidden
page.table(by_category, hide_index=True, column_config=category_config)

st.subheader(t("slow_movers"))
slow = by_sku.filter(pl.col("closing_on_hand_qty") > 0).sort("sell_through_rate").head(15)
page.table(slow.select(shown_columns), hide_index=True, column_config=sku_config)

st.subheader(t("by_sku"))
page.table(by_sku.select(shown_columns), hide_index=True, column_config=sku_config)
