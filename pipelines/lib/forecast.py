"""Sales forecasts, their accuracy against the seasonal naive baseline, and stock-out risk.

Series (kpis.md, "Forecasts"): daily units per SKU, daily net revenue per category and for
the whole shop (`ALL`). Every series ends on the last day with sales; days without sales
are zeros; a SKU's series starts on its first sale.

Backtest: rolling-origin cross-validation with three windows of `h` days, `h` days apart,
the last one being the last `h` days of history (the holdout of kpis.md). The model of a
series is chosen on the earlier windows only; forecast_accuracy reports the holdout, which
neither the fitted models nor the choice saw. SeasonalNaive(7) is always a candidate and
always scored: a model is shown only where it beat the baseline on the earlier windows.

Model sets (statsforecast): revenue series get ARIMA with promotion-day regressors (618,
Double 11, Double 12, Black Friday, Chinese New Year), AutoTheta and the baseline; SKUs that
sell on most days get AutoETS (additive weekly season), Theta and the baseline, and the 30
fastest movers ARIMA with the festivals too; intermittent SKUs (Syntetos-Boylan: a mean
interval between sales days above 1.32) get Croston SBA, TSB, ADIDA, IMAPA and the
baseline, with conformal 80% intervals (those methods have no interval of their own).

A real catalogue holds thousands of SKUs that sold on a handful of days: no model can be
told apart from another on them, and fitting each one is what made a 5,000-SKU shop take
minutes. A SKU with fewer than SPARSE_SALE_DAYS selling days gets `RecentRate` (its mean
daily units over the last RECENT_DAYS days, Poisson 80% interval), computed for all of
them at once, without a backtest: forecasting cost grows with the series that can be
forecast, not with every SKU ever sold. The page says how many series each method got.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import math
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import polars as pl

from pipelines.lib import festivals
from pipelines.lib.workers import quiet_resource_tracker

if TYPE_CHECKING:
    import duckdb
    from statsforecast import StatsForecast

# statsforecast (numba) takes 2 s to import: imported where a model is made, so a shop
# with too little history to fit one, and every process that only loads the
# definitions, does not pay for it


def import_statsforecast_meanwhile(con: duckdb.DuckDBPyConnection) -> bool:
    """On a build that adds a day to a shop whose last forecasts fitted models, import
    statsforecast in a thread of this process while dbt runs in its own (returns whether it
    does). dbt's process starts on one core for about a second before its models keep both
    busy; the import (about 1 s of CPU) fits there, and the forecasts step that follows dbt
    starts with it done: the 10M bench's next day 0.5 s sooner (forecasts 2.4 -> 1.5 s,
    dbt's step 0.25 s longer). Not in a full build: there dbt holds both cores and the
    memory for minutes, and the import's 100 MB would add to its peak."""
    fitted = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'marts' "
        "and table_name = 'forecast_accuracy' and estimated_size > 0"
    ).fetchone()[0]
    if not fitted:
        return False

    def load() -> None:
        for module in ("statsforecast.models", "statsforecast.utils"):  # what make_model uses
            importlib.import_module(module)

    threading.Thread(target=load, name="import-statsforecast", daemon=True).start()
    return True


SEASON = 7
LEVEL = 80
N_WINDOWS = 3
INTERMITTENT_ADI = 1.32
BASELINE = "SeasonalNaive"
REVENUE_MODELS = ("ARIMA_promo", "AutoTheta", BASELINE)
SMOOTH_MODELS = ("AutoETS", "Theta", BASELINE)  # SKUs that sell on most days
# ARIMA with festival regressors costs ~10x an ETS fit: the fast movers get it too
PROMO_SKUS = 30
FAST_MOVER_MODELS = ("ARIMA_promo", *SMOOTH_MODELS)
INTERMITTENT_MODELS = ("CrostonSBA", "TSB", "ADIDA", "IMAPA", BASELINE)
MIN_BACKTEST_DAYS = 5 * 28  # shorter series get the baseline without a backtest
MIN_FORECAST_DAYS = 2 * SEASON
SPARSE_SALE_DAYS = 20  # SKUs selling on fewer days get RECENT_RATE, no model fit
RECENT_RATE = "RecentRate"
RECENT_DAYS = 90
# A model whose fitted coefficients are kept: a daily build forecasts a series again with
# those of its last fit when its model and regressors are the same (no optimiser: 6-8 ms
# a series against 150-300 ms for ARIMA's); the weekly backtest fits them all again.
KEEPS_COEFFICIENTS = "ARIMA_promo"
# A model whose chosen variant is kept: AutoTheta fits four theta variants and keeps the
# best; a daily build fits only the one its last fit chose (the 10M bench's five category
# series 1.17 -> 0.44 s), the weekly backtest searches all four again.
KEEPS_VARIANT = "AutoTheta"
VARIANT = "variant"  # its name among the last fit's values

