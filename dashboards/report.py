"""The campaign ROI report: one row per campaign over a period, as CSV and XLSX.

Pure functions (no Streamlit) so the tests check exactly the bytes users download.
Campaign names come from the ad platforms' exports, typed by anyone: a text cell that
starts with = + - @ (or a tab / carriage return) would run as a formula when the report
is opened in Excel, so such cells get a leading apostrophe (OWASP's advice), and the
XLSX writer is told never to turn strings into formulas or links.
"""

from __future__ import annotations

import io

import polars as pl
import xlsxwriter

from dashboards.kpis import roll_up

REPORT_COLUMNS = (
    "campaign_name", "ad_platform", "campaign_id", "spend", "impressions", "clicks", "ctr",
    "cpc", "attributed_orders", "attributed_revenue", "attributed_gross_profit", "roas", "roi",
    "new_customers", "cac",
)  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def campaign_summary(days: pl.DataFrame, docs: dict[str, dict[str, str]]) -> pl.DataFrame:
    """campaign_roi day rows -> one row per campaign over the period, each column rolled up
    by campaign_roi's YAML rule (ratios from the period's sums; the newest name; a gross
    profit unknown on any day is unknown for the period), biggest spend first."""
    if days.is_empty():
        return pl.DataFrame(
            schema={c: pl.String if docs.get(c, {}).get("format") == "text" else pl.Float64
                    for c in REPORT_COLUMNS}
        )  # fmt: skip
    return (
        roll_up(days, docs, by=["ad_platform", "campaign_id"])
        .select(REPORT_COLUMNS)
        .sort("spend", "ad_platform", "campaign_id", descending=[True, False, False])
    )


def make_inert(value: str | None) -> str | None:
    """'=HYPERLINK(...)' -> "'=HYPERLINK(...)": shown as text, never evaluated."""
    if value and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_for_spreadsheets(frame: pl.DataFrame) -> pl.DataFrame:
    text = [c for c, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.col(c).map_elements(make_inert, return_dtype=pl.String) for c in text
    )


def to_csv(frame: pl.DataFrame, headers: dict[str, str]) -> bytes:
    """UTF-8 with a BOM, so Excel opens Chinese text correctly."""
    safe = safe_for_spreadsheets(frame).rename(headers)
    return b"\xef\xbb\xbf" + safe.write_csv().encode("utf-8")


def to_xlsx(
    frame: pl.DataFrame,
    headers: dict[str, str],
    about: list[tuple[str, str]],
    formats: dict[str, str],
) -> bytes:
    """Sheet 1: the report; sheet 2: what it holds (period, filters, definitions).
    formats: column -> its YAML format (ratio, count, money, ...)."""
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
               "strings_to_numbers": False}  # fmt: skip
    with xlsxwriter.Workbook(buffer, options) as book:
        bold = book.add_format({"bold": True})
        money = book.add_format({"num_format": "#,##0.00"})
        percent = book.add_format({"num_format": "0.00%"})
        whole = book.add_format({"num_format": "#,##0"})
        sheet = book.add_worksheet("campaign_roi")
        safe = safe_for_spreadsheets(frame)
        for col, name in enumerate(safe.columns):
            sheet.write_string(0, col, headers.get(name, name), bold)
            kind = formats.get(name)
            cell_format = percent if kind == "ratio" else whole if kind == "count" else money
            for row, value in enumerate(safe[name].to_list(), start=1):
                if value is None:
                    sheet.write_blank(row, col, None)
                elif isinstance(value, str):
                    sheet.write_string(row, col, value)
                else:
                    sheet.write_number(row, col, value, cell_format)
            sheet.set_column(col, col, 22 if name == "campaign_name" else 14)
        sheet.freeze_panes(1, 0)
        notes = book.add_worksheet("about")
        for row, (key, value) in enumerate(about):
            notes.write_string(row, 0, key, bold)
            notes.write_string(row, 1, make_inert(value) or "")
        notes.set_column(0, 0, 28)
        notes.set_column(1, 1, 100)
    return buffer.getvalue()
