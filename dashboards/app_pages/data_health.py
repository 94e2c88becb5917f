"""数据健康 / Data health: the last build, every file's fate, quarantined rows, freshness, checks."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import polars as pl
import streamlit as st

from dashboards import data, page
from dashboards.i18n import LABELS, lang, t
from pipelines.lib.canonical import SPECS, missing_export_note
from pipelines.lib.settings import Settings, SettingsError
from pipelines.lib.translate import to_chinese

st.title(t("data_health"))


def in_ui_language(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """The pipeline's English messages, in Chinese when the UI speaks Chinese."""
    if lang() != "zh" or frame.is_empty() or column not in frame.columns:
        return frame
    return frame.with_columns(pl.col(column).map_elements(to_chinese, return_dtype=pl.String))


try:
    settings = Settings.from_env()
except SettingsError as err:  # a mistyped shopkpi.toml: say so, show the rest
    st.warning(str(err))
    settings = Settings(home=data.published_path().parents[1])
tz = ZoneInfo(settings.timezone)

st.subheader(t("last_build"))
last = data.last_run()
if last is None:
    st.info(t("no_runs"))
else:
    finished = dt.datetime.fromisoformat(last["finished_at"]).replace(tzinfo=dt.UTC).astimezone(tz)
    published = t(f"published_{last.get('published') or 'none'}")
    line = t("run_line", status=t(f"status_{last['status']}"), when=f"{finished:%Y-%m-%d %H:%M}",
             run_id=last["run_id"][:8], published=published)  # fmt: skip
    (st.success if last["status"] == "success" else st.error)(line)
    for cause in last.get("causes") or []:
        st.markdown(f"- {cause.get(lang()) or cause.get('en')}")
    checks = pl.DataFrame(
        last.get("checks") or [],
        schema={"asset": pl.String, "check": pl.String, "passed": pl.Boolean,
                "severity": pl.String, "blocking": pl.Boolean, "description": pl.String},
    )  # fmt: skip
    checks = in_ui_language(checks, "description")
    failed = checks.filter(~pl.col("passed"))
    st.markdown(
        f"**{t('checks')}**: "
        + t("checks_summary", passed=checks.height - failed.height, failed=failed.height,
            blocking=failed.filter(pl.col("blocking")).height)
    )  # fmt: skip
    page.table(
        checks,  # failures first
        hide_index=True,
        # what a check says before its (long, technical) name
        column_order=("asset", "passed", "severity", "description", "check"),
        column_config={
            "asset": st.column_config.TextColumn(t("check_asset")),
            "check": st.column_config.TextColumn(t("check_name")),
            "passed": st.column_config.CheckboxColumn(t("check_passed")),
            "severity": st.column_config.TextColumn(t("check_severity")),
            "blocking": None,
            "description": st.column_config.TextColumn(t("check_detail"), width="large"),
        },
        height=260,
    )

builds = in_ui_language(data.transform_builds(), "reason")
if not builds.is_empty():
    st.subheader(t("builds_title"))
    st.caption(t("builds_note"))
    page.table(
        builds.with_columns(
            pl.col("started_at").dt.replace_time_zone("UTC").dt.convert_time_zone(settings.timezone)
        ),
        hide_index=True,
        column_config={
            "started_at": st.column_config.DatetimeColumn(t("build_started"), format="YYYY-MM-DD HH:mm"),
            "mode": t("build_mode"), "reason": st.column_config.TextColumn(t("build_reason"), width="large"),
            "succeeded": st.column_config.CheckboxColumn(t("build_succeeded")),
            "seconds": st.column_config.NumberColumn(t("build_seconds"), format="%.1f"),
        },
        height=220,
    )  # fmt: skip
    check = data.rebuild_check()
    if check.is_empty():
        st.caption(t("rebuild_check_none"))
    else:
        when = check["checked_at"][0].replace(tzinfo=dt.UTC).astimezone(tz)
        differing = check.filter((pl.col("rows_only_incremental") + pl.col("rows_only_full")) > 0)
        if differing.is_empty():
            st.success(t("rebuild_check_equal", when=f"{when:%Y-%m-%d %H:%M}", marts=check.height))
        else:
            st.error(t("rebuild_check_differs", when=f"{when:%Y-%m-%d %H:%M}",
                       marts=", ".join(differing["mart"])))  # fmt: skip
            page.table(
                differing.drop("checked_at"),
                hide_index=True,
                column_config={"example": st.column_config.TextColumn(width="large")},
            )

info = data.build_info()
if info is None:
    st.info(f"**{t('no_data_title')}** — {t('no_data_body')}")
    st.stop()

# a source many shops never need (fx_rates: one currency) is no gap
missing = sorted(s for s in data.missing_sources() if not SPECS[s].often_absent)
if missing:
    st.subheader(t("missing_exports"))
    for source in missing:
        st.markdown(f"- {missing_export_note(source, lang())}")

st.subheader(t("settings_in_force"))
st.caption(t("settings_note", path=str(settings.home / "shopkpi.toml")))
page.table(
    data.published_settings(),
    hide_index=True,
    column_config={"setting": t("setting_name"), "value": t("setting_value")},
)