PREDICTION_SCHEMA = {
    "series": pl.String,
    "date": pl.Date,
    "model": pl.String,
    "yhat": pl.Float64,
    "yhat_lower": pl.Float64,
    "yhat_upper": pl.Float64,
}
FORECAST_SCHEMA = {
    **PREDICTION_SCHEMA,
    "series_type": pl.String,
    "metric": pl.String,
    "kind": pl.String,
}
ACCURACY_SCHEMA = {"series": pl.String, "model": pl.String, "mase": pl.Float64,
                   "smape": pl.Float64, "holdout_cutoff": pl.Date, "selection_mase": pl.Float64,
                   "error_sd": pl.Float64, "baseline_mase": pl.Float64,
                   "baseline_smape": pl.Float64, "is_selected": pl.Boolean,
                   "series_type": pl.String}  # fmt: skip
CALENDAR_COLUMNS = ("promo_618", "promo_double11", "promo_double12", "black_friday", "cny")


def calendar_features(days: pd.Series) -> pd.DataFrame:
    """0/1 regressors for the shopping festivals and the Chinese New Year lull."""
    d = pd.to_datetime(days)
    day_of_year = d.dt.month * 100 + d.dt.day
    years = d.dt.year
    since_friday = (d - pd.to_datetime(years.map(festivals.black_friday))).dt.days
    since_cny = (d - pd.to_datetime(years.map(festivals.chinese_new_year))).dt.days
    return pd.DataFrame(
        {
            "promo_618": day_of_year.between(*festivals.month_day(festivals.PROMO_618)),
            "promo_double11": day_of_year.between(*festivals.month_day(festivals.DOUBLE_11)),
            "promo_double12": day_of_year.between(*festivals.month_day(festivals.DOUBLE_12)),
            "black_friday": since_friday.between(0, festivals.BLACK_FRIDAY_DAYS - 1),
            "cny": since_cny.between(*festivals.CNY_HOLIDAY),
        },
        index=days.index,
    ).astype(float)


# series -> (the regressors it was fitted with, its last fit: ARIMA's coefficients by
# name, or AutoTheta's variant as {VARIANT: name})
Coefficients = dict[str, tuple[tuple[str, ...], dict[str, float | str]]]


def make_model(
    name: str, h: int, fixed: dict[str, float] | None = None, variant: str | None = None
):
    from statsforecast.models import (
        ADIDA,
        ARIMA,
        IMAPA,
        TSB,
        AutoETS,
        AutoTheta,
        CrostonSBA,
        SeasonalNaive,
        Theta,
    )
    from statsforecast.utils import ConformalIntervals

    conformal = ConformalIntervals(h=h, n_windows=2)
    return {
        "ARIMA_promo": lambda: ARIMA(order=(1, 0, 1), seasonal_order=(1, 0, 1),
                                     season_length=SEASON, alias="ARIMA_promo", fixed=fixed),
        # variant None: the best of the four
        "AutoTheta": lambda: AutoTheta(season_length=SEASON, model=variant),
        # additive error and weekly season, no trend: multiplicative forms break on zero days
        "AutoETS": lambda: AutoETS(season_length=SEASON, model="ANA"),
        "Theta": lambda: Theta(season_length=SEASON),
        BASELINE: lambda: SeasonalNaive(season_length=SEASON),
        "CrostonSBA": lambda: CrostonSBA(prediction_intervals=conformal),
        "TSB": lambda: TSB(alpha_d=0.1, alpha_p=0.1, prediction_intervals=conformal),
        "ADIDA": lambda: ADIDA(prediction_intervals=conformal),
        "IMAPA": lambda: IMAPA(prediction_intervals=conformal),
    }[name]()  # fmt: skip


def last_complete_day(sales: pl.DataFrame) -> dt.date:
    """The last day every active platform has data for.

    A platform whose export ends earlier in the shop's day (Shopify at UTC−8 for a shop in
    Shanghai) leaves the latest day half-counted; learning from it would read as a slump.
    Platforms without sales in the last 28 days are not waited for.
    """
    if "platform" not in sales.columns:
        return sales["sales_date"].max()
    ends = sales.group_by("platform").agg(pl.col("sales_date").max())["sales_date"]
    active = ends.filter(ends >= ends.max() - dt.timedelta(days=28))
    return active.min()


