"""Every page through Streamlit's AppTest: demo warehouse, empty home, both languages."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboards.kpis import UNKNOWN
from pipelines.lib.settings import REPO_ROOT, Settings

APP = str(REPO_ROOT / "dashboards" / "streamlit_app.py")
PAGES = {
    "overview": ("运营总览", "Overview", "净销售额"),
    "marketing": ("营销ROI", "Marketing ROI", "花费"),
    "customers": ("用户复购", "Customers & repurchase", None),
    "inventory": ("库存周转", "Inventory turnover", "周转率"),
    "logistics": ("物流", "Logistics", "准时率"),
    "forecast": ("预测", "Forecast", None),
    "data_health": ("数据健康", "Data health", "已加载"),
}


def open_page(home: Path, monkeypatch, page: str, lang: str = "zh") -> AppTest:
    monkeypatch.setenv("SHOPKPI_HOME", str(home))
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["lang"] = lang
    app.run()
    app.switch_page(f"app_pages/{page}.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_renders_on_the_demo_shop(demo_build: Settings, monkeypatch, page, lang):
    app = open_page(demo_build.home, monkeypatch, page, lang)
    title_zh, title_en, first_metric_zh = PAGES[page]
    assert app.title[0].value == (title_zh if lang == "zh" else title_en)
    if first_metric_zh and lang == "zh":
        assert first_metric_zh in [m.label for m in app.metric]
    assert app.dataframe, "every page shows at least one table"
    # an unknown value reads as on the cards, not as Streamlit's grey "None"
    assert {table.proto.placeholder for table in app.dataframe} == {UNKNOWN}
    assert not app.error  # no build failure recorded here


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_an_empty_state(tmp_path: Path, monkeypatch, page):
    app = open_page(tmp_path / "empty", monkeypatch, page)
    assert any("暂无数据" in i.value or "尚无" in i.value for i in app.info)
    assert not app.metric


def test_marketing_ad_platform_filter_changes_spend(demo_build: Settings, monkeypatch):
    app = open_page(demo_build.home, monkeypatch, "marketing")
    spend_all = next(m.value for m in app.metric if m.label == "花费")
    rows_all = len(app.dataframe[0].value)
    app.multiselect(key="ad_platforms").set_value(["alimama"]).run()
    assert not app.exception
    assert next(m.value for m in app.metric if m.label == "花费") != spend_all
    assert set(app.dataframe[0].value["ad_platform"]) == {"alimama"}
    assert len(app.dataframe[0].value) < rows_all


def test_date_range_changes_logistics_and_inventory(demo_build: Settings, monkeypatch):
    import datetime as dt

    for page, label in (("logistics", "发货单数"), ("inventory", "周转率")):
        app = open_page(demo_build.home, monkeypatch, page)
        before = next(m.value for m in app.metric if m.label == label)
        app.sidebar.date_input[0].set_value((dt.date(2025, 1, 1), dt.date(2025, 6, 30))).run()
        assert not app.exception
        assert next(m.value for m in app.metric if m.label == label) != before
        assert "2025-01" in app.caption[1].value


def test_overview_compares_with_last_year_and_names_the_fastest_platform(
    demo_build: Settings, monkeypatch
):
    app = open_page(demo_build.home, monkeypatch, "overview")
    assert any(c.value.startswith("同比 ") for c in app.caption)
    assert any("增长最快" in m.value for m in app.markdown)
    margin = next(m for m in app.metric if m.label == "毛利率")
    assert margin.value.endswith("%")


def test_forecast_page_switches_series_and_lists_stockouts(demo_build: Settings, monkeypatch):
    app = open_page(demo_build.home, monkeypatch, "forecast")
    assert any("全店" in m.value and "MASE" in m.value for m in app.markdown)
    assert app.selectbox(key="forecast_series").value == "ALL"
    accuracy = app.dataframe[0].value
    assert "SeasonalNaive" in set(accuracy["model"])  # the baseline is always shown
    app.button_group(key="forecast_kind").set_value("sku").run()
    assert not app.exception
    sku = app.selectbox(key="forecast_series").value
    assert sku.startswith("SKU-")
    risk = app.dataframe[1].value
    assert (risk["stockout_date"].notna() | (risk["reorder_qty"] > 0)).all()
    app.toggle(key="only_at_risk").set_value(False).run()
    assert len(app.dataframe[1].value) >= len(risk)


def test_a_failed_last_build_is_announced_on_every_page(
    demo_build: Settings, tmp_path, monkeypatch
):
    import shutil

    home = tmp_path / "failed"
    shutil.copytree(demo_build.published.parent, home / "published")
    (home / "published" / "last_run.json").write_text(
        json.dumps({
            "run_id": "abc12345", "status": "failure", "started_at": "2026-11-02T01:00:00",
            "finished_at": "2026-11-02T01:02:00", "failed_steps": ["raw_orders"],
            "published": None,
            "checks": [{"asset": "raw/orders", "check": "gx_raw_orders", "passed": False,
                        "severity": "ERROR", "blocking": True,
                        "description": "expect_column_values_to_be_between quantity"}],
        }),
        encoding="utf-8",
    )  # fmt: skip
    for page in ("overview", "data_health"):
        app = open_page(home, monkeypatch, page)
        banner = app.error[0].value
        assert "gx_raw_orders" in banner and "上一次成功发布" in banner
    assert "失败" in app.error[1].value  # the data-health page's last-build line


def test_data_health_shows_what_platform_exports_lacked(
    demo_build: Settings, tmp_path, monkeypatch
):
    import shutil

    import duckdb

    home = tmp_path / "adapters"
    shutil.copytree(demo_build.published.parent, home / "published")
    with duckdb.connect(str(home / "published" / "shopkpi.duckdb")) as con:
        con.execute(
            "insert into audit.load_warnings values (999, 'orders', 'douyin_orders.csv', "
            "'placeholder_customer', 12, '12 order(s) have no usable buyer id')"
        )
        con.execute(
            "update audit.file_loads set adapter = 'douyin_orders', rows_skipped = 0 "
            "where load_id = (select min(load_id) from audit.file_loads where source = 'orders')"
        )
    app = open_page(home, monkeypatch, "data_health", "en")
    tables = [d.value for d in app.dataframe]
    coverage = next(t for t in tables if "files" in t.columns and "adapter" in t.columns)
    assert "douyin_orders" in set(coverage["adapter"])
    assert "shopkpi canonical" in set(coverage["adapter"])
    warnings = next(t for t in tables if "kind" in t.columns)
    assert list(warnings["kind"]) == ["Buyer masked or absent"]
    assert list(warnings["rows"]) == [12]
