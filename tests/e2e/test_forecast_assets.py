"""The forecast assets on the demo shop: tables, the daily refit and the weekly backtest."""

import shutil

import dagster as dg
import duckdb
import polars as pl

from pipelines.defs.forecast.assets import forecasts
from pipelines.defs.resources import ShopSettings
from pipelines.lib.settings import Settings
from tests.conftest import use_home


def table(settings: Settings, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql).pl()


def test_the_demo_build_has_forecasts_accuracy_and_risk(demo_build: Settings) -> None:
    accuracy = table(demo_build, "select * from marts.forecast_accuracy")
    selected = accuracy.filter(pl.col("is_selected"))
    # one chosen model per backtested series, the baseline scored for every one of them
    assert selected["series"].is_unique().all()
    assert set(accuracy.filter(pl.col("model") == "SeasonalNaive")["series"]) == set(
        selected["series"]
    )
    assert "ALL" in set(selected["series"])
    holdout = accuracy.select("holdout_start", "holdout_end").unique().row(0)
    assert (holdout[1] - holdout[0]).days == 27  # the last 28 days
    future = table(demo_build, "select * from marts.sales_forecast where kind = 'future'")
    assert future.group_by("series").len()["len"].unique().to_list() == [28]
    assert (future["yhat_lower"] <= future["yhat"]).all()
    assert (future["yhat"] <= future["yhat_upper"]).all()
    assert future["date"].min() > holdout[1]
    risk = table(demo_build, "select * from marts.inventory_risk")
    snapshot_skus = table(
        demo_build,
        "select count(distinct sku) as n from intermediate.int_inventory_daily "
        "where snapshot_date = (select max(snapshot_date) from intermediate.int_inventory_daily)",
    )["n"][0]
    assert risk.height == snapshot_skus > 0
    # reorder_qty follows its definition on every row, and some SKU needs reordering
    expected = (
        (risk["lead_time_demand"] + risk["safety_stock"] - risk["on_hand_qty"]).clip(0).ceil()
    )
    assert (risk["reorder_qty"] - expected).abs().max() < 1e-6
    assert (risk["reorder_qty"] > 0).any()


def test_a_daily_run_refits_and_the_weekly_run_backtests_again(
    demo_build: Settings, tmp_path
) -> None:
    settings = use_home(tmp_path / "copy")
    shutil.copy(demo_build.warehouse, settings.warehouse)
    before = table(settings, "select max(backtested_at) as t from marts.forecast_accuracy")["t"][0]
    resources = {"shop": ShopSettings(home=str(settings.home), values=settings.as_values())}

    daily = dg.materialize([forecasts], resources=resources)
    assert daily.success
    after_daily = table(settings, "select max(backtested_at) as t from marts.forecast_accuracy")
    assert after_daily["t"][0] == before  # the choice of models is reused
    made = table(settings, "select kind, count(*) as n from marts.sales_forecast group by 1")
    assert set(made["kind"]) == {"future", "holdout", "history"}  # last holdout kept
    holdout = table(settings, "select * from marts.sales_forecast where kind = 'holdout'")
    assert holdout["actual"].null_count() == 0  # set against what happened
    events = daily.asset_materializations_for_node("forecasts")
    assert any(e.metadata["backtest_ran"].value is False for e in events if
               "backtest_ran" in e.metadata)  # fmt: skip

    weekly = dg.materialize(
        [forecasts],
        resources=resources,
        run_config={"ops": {"forecasts": {"config": {"full_backtest": True}}}},
    )
    assert weekly.success
    after_weekly = table(settings, "select max(backtested_at) as t from marts.forecast_accuracy")
    assert after_weekly["t"][0] > before
    metadata = next(e.metadata for e in weekly.asset_materializations_for_node("forecasts")
                    if "backtest_ran" in e.metadata)  # fmt: skip
    assert metadata["backtest_ran"].value is True
    assert metadata["all_mase"].value < metadata["all_baseline_mase"].value
    assert metadata["seconds"].value > 0


def test_a_daily_run_refits_only_the_series_whose_history_changed(
    demo_build: Settings, tmp_path
) -> None:
    settings = use_home(tmp_path / "copy")
    shutil.copy(demo_build.warehouse, settings.warehouse)
    resources = {"shop": ShopSettings(home=str(settings.home), values=settings.as_values())}
    future_sql = "select * from marts.sales_forecast where kind = 'future' order by series, date"
    built = table(settings, future_sql)

    arima = set(table(settings, "select series from marts.forecast_accuracy "
                                "where is_selected and model = 'ARIMA_promo'")["series"])  # fmt: skip
    theta = set(table(settings, "select series from marts.forecast_accuracy "
                                "where is_selected and model = 'AutoTheta'")["series"])  # fmt: skip
    kept_fits = table(settings, "select * from audit.forecast_fits")
    # the build's fits: ARIMA's coefficients, AutoTheta's variant
    assert set(kept_fits["series"]) == arima | theta

    def refitted() -> set[str]:
        run = dg.materialize([forecasts], resources=resources)
        assert run.success
        metadata = next(e.metadata for e in run.asset_materializations_for_node("forecasts")
                        if "series_refitted" in e.metadata)  # fmt: skip
        now = table(settings, future_sql)
        made = now.group_by("series").agg(pl.col("forecast_made_at").max())
        fresh = set(made.filter(pl.col("forecast_made_at") > built["forecast_made_at"].max())
                    ["series"])  # fmt: skip
        assert metadata["series_refitted"].value == len(fresh)
        # the ARIMA series among them are forecast with their last fit's coefficients, the
        # AutoTheta series fitted in their last fit's variant
        assert metadata["series_with_last_fit"].value == len(fresh & arima)
        assert metadata["series_with_last_variant"].value == len(fresh & theta)
        return fresh

    # nothing changed since the build fitted every series: every forecast is kept as it was
    assert refitted() == set()
    assert table(settings, future_sql).equals(built)

    # one SKU sold 5 more (100 more revenue) on its last day: that SKU, its category and the shop are refitted
    sku, category = table(
        settings,
        "select sku, max(category) from intermediate.int_daily_sku_sales "
        "where sku in (select series from marts.sales_forecast where series_type = 'sku') "
        "group by sku order by sku limit 1",
    ).row(0)
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute(
            "update intermediate.int_daily_sku_sales set units = units + 5, "
            "net_revenue = net_revenue + 100 where sku = ? and "
            "sales_date = (select max(sales_date) from intermediate.int_daily_sku_sales "
            "where sku = ?)",
            [sku, sku],
        )
    assert refitted() == {sku, "ALL"} | ({category} if category else set())
    assert "ALL" in arima  # so one of them kept its coefficients (checked in refitted)
    assert table(settings, "select * from audit.forecast_fits").equals(kept_fits)


