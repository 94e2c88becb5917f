"""营销ROI / Marketing ROI: campaigns, spend vs attributed revenue, MER and CAC, the report."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, data, page, report
from dashboards.i18n import lang, t
from dashboards.kpis import definition, format_value, label, roll_up

# ROI and attributed gross profit need the costs of goods (products) and of shipping (logistics)
ctx = page.begin("marketing", main_source="ads", also_uses=("orders", "products", "logistics"))
chosen = ctx.chosen
days = data.campaign_days(chosen.start, chosen.end)
shop = data.daily_marketing(chosen.start, chosen.end)
page.stop_if_empty(shop)
st.caption(t("marketing_scope"))
if (
    "orders" not in data.missing_sources()
    and days.height
    and days["attributed_revenue"].is_null().all()
):
    # the marts leave attribution unknown when no order names its campaign (campaign_roi)
    st.info(t("no_order_campaigns"))

ad_platforms = sorted(days["ad_platform"].unique().to_list()) if days.height else []
picked = st.multiselect(t("ad_platforms"), ad_platforms, default=ad_platforms, key="ad_platforms")
days = days.filter(pl.col("ad_platform").is_in(picked)) if days.height else days
docs = data.column_docs("campaign_roi")
shop_docs = data.column_docs("fct_daily_marketing")
campaigns = report.campaign_summary(days, docs)

# the period's totals by the YAML roll-up rules: campaigns over the chosen ad platforms,
# MER and blended CAC over the whole shop
period = roll_up(days, docs).row(0, named=True)
shop_period = roll_up(shop, shop_docs).row(0, named=True)
cards = [(name, docs, period[name]) for name in ("spend", "attributed_revenue", "roas", "roi")]
cards += [(name, shop_docs, shop_period[name]) for name in ("mer", "blended_cac")]
slots = st.columns(3) + st.columns(3)
for column, (name, source_docs, value) in zip(slots, cards, strict=True):
    doc = source_docs.get(name, {})
    shown = format_value(value, doc.get("format") or "number", lang(), ctx.currency)
    column.metric(label(doc, name, lang()), shown, help=definition(doc, lang()), border=True)

st.subheader(t("campaigns"))
ranked = campaigns.drop_nulls("roi").sort("roi")
if ranked.height:
    worst = ranked.row(0, named=True)
    st.markdown(
        t("worst_roi", name=worst["campaign_name"], platform=worst["ad_platform"],
          roi=f"{worst['roi']:.1%}", spend=format_value(worst["spend"], "money", lang(),
                                                        ctx.currency))
    )  # fmt: skip
page.table(campaigns, hide_index=True,
             column_config=page.columns("campaign_roi", report.REPORT_COLUMNS))  # fmt: skip

headers = {c: label(docs.get(c, {}), c, lang()) for c in report.REPORT_COLUMNS}
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
    t("download_xlsx"), report.to_xlsx(campaigns, headers, about, {c: d.get("format", "") for c, d in docs.items()}), f"{stem}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon="⬇️",
)  # fmt: skip
st.caption(t("report_note"))

if campaigns.height:
    st.altair_chart(
        charts.spend_vs_revenue(campaigns, t("spend_vs_revenue"), headers["spend"],
                                headers["attributed_revenue"]),
        width="stretch",
    )  # fmt: skip

weekly = roll_up(shop.with_columns(pl.col("date").dt.truncate("1w")), shop_docs, by=["date"])
left, right = st.columns(2)
left.altair_chart(charts.weekly_line(weekly, "mer", t("mer_trend")), width="stretch")
right.altair_chart(charts.weekly_line(weekly, "blended_cac", t("cac_trend")), width="stretch")
