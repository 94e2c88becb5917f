import dagster as dg

# ingest -> dbt build (with tests as checks) -> publish, every asset of the code location
daily_build = dg.define_asset_job(
    "daily_build",
    selection=dg.AssetSelection.all(),
    description=(
        "The whole build: load new exports, build and test the marts, refresh the "
        "forecasts, publish them."
    ),
)

# the weekly full refresh: re-run the backtest that chooses each series' model, then publish
forecast_weekly = dg.define_asset_job(
    "forecast_weekly",
    selection=dg.AssetSelection.groups("forecast") | dg.AssetSelection.keys("published/marts"),
    description="Backtest every forecast series again (full model choice), forecast, publish.",
    config={"ops": {"forecasts": {"config": {"full_backtest": True}}}},
)
