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
    "share": {"en": "Share of net revenue", "zh": "净销售额占比"},
    "currency_note": {"en": "Money in {currency}", "zh": "金额单位：{currency}"},
}


def lang() -> str:
    return st.session_state.get("lang", "zh")


def t(key: str, **values: object) -> str:
    text = LABELS[key].get(lang()) or LABELS[key]["en"]
    return text.format(**values) if values else text