st.subheader(t("freshness_title"))
freshness = data.source_freshness()
today = dt.datetime.now(tz).date()
freshness = freshness.with_columns(
    (pl.lit(today) - pl.col("latest_data_date")).dt.total_days().alias("age_days")
).with_columns(
    pl.when(pl.col("latest_data_date").is_null())
    .then(None)
    .when(pl.col("age_days") > settings.freshness_days)
    .then(pl.lit("△ " + t("stale")))
    .otherwise(pl.lit("✓ " + t("fresh")))
    .alias("state")
)
page.table(
    freshness.select("source", "state", "latest_data_date", "age_days", "last_loaded_at",
                     "row_count"),
    hide_index=True,
    column_config={
        "source": t("source"), "state": t("state"),
        "latest_data_date": st.column_config.DateColumn(t("latest_data_date")),
        "age_days": t("age_days"), "last_loaded_at": t("last_loaded_at"),
        "row_count": st.column_config.NumberColumn(t("row_count"), format="localized"),
    },
)  # fmt: skip

st.subheader(t("files"))
st.caption(t("files_note"))
files = in_ui_language(data.file_loads(), "message")
if "adapter" in files.columns:  # a publish older than the adapters has no such column
    files = files.with_columns(
        pl.when(pl.col("status").is_in(["loaded", "partial"]))
        .then(pl.col("adapter").fill_null(t("canonical_format")))
        .otherwise(pl.col("adapter"))
    )
counts = dict(files.group_by("status").len().iter_rows()) if files.height else {}
cards = st.columns(6)
for column, status in zip(
    cards, ("loaded", "partial", "rejected", "skipped", "waiting"), strict=False
):
    column.metric(t(f"files_{status}"), f"{counts.get(status, 0):,}", border=True)
cards[5].metric(
    t("rows_quarantined"),
    f"{int(files['rows_quarantined'].sum() or 0) if files.height else 0:,}",
    border=True,
)
statuses = ["rejected", "partial", "waiting", "loaded", "skipped"]
shown = st.segmented_control(
    t("status_filter"), statuses, selection_mode="multi", default=statuses,
    format_func=lambda s: t(f"files_{s}"), key="file_statuses",
)  # fmt: skip
file_columns = ["loaded_at", "source", "file_name", "status", "adapter", "rows_read",
                "rows_loaded", "rows_quarantined", "rows_skipped", "message", "format",
                "encoding", "stored_as"]  # fmt: skip
page.table(
    files.filter(pl.col("status").is_in(list(shown or []))).select(
        c for c in file_columns if c in files.columns  # a publish older than the adapters
    )
    if files.height
    else files,
    hide_index=True,
    column_config={
        "adapter": st.column_config.TextColumn(t("file_format"), help=t("file_format_help")),
        "rows_skipped": st.column_config.NumberColumn(t("rows_skipped"), help=t("rows_skipped_help")),
        "message": st.column_config.TextColumn(width="large"),
    },
)  # fmt: skip

st.subheader(t("coverage_title"))
st.caption(t("coverage_note"))
if files.height and "adapter" in files.columns:
    used = files.filter(pl.col("status").is_in(["loaded", "partial"]))
    page.table(
        used.group_by("source", "adapter")
        .agg(
            pl.len().alias("files"),
            pl.col("rows_loaded").sum(),
            pl.col("rows_quarantined").sum(),
            pl.col("rows_skipped").sum(),
        )
        .sort("source", "adapter"),
        hide_index=True,
        column_config={
            "source": t("source"), "adapter": t("file_format"), "files": t("files"),
            "rows_loaded": t("rows_loaded"), "rows_quarantined": t("rows_quarantined"),
            "rows_skipped": t("rows_skipped"),
        },
    )  # fmt: skip
warnings = in_ui_language(data.load_warnings(), "message")
if warnings.is_empty():
    st.write(t("no_load_warnings"))
else:
    page.table(
        warnings.with_columns(
            pl.col("kind").replace_strict(
                {k: t(f"warning_{k}") for k in warnings["kind"].unique() if f"warning_{k}" in LABELS},
                default=pl.col("kind"),
            )
        ),
        hide_index=True,
        column_config={
            "source": t("source"), "file_name": t("file_name"), "kind": t("warning_kind"),
            "rows": st.column_config.NumberColumn(t("warning_rows"), format="localized"),
            "message": st.column_config.TextColumn(t("check_detail"), width="large"),
        },
    )  # fmt: skip

st.subheader(t("quarantine"))
st.caption(t("quarantine_note"))
quarantined = in_ui_language(data.quarantined_rows(), "reason")
if quarantined.is_empty():
    st.write(t("none"))
else:
    page.table(
        quarantined,
        hide_index=True,
        column_config={"reason": st.column_config.TextColumn(width="large")},
    )

st.subheader(t("gx_title"))
gx = data.quality_history()
page.table(
    gx, hide_index=True, column_config={"failures": st.column_config.TextColumn(width="large")}
)
docs_index = settings.data_docs_index
if docs_index.exists():
    st.caption(t("gx_docs", path=docs_index))