def build_series(sales: pl.DataFrame) -> pl.DataFrame:
    """int_daily_sku_sales -> one long frame: series_type, series, ds, y (zeros filled),
    each series ending on the last complete day."""
    if not sales.is_empty():
        sales = sales.filter(pl.col("sales_date") <= last_complete_day(sales))
    if sales.is_empty():
        return pl.DataFrame(
            schema={"series_type": pl.String, "series": pl.String, "ds": pl.Date,
                    "y": pl.Float64}
        )  # fmt: skip
    last = sales["sales_date"].max()
    days = pl.DataFrame({"ds": pl.date_range(sales["sales_date"].min(), last, eager=True)})
    sales = sales.with_columns(pl.col("units").cast(pl.Float64),
                               pl.col("net_revenue").cast(pl.Float64))  # fmt: skip

    def dense(frame: pl.DataFrame, key: str, value: str, kind: str) -> pl.DataFrame:
        daily = frame.group_by(key, "sales_date").agg(pl.col(value).sum())
        starts = daily.group_by(key).agg(pl.col("sales_date").min().alias("start"))
        return (
            starts.join(days, how="cross")
            .filter(pl.col("ds") >= pl.col("start"))
            .join(daily.rename({"sales_date": "ds"}), on=[key, "ds"], how="left")
            .select(
                pl.lit(kind).alias("series_type"),
                pl.col(key).cast(pl.String).alias("series"),
                "ds",
                pl.col(value).fill_null(0.0).alias("y"),
            )
        )

    # an order-level export names no SKU (sku NULL): its sales count for the whole shop
    # only, never as a made-up SKU series
    with_sku = sales.filter(pl.col("sku").is_not_null())
    return pl.concat(
        [
            dense(with_sku, "sku", "units", "sku"),
            # a category is what the products export says: SKUs it does not list have none
            dense(with_sku.filter(pl.col("category").is_not_null()), "category",
                  "net_revenue", "category"),
            dense(sales.with_columns(pl.lit("ALL").alias("shop")), "shop", "net_revenue", "all"),
        ]
    ).sort("series_type", "series", "ds")  # fmt: skip


def history_digests(series: pl.DataFrame) -> pl.DataFrame:
    """series, digest: each series' whole history (its days and values) as one text. The same
    digest and the same chosen model give the same forecast: such a series is not refitted."""
    return series.group_by("series").agg(
        pl.format(
            "{}:{}:{}",
            pl.len(),
            pl.col("ds").max(),
            pl.struct("ds", "y").hash(seed=0).mod(1 << 32).cast(pl.Int64).sum(),
        ).alias("digest")
    )


def is_intermittent(y: np.ndarray) -> bool:
    sold = np.count_nonzero(y)
    return sold == 0 or len(y) / sold > INTERMITTENT_ADI


def _pandas(frame: pl.DataFrame, features: tuple[str, ...]) -> pd.DataFrame:
    df = frame.select(pl.col("series").alias("unique_id"), "ds", "y").to_pandas()
    df["ds"] = pd.to_datetime(df["ds"])
    return pd.concat([df, calendar_features(df["ds"])[list(features)]], axis=1)


def _by_features(series: pl.DataFrame, names: list[str], hold_back: int) -> dict:
    """Group series by the calendar regressors that vary in their training days.

    A festival that never falls in a series' training data is a column of zeros, which
    makes ARIMA's regression singular; such columns are left out for that series. Worked
    out for all series at once: counts of festival days over each training window.
    """
    if not names:
        return {}
    # a series is one row per day from its first to its last: training = all but the last
    # hold_back days
    windows = (
        series.filter(pl.col("series").is_in(names))
        .group_by("series")
        .agg(pl.col("ds").min().alias("first"), pl.col("ds").max().alias("end"), pl.len())
        .with_columns(
            (pl.col("end") - pl.duration(days=hold_back)).alias("last"),
            (pl.col("len") - hold_back).clip(lower_bound=0).alias("days"),
        )
    )
    span = pd.Series(pd.date_range(series["ds"].min(), series["ds"].max(), freq="D"))
    calendar = pl.from_pandas(calendar_features(span)).with_columns(
        pl.Series("ds", span.dt.date.to_list(), dtype=pl.Date)
    )
    counted = (
        windows.join_where(
            calendar, pl.col("ds") >= pl.col("first"), pl.col("ds") <= pl.col("last")
        )
        .group_by("series")
        .agg(pl.col(c).sum() for c in CALENDAR_COLUMNS)
    )
    usable = windows.join(counted, on="series", how="left").with_columns(
        pl.col(c).fill_null(0) for c in CALENDAR_COLUMNS
    )
    groups: dict[tuple[str, ...], list[str]] = {}
    order = {name: i for i, name in enumerate(names)}
    for row in sorted(usable.iter_rows(named=True), key=lambda r: order[r["series"]]):
        # a feature varies when some but not all training days are festival days
        key = tuple(c for c in CALENDAR_COLUMNS if 0 < row[c] < row["days"])
        groups.setdefault(key, []).append(row["series"])
    return groups


