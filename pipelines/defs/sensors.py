"""Start a build when export files land in the inbox; record how every build ended."""

import hashlib
import json

import dagster as dg

from pipelines.defs.jobs import daily_build
from pipelines.ingest import pending_files
from pipelines.lib.run_status import record_run, summarise_run
from pipelines.lib.settings import SOURCES, Settings


def inbox_fingerprint(settings: Settings) -> str:
    """Names, sizes and mtimes of every waiting file: equal on two ticks = copy finished."""
    entries = []
    for source in SOURCES:
        for path in pending_files(settings, source):
            stat = path.stat()
            entries.append(f"{source}/{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(sorted(entries))


@dg.sensor(
    job=daily_build,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Runs daily_build once files in inbox/<source>/ stop changing for one tick.",
)
def inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    settings = Settings.from_env()
    current = inbox_fingerprint(settings)
    previous = json.loads(context.cursor) if context.cursor else {}
    cursor = json.dumps({"seen": current})
    if not current:
        return dg.SkipReason("inbox is empty")
    if current != previous.get("seen"):
        return dg.SensorResult(skip_reason="files are still arriving", cursor=cursor)
    # the same waiting files are asked for once: run_key dedupes while the run is queued
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=hashlib.sha256(current.encode()).hexdigest())],
        cursor=cursor,
    )


def _record(context: dg.RunStatusSensorContext) -> None:
    summary = summarise_run(context.instance, context.dagster_run.run_id)
    record_run(Settings.from_env(), summary)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[daily_build],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Writes published/last_run.json when a daily_build run succeeds.",
)
def record_build_success(context: dg.RunStatusSensorContext) -> None:
    _record(context)


@dg.run_failure_sensor(
    monitored_jobs=[daily_build],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Writes published/last_run.json when a daily_build run fails, so the dashboards "
        "say they show the last good publish."
    ),
)
def record_build_failure(context: dg.RunFailureSensorContext) -> None:
    _record(context)
