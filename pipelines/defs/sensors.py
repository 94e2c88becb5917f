"""Start a build when export files land in the inbox (and have stopped changing)."""

import hashlib
import json

import dagster as dg

from pipelines.defs.jobs import daily_build
from pipelines.lib.ingest import pending_files
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