# below this many series a forecast batch is fitted in the build's process: a pool's first
# start (a fork server importing statsforecast, about 2.3 s here) costs more than fitting a
# few series on one core (one more day of the ten-million-line shop refits 9: 3.6 s in a
# pool, 2.7 s without)
POOL_MIN_SERIES = 10
# a backtest of these fits each series for 0.1-0.5 s (the others take about 10 ms): two
# series are enough for a pool (the 10M bench's nine revenue series took 4.6 s on one core)
SLOW_MODELS = ("ARIMA_promo", "AutoTheta")
SLOW_POOL_MIN_SERIES = 2


def _n_jobs(series_count: int, pool_min: int) -> int:
    if series_count < pool_min:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def _statsforecast(
    models: list, series_count: int, pool_min: int = POOL_MIN_SERIES
) -> StatsForecast:
    from statsforecast import StatsForecast
    from statsforecast.models import SeasonalNaive

    # a model that fails on a series (e.g. ARIMA on a perfectly regular one) falls back to
    # the baseline for that series instead of failing the build
    return StatsForecast(models=models, freq="D", n_jobs=_n_jobs(series_count, pool_min),
                         fallback_model=SeasonalNaive(season_length=SEASON))  # fmt: skip


@contextlib.contextmanager
def _worker_processes() -> Iterator[None]:
    """statsforecast's worker processes start from a small fork server, not as forks of
    the build: a forked worker carries the build's whole heap, and RSS summed over the
    process tree counted it three times (2.1 GB at a million order lines, 2.7 GB at ten).
    The workers must not inherit the orchestrator's SIGTERM/SIGINT handlers either, or
    ending the pool prints an "interrupted" traceback."""
    quiet_resource_tracker()
    method = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_forkserver_preload(["statsforecast.core", "statsforecast.models"])
    multiprocessing.set_start_method("forkserver", force=True)
    try:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
        for sig in saved:
            signal.signal(sig, signal.SIG_DFL)
        try:
            yield
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)
    finally:
        multiprocessing.set_start_method(method, force=True)


@dataclass
class ModelGroups:
    """Which candidate set each series gets, and the series too short to backtest."""

    revenue: list[str]
    fast_movers: list[str]
    smooth: list[str]
    intermittent: list[str]
    short: list[str]
    kinds: dict[str, str]
    sparse: list[str]  # SKUs that sold on too few days for any model: RECENT_RATE


def group_series(series: pl.DataFrame) -> ModelGroups:
    groups = ModelGroups([], [], [], [], [], {}, [])
    for (kind, name), frame in series.group_by("series_type", "series", maintain_order=True):
        groups.kinds[name] = kind
        y = frame["y"].to_numpy()
        if len(y) < MIN_FORECAST_DAYS:
            groups.short.append(name)  # too new for any forecast (none is made)
        elif kind == "sku" and np.count_nonzero(y) < SPARSE_SALE_DAYS:
            groups.sparse.append(name)
        elif len(y) < MIN_BACKTEST_DAYS:
            groups.short.append(name)
        elif kind != "sku":
            groups.revenue.append(name)
        elif is_intermittent(y):
            groups.intermittent.append(name)
        else:
            groups.smooth.append(name)
    units = (
        series.filter(pl.col("series").is_in(groups.smooth))
        .group_by("series")
        .agg(pl.col("y").sum())
    )
    top = set(units.sort("y", "series", descending=[True, False]).head(PROMO_SKUS)["series"])
    groups.fast_movers = [n for n in groups.smooth if n in top]
    groups.smooth = [n for n in groups.smooth if n not in top]
    return groups


def cross_validate(series: pl.DataFrame, names: list[str], models: tuple[str, ...], h: int):
    if not names:
        return None
    frames = []
    pool_min = SLOW_POOL_MIN_SERIES if any(m in SLOW_MODELS for m in models) else POOL_MIN_SERIES
    for features, group in _by_features(series, names, N_WINDOWS * h).items():
        df = _pandas(series.filter(pl.col("series").is_in(group)), features)
        sf = _statsforecast([make_model(m, h) for m in models], len(group), pool_min)
        with _worker_processes():
            # refit=False: fitted once at the first origin, then updated with the newer
            # actuals for the later windows (parameters kept): a third of the fits. The
            # intermittent methods cannot be updated that way, and are cheap to refit.
            refit = any(m in INTERMITTENT_MODELS[:-1] for m in models)
            cv = sf.cross_validation(df=df, h=h, n_windows=N_WINDOWS, step_size=h,
                                     level=[LEVEL], refit=refit)  # fmt: skip
        frames.append(pl.from_pandas(cv))
    return pl.concat(frames, how="diagonal_relaxed")


def smape(y: pl.Expr, yhat: pl.Expr) -> pl.Expr:
    """One day's term of sMAPE on the 0-200 scale (M4); 0 when actual and forecast are 0."""
    denominator = y.abs() + yhat.abs()
    return pl.when(denominator == 0).then(0.0).otherwise(200 * (y - yhat).abs() / denominator)


