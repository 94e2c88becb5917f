"""What every page starts with: title, empty state, freshness; and labelled table columns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import streamlit as st

from dashboards import data, filters
from dashboards.i18n import lang, t
from dashboards.kpis import UNKNOWN, definition, label
from pipelines.lib.canonical import missing_export_note


@dataclass(frozen=True)
class PageContext:
    chosen: filters.Filters
    currency: str
    timezone: ZoneInfo
    built_at: dt.datetime  # local time of the publish


def begin(
    title_key: str,
    main_source: str | None = None,
    also_uses: tuple[str, ...] = (),
    shows_without_main: bool = False,
) -> PageContext:
    """Title, then either the empty state (and stop) or the freshness caption.

    Without its main source's export the page says which export it needs and stops (or, if
    it `shows_without_main`, goes on to show what the other sources give); each other
    missing export it uses gets a note naming what that export would add.
    """
    st.title(t(title_key))
    info = data.build_info()
    chosen = filters.current()
    if info is None or chosen is None:
        st.info(f"**{t('no_data_title')}** — {t('no_data_body')}")
        st.stop()
    tz = ZoneInfo(info["timezone"])
    built = info["built_at"].replace(tzinfo=dt.UTC).astimezone(tz)
    latest = data.kpi_date_bounds()[1]
    st.caption(
        t("freshness", latest=latest.isoformat(), built=f"{built:%Y-%m-%d %H:%M}", tz=tz.key)
        + " · "
        + t("currency_note", currency=info["reporting_currency"])
    )
    missing = data.missing_sources()
    if main_source in missing:
        st.info(missing_export_note(main_source, lang()))
    for source in also_uses:
        if source in missing:
            st.caption("ⓘ " + missing_export_note(source, lang()))
    if main_source in missing and not shows_without_main:
        st.stop()  # nothing of this page can be shown without its main export
    return PageContext(chosen, info["reporting_currency"], tz, built)


def stop_if_empty(frame) -> None:
    if frame is None or frame.is_empty():
        st.warning(t("no_rows"))
        st.stop()


def table(frame, where=st, **kwargs):
    """st.dataframe (in `where`: a column, or the page), with a value that cannot be known
    shown as the cards show it, not as Streamlit's grey "None"."""
    return where.dataframe(frame, placeholder=UNKNOWN, **kwargs)


def columns(
    table: str, names: Sequence[str] | dict[str, str]
) -> dict[str, st.column_config.Column]:
    """Column configs for mart columns: label, tooltip and number format from the dbt YAML.

    names: the columns shown; a dict names a format for columns whose YAML has none
    (text | date | check | count | money | ratio | days | number).
    """
    docs = data.column_docs(table)
    given = names if isinstance(names, dict) else {}
    config = {}
    for name in names:
        doc = docs.get(name, {})
        kind = given.get(name) or doc.get("format") or "number"
        common = {"label": label(doc, name, lang()), "help": definition(doc, lang())}
        if kind == "text":
            config[name] = st.column_config.TextColumn(**common)
        elif kind == "date":
            config[name] = st.column_config.DateColumn(**common)
        elif kind == "check":
            config[name] = st.column_config.CheckboxColumn(**common)
        else:
            number_format = {"count": "localized", "money": "%.2f", "ratio": "percent",
                             "days": "%.1f", "number": "%.2f"}[kind]  # fmt: skip
            config[name] = st.column_config.NumberColumn(**common, format=number_format)
    return config
