"""Ad platform reports: Google Ads, Meta Ads Manager, Ocean Engine / Qianchuan (千川).

All three let the user pick the columns and whether the report is split by day. A report
split by day loads as it is. A report of one period without a day column (what the
Google Ads UI downloads by default) is spread evenly over the days of its period, to the
cent, and /data-health says so: period totals stay exact, daily figures are an average.

What the ad platform adapters share: the canonical columns, totals rows, a report of one
period spread over its days."""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.adapters.base import (
    Adapted,
    Export,
    Mapping,
    Warning,
    day_range,
    spread_over_days,
)
from pipelines.lib.parse import ROW
from pipelines.lib.readers import FileRejected

CANONICAL = [
    "date",
    "ad_platform",
    "account_id",
    "campaign_id",
    "campaign_name",
    "spend",
    "currency",
    "impressions",
    "clicks",
    "conversions",
    "conversion_value",
]


def finish_report(
    frame: pl.DataFrame,
    export: Export,
    platform: str,
    skipped: int,
    notes: list[str],
    day_hint: str,
) -> Adapted:
    """Rows with a day load as they are; a period report is spread over its days."""
    warnings = []
    if frame["date"].null_count() == frame.height and frame.height:
        period = report_period(frame, export)
        if period is None:
            raise FileRejected(
                "the report has no day column and no date range to book it on: "
                f"export it again split by day ({day_hint})"
            )
        start, end = period
        if start != end:
            days = (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days + 1
            frame = spread_over_days(
                frame.drop("date"),
                start,
                end,
                amounts=["spend", "conversion_value", "conversions"],
                counts=["impressions", "clicks"],
            )
            warnings.append(
                Warning(
                    "period_report",
                    frame[ROW].n_unique(),
                    f"a report of {start}..{end} without a day column: each campaign's "
                    f"totals were spread evenly over the {days} days (conversions too); "
                    f"for true daily figures export it split by day ({day_hint})",
                )
            )
        else:
            frame = frame.with_columns(pl.lit(start).alias("date"))
    frame = frame.with_columns(pl.lit(platform).alias("ad_platform"))
    return Adapted(frame.select(ROW, *CANONICAL), skipped, warnings, notes)


def report_period(frame: pl.DataFrame, export: Export) -> tuple[str, str] | None:
    if "_start" in frame.columns and frame["_start"].drop_nulls().n_unique() == 1:
        starts, ends = frame["_start"].drop_nulls(), frame["_end"].drop_nulls()
        if ends.n_unique() == 1:
            return starts[0], ends[0]
    return day_range(export.preamble)


def total_rows(frame: pl.DataFrame) -> pl.Expr:
    """Google's `Total: Campaigns`, `Total: Account` rows, or 总计/合计 in Chinese."""
    first_two = frame.columns[1:3]
    return pl.any_horizontal(
        pl.col(c).str.strip_chars().str.contains(r"^(Total:|Totals?$|总计|合计)").fill_null(False)
        for c in first_two
    )


def column_mappings(
    pairs: dict[str, tuple[str, ...]], canonical: dict[str, str], notes: dict[str, str]
):
    return tuple(
        Mapping(canonical[k], " / ".join(v), notes.get(k, ""))
        for k, v in pairs.items()
        if k in canonical
    )