def score(cv: pl.DataFrame, series: pl.DataFrame, models: tuple[str, ...]) -> pl.DataFrame:
    """Per series, model and window: MAE, sMAPE, the in-sample seasonal naive scale."""
    long = cv.select(
        pl.col("unique_id").alias("series"),
        pl.col("ds").cast(pl.Date),
        pl.col("cutoff").cast(pl.Date),
        "y",
        *[pl.col(m).clip(lower_bound=0).alias(m) for m in models],
    ).unpivot(index=["series", "ds", "cutoff", "y"], variable_name="model", value_name="yhat")
    windows = long.group_by("series", "cutoff", "model").agg(
        (pl.col("y") - pl.col("yhat")).abs().mean().alias("mae"),
        smape(pl.col("y"), pl.col("yhat")).mean().alias("smape"),
        # parts of the standard deviation of daily errors over all windows
        (pl.col("y") - pl.col("yhat")).sum().alias("error_sum"),
        ((pl.col("y") - pl.col("yhat")) ** 2).sum().alias("error_sq_sum"),
        pl.len().alias("days"),
    )
    seasonal_diff = series.sort("series", "ds").with_columns(
        (pl.col("y") - pl.col("y").shift(SEASON).over("series")).abs().alias("naive_error")
    )
    scales = pl.concat(
        [
            seasonal_diff.filter(pl.col("ds") <= cutoff)
            .group_by("series")
            .agg(pl.col("naive_error").mean().alias("scale"))
            .with_columns(pl.lit(cutoff).alias("cutoff"))
            for cutoff in windows["cutoff"].unique().to_list()
        ]
    )
    return windows.join(scales, on=["series", "cutoff"], how="left").with_columns(
        pl.when(pl.col("scale") > 0).then(pl.col("mae") / pl.col("scale")).alias("mase")
    )


def has_festivals(first: dt.date, days: int) -> bool:
    """Whether any day of a coming window is a festival day (the calendar is known ahead)."""
    window = pd.Series(pd.date_range(first, periods=days, freq="D"))
    return bool(calendar_features(window).to_numpy().any())


def choose(scores: pl.DataFrame, festivals_ahead: bool = False) -> pl.DataFrame:
    """Per series and model: selection MASE on the earlier windows, holdout metrics on the
    last, the spread of daily errors, and which model was chosen."""
    last = scores["cutoff"].max()
    earlier = (
        scores.filter(pl.col("cutoff") < last)
        .group_by("series", "model")
        .agg(pl.col("mase").mean().alias("selection_mase"),
             pl.col("mae").mean().alias("selection_mae"))
    )  # fmt: skip
    spread = (
        scores.group_by("series", "model")
        .agg(pl.col("error_sum").sum(), pl.col("error_sq_sum").sum(), pl.col("days").sum())
        .select(
            "series",
            "model",
            ((pl.col("error_sq_sum") - pl.col("error_sum") ** 2 / pl.col("days"))
             / (pl.col("days") - 1)).clip(lower_bound=0).sqrt().alias("error_sd"),
        )
    )  # fmt: skip
    holdout = scores.filter(pl.col("cutoff") == last).select(
        "series", "model", "mase", "smape", pl.col("cutoff").alias("holdout_cutoff")
    )
    table = holdout.join(earlier, on=["series", "model"]).join(spread, on=["series", "model"])
    baseline = table.filter(pl.col("model") == BASELINE).select(
        "series", pl.col("mase").alias("baseline_mase"), pl.col("smape").alias("baseline_smape")
    )
    # lowest selection MASE (MAE where the scale is 0); the baseline wins ties
    # the windows a model is chosen on may hold no festival; when the window ahead does, the
    # model that knows the calendar is preferred unless it was over 10% worse
    promo_bonus = pl.when(pl.lit(festivals_ahead) & (pl.col("model") == "ARIMA_promo"))
    ranked = table.with_columns(
        (
            pl.coalesce("selection_mase", "selection_mae") * promo_bonus.then(1 / 1.1).otherwise(1)
        ).alias("_rank"),
        (pl.col("model") != BASELINE).alias("_not_baseline"),
    ).sort("series", "_rank", "_not_baseline", nulls_last=True)
    chosen = ranked.group_by("series", maintain_order=True).first().select("series", "model")
    return (
        table.join(baseline, on="series", how="left")
        .join(chosen.with_columns(pl.lit(True).alias("is_selected")), on=["series", "model"],
              how="left")
        .with_columns(pl.col("is_selected").fill_null(False))
        .drop("selection_mae")
    )  # fmt: skip


