"""营销ROI / Marketing ROI: campaigns, spend vs attributed revenue, MER and CAC, the report."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, data, page, report
from dashboards.i18n import lang, t
from dashboards.kpis import (
    definition,
    english_label,
    format_value,
    known_sum,
    label,
    ratio_of,
    safe_ratio,
)

ctx = page.begin("marketing", main_source="ads", also_uses=("orders",))
chosen = ctx.chosen
days = data.campaign_days(chosen.start, chosen.end)
shop = data.daily_marketing(chosen.start, chosen.end)
page.stop_if_empty(shop)
st.caption(t("marketing_scope"))

ad_platforms = sorted(days["ad_platform"].unique().to_list()) if days.height else []
picked = st.multiselect(t("ad_platforms"), ad_platforms, default=ad_platforms, key="ad_platforms")
days = days.filter(pl.col("ad_platform").is_in(picked)) if days.height else days
campaigns = report.campaign_summary(days)
docs = data.column_docs("campaign_roi")
shop_docs = data.column_docs("fct_daily_marketing")


spend = float(campaigns["spend"].sum() or 0)
attributed = float(campaigns["attributed_revenue"].sum() or 0)
# a campaign whose gross profit is unknown makes the period's unknown
profits = campaigns["attributed_gross_profit"]
profit = None if profits.null_count() else float(profits.sum() or 0)
cards = [
    ("spend", docs, spend, "money"),
    ("attributed_revenue", docs, attributed, "money"),
    ("roas", docs, ratio_of(attributed, spend), "number"),
    ("roi", docs, ratio_of(None if profit is None else profit - spend, spend), "ratio"),
    ("mer", shop_docs, ratio_of(known_sum(shop["net_revenue"]), known_sum(shop["ad_spend"])),
     "number"),
    ("blended_cac", shop_docs,
     ratio_of(known_sum(shop["ad_spend"]), known_sum(shop["new_customers"])), "money"),
]  # fmt: skip
slots = st.columns(3) + st.columns(3)
for column, (name, source_docs, value, kind) in zip(slots, cards, strict=True):
    doc = source_docs.get(name, {})
    shown = (
        "—" if value is None else f"{value:.2f}" if kind == "number"
        else format_value(value, kind, lang(), ctx.currency)
    )  # fmt: skip
    column.metric(label(doc, english_label(name), lang()), shown, help=definition(doc, lang()),
                  border=True)  # fmt: skip

st.subheader(t("campaigns"))
ranked = campaigns.drop_nulls("roi").sort("roi")
if ranked.height:
    worst = ranked.row(0, named=True)
    st.markdown(
        t("worst_roi", name=worst["campaign_name"], platform=worst["ad_platform"],
          roi=f"{worst['roi']:.1%}", spend=format_value(worst["spend"], "money", lang(),
                                                        ctx.currency))
    )  # fmt: skip
kinds = {"campaign_name": "text", "ad_platform": "text", "campaign_id": "text", "spend": "money",
         "impressions": "count", "clicks": "count", "ctr": "ratio", "cpc": "money",
         "attributed_orders": "count", "attributed_revenue": "money",
         "attributed_gross_profit": "money", "roas": "number", "roi": "ratio",
         "new_customers": "count", "cac": "money"}  # fmt: skip
st.dataframe(campaigns, hide_index=True, column_config=page.columns("campaign_roi", kinds))

headers = {c: label(docs.get(c, {}), english_label(c), lang()) for c in report.REPORT_COLUMNS}
about = [
    ("period", f"{chosen.start} – {chosen.end}"),
    ("ad_platforms", ", ".join(picked)),
    ("currency", ctx.currency),
    ("published", f"{ctx.built_at:%Y-%m-%d %H:%M} {ctx.timezone.key}"),
] + [(headers[c], definition(docs.get(c, {}), lang()) or "") for c in report.REPORT_COLUMNS]
stem = f"campaign_roi_{chosen.start:%Y%m%d}_{chosen.end:%Y%m%d}"
download_csv, download_xlsx, _ = st.columns([1, 1, 3])
download_csv.download_button(
    t("download_csv"), report.to_csv(campaigns, headers), f"{stem}.csv", "text/csv",
    icon="⬇️",
)  # fmt: skip
download_xlsx.download_button(
    t("download_xlsx"), report.to_xlsx(campaigns, headers, about), f"{stem}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon="⬇️",
)  # fmt: skip
st.caption(t("report_note"))

if campaigns.height:
    st.altair_chart(
        charts.spend_vs_revenue(campaigns, t("spend_vs_revenue"), headers["spend"],
                                headers["attributed_revenue"]),
        width="stretch",
    )  # fmt: skip

weekly = (
    shop.group_by_dynamic("date", every="1w")
    .agg(pl.col("ad_spend").sum(), pl.col("net_revenue").sum(), pl.col("new_customers").sum())
    .with_columns(
        safe_ratio(pl.col("net_revenue"), pl.col("ad_spend")).alias("mer"),
        safe_ratio(pl.col("ad_spend"), pl.col("new_customers")).alias("blended_cac"),
    )
)
left, right = st.columns(2)
left.altair_chart(charts.weekly_line(weekly, "mer", t("mer_trend")), width="stretch")
right.altair_chart(charts.weekly_line(weekly, "blended_cac", t("cac_trend")), width="stretch")
