"""The code location loads, with the assets, checks, job, schedule and sensor we expect."""

import dagster as dg

from pipelines.definitions import defs
from pipelines.defs.sensors import inbox_sensor
from pipelines.lib.settings import Settings


def test_definitions_load_with_the_whole_lineage() -> None:
    definitions = defs()
    keys = {key.to_user_string() for key in definitions.resolve_all_asset_keys()}
    raw = {
        f"raw/{s}"
        for s in (
            "orders",
            "traffic",
            "ads",
            "logistics",
            "inventory",
            "products",
            "targets",
            "fx_rates",
        )
    }
    assert raw <= keys
    assert {"staging/stg_shop__order_lines", "intermediate/int_orders_summarised",
            "marts/fct_daily_kpis", "published/marts"} <= keys  # fmt: skip
    graph = definitions.resolve_asset_graph()
    # dbt sources are the ingest assets: one graph from files to the dashboards
    staging = graph.get(dg.AssetKey(["staging", "stg_shop__order_lines"]))
    assert dg.AssetKey(["raw", "orders"]) in staging.parent_keys
    publish = graph.get(dg.AssetKey(["published", "marts"]))
    assert dg.AssetKey(["marts", "fct_daily_kpis"]) in publish.parent_keys
    # forecasts learn from the dbt history and are published with the marts
    risk = graph.get(dg.AssetKey(["marts", "inventory_risk"]))
    assert dg.AssetKey(["marts", "sales_forecast"]) in risk.parent_keys
    accuracy = graph.get(dg.AssetKey(["marts", "forecast_accuracy"]))
    assert dg.AssetKey(["intermediate", "int_daily_sku_sales"]) in accuracy.parent_keys
    assert dg.AssetKey(["marts", "inventory_risk"]) in publish.parent_keys
    checks = {key.name for key in graph.asset_check_keys}
    assert {
        "primary_key_fct_daily_kpis__date___platform",
        "assert_every_currency_has_a_rate",
    } <= checks


def test_job_schedule_and_sensor() -> None:
    definitions = defs()
    assert definitions.resolve_job_def("daily_build") is not None
    schedule = definitions.resolve_schedule_def("daily_build_0600")
    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    assert definitions.resolve_sensor_def("inbox_sensor").job_name == "daily_build"
    weekly = definitions.resolve_schedule_def("forecast_weekly_monday_0500")
    assert weekly.cron_schedule == "0 5 * * 1" and weekly.job_name == "forecast_weekly"
    job = definitions.resolve_job_def("forecast_weekly")
    assert {k.to_user_string() for k in job.asset_layer.executable_asset_keys} == {
        "marts/forecast_accuracy", "marts/sales_forecast", "marts/inventory_risk",
        "published/marts",
    }  # fmt: skip
    check = definitions.resolve_schedule_def("full_rebuild_weekly_sunday_0400")
    assert check.cron_schedule == "0 4 * * 0" and check.job_name == "full_rebuild_weekly"
    rebuild = definitions.resolve_job_def("full_rebuild_weekly")
    keys = {k.to_user_string() for k in rebuild.asset_layer.executable_asset_keys}
    # every dbt model and the publish; no ingest (nothing new arrives between the two)
    assert {"marts/fct_daily_kpis", "intermediate/int_orders_summarised", "published/marts"} <= keys
    assert not any(key.startswith("raw/") for key in keys)


def test_sensor_waits_for_files_to_settle_then_asks_for_one_run(home: Settings) -> None:
    with dg.build_sensor_context() as context:
        assert isinstance(inbox_sensor(context), dg.SkipReason)  # empty inbox
    (home.inbox_for("orders") / "o.csv").write_text("order_id\n", encoding="utf-8")
    first = inbox_sensor(dg.build_sensor_context())
    assert not first.run_requests  # just landed: maybe still copying
    second = inbox_sensor(dg.build_sensor_context(cursor=first.cursor))
    assert len(second.run_requests) == 1
    third = inbox_sensor(dg.build_sensor_context(cursor=second.cursor))
    assert third.run_requests[0].run_key == second.run_requests[0].run_key  # deduplicated


def test_freshness_checks_warn_on_old_data_without_blocking(home: Settings) -> None:
    """The demo shop ends on 2026-10-31: days old by now, so its freshness check warns."""
    from pipelines.defs.checks import build_freshness_check
    from pipelines.defs.resources import ShopSettings
    from pipelines.lib.warehouse import connect, ensure_schemas

    with connect(home.warehouse) as con:
        ensure_schemas(con)
        con.execute(
            "insert into raw.traffic (date, platform, channel, sessions) values "
            "(current_date - 10, 'tmall', 'x', 1)"
        )
    check = build_freshness_check("traffic")
    spec = next(iter(check.check_specs))
    assert spec.blocking is False
    result = check(shop=ShopSettings())
    assert result.passed is False
    assert result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["age_days"].value >= 9
    with connect(home.warehouse) as con:
        con.execute("update raw.traffic set date = current_date")
    assert check(shop=ShopSettings()).passed is True


def test_run_status_sensors_record_how_a_daemon_run_ended(home: Settings) -> None:
    """Runs the daemon launches are written to published/last_run.json, failures too."""
    import json

    from pipelines.defs.sensors import record_build_failure, record_build_success
    from pipelines.lib.run_status import last_run_path

    @dg.asset
    def fine() -> None: ...

    @dg.asset
    def broken() -> None:
        raise ValueError("export unreadable")

    with dg.DagsterInstance.ephemeral() as instance:
        for assets, sensor in ((fine, record_build_success), (broken, record_build_failure)):
            job = dg.Definitions(assets=[assets], jobs=[dg.define_asset_job("j")]).resolve_job_def(
                "j"
            )
            result = job.execute_in_process(instance=instance, raise_on_error=False)
            event = (
                result.get_run_success_event() if result.success else result.get_run_failure_event()
            )
            context = dg.build_run_status_sensor_context(
                sensor_name=sensor.name, dagster_event=event, dagster_instance=instance,
                dagster_run=result.dagster_run,
            )  # fmt: skip
            sensor(context)
            recorded = json.loads(last_run_path(home).read_text())
            assert recorded["run_id"] == result.run_id
            assert recorded["status"] == ("success" if result.success else "failure")
    assert recorded["failed_steps"] == ["broken"]
    assert recorded["finished_at"] >= recorded["started_at"]