def holdout_predictions(cv: pl.DataFrame, chosen: pl.DataFrame) -> pl.DataFrame:
    """The chosen model's forecasts of the holdout window, for forecast-vs-actual charts."""
    last = cv["cutoff"].max()
    window = cv.filter(pl.col("cutoff") == last)
    frames = []
    for model, names in chosen.group_by("model"):
        rows = window.filter(pl.col("unique_id").is_in(names["series"].to_list()))
        frames.append(
            rows.select(
                pl.col("unique_id").alias("series"),
                pl.col("ds").cast(pl.Date).alias("date"),
                pl.lit(model[0]).alias("model"),
                pl.col(model[0]).alias("yhat"),
                pl.col(f"{model[0]}-lo-{LEVEL}").alias("yhat_lower"),
                pl.col(f"{model[0]}-hi-{LEVEL}").alias("yhat_upper"),
            )
        )
    return pl.concat(frames) if frames else pl.DataFrame(schema=PREDICTION_SCHEMA)


def forecast_ahead(
    series: pl.DataFrame, choices: dict[str, str], h: int, last_fit: Coefficients | None = None
) -> tuple[pl.DataFrame, Coefficients]:
    """Forecast h days ahead with each series' chosen model, fitted on all of its history;
    a series in `last_fit` (same model, same regressors) with those coefficients instead,
    or fitted in the variant its last fit chose. Returns the forecasts and the fits they
    used."""
    frames = []
    used: Coefficients = {}
    by_model: dict[str, list[str]] = {}
    for name, model in choices.items():
        by_model.setdefault(model, []).append(name)
    batches = [
        (model, features, group)
        for model, names in sorted(by_model.items())
        for features, group in _by_features(series, names, 0).items()
    ]
    for model, features, names in batches:
        df = _pandas(series.filter(pl.col("series").is_in(names)), features)
        last = df.groupby("unique_id")["ds"].max()
        future = pd.DataFrame(
            [(uid, end + pd.Timedelta(days=k)) for uid, end in last.items()
             for k in range(1, h + 1)],
            columns=["unique_id", "ds"],
        )  # fmt: skip
        future = pd.concat([future, calendar_features(future["ds"])[list(features)]], axis=1)
        to_fit: dict[str | None, list[str]] = {}  # by the variant to fit (None: any)
        for name in names:
            kept = (last_fit or {}).get(name)
            fc = None
            if model == KEEPS_COEFFICIENTS and kept is not None and kept[0] == features:
                fc = _forecast_with(model, kept[1], df[df["unique_id"] == name],
                                    future[future["unique_id"] == name], h)  # fmt: skip
            if fc is not None:
                frames.append(_predictions(fc, model))
                used[name] = kept
                continue
            variant = kept[1].get(VARIANT) if model == KEEPS_VARIANT and kept else None
            to_fit.setdefault(variant, []).append(name)
        for variant, fit_names in sorted(to_fit.items(), key=lambda item: str(item[0])):
            fc, fitted = _fit_and_forecast(
                model, features, df[df["unique_id"].isin(fit_names)],
                future[future["unique_id"].isin(fit_names)], h, variant,
            )  # fmt: skip
            frames.append(_predictions(fc, model))
            used |= fitted
    return (pl.concat(frames) if frames else pl.DataFrame(schema=PREDICTION_SCHEMA)), used


def _predictions(fc: pl.DataFrame, model: str) -> pl.DataFrame:
    return fc.select(
        pl.col("unique_id").alias("series"),
        pl.col("ds").cast(pl.Date).alias("date"),
        pl.lit(model).alias("model"),
        pl.col(model).alias("yhat"),
        pl.col(f"{model}-lo-{LEVEL}").alias("yhat_lower"),
        pl.col(f"{model}-hi-{LEVEL}").alias("yhat_upper"),
    )


def _fit_and_forecast(
    model: str,
    features: tuple[str, ...],
    df: pd.DataFrame,
    future: pd.DataFrame,
    h: int,
    variant: str | None = None,
) -> tuple[pl.DataFrame, Coefficients]:
    """Fit the model on each series and forecast; ARIMA's coefficients and AutoTheta's
    variant are kept."""
    sf = _statsforecast([make_model(model, h, variant=variant)], df["unique_id"].nunique())
    with _worker_processes():
        if model not in (KEEPS_COEFFICIENTS, KEEPS_VARIANT):
            return pl.from_pandas(sf.forecast(df=df, h=h, X_df=future, level=[LEVEL])), {}
        sf.fit(df=df)
        fc = pl.from_pandas(sf.predict(h=h, X_df=future, level=[LEVEL]))
    fitted: Coefficients = {}
    for uid, fit in zip(sf.uids, sf.fitted_[:, 0], strict=True):
        # a series the model failed on has the baseline instead (the fallback): nothing kept
        kept = getattr(fit, "model_", {}) if fit.alias == model else {}
        if model == KEEPS_VARIANT and kept.get("modeltype"):
            fitted[str(uid)] = (features, {VARIANT: str(kept["modeltype"])})
        elif kept.get("coef"):
            fitted[str(uid)] = (features, {k: float(v) for k, v in kept["coef"].items()})
    return fc, fitted


