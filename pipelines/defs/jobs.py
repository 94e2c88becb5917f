import dagster as dg

# ingest -> dbt build (with tests as checks) -> publish, every asset of the code location
daily_build = dg.define_asset_job(
    "daily_build",
    selection=dg.AssetSelection.all(),
    description="The whole build: load new exports, build and test the marts, publish them.",
)
