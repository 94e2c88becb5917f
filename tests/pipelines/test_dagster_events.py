"""The build's event log with kept connections: the same records Dagster's own storage reads."""

from pathlib import Path

import dagster as dg

from pipelines.lib.dagster_events import (
    KEPT_FILES,
    KeptConnectionsEventLogStorage,
    keep_event_log_connections,
)


@dg.asset(check_specs=[dg.AssetCheckSpec("positive", asset="numbers")])
def numbers():
    yield dg.Output(3)
    yield dg.AssetCheckResult(passed=True, check_name="positive")


@dg.asset
def doubled(numbers: int) -> int:
    return numbers * 2


JOB = dg.define_asset_job("both", selection=[numbers, doubled])
DEFS = dg.Definitions(assets=[numbers, doubled], jobs=[JOB])


def test_runs_stored_with_kept_connections_read_back_with_dagsters_storage(
    tmp_path: Path,
) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    run_ids = []
    with dg.DagsterInstance.from_config(str(home)) as instance:
        keep_event_log_connections(instance)
        assert type(instance.event_log_storage) is KeptConnectionsEventLogStorage
        for _ in range(KEPT_FILES + 2):  # more run files than it keeps open
            result = DEFS.resolve_job_def("both").execute_in_process(instance=instance)
            assert result.success
            run_ids.append(result.run_id)
        kept = instance.event_log_storage._kept()
        assert "index" in kept and len(kept) == KEPT_FILES  # older runs' files let go
        written = {run_id: len(instance.all_logs(run_id)) for run_id in run_ids}

    with dg.DagsterInstance.from_config(str(home)) as stock:  # as the webserver opens it
        assert type(stock.event_log_storage) is not KeptConnectionsEventLogStorage
        for run_id in run_ids:
            assert stock.get_run_by_id(run_id).is_success
            assert len(stock.all_logs(run_id)) == written[run_id] > 10
        assert stock.get_latest_materialization_event(dg.AssetKey("doubled")).run_id == run_ids[-1]
        check = stock.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(dg.AssetKey("numbers"), "positive")]
        )
        assert check[dg.AssetCheckKey(dg.AssetKey("numbers"), "positive")].run_id == run_ids[-1]