def _forecast_with(
    model: str, coefficients: dict[str, float], df: pd.DataFrame, future: pd.DataFrame, h: int
) -> pl.DataFrame | None:
    """One series' forecast with the coefficients of its last fit; None when they no
    longer fit its history (it is then fitted again)."""
    from statsforecast import StatsForecast

    sf = StatsForecast(models=[make_model(model, h, fixed=coefficients)], freq="D", n_jobs=1)
    try:
        fc = pl.from_pandas(sf.forecast(df=df, h=h, X_df=future, level=[LEVEL]))
    except Exception:  # statsforecast raises bare ValueErrors and others: fitted again
        return None
    return fc if fc[model].is_finite().all() else None


def recent_rate(series: pl.DataFrame, names: list[str], h: int) -> pl.DataFrame:
    """RECENT_RATE for many sparse SKUs at once: the mean daily units of the last
    RECENT_DAYS days (all of them when the series is shorter), flat over the horizon, with
    the 10% and 90% quantiles of a Poisson demand of that rate as the 80% interval."""
    if not names:
        return pl.DataFrame(schema=PREDICTION_SCHEMA)
    rates = (
        series.filter(pl.col("series").is_in(names))
        .sort("series", "ds")
        .group_by("series", maintain_order=True)
        .agg(pl.col("y").tail(RECENT_DAYS).mean().alias("rate"), pl.col("ds").max().alias("end"))
    )
    rate = rates["rate"].to_numpy()
    # a rate under one a day has a 90% quantile of 0: the band still holds its own mean
    low = np.minimum(np.nan_to_num(poisson_quantile(0.1, rate)), rate)
    high = np.maximum(np.nan_to_num(poisson_quantile(0.9, rate)), rate)
    rates = rates.with_columns(
        pl.Series("yhat_lower", low, dtype=pl.Float64),
        pl.Series("yhat_upper", high, dtype=pl.Float64),
    )
    return (
        rates.with_columns(pl.int_ranges(1, h + 1).alias("k"))
        .explode("k")
        .select(
            "series",
            (pl.col("end") + pl.duration(days=pl.col("k"))).cast(pl.Date).alias("date"),
            pl.lit(RECENT_RATE).alias("model"),
            pl.col("rate").alias("yhat"),
            "yhat_lower",
            "yhat_upper",
        )
    )


def poisson_quantile(q: float, rate: np.ndarray) -> np.ndarray:
    """scipy.stats.poisson.ppf(q, rate), as scipy computes it, on scipy.special alone: a
    small shop's forecasts need nothing else of scipy.stats, a second to import."""
    from scipy import special

    upper = np.ceil(special.pdtrik(q, rate))
    lower = np.maximum(upper - 1, 0)
    return np.where(special.pdtr(lower, rate) >= q, lower, upper)


def recent_rate_sd(series: pl.DataFrame, names: list[str]) -> dict[str, float]:
    """A Poisson demand's daily standard deviation, √rate, for the safety stock."""
    if not names:
        return {}
    rates = (
        series.filter(pl.col("series").is_in(names))
        .sort("series", "ds")
        .group_by("series")
        .agg(pl.col("y").tail(RECENT_DAYS).mean().sqrt().alias("sd"))
    )
    return dict(rates.iter_rows())


@dataclass
class ForecastRun:
    accuracy: pl.DataFrame  # marts.forecast_accuracy (empty when the backtest was reused)
    forecast: pl.DataFrame  # marts.sales_forecast: holdout (when backtested) and future rows
    choices: dict[str, str]
    coefficients: Coefficients  # of the series forecast with ARIMA or AutoTheta


def _label(frame: pl.DataFrame, kinds: dict[str, str], kind: str) -> pl.DataFrame:
    """Series type and metric beside each row; forecasts never below zero."""
    if frame.is_empty():
        return frame
    return frame.with_columns(
        pl.col("series").replace_strict(kinds).alias("series_type"),
        pl.col("series")
        .replace_strict(kinds)
        .replace_strict({"sku": "units", "category": "net_revenue", "all": "net_revenue"})
        .alias("metric"),
        pl.lit(kind).alias("kind"),
        *(pl.col(c).clip(lower_bound=0) for c in ("yhat", "yhat_lower", "yhat_upper")),
    )


