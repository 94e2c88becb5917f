"""UI labels in English and Chinese. Data values are never translated."""

from __future__ import annotations

import streamlit as st

LANGUAGES = {"zh": "中文", "en": "English"}

LABELS: dict[str, dict[str, str]] = {
    "app_title": {"en": "shopkpi", "zh": "shopkpi 店铺经营分析"},
    "language": {"en": "Language", "zh": "语言"},
    "filters": {"en": "Filters", "zh": "筛选"},
    "date_range": {"en": "Date range", "zh": "日期范围"},
    "platforms": {"en": "Platforms", "zh": "平台"},
    "overview": {"en": "Overview", "zh": "运营总览"},
    "no_data_title": {"en": "No data yet", "zh": "暂无数据"},
    "no_data_body": {
        "en": "Nothing has been published yet. Drop export files into SHOPKPI_HOME/inbox/<source>/ "
        "and run `make pipeline` (or wait for the inbox sensor).",
        "zh": "尚未发布任何数据。请把导出文件放入 SHOPKPI_HOME/inbox/<数据源>/，"
        "然后运行 `make pipeline`（或等待收件箱传感器自动运行）。",
    },
    "no_rows": {"en": "No data for these filters.", "zh": "当前筛选条件下没有数据。"},
    "freshness": {
        "en": "Data up to {latest} · built {built} ({tz})",
        "zh": "数据截至 {latest} · 构建于 {built}（{tz}）",
    },
    "vs_previous": {"en": "vs previous {days} days", "zh": "对比前 {days} 天"},
    "trend": {"en": "Daily net revenue by platform", "zh": "各平台每日净销售额"},
    "breakdown": {"en": "By platform", "zh": "平台明细"},
    "targets": {"en": "Monthly targets", "zh": "月度目标"},
    "missed_target": {
        "en": "Missed: **{platform}** reached {attainment} of its {month} target.",
        "zh": "未达成：**{platform}** {month} 目标完成 {attainment}。",
    },
    "behind_pace": {
        "en": "Behind pace: **{platform}** has {attainment} of its {month} target with "
        "{elapsed} of the month gone.",
        "zh": "进度落后：**{platform}** {month} 目标完成 {attainment}，时间已过 {elapsed}。",
    },
    "share": {"en": "Share of net revenue", "zh": "净销售额占比"},
    "currency_note": {"en": "Money in {currency}", "zh": "金额单位：{currency}"},
    # navigation
    "marketing": {"en": "Marketing ROI", "zh": "营销ROI"},
    "customers": {"en": "Customers & repurchase", "zh": "用户复购"},
    "inventory": {"en": "Inventory turnover", "zh": "库存周转"},
    "logistics": {"en": "Logistics", "zh": "物流"},
    "data_health": {"en": "Data health", "zh": "数据健康"},
    "section_dashboards": {"en": "Dashboards", "zh": "看板"},
    "section_pipeline": {"en": "Pipeline", "zh": "数据管道"},
    # build status, shown on every page
    "build_failed": {
        "en": "The last build ({when}) failed: {what}. These pages show the last good data, "
        "published {published}. See Data health.",
        "zh": "最近一次构建（{when}）失败：{what}。当前页面显示的是上一次成功发布的数据"
        "（发布于 {published}）。详情见「数据健康」。",
    },
    "failed_checks": {"en": "failed checks {names}", "zh": "未通过的检查 {names}"},
    "failed_steps": {"en": "failed steps {names}", "zh": "失败的步骤 {names}"},
    # overview
    "vs_last_year": {"en": "{delta} vs same period last year", "zh": "同比 {delta}"},
    "no_last_year": {"en": "no data a year earlier", "zh": "去年同期无数据"},
    "orders_trend": {"en": "Daily orders by platform", "zh": "各平台每日订单数"},
    "new_vs_returning": {
        "en": "New vs returning buyers per week",
        "zh": "每周新老买家",
    },
    "new_buyers": {"en": "New", "zh": "新客"},
    "returning_buyers": {"en": "Returning", "zh": "老客"},
    "growth": {"en": "Growth vs previous period", "zh": "环比增长"},
    "fastest_growth": {
        "en": "Fastest growing: **{platform}** ({growth} net revenue vs the previous {days} days)",
        "zh": "增长最快：**{platform}**（净销售额环比 {growth}，对比前 {days} 天）",
    },
    # marketing
    "ad_platforms": {"en": "Ad platforms", "zh": "广告平台"},
    "no_order_campaigns": {
        "en": "No order names its campaign (the orders exports have no utm_campaign), so "
        "nothing can be attributed: attributed orders and revenue, ROAS, ROI and CAC stay "
        "empty (unknown, not 0). Exports that carry the UTM parameters of each order (e.g. "
        "from Google Analytics or the platform's marketing center) fill them.",
        "zh": "订单均未注明所属广告活动（订单导出中没有 utm_campaign），因此无法归因：归因订单、"
        "归因销售额、ROAS、ROI 与获客成本留空（未知，而非 0）。导入带有每笔订单 UTM 参数的导出"
        "（如 Google Analytics 或平台营销中心）即可补全。",
    },
    "marketing_scope": {
        "en": "Campaigns are filtered by ad platform; MER and blended CAC are whole-shop "
        "numbers (the sales-platform filter does not apply).",
        "zh": "广告活动按广告平台筛选；MER 与综合获客成本为全店指标（不受销售平台筛选影响）。",
    },
    "campaigns": {"en": "Campaigns in the period", "zh": "期间广告活动"},
    "worst_roi": {
        "en": "Worst ROI: **{name}** ({platform}) at {roi}, spend {spend}",
        "zh": "ROI 最差：**{name}**（{platform}）ROI {roi}，花费 {spend}",
    },
    "spend_vs_revenue": {
        "en": "Spend vs attributed revenue per campaign (above the line: ROAS > 1)",
        "zh": "各活动花费与归因销售额（线上方：ROAS > 1）",
    },
    "mer_trend": {
        "en": "MER per week (net revenue / ad spend)",
        "zh": "每周 MER（净销售额 / 广告花费）",
    },
    "cac_trend": {"en": "Blended CAC per week", "zh": "每周综合获客成本"},
    "download_csv": {"en": "Campaign ROI report (CSV)", "zh": "下载广告ROI报表（CSV）"},
    "download_xlsx": {"en": "Campaign ROI report (Excel)", "zh": "下载广告ROI报表（Excel）"},
    "report_note": {
        "en": "The report holds the table above: the chosen period and ad platforms, one row per "
        "campaign, ratios computed from the period's sums.",
        "zh": "报表即上表：所选期间与广告平台，每个活动一行，比率按期间合计计算。",
    },
    # customers
    "customers_scope": {
        "en": "Cohorts of the 12 months up to the end of the period, whole shop; RFM segments "
        "for the chosen platforms, as of the last data day.",
        "zh": "截至所选期间末的 12 个首购月份群组（全店）；RFM 分层按所选平台，截至最后一个数据日。",
    },
    "retention_heatmap": {
        "en": "Share of each first-order month's customers who ordered again k months later",
        "zh": "各首购月份用户在第 k 个月的留存（再次下单）比例",
    },
    "cohort_month": {"en": "First-order month", "zh": "首购月份"},
    "months_since_first": {"en": "Months since first order", "zh": "距首购月数"},
    "repurchase_chart": {"en": "90-day repurchase rate by cohort", "zh": "各群组 90 天复购率"},
    "window_open": {
        "en": "Hatched: the 90-day window is not complete yet; the rate can still rise.",
        "zh": "浅色：90 天窗口尚未结束，复购率仍可能上升。",
    },
    "rfm_title": {"en": "RFM segments", "zh": "RFM 用户分层"},
    "segment": {"en": "Segment", "zh": "分层"},
    "avg_recency": {"en": "Mean days since last order", "zh": "平均距上次下单天数"},
    "customers_count": {"en": "Customers", "zh": "用户数"},
    "revenue_per_customer": {"en": "Net revenue per customer", "zh": "人均净销售额"},
    # inventory
    "inventory_scope": {
        "en": "Months {first} to {last} (the months the period touches); inventory is "
        "shop-wide, so the platform filter does not apply.",
        "zh": "{first} 至 {last} 月（所选期间覆盖的月份）；库存为全店数据，不受平台筛选影响。",
    },
    "by_category": {"en": "By category", "zh": "按品类"},
    "by_sku": {"en": "By SKU", "zh": "按 SKU"},
    "run_out_risk": {
        "en": "Running low: fewer than {days} days of inventory at the current sales pace",
        "zh": "即将缺货：按当前销售速度库存不足 {days} 天",
    },
    "overstocked": {
        "en": "Overstocked: more than {days} days of inventory",
        "zh": "库存积压：库存超过 {days} 天",
    },
    "slow_movers": {
        "en": "Slow movers: stock on hand, lowest sell-through",
        "zh": "滞销品：有库存且售罄率最低",
    },
    "skus_at_risk": {"en": "SKUs running low", "zh": "即将缺货 SKU"},
    "skus_overstocked": {"en": "SKUs overstocked", "zh": "积压 SKU"},
    "stockout_skus": {"en": "SKUs with stock-out days", "zh": "出现缺货的 SKU"},
    "forward_cover": {"en": "Days of cover", "zh": "可售天数"},
    "forward_cover_help": {
        "en": "closing_on_hand_qty / (units_sold / snapshot_days) of the period: how long the "
        "stock lasts at the period's sales pace. Forecast-based cover is on the forecast page.",
        "zh": "期末库存 / 期间日均销量：按期间销售速度库存还能卖几天。",
    },
    # logistics
    "logistics_scope": {
        "en": "Shipments of months {first} to {last}; logistics is shop-wide, so the platform "
        "filter does not apply.",
        "zh": "{first} 至 {last} 月的发货；物流为全店数据，不受平台筛选影响。",
    },
    "by_carrier": {"en": "By carrier", "zh": "按承运商"},
    "most_late": {
        "en": "Late most often: **{carrier}** (on time {rate}, {late:,} late shipments)",
        "zh": "最常延误：**{carrier}**（准时率 {rate}，延误 {late:,} 单）",
    },
    "cost_heatmap": {"en": "Cost per order by carrier and region", "zh": "各承运商、地区单均运费"},
    "on_time_chart": {"en": "On-time rate by carrier", "zh": "各承运商准时率"},
    "late_shipments": {"en": "Late shipments", "zh": "延误单数"},
    # forecast
    "forecast": {"en": "Forecast", "zh": "预测"},
    "forecast_scope": {
        "en": "Forecasts start the day after the last day of data and do not follow the "
        "sidebar's filters. Holdout: the last 28 days of history, forecast by the chosen model "
        "without seeing them.",
        "zh": "预测从最后一个数据日的次日开始，不受侧边栏筛选影响。验证期：历史最后 28 天，"
        "由所选模型在未见过这些数据的情况下预测。",
    },
    "series_type": {"en": "Series", "zh": "序列"},
    "series_all": {"en": "Whole shop (net revenue)", "zh": "全店（净销售额）"},
    "series_category": {"en": "Category (net revenue)", "zh": "品类（净销售额）"},
    "series_sku": {"en": "SKU (units)", "zh": "SKU（销量）"},
    "pick_series": {"en": "Which one", "zh": "选择"},
    "forecast_chart": {
        "en": "{series}: actuals, holdout forecast and the next {days} days (80% interval)",
        "zh": "{series}：实际值、验证期预测与未来 {days} 天预测（80% 区间）",
    },
    "actual": {"en": "Actual", "zh": "实际"},
    "forecast_line": {"en": "Forecast", "zh": "预测"},
    "accuracy_title": {
        "en": "Accuracy against the seasonal naive baseline",
        "zh": "与季节性朴素基准的准确度对比",
    },
    "accuracy_all": {
        "en": "Whole shop: MASE {mase} with {model} vs {baseline} for the baseline ({gain} better)",
        "zh": "全店：{model} 的 MASE 为 {mase}，基准为 {baseline}（好 {gain}）",
    },
    "accuracy_skus": {
        "en": "SKUs: mean MASE {mase} vs {baseline} for the baseline; {share} of SKUs no worse "
        "than it",
        "zh": "SKU：平均 MASE {mase}，基准 {baseline}；{share} 的 SKU 不差于基准",
    },
    "stockout_list": {"en": "Stock-out warnings", "zh": "库存预警"},
    "stockout_note": {
        "en": "SKUs whose forecast demand exceeds their stock within the horizon, or that "
        "should be reordered now (lead time {lead} days, service level {level}).",
        "zh": "预测需求在预测期内超过库存、或现在就应补货的 SKU（补货周期 {lead} 天，服务水平 {level}）。",
    },
    "only_at_risk": {"en": "Only SKUs at risk", "zh": "只看有风险的 SKU"},
    "see_forecast": {
        "en": "Stock-out dates and reorder quantities from the forecast",
        "zh": "查看基于预测的缺货日期与补货量",
    },
    "forecast_methods": {"en": "{kind} forecast by: {counts}", "zh": "{kind}的预测方法：{counts}"},
    "recent_rate_note": {
        "en": "RecentRate: SKUs that sold on fewer than 20 days, too few to tell models apart, "
        "are forecast at their mean daily units of the last 90 days (Poisson 80% interval), "
        "without a backtest.",
        "zh": "RecentRate：销售天数少于 20 天的 SKU 无法可靠地比较模型，按其最近 90 天的日均销量预测"
        "（泊松 80% 区间），不做回测。",
    },
    "no_forecast": {
        "en": "No forecast yet: it needs at least two weeks of sales history.",
        "zh": "暂无预测：至少需要两周的销售历史。",
    },
    # data health
    "last_build": {"en": "Last build", "zh": "最近一次构建"},
    "status_success": {"en": "succeeded", "zh": "成功"},
    "status_failure": {"en": "failed", "zh": "失败"},
    "published_updated": {"en": "new data published", "zh": "已发布新数据"},
    "published_unchanged": {
        "en": "nothing new: the published data is unchanged",
        "zh": "无新数据：已发布数据未变",
    },
    "published_none": {"en": "nothing published", "zh": "未发布"},
    "no_runs": {"en": "No build has finished yet.", "zh": "尚无已完成的构建。"},
    "run_line": {
        "en": "{status} at {when} · run {run_id} · {published}",
        "zh": "{when} {status} · 运行 {run_id} · {published}",
    },
    "checks": {"en": "Checks of the last build", "zh": "最近一次构建的检查"},
    "checks_summary": {
        "en": "{passed} passed, {failed} failed ({blocking} blocking)",
        "zh": "通过 {passed} 项，未通过 {failed} 项（其中阻断 {blocking} 项）",
    },
    "check_asset": {"en": "Table", "zh": "数据表"},
    "check_name": {"en": "Check", "zh": "检查"},
    "check_passed": {"en": "Passed", "zh": "通过"},
    "check_severity": {"en": "Severity", "zh": "级别"},
    "check_detail": {"en": "Detail", "zh": "说明"},
    "files": {"en": "Files", "zh": "文件"},
    "files_note": {
        "en": "Every file dropped into the inbox and what became of it (from audit.file_loads, "
        "as of the last publish). Rejected files sit in quarantine/<source>/ with a .reason.txt.",
        "zh": "每个放入收件箱的文件及其去向（来自 audit.file_loads，截至最近一次发布）。"
        "被拒文件在 quarantine/<数据源>/ 下，旁边有 .reason.txt 说明原因。",
    },
    "files_loaded": {"en": "Loaded", "zh": "已加载"},
    "files_partial": {"en": "Loaded with quarantined rows", "zh": "部分行隔离"},
    "files_rejected": {"en": "Rejected", "zh": "已拒绝"},
    "files_skipped": {"en": "Skipped (same bytes again)", "zh": "已跳过（重复文件）"},
    "files_waiting": {"en": "Waiting for its partner file", "zh": "等待配对文件"},
    "file_format": {"en": "Format", "zh": "文件格式"},
    "file_format_help": {
        "en": "The platform export the file was recognised as (docs/formats.md); empty for "
        "the shopkpi canonical format.",
        "zh": "识别出的平台导出格式（见 docs/formats.md）；空白表示 shopkpi 标准格式。",
    },
    "rows_skipped": {"en": "Rows left out", "zh": "略过行数"},
    "rows_skipped_help": {
        "en": "Rows left out on purpose: the export's own totals rows, extra image rows, "
        "stock 'not stocked' at a location. rows read = loaded + quarantined + left out.",
        "zh": "有意略过的行：导出文件自带的合计行、商品图片行、某仓“未备货”的行。"
        "读取行数 = 加载 + 隔离 + 略过。",
    },
    "rows_loaded": {"en": "Rows loaded", "zh": "加载行数"},
    "file_name": {"en": "File", "zh": "文件"},
    "canonical_format": {"en": "shopkpi canonical", "zh": "shopkpi 标准格式"},
    "coverage_title": {"en": "Platform exports and coverage", "zh": "平台导出与覆盖情况"},
    "coverage_note": {
        "en": "Files loaded per source and format, and what each format could not provide: "
        "buyers the export masks become placeholders that customer KPIs leave out, order-level "
        "reports have no SKU (no cost of goods), period reports are spread over their days.",
        "zh": "各数据源、各格式加载的文件，以及格式缺失的信息：被隐藏的买家记为占位买家，"
        "不计入客户指标；订单级报表没有 SKU（无商品成本）；无分日的报表按天平均分摊。",
    },
    "no_load_warnings": {
        "en": "Every loaded export had everything the canonical format needs.",
        "zh": "所有已加载的导出文件都包含标准格式所需的全部信息。",
    },
    "warning_kind": {"en": "What is missing", "zh": "缺失信息"},
    "missing_exports": {"en": "Exports not sent yet", "zh": "尚未提供的导出"},
    "builds_title": {"en": "How the marts were built", "zh": "数据集市的构建方式"},
    "builds_note": {
        "en": "An incremental build recomputes only the orders, customers and days that new "
        "rows touched; a full build recomputes everything (FULL=1, new products or rates, "
        "changed settings or models). Every Sunday a full rebuild checks the incremental marts.",
        "zh": "增量构建只重算新数据涉及的订单、用户和日期；完整构建重算全部（FULL=1、"
        "新的商品或汇率导出、设置或模型变更）。每周日的完整重建会核对增量构建的结果。",
    },
    "build_started": {"en": "Started", "zh": "开始时间"},
    "build_mode": {"en": "Kind", "zh": "方式"},
    "build_reason": {"en": "Why", "zh": "原因"},
    "build_succeeded": {"en": "Finished", "zh": "已完成"},
    "build_seconds": {"en": "Seconds", "zh": "秒"},
    "rebuild_check_none": {
        "en": "No weekly check yet: the first runs on Sunday 04:00 (or run the job "
        "full_rebuild_weekly in the Dagster UI).",
        "zh": "尚无每周核对：首次将在周日 04:00 运行（也可在 Dagster 界面运行 full_rebuild_weekly 作业）。",
    },
    "rebuild_check_equal": {
        "en": "Weekly check of {when}: all {marts} marts of the incremental builds equal the full rebuild, cell for cell.",
        "zh": "{when} 的每周核对：增量构建的全部 {marts} 张数据集市表与完整重建逐格一致。",
    },
    "rebuild_check_differs": {
        "en": "Weekly check of {when}: the incremental builds differed from the full rebuild in {marts}. "
        "The full rebuild's figures are now published; please report this with the rows below.",
        "zh": "{when} 的每周核对：增量构建在 {marts} 中与完整重建不一致。现已发布完整重建的数据；"
        "请连同下表中的行一起反馈此问题。",
    },
    "settings_in_force": {"en": "Settings in force", "zh": "当前设置"},
    "settings_note": {
        "en": "As used by the last publish. Change them in {path} (an environment variable "
        "SHOPKPI_<NAME> overrides the file); the next build applies them to every mart.",
        "zh": "即最近一次发布所用的设置。可在 {path} 中修改（环境变量 SHOPKPI_<名称> 优先于该文件）；"
        "下一次构建会据此重建所有数据表。",
    },
    "setting_name": {"en": "Setting", "zh": "设置项"},
    "setting_value": {"en": "Value", "zh": "值"},
    "warning_rows": {"en": "Rows", "zh": "行数"},
    "warning_placeholder_customer": {"en": "Buyer masked or absent", "zh": "买家被隐藏或缺失"},
    "warning_order_level": {"en": "Order level, no SKU", "zh": "订单级，无 SKU"},
    "warning_period_report": {"en": "No day column (spread)", "zh": "无分日（已平摊）"},
    "warning_truncated_ids": {"en": "Ids cut by Excel", "zh": "ID 被 Excel 截断"},
    "warning_amounts_disagree": {"en": "Amounts disagree", "zh": "金额不一致"},
    "warning_paid_day_from_order_id": {
        "en": "No payment time: day from the order number",
        "zh": "无支付时间：日期取自订单号",
    },
    "warning_clock_change": {
        "en": "Local time skipped or repeated (daylight saving)",
        "zh": "本地时间因夏令时跳过或重复",
    },
    "rows_quarantined": {"en": "Rows in quarantine", "zh": "隔离行数"},
    "status_filter": {"en": "Show files", "zh": "显示文件"},
    "quarantine": {"en": "Quarantined rows", "zh": "隔离的数据行"},
    "quarantine_note": {
        "en": "Rows that could not be used, with the reason; the rest of their file loaded.",
        "zh": "无法使用的数据行及原因；同一文件的其余行已加载。",
    },
    "freshness_title": {"en": "Freshness per source", "zh": "各数据源新鲜度"},
    "stale": {"en": "stale", "zh": "过期"},
    "fresh": {"en": "fresh", "zh": "新鲜"},
    "age_days": {"en": "Days behind", "zh": "滞后天数"},
    "latest_data_date": {"en": "Newest data day", "zh": "最新数据日"},
    "last_loaded_at": {"en": "Last file loaded (UTC)", "zh": "最近加载时间（UTC）"},
    "row_count": {"en": "Rows", "zh": "行数"},
    "source": {"en": "Source", "zh": "数据源"},
    "state": {"en": "State", "zh": "状态"},
    "gx_title": {
        "en": "Great Expectations, latest per source",
        "zh": "Great Expectations 最近结果",
    },
    "gx_docs": {"en": "Data Docs: {path}", "zh": "Data Docs 报告：{path}"},
    "none": {"en": "None.", "zh": "无。"},
}


def lang() -> str:
    return st.session_state.get("lang", "zh")


def t(key: str, **values: object) -> str:
    text = LABELS[key].get(lang()) or LABELS[key]["en"]
    return text.format(**values) if values else text
