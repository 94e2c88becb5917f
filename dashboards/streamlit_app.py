"""shopkpi dashboards: navigation, language switch and the filters all pages share."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import streamlit as st

# `streamlit run dashboards/streamlit_app.py` puts dashboards/ on the path, not the repo
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboards import data
from dashboards.i18n import LANGUAGES, lang, t

st.set_page_config(page_title="shopkpi", page_icon="📈", layout="wide")

with st.sidebar:
    st.segmented_control(
        "🌐",
        options=list(LANGUAGES),
        format_func=LANGUAGES.get,
        key="lang",
        default="zh",
        required=True,
        label_visibility="collapsed",
    )
    bounds = data.kpi_date_bounds()
    if bounds:
        first, last = bounds
        default_start = max(first, last - dt.timedelta(days=29))
        st.subheader(t("filters"))
        st.date_input(
            t("date_range"),
            value=(default_start, last),
            min_value=first,
            max_value=last,
            key="date_range",
        )
        all_platforms = data.platforms()
        st.multiselect(t("platforms"), all_platforms, default=all_platforms, key="platforms")


def build_failure_banner() -> None:
    """Every page says so when the latest build failed: the data shown is older."""
    last = data.last_run()
    info = data.build_info()
    if not last or last.get("status") != "failure":
        return
    causes = [c.get(lang()) or c.get("en", "") for c in last.get("causes") or []]
    if causes:
        what = " ".join(causes)
    else:  # a summary written before causes existed
        failed = [c["check"] for c in last.get("checks", []) if not c["passed"] and c["blocking"]]
        what = (
            t("failed_checks", names=", ".join(failed))
            if failed
            else t("failed_steps", names=", ".join(last.get("failed_steps") or ["?"]))
        )
    published = f"{info['built_at']:%Y-%m-%d %H:%M} UTC" if info else t("published_none")
    st.error(
        t("build_failed", when=f"{last['finished_at'].replace('T', ' ')} UTC", what=what,
          published=published),
        icon=":material/warning:",
    )  # fmt: skip


def page(script: str, key: str, icon: str) -> st.Page:
    return st.Page(f"app_pages/{script}.py", title=t(key), icon=icon, url_path=script)


overview = page("overview", "overview", ":material/dashboard:")
sections = {
    t("section_dashboards"): [
        overview,
        page("marketing", "marketing", ":material/campaign:"),
        page("customers", "customers", ":material/group:"),
        page("inventory", "inventory", ":material/inventory_2:"),
        page("logistics", "logistics", ":material/local_shipping:"),
        page("forecast", "forecast", ":material/query_stats:"),
    ],
    t("section_pipeline"): [
        st.Page("app_pages/data_health.py", title=t("data_health"), icon=":material/monitor_heart:",
                url_path="data-health"),
    ],
}  # fmt: skip


def start() -> None:
    """The root URL opens the Overview, so every page has its own path (/overview)."""
    st.switch_page(overview)


sections[t("section_dashboards")].insert(
    0, st.Page(start, title="shopkpi", default=True, visibility="hidden")
)
build_failure_banner()
st.navigation(sections).run()
