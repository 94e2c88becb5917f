"""Forecasts on series whose right answer is known, and stock-out risk by hand."""

import datetime as dt
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from pipelines.lib import forecast

START = dt.date(2025, 1, 1)


def series_of(values, name: str = "S1", kind: str = "sku") -> pl.DataFrame:
    days = pl.date_range(START, START + dt.timedelta(days=len(values) - 1), eager=True)
    return pl.DataFrame({"series_type": kind, "series": name, "ds": days,
                         "y": np.asarray(values, dtype=float)})  # fmt: skip


def future(run: forecast.ForecastRun, name: str = "S1") -> pl.DataFrame:
    return run.forecast.filter((pl.col("series") == name) & (pl.col("kind") == "future"))


def test_a_pure_weekly_pattern_is_forecast_to_the_unit() -> None:
    week = [10, 20, 30, 40, 50, 60, 70]
    values = np.tile(week, 40)  # 280 days
    run = forecast.run(series_of(values, kind="all"), h=28)
    ahead = future(run).sort("date")
    expected = np.tile(week, 44)[280 : 280 + 28]
    assert ahead.height == 28
    assert np.abs(ahead["yhat"].to_numpy() - expected).max() < 1.0
    assert (ahead["yhat_lower"] <= ahead["yhat"]).all() and (
        ahead["yhat"] <= ahead["yhat_upper"]
    ).all()
    holdout = run.accuracy.filter(pl.col("is_selected")).row(0, named=True)
    assert holdout["smape"] < 1  # 0-200 scale: nearly perfect on days it did not see
    # last week's value is never wrong here, so MASE's scale is 0: NULL, not a division error
    assert holdout["mase"] is None


def test_a_trend_is_carried_forward() -> None:
    rng = np.random.default_rng(1)
    t = np.arange(400)
    values = 100 + 2.0 * t + rng.normal(0, 3, len(t))
    run = forecast.run(series_of(values, kind="all"), h=28)
    ahead = future(run).sort("date")
    expected = 100 + 2.0 * np.arange(400, 428)
    # within 5% of the line, and rising: a mean-reverting model would have lost here
    assert np.abs(ahead["yhat"].to_numpy() / expected - 1).max() < 0.05
    assert ahead["yhat"][-1] > ahead["yhat"][0] + 40
    chosen = run.accuracy.filter(pl.col("is_selected"))["model"][0]
    assert chosen != forecast.BASELINE


def test_an_intermittent_series_gets_an_intermittent_method_and_its_rate() -> None:
    rng = np.random.default_rng(7)
    values = (rng.random(500) < 0.2).astype(float)  # one unit on about one day in five
    series = series_of(values)
    assert forecast.group_series(series).intermittent == ["S1"]
    run = forecast.run(series, h=28)
    chosen = run.accuracy.filter(pl.col("is_selected"))["model"][0]
    assert chosen in forecast.INTERMITTENT_MODELS
    candidates = set(run.accuracy["model"])
    assert candidates == set(forecast.INTERMITTENT_MODELS)
    assert 0.1 < future(run)["yhat"].mean() < 0.3


def test_the_holdout_is_scored_on_days_no_model_saw() -> None:
    """Flat at 10, then 50 in the last 28 days: a model that had seen them would say 50."""
    values = np.r_[np.full(300, 10.0), np.full(28, 50.0)]
    run = forecast.run(series_of(values, kind="all"), h=28)
    holdout = run.forecast.filter(pl.col("kind") == "holdout")
    assert holdout["date"].min() == START + dt.timedelta(days=300)
    assert holdout["yhat"].max() < 15
    accuracy = run.accuracy.filter(pl.col("is_selected")).row(0, named=True)
    assert accuracy["holdout_cutoff"] == START + dt.timedelta(days=299)
    assert accuracy["smape"] > 100  # 0-200 scale: far off, as it must be
    # the future forecast does use those days
    assert future(run)["yhat"].mean() > 30


def test_series_too_short_to_backtest_get_the_baseline_only() -> None:
    run = forecast.run(series_of(np.tile([1, 2, 3, 4, 5, 6, 7], 5)), h=28)
    assert run.accuracy.is_empty()
    assert set(future(run)["model"]) == {forecast.BASELINE}
    assert forecast.run(series_of([1.0, 2.0, 3.0]), h=28).forecast.is_empty()