def run(
    series: pl.DataFrame,
    h: int,
    choices: dict[str, str] | None = None,
    last_fit: Coefficients | None = None,
) -> ForecastRun:
    """Backtest and choose a model per series (unless choices are given), then forecast:
    with the coefficients or the variant of `last_fit` where they apply when the choices
    are given, every model fitted anew (every variant tried) after a backtest."""
    groups = group_series(series)
    accuracy, holdout = [], []
    if choices is None:
        last_fit = None  # the backtest chooses again: every model is fitted again
        choices = {}
        for names, models in ((groups.revenue, REVENUE_MODELS),
                              (groups.fast_movers, FAST_MOVER_MODELS),
                              (groups.smooth, SMOOTH_MODELS),
                              (groups.intermittent, INTERMITTENT_MODELS)):  # fmt: skip
            cv = cross_validate(series, names, models, h)
            if cv is None:
                continue
            festivals = has_festivals(series["ds"].max() - dt.timedelta(days=h - 1), h)
            table = choose(score(cv, series, models), festivals)
            selected = table.filter(pl.col("is_selected"))
            choices |= dict(selected.select("series", "model").iter_rows())
            accuracy.append(table)
            holdout.append(holdout_predictions(cv, selected))
    sparse = set(groups.sparse)
    lengths = series.group_by("series").len()
    for name, days in lengths.iter_rows():
        if name in sparse:
            choices[name] = RECENT_RATE
        elif choices.get(name) == RECENT_RATE or (
            name not in choices and days >= MIN_FORECAST_DAYS
        ):
            choices[name] = BASELINE  # too short to backtest, or new since the last one
    fitted = {k: v for k, v in choices.items() if k in groups.kinds and k not in sparse}
    ahead, coefficients = forecast_ahead(series, fitted, h, last_fit)
    future = pl.concat([ahead, recent_rate(series, groups.sparse, h)])
    table = pl.concat(accuracy) if accuracy else pl.DataFrame(schema=ACCURACY_SCHEMA)
    table = table.with_columns(
        pl.col("series").replace_strict(groups.kinds, return_dtype=pl.String).alias("series_type")
    )
    parts = [_label(f, groups.kinds, "holdout") for f in holdout]
    parts.append(_label(future, groups.kinds, "future"))
    forecast = pl.concat(
        [pl.DataFrame(schema=FORECAST_SCHEMA), *[p.select(list(FORECAST_SCHEMA)) for p in parts if
                                                   not p.is_empty()]]
    )  # fmt: skip
    return ForecastRun(
        accuracy=table.select(list(ACCURACY_SCHEMA)), forecast=forecast, choices=choices,
        coefficients=coefficients,
    )  # fmt: skip


def inventory_risk(
    units_forecast: pl.DataFrame,
    on_hand: pl.DataFrame,
    error_sd: dict[str, float],
    lead_time_days: int,
    service_level: float,
) -> pl.DataFrame:
    """Per SKU in the latest snapshot (kpis.md): cover, stock-out day, reorder quantity.

    safety_stock = z(service level) × σ × √(lead time), σ being the standard deviation of
    the SKU's daily forecast errors in the backtest (0 without a backtest); reorder_qty =
    max(0, forecast demand over the lead time + safety stock − on hand), rounded up to a
    whole unit. Demand past the forecast horizon is the horizon's daily mean.
    """
    z = NormalDist().inv_cdf(service_level)
    by_sku = {
        sku: frame.sort("date")
        for (sku,), frame in units_forecast.group_by("series")
    } if not units_forecast.is_empty() else {}  # fmt: skip
    rows = []
    for row in on_hand.sort("sku").iter_rows(named=True):
        sku, stock = row["sku"], float(row["on_hand_qty"] or 0)
        frame = by_sku.get(sku)
        demand = frame["yhat"].clip(lower_bound=0).to_numpy() if frame is not None else np.zeros(0)
        daily = float(demand.mean()) if len(demand) else 0.0
        over_stock = np.flatnonzero(np.cumsum(demand) > stock)
        lead = float(demand[:lead_time_days].sum()) + daily * max(0, lead_time_days - len(demand))
        safety = z * error_sd.get(sku, 0.0) * math.sqrt(lead_time_days)
        rows.append(
            {
                "sku": sku,
                "snapshot_date": row["snapshot_date"],
                "on_hand_qty": stock,
                "daily_demand_forecast": daily,
                "days_of_cover": stock / daily if daily > 0 else None,
                "stockout_date": frame["date"][int(over_stock[0])] if len(over_stock) else None,
                "lead_time_days": lead_time_days,
                "service_level": service_level,
                "lead_time_demand": lead,
                "safety_stock": safety,
                "reorder_qty": float(math.ceil(max(0.0, lead + safety - stock) - 1e-9)),
                "model": frame["model"][0] if frame is not None else None,
            }
        )
    schema = {"sku": pl.String, "snapshot_date": pl.Date, "on_hand_qty": pl.Float64,
              "daily_demand_forecast": pl.Float64, "days_of_cover": pl.Float64,
              "stockout_date": pl.Date, "lead_time_days": pl.Int64, "service_level": pl.Float64,
              "lead_time_demand": pl.Float64, "safety_stock": pl.Float64,
              "reorder_qty": pl.Float64, "model": pl.String}  # fmt: skip
    return pl.DataFrame(rows, schema=schema).sort("stockout_date", "sku", nulls_last=True)
