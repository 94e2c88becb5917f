"""Forecast assets: marts.forecast_accuracy, marts.sales_forecast, marts.inventory_risk.

They run after the dbt marts in every daily build: each series whose history changed is
forecast again with its chosen model (an ARIMA series with the coefficients of its last fit,
kept in audit.forecast_fits, when its regressors are the same; every other model is fitted
again); the others keep their forecast. The backtest, which chooses the models and fits them
all again, re-runs when it is missing, older than 7 days, or asked for (the weekly schedule
asks).
"""

import json
import time
from datetime import UTC, datetime, timedelta

import dagster as dg
import polars as pl

from pipelines.defs.publish import publish_beside
from pipelines.defs.resources import ShopSettings
from pipelines.lib import forecast
from pipelines.lib.publish import forecast_docs
from pipelines.lib.warehouse import connect, keep_open

DOCS = {model["name"]: model for model in forecast_docs()}
BACKTEST_MAX_AGE = timedelta(days=7)
ACCURACY, FORECAST, RISK = (dg.AssetKey(["marts", n]) for n in
                            ("forecast_accuracy", "sales_forecast", "inventory_risk"))  # fmt: skip
# the warehouse tables the step writes: the publish begun beside it copies them last
WRITTEN = (
    ("marts", "forecast_accuracy"), ("marts", "sales_forecast"), ("marts", "inventory_risk"),
    ("audit", "forecast_basis"), ("audit", "forecast_histories"), ("audit", "forecast_fits"),
)  # fmt: skip


def _columns(table: str) -> list[str]:
    """The documented columns, in their documented order: what the table holds."""
    return list(DOCS[table]["columns"])


def _spec(key: dg.AssetKey, deps: list[dg.AssetKey]) -> dg.AssetSpec:
    doc = DOCS[key.path[-1]]
    return dg.AssetSpec(
        key,
        deps=deps,
        group_name="forecast",
        kinds={"statsforecast", "duckdb"},
        description=doc["description"],
        metadata={
            "dagster/column_schema": dg.TableSchema(
                columns=[
                    dg.TableColumn(c["name"], description=c["description"])
                    for c in doc["columns"].values()
                ]
            )
        },
    )


class ForecastConfig(dg.Config):
    full_backtest: bool = False  # re-choose every series' model even if the last is recent