def flat_demand(per_day: float, days: int = 28) -> pl.DataFrame:
    first = dt.date(2026, 11, 2)
    return pl.DataFrame({
        "series": "SKU-1", "date": [first + dt.timedelta(days=k) for k in range(days)],
        "model": "CrostonSBA", "yhat": per_day,
    })  # fmt: skip


STOCK = pl.DataFrame({"sku": ["SKU-1"], "snapshot_date": [dt.date(2026, 11, 1)],
                      "on_hand_qty": [100]})  # fmt: skip


def test_inventory_risk_by_hand() -> None:
    """Stock 100, forecast 10 a day: 100 units last 10 days, so day 11 runs out."""
    risk = forecast.inventory_risk(flat_demand(10), STOCK, {}, lead_time_days=14,
                                   service_level=0.95).row(0, named=True)  # fmt: skip
    assert risk["daily_demand_forecast"] == 10
    assert risk["days_of_cover"] == 10
    assert risk["stockout_date"] == dt.date(2026, 11, 12)  # the 11th forecast day
    # no forecast error: no safety stock; 14 days × 10 − 100 on hand
    assert risk["safety_stock"] == 0
    assert risk["reorder_qty"] == 40


def test_safety_stock_comes_from_the_forecast_error() -> None:
    risk = forecast.inventory_risk(flat_demand(10), STOCK, {"SKU-1": 2.0}, lead_time_days=14,
                                   service_level=0.95).row(0, named=True)  # fmt: skip
    # z(0.95) = 1.6449; 1.6449 × 2 × √14 = 12.31; 140 + 12.31 − 100 = 52.31, rounded up
    assert risk["safety_stock"] == pytest.approx(12.309, abs=1e-3)
    assert risk["reorder_qty"] == 53


def test_lead_time_past_the_horizon_and_no_demand() -> None:
    long = forecast.inventory_risk(flat_demand(10, days=7), STOCK, {}, lead_time_days=14,
                                   service_level=0.9).row(0, named=True)  # fmt: skip
    assert long["lead_time_demand"] == 140  # 7 forecast days, then their mean
    idle = forecast.inventory_risk(flat_demand(0), STOCK, {}, 14, 0.95).row(0, named=True)
    assert idle["days_of_cover"] is None and idle["stockout_date"] is None
    assert idle["reorder_qty"] == 0


def test_promotion_calendar() -> None:
    import pandas as pd

    days = pd.Series(pd.to_datetime(["2026-06-18", "2026-11-11", "2026-11-27", "2026-11-30",
                                     "2026-02-17", "2026-03-15"]))  # fmt: skip
    features = forecast.calendar_features(days)
    assert features["promo_618"].tolist()[0] == 1
    assert features["promo_double11"].tolist()[1] == 1
    assert features["black_friday"].tolist()[2:4] == [1, 1]  # Black Friday 2026 is 27 Nov
    assert features["cny"].tolist()[4] == 1
    assert features.iloc[5].sum() == 0


def test_series_end_on_the_last_day_every_active_platform_reported() -> None:
    day = dt.date(2026, 10, 30)
    sales = pl.DataFrame({
        "sales_date": [day, day, day + dt.timedelta(days=1), day + dt.timedelta(days=2),
                       day - dt.timedelta(days=60)],
        "platform": ["tmall", "shopify", "tmall", "shopify", "old_shop"],
        "sku": ["A", "B", "A", "B", "C"], "category": ["x", "y", "x", "y", "z"],
        "units": [2, 1, 3, 5, 1], "net_revenue": [20.0, 10.0, 30.0, 50.0, 5.0],
    })  # fmt: skip
    # shopify's 11-01 is half a day in the shop's timezone; old_shop stopped selling long ago
    assert forecast.last_complete_day(sales) == day + dt.timedelta(days=1)
    series = forecast.build_series(sales)
    assert series["ds"].max() == day + dt.timedelta(days=1)
    a = series.filter(pl.col("series") == "A").sort("ds")
    assert a["y"].to_list() == [2.0, 3.0]  # starts at its first sale
    b = series.filter(pl.col("series") == "B").sort("ds")
    assert b["y"].to_list() == [1.0, 0.0]  # a day without sales is a zero
    shop = series.filter(pl.col("series") == "ALL").sort("ds")
    assert shop["y"].to_list()[-2:] == [30.0, 30.0]
    assert shop.height == 62  # from the first sale anywhere (08-31) to 10-31


