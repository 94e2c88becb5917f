"""The dashboards through Streamlit's AppTest: rendering, filters, language, empty state."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipelines.lib.settings import REPO_ROOT, Settings

APP = str(REPO_ROOT / "dashboards" / "streamlit_app.py")


def open_app(home: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SHOPKPI_HOME", str(home))
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert not app.exception, app.exception
    return app


def metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def test_overview_shows_kpis_with_definitions_and_freshness(
    demo_build: Settings, monkeypatch
) -> None:
    app = open_app(demo_build.home, monkeypatch)
    assert app.title[0].value == "运营总览"
    labels = [m.label for m in app.metric]
    assert {"净销售额", "订单数", "客单价", "会话转化率", "支付转化率"} <= set(labels)
    revenue = next(m for m in app.metric if m.label == "净销售额")
    assert revenue.value.startswith("¥")
    assert revenue.proto.help == "商品总额 − 优惠 − 退款。"
    assert app.caption[0].value.startswith("数据截至 2026-11-01")


def test_platform_filter_changes_the_numbers(demo_build: Settings, monkeypatch) -> None:
    app = open_app(demo_build.home, monkeypatch)
    all_platforms = metric(app, "订单数")
    app.sidebar.multiselect[0].set_value(["jd"]).run()
    assert not app.exception
    only_jd = metric(app, "订单数")
    assert int(only_jd.replace(",", "")) < int(all_platforms.replace(",", ""))


def test_language_switch_to_english(demo_build: Settings, monkeypatch) -> None:
    app = open_app(demo_build.home, monkeypatch)
    app.sidebar.button_group[0].set_value("en").run()
    assert app.title[0].value == "Overview"
    assert "Revenue per buyer (客单价)" in [m.label for m in app.metric]


def test_an_empty_home_shows_how_to_get_data(tmp_path: Path, monkeypatch) -> None:
    app = open_app(tmp_path / "empty", monkeypatch)
    assert "暂无数据" in app.info[0].value
    assert not app.metric


def test_english_tooltips_carry_the_dbt_definition(demo_build: Settings, monkeypatch) -> None:
    app = open_app(demo_build.home, monkeypatch)
    app.sidebar.button_group[0].set_value("en").run()
    revenue = next(m for m in app.metric if m.label == "Net revenue")
    assert revenue.proto.help == "gross_sales − discounts − refunds."


def test_the_dashboards_connection_cannot_read_other_files(
    demo_build: Settings, monkeypatch
) -> None:
    """enable_external_access=false: no read_csv of a file on the machine through the app."""
    import duckdb

    from dashboards import data

    monkeypatch.setenv("SHOPKPI_HOME", str(demo_build.home))
    secret = demo_build.home / "secret.csv"
    secret.write_text("a\n1\n", encoding="utf-8")
    assert data.query("select count(*) as n from marts.fct_daily_kpis")["n"][0] > 0
    with pytest.raises(duckdb.Error, match="disabled"):
        data.query(f"select * from read_csv('{secret}')")
    with pytest.raises(duckdb.Error):
        data.query("create table marts.x as select 1")  # read-only


def test_monthly_targets_show_attainment_and_follow_the_platform_filter(
    demo_build: Settings, monkeypatch
) -> None:
    app = open_app(demo_build.home, monkeypatch)
    assert "月度目标" in [h.value for h in app.subheader]
    targets = next(d.value for d in app.dataframe if "target_attainment" in d.value.columns)
    assert "all" in set(targets["platform"])  # every platform chosen: the whole shop's too
    row = targets.iloc[0]
    assert row["target_attainment"] == pytest.approx(row["net_revenue"] / row["net_revenue_target"])
    app.sidebar.multiselect[0].set_value(["jd"]).run()
    targets = next(d.value for d in app.dataframe if "target_attainment" in d.value.columns)
    assert set(targets["platform"]) == {"jd"}
