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

# the weekly check of the incremental builds: keep their marts, rebuild every dbt model from
# all rows, record any difference in audit.rebuild_checks (shown on /data-health), publish
full_rebuild_weekly = dg.define_asset_job(
    "full_rebuild_weekly",
    selection=dg.AssetSelection.groups("staging", "intermediate", "marts")
    | dg.AssetSelection.keys("published/marts"),
    description=(
        "Rebuild every dbt model in full and compare the marts with the incremental ones "
        "it replaces (differences on the data-health page), then publish."
    ),
    config={
        "ops": {"shopkpi_dbt_models": {"config": {"full_rebuild": True, "check_incremental": True}}}
    },
)