def test_an_order_level_export_feeds_the_shop_series_never_a_sku_or_category() -> None:
    days = [START + dt.timedelta(days=d) for d in range(3)]
    sales = pl.DataFrame({
        "sales_date": days * 2,
        "platform": ["tmall"] * 6,
        "sku": [None] * 3 + ["MUG-1"] * 3,  # order-level lines have no SKU
        "category": [None] * 3 + ["厨房"] * 3,
        "units": [1, 1, 1, 2, 2, 2],
        "net_revenue": [100.0, 100.0, 100.0, 10.0, 10.0, 10.0],
    })  # fmt: skip
    series = forecast.build_series(sales)
    assert set(series["series"]) == {"ALL", "MUG-1", "厨房"}
    assert series.filter(pl.col("series") == "ALL")["y"].to_list() == [110.0] * 3
    assert series.filter(pl.col("series") == "厨房")["y"].to_list() == [10.0] * 3


def test_a_sku_that_sold_on_few_days_gets_its_recent_rate_without_a_model() -> None:
    values = np.zeros(200)
    values[[20, 90, 150, 170, 190]] = [1, 2, 1, 3, 2]  # five selling days: too few to model
    run = forecast.run(series_of(values), h=28)
    ahead = future(run)
    assert run.choices == {"S1": forecast.RECENT_RATE} and run.accuracy.is_empty()
    assert set(ahead["model"]) == {forecast.RECENT_RATE} and ahead.height == 28
    # the last 90 days held 1 + 3 + 2 units: 6 / 90 a day, every day of the horizon
    assert ahead["yhat"].to_list() == pytest.approx([6 / 90] * 28)
    # the 90% quantile of a Poisson demand of 0.07 a day is 0: the band still holds the mean
    assert (ahead["yhat_lower"] == 0).all() and (ahead["yhat_upper"] >= ahead["yhat"]).all()


def test_the_poisson_band_is_scipys_quantile() -> None:
    from scipy.stats import poisson

    rates = np.concatenate(
        [[0, 1e-9, 0.01, 0.5, 0.99, 1, 2, 3.3, 25.5, 1234.5],
         np.random.default_rng(0).gamma(0.5, 4, 20_000)]
    )  # fmt: skip
    for q in (0.1, 0.9):
        assert np.array_equal(forecast.poisson_quantile(q, rates), poisson.ppf(q, rates))


def _promo_series(days: int = 400) -> pl.DataFrame:
    rng = np.random.default_rng(3)
    t = np.arange(days)
    values = 200 + 30 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 5, days)
    return series_of(values, name="ALL", kind="all")


def test_a_daily_forecast_uses_the_last_fits_arima_coefficients() -> None:
    series = _promo_series()
    choices = {"ALL": "ARIMA_promo"}
    fitted = forecast.run(series, h=28, choices=choices)
    features, coefficients = fitted.coefficients["ALL"]
    assert {"ar1", "ma1", "sar1", "sma1", "intercept"} <= set(coefficients)
    # the same history and the kept coefficients: the same forecast, without the optimiser
    kept = forecast.run(series, h=28, choices=choices, last_fit=fitted.coefficients)
    assert kept.coefficients == fitted.coefficients
    np.testing.assert_allclose(
        future(kept, "ALL")["yhat"], future(fitted, "ALL")["yhat"], rtol=1e-6
    )
    # the coefficients given are the ones used: without its AR and MA terms the model
    # forecasts its mean, flat, where the fitted one follows the week
    flat = {k: (v if k == "intercept" else 0.0) for k, v in coefficients.items()}
    mean_only = forecast.run(series, h=28, choices=choices, last_fit={"ALL": (features, flat)})
    assert mean_only.coefficients == {"ALL": (features, flat)}
    assert future(mean_only, "ALL")["yhat"].std() < 1e-6
    assert future(fitted, "ALL")["yhat"].std() > 10
    # one more day: forecast from it with the same coefficients, one day further on
    next_day = forecast.run(_promo_series(401), h=28, choices=choices, last_fit=fitted.coefficients)
    assert next_day.coefficients == fitted.coefficients
    first = future(fitted, "ALL")["date"].min()
    assert future(next_day, "ALL")["date"].min() == first + dt.timedelta(days=1)


