"""shopkpi dashboards: navigation, language switch and the filters all pages share."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import streamlit as st

# `streamlit run dashboards/streamlit_app.py` puts dashboards/ on the path, not the repo
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboards import data
from dashboards.i18n import LANGUAGES, t

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

overview = st.Page("app_pages/overview.py", title=t("overview"), icon="📊", url_path="overview")


def start() -> None:
    """The root URL opens the Overview, so every page has its own path (/overview)."""
    st.switch_page(overview)


pages = [st.Page(start, title="shopkpi", default=True, visibility="hidden"), overview]
st.navigation(pages).run()