def test_the_bench_times_a_backtest_and_a_refit_of_every_series(demo_build: Settings) -> None:
    from pipelines.bench import time_forecasts

    timed = time_forecasts(demo_build.warehouse)
    forecast_series = table(
        demo_build, "select count(distinct series) as n from marts.sales_forecast "
        "where kind = 'future'",
    )["n"][0]  # fmt: skip
    # the refit forecasts every series the build forecasts, with the backtest's choices
    assert timed["forecast_refit_series"] == forecast_series > 0
    assert 0 < timed["forecast_refit_seconds"] < timed["forecast_seconds"]


def _copy_of(demo_build: Settings, home) -> tuple[Settings, dict]:
    settings = use_home(home)
    shutil.copy(demo_build.warehouse, settings.warehouse)
    settings.published.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(demo_build.published, settings.published)
    return settings, {"shop": ShopSettings(home=str(settings.home), values=settings.as_values())}


def _backtest_and_publish(
    resources: dict, instance: dg.DagsterInstance | None = None
) -> dg.ExecuteInProcessResult:
    """The forecasts (a full backtest: every forecast made again) and the publish, in one run."""
    from pipelines.defs.publish import published_marts

    return dg.materialize(
        [forecasts, published_marts],
        resources=resources,
        instance=instance,
        run_config={"ops": {"forecasts": {"config": {"full_backtest": True}}}},
        raise_on_error=False,
    )


def test_the_publish_begun_beside_the_forecasts_holds_the_new_forecasts(
    demo_build: Settings, tmp_path
) -> None:
    from pipelines.defs.publish import MANIFEST
    from pipelines.lib.publish import publish

    settings, resources = _copy_of(demo_build, tmp_path / "copy")
    run = _backtest_and_publish(resources)
    assert run.success
    metadata = next(e.metadata for e in run.asset_materializations_for_node("forecasts")
                    if "backtest_ran" in e.metadata)  # fmt: skip
    assert metadata["publish_began_beside_seconds"].value > 0
    made = "select max(backtested_at) from marts.forecast_accuracy"
    with duckdb.connect(str(settings.published), read_only=True) as con:
        assert con.execute(made).fetchone() == table(settings, made).row(0)
    # the tables the forecasts wrote after the publish began are in it as a whole publish
    # of the same warehouse writes them: nothing changed for it
    assert publish(settings, MANIFEST, "again")[0] == "unchanged"
    assert not list(settings.published.parent.glob(".*.tmp*"))


def test_a_failure_beside_the_publish_leaves_the_published_file_as_it_was(
    demo_build: Settings, tmp_path, monkeypatch
) -> None:
    from pipelines.lib import forecast

    settings, resources = _copy_of(demo_build, tmp_path / "copy")
    before = settings.published.read_bytes()

    def failing(*args, **kwargs):
        raise RuntimeError("a model failed")

    monkeypatch.setattr(forecast, "run", failing)
    run = _backtest_and_publish(resources)
    assert not run.success
    assert settings.published.read_bytes() == before
    assert sorted(p.name for p in settings.published.parent.iterdir()) == ["shopkpi.duckdb"]
    # the warehouse was let go: another process's connection may write it
    with duckdb.connect(str(settings.warehouse)) as con:
        assert con.execute("select count(*) from marts.fct_daily_kpis").fetchone()[0] > 0


def test_a_publish_that_fails_beside_the_forecasts_fails_alone(
    demo_build: Settings, tmp_path, monkeypatch
) -> None:
    from pipelines.lib import publish

    settings, resources = _copy_of(demo_build, tmp_path / "copy")
    before = settings.published.read_bytes()
    made = "select max(forecast_made_at) from marts.sales_forecast"
    made_before = table(settings, made).row(0)

    def failing(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(publish, "_copy_tables", failing)
    instance = dg.DagsterInstance.ephemeral()
    run = _backtest_and_publish(resources, instance)
    assert not run.success
    # the forecasts are made and kept; only the publish failed, and left the file as it was
    assert run.is_node_success("forecasts")
    messages = [e.user_message for e in instance.all_logs(run.run_id) if e.step_key == "forecasts"]
    assert any("could not begin beside the forecasts" in m for m in messages)
    assert not any("the publish began beside" in m for m in messages)
    assert not run.is_node_success("published__marts")
    assert table(settings, made).row(0) > made_before
    assert settings.published.read_bytes() == before
    assert sorted(p.name for p in settings.published.parent.iterdir()) == ["shopkpi.duckdb"]