def test_coefficients_of_other_regressors_or_a_backtest_are_fitted_again() -> None:
    series = _promo_series()
    choices = {"ALL": "ARIMA_promo"}
    fitted = forecast.run(series, h=28, choices=choices)
    features, coefficients = fitted.coefficients["ALL"]
    other = {"ALL": ((*features, "not_a_regressor"), {k: 0.0 for k in coefficients})}
    refitted = forecast.run(series, h=28, choices=choices, last_fit=other)
    assert refitted.coefficients == fitted.coefficients
    # no choices: the backtest chooses again and nothing of the last fit is used
    backtested = forecast.run(
        series, h=28, last_fit={"ALL": (features, dict.fromkeys(coefficients, 0.0))}
    )
    if backtested.choices["ALL"] == "ARIMA_promo":
        assert backtested.coefficients["ALL"] == fitted.coefficients["ALL"]
    else:  # another model: no coefficients (AutoTheta keeps only its variant)
        assert set(backtested.coefficients.get("ALL", ((), {}))[1]) <= {forecast.VARIANT}


def test_a_daily_forecast_fits_autotheta_in_the_variant_of_its_last_fit() -> None:
    t = np.arange(400)  # a trend, where the theta variants part ways
    noise = np.random.default_rng(5).normal(0, 8, t.size)
    series = series_of(50 + 0.8 * t + 30 * np.sin(2 * np.pi * t / 7) + noise, "ALL", "all")
    choices = {"ALL": "AutoTheta"}
    searched = forecast.run(series, h=28, choices=choices)
    ((features, last),) = searched.coefficients.values()
    variant = last[forecast.VARIANT]
    assert variant in {"STM", "OTM", "DSTM", "DOTM"}
    # the variant the search chose, fitted alone: the same forecast
    kept = forecast.run(series, h=28, choices=choices, last_fit=searched.coefficients)
    assert kept.coefficients == searched.coefficients
    np.testing.assert_allclose(
        future(kept, "ALL")["yhat"], future(searched, "ALL")["yhat"], rtol=1e-9
    )
    # the variant given is the one fitted: statsforecast's AutoTheta held to it forecasts
    # the same, and the search's choice does not
    from statsforecast import StatsForecast
    from statsforecast.models import AutoTheta

    other = "OTM" if variant != "OTM" else "STM"
    given = forecast.run(
        series, h=28, choices=choices, last_fit={"ALL": (features, {forecast.VARIANT: other})}
    )
    assert given.coefficients == {"ALL": (features, {forecast.VARIANT: other})}
    held = StatsForecast(models=[AutoTheta(season_length=7, model=other)], freq="D").forecast(
        df=forecast._pandas(series, ()), h=28
    )
    np.testing.assert_allclose(future(given, "ALL")["yhat"], held["AutoTheta"], rtol=1e-9)
    assert not np.allclose(future(searched, "ALL")["yhat"], held["AutoTheta"], rtol=1e-4)
    # a backtest searches every variant again, whatever the last fit chose
    backtested = forecast.run(series, h=28, last_fit={"ALL": (features, {forecast.VARIANT: other})})
    if backtested.choices["ALL"] == "AutoTheta":
        assert backtested.coefficients["ALL"] == searched.coefficients["ALL"]


def test_statsforecast_is_imported_beside_dbt_only_where_the_last_forecasts_fitted(
    tmp_path: Path,
) -> None:
    """A daily build starts importing statsforecast while dbt runs only when the shop's
    last forecasts fitted models: a shop with too little history never pays for it."""
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        assert not forecast.import_statsforecast_meanwhile(con)  # never forecast
        con.execute("create schema marts")
        con.execute("create table marts.forecast_accuracy (series varchar)")
        assert not forecast.import_statsforecast_meanwhile(con)  # forecast, fitted nothing
        con.execute("insert into marts.forecast_accuracy values ('ALL')")
        assert forecast.import_statsforecast_meanwhile(con)
    for _ in range(600):  # the thread imports it (or an earlier test did)
        if "statsforecast.models" in sys.modules:
            break
        time.sleep(0.1)
    assert "statsforecast.models" in sys.modules