def _table_exists(con, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def _basis(con) -> tuple[str, str] | None:
    """The timezone and currency the stored backtest was made in."""
    if not _table_exists(con, "audit", "forecast_basis"):
        return None
    return con.execute("select * from audit.forecast_basis").fetchone()


def _last_fit(con) -> forecast.Coefficients:
    """ARIMA's coefficients by series, as its last fit left them (audit.forecast_fits)."""
    if not _table_exists(con, "audit", "forecast_fits"):
        return {}
    rows = con.execute("select series, features, coefficients from audit.forecast_fits")
    return {name: (tuple(features), json.loads(coefficients))
            for name, features, coefficients in rows.fetchall()}  # fmt: skip


def _keep_fit(con, coefficients: forecast.Coefficients) -> None:
    fits = pl.DataFrame(  # noqa: F841 - read by the next statement
        [(name, list(features), json.dumps(values))
         for name, (features, values) in sorted(coefficients.items())],
        schema={"series": pl.String, "features": pl.List(pl.String), "coefficients": pl.String},
        orient="row",
    )  # fmt: skip
    con.execute("create or replace table audit.forecast_fits as select * from fits")


def _write(con, name: str, frame: pl.DataFrame) -> None:
    con.register("frame", frame.to_arrow())
    con.execute(f"create or replace table marts.{name} as select * from frame")
    con.unregister("frame")


@dg.multi_asset(
    specs=[
        _spec(ACCURACY, [dg.AssetKey(["intermediate", "int_daily_sku_sales"])]),
        _spec(FORECAST, [dg.AssetKey(["intermediate", "int_daily_sku_sales"]), ACCURACY]),
        _spec(RISK, [FORECAST, ACCURACY, dg.AssetKey(["intermediate", "int_inventory_daily"])]),
    ],
)
def forecasts(
    context: dg.AssetExecutionContext, config: ForecastConfig, shop: ShopSettings,
):  # fmt: skip
    settings = shop.get()
    started = time.perf_counter()
    now = datetime.now(UTC).replace(tzinfo=None)
    # one open database for the inputs, the publish begun beside the fits and the outputs
    keep_open(settings.warehouse)
    # DuckDB copies every other table for the publish while this step reads its inputs
    # and Python fits the models; the publish step finishes it (without a publish in
    # the run, the warehouse is let go)
    with publish_beside(context, settings, WRITTEN) as publication:
        with connect(settings.warehouse) as con:
            sales = con.execute("select * from intermediate.int_daily_sku_sales").pl()
            on_hand = con.execute(
                "select snapshot_date, sku, on_hand_qty from intermediate.int_inventory_daily "
                "where snapshot_date = (select max(snapshot_date) from intermediate.int_inventory_daily)"
            ).pl()
            previous = (
                con.execute("select * from marts.forecast_accuracy").pl()
                if _table_exists(con, "marts", "forecast_accuracy") else pl.DataFrame()
            )  # fmt: skip
            previous_holdout, previous_future = (
                con.execute(f"select * from marts.sales_forecast where kind = '{kind}'").pl()
                if _table_exists(con, "marts", "sales_forecast") else pl.DataFrame()
                for kind in ("holdout", "future")
            )  # fmt: skip
            previous_digests = (
                con.execute("select * from audit.forecast_histories").pl()
                if _table_exists(con, "audit", "forecast_histories") else pl.DataFrame()
            )  # fmt: skip
            last_fit = _last_fit(con)
            basis_changed = _basis(con) != (settings.timezone, settings.reporting_currency)
        series = forecast.build_series(sales)
        stale = previous.is_empty() or now - previous["backtested_at"].max() > BACKTEST_MAX_AGE
        # another timezone or currency changes every series: the last choice is not theirs
        backtest = config.full_backtest or stale or basis_changed
        choices = None
        digests = forecast.history_digests(series).with_columns(
            pl.lit(settings.forecast_days).alias("horizon_days")
        )
        unchanged: set[str] = set()
        if not backtest:
            choices = dict(
                previous.filter(pl.col("is_selected")).select("series", "model").iter_rows()
            )
            # a series whose history and horizon are as at its last fit keeps that forecast
            if not previous_digests.is_empty() and not previous_future.is_empty():
                same = digests.join(previous_digests, on=["series", "digest", "horizon_days"])
                unchanged = set(same["series"]) & set(previous_future["series"])
        result = forecast.run(
            series.filter(~pl.col("series").is_in(list(unchanged))),
            settings.forecast_days,
            choices,
            # a daily run forecasts with the last fit's coefficients where its model and
            # regressors are the same (a backtest, choices None, fits every model again)
            last_fit,
        )
        coefficients = result.coefficients if backtest else last_fit | result.coefficients
        forecast_rows = result.forecast.with_columns(pl.lit(now).alias("forecast_made_at"))
        if unchanged:
            kept = previous_future.filter(pl.col("series").is_in(list(unchanged)))
            forecast_rows = pl.concat([forecast_rows, kept], how="diagonal_relaxed")

        if backtest:
            accuracy = result.accuracy.with_columns(
                (pl.col("holdout_cutoff") + pl.duration(days=1)).alias("holdout_start"),
                pl.lit(series["ds"].max(), dtype=pl.Date).alias("holdout_end"),
                pl.lit(now).alias("backtested_at"),
            )
        else:
            accuracy = previous
            # keep the last backtest's holdout forecasts beside today's future ones
            forecast_rows = pl.concat(
                [previous_holdout, forecast_rows.filter(pl.col("kind") == "future")],
                how="diagonal_relaxed",
            )
        accuracy = accuracy.select(
            [c for c in _columns("forecast_accuracy") if c in accuracy.columns]
        )
        forecast_rows = with_actuals(forecast_rows.drop("actual", strict=False), series)
        forecast_rows = forecast_rows.select(
            [c for c in _columns("sales_forecast") if c in forecast_rows.columns]
        )

        selected = accuracy.filter(pl.col("is_selected")) if not accuracy.is_empty() else accuracy
        error_sd = dict(selected.select("series", "error_sd").fill_null(0).iter_rows()) if (
            not selected.is_empty()) else {}  # fmt: skip
        # SKUs too sparse for a model: the daily spread of a Poisson demand at their rate
        sparse = forecast.group_series(series).sparse
        error_sd |= forecast.recent_rate_sd(series, sparse)
        units = forecast_rows.filter(
            (pl.col("kind") == "future") & (pl.col("series_type") == "sku")
        )
        risk = forecast.inventory_risk(
            units, on_hand, error_sd, settings.lead_time_days, settings.service_level
        )
        if publication is not None:
            publication.wait()  # its copies done: the warehouse is the forecasts' to write
            if publication.failed:
                context.log.warning(
                    "the publish could not begin beside the forecasts; the forecasts are "
                    "written and the publish step says why"
                )
            else:
                context.log.info(
                    f"the publish began beside the forecasts: {publication.begun_seconds:.2f} s"
                )
        with connect(settings.warehouse) as con:
            con.execute(
                "create or replace table audit.forecast_basis as select ? as timezone, "
                "? as reporting_currency",
                [settings.timezone, settings.reporting_currency],
            )
            _write(con, "forecast_accuracy", accuracy)
            _write(con, "sales_forecast", forecast_rows)
            _write(con, "inventory_risk", risk)
            con.register("digests", digests.to_arrow())
            con.execute("create or replace table audit.forecast_histories as select * from digests")
            con.unregister("digests")
            _keep_fit(con, coefficients)
    seconds = time.perf_counter() - started

    summary = _accuracy_summary(selected)
    yield dg.MaterializeResult(
        asset_key=ACCURACY,
        metadata={"backtest_ran": backtest, "seconds": round(seconds, 1),
                  "series": digests.height,
                  # forecast again: a series keeps its last forecast while its history is the same
                  "series_refitted": result.forecast.filter(pl.col("kind") == "future")["series"]
                  .n_unique(),
                  # of those, forecast with the coefficients of ARIMA's last fit
                  "series_with_last_fit": sum(
                      last_fit.get(name) == fit and forecast.VARIANT not in fit[1]
                      for name, fit in result.coefficients.items()
                  ) if not backtest else 0,
                  # and fitted in the theta variant AutoTheta's last fit chose
                  "series_with_last_variant": sum(
                      forecast.VARIANT in last_fit.get(name, ((), {}))[1]
                      for name in result.coefficients
                  ) if not backtest else 0,
                  "series_by_recent_rate": len(sparse),
                  # copying the other tables for the run's publish meanwhile (0: no publish)
                  "publish_began_beside_seconds": round(publication.begun_seconds, 2)
                  if publication else 0,
                  **summary},
    )  # fmt: skip
    yield dg.MaterializeResult(
        asset_key=FORECAST,
        metadata={"dagster/row_count": forecast_rows.height, "seconds": round(seconds, 1),
                  "horizon_days": settings.forecast_days, **summary},
    )  # fmt: skip
    yield dg.MaterializeResult(
        asset_key=RISK,
        metadata={
            "dagster/row_count": risk.height,
            "skus_running_out_within_horizon": risk["stockout_date"].is_not_null().sum(),
            "skus_to_reorder": (risk["reorder_qty"] > 0).sum(),
        },
    )


HISTORY_DAYS = 56  # actuals shown before the holdout, for context


def with_actuals(rows: pl.DataFrame, series: pl.DataFrame) -> pl.DataFrame:
    """Actual values beside the holdout forecasts, plus recent history rows (kind history)."""
    actuals = series.select("series", pl.col("ds").alias("date"), pl.col("y").alias("actual"))
    if rows.is_empty():
        return rows.with_columns(pl.lit(None, dtype=pl.Float64).alias("actual"))
    kinds = series.select("series", "series_type").unique()
    first_shown = rows["date"].min() - timedelta(days=HISTORY_DAYS)
    shown = rows.filter(pl.col("kind") != "future").select("series", "date")
    history = (
        actuals.filter(pl.col("date") >= first_shown)
        .join(shown, on=["series", "date"], how="anti")
        .join(kinds, on="series")
        .with_columns(
            pl.lit("history").alias("kind"),
            pl.col("series_type")
            .replace_strict({"sku": "units", "category": "net_revenue", "all": "net_revenue"})
            .alias("metric"),
        )
    )
    return pl.concat(
        [rows.join(actuals, on=["series", "date"], how="left"), history], how="diagonal_relaxed"
    ).sort("series", "date")


def _accuracy_summary(selected: pl.DataFrame) -> dict[str, float | int | None]:
    """The numbers the targets are about: ALL against the baseline, SKUs in aggregate."""
    if selected.is_empty():
        return {}
    shop = selected.filter(pl.col("series") == "ALL")
    skus = selected.filter(pl.col("series_type") == "sku").drop_nulls(["mase", "baseline_mase"])
    summary: dict[str, float | int | None] = {}
    if shop.height:
        row = shop.row(0, named=True)
        summary |= {"all_model": row["model"], "all_mase": row["mase"],
                    "all_baseline_mase": row["baseline_mase"]}  # fmt: skip
    if skus.height:
        summary |= {
            "sku_mean_mase": skus["mase"].mean(),
            "sku_mean_baseline_mase": skus["baseline_mase"].mean(),
            "sku_share_no_worse_than_baseline": (skus["mase"] <= skus["baseline_mase"]).mean(),
        }
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in summary.items()}
