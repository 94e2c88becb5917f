"""The last build's outcome, for the dashboards: published/last_run.json.

The published DuckDB file changes only when a build succeeds, so on its own it cannot say
that the latest build failed. Every finished run of daily_build (`make pipeline`, the
schedule, the inbox sensor) writes this small file beside it, atomically, and the
dashboards read it to say "the last build failed: you are looking at the last good data".
"""

from __future__ import annotations

import json
import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.lib.settings import Settings

if TYPE_CHECKING:
    import dagster as dg

# the dashboards read last_run.json through this module: Dagster (2 s to import) is
# imported only by what summarises a run, never by a page view
PUBLISH_KEY_PATH = ["published", "marts"]


def _utc_iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def _root_message(error) -> str:
    """The innermost error's first line: what went wrong, without Dagster's wrappers."""
    while error is not None and error.cause is not None:
        error = error.cause
    if error is None:
        return "unknown error"
    first = (error.message or "").strip().splitlines()
    text = first[0] if first else error.cls_name or "error"
    # "dagster_dbt.errors.DagsterDbtCliRuntimeError: The dbt CLI ..." -> "The dbt CLI ..."
    return re.sub(r"^[\w.]+: ", "", text)[:300]


def summarise_run(instance: dg.DagsterInstance, run_id: str) -> dict[str, Any]:
    """Status, timing, failed steps, every check's verdict and what happened to the publish."""
    import dagster as dg

    run = instance.get_run_by_id(run_id)
    stats = instance.get_run_stats(run_id)
    records = instance.all_logs(
        run_id,
        of_type={
            dg.DagsterEventType.ASSET_CHECK_EVALUATION,
            dg.DagsterEventType.STEP_FAILURE,
            dg.DagsterEventType.ASSET_MATERIALIZATION,
        },
    )
    checks, failed_steps, published = [], [], None
    step_errors: dict[str, str] = {}
    for record in records:
        event = record.dagster_event
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            failed_steps.append(event.step_key)
            step_errors[event.step_key] = _root_message(event.event_specific_data.error)
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            checks.append(
                {
                    "asset": evaluation.asset_key.to_user_string(),
                    "check": evaluation.check_name,
                    "passed": evaluation.passed,
                    "severity": evaluation.severity.value,
                    "blocking": bool(evaluation.blocking),
                    "description": evaluation.description or "",
                }
            )
        elif event.asset_key == dg.AssetKey(PUBLISH_KEY_PATH):
            outcome = event.materialization.metadata.get("outcome")
            published = outcome.value if outcome is not None else "updated"
    success = run is not None and run.status == dg.DagsterRunStatus.SUCCESS
    return {
        "run_id": run_id,
        "status": "success" if success else "failure",
        "started_at": _utc_iso(stats.start_time),
        "finished_at": _utc_iso(stats.end_time),
        "failed_steps": failed_steps,
        "step_errors": step_errors,
        # updated / unchanged (nothing new: the file was left byte for byte) / None (kept)
        "published": published,
        "checks": sorted(checks, key=lambda c: (c["passed"], c["asset"], c["check"])),
    }


def last_run_path(settings: Settings) -> Path:
    return settings.published.with_name("last_run.json")


def read_last_run(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def record_run(settings: Settings, summary: dict[str, Any]) -> bool:
    """Write the summary, with its causes in plain words, unless a later run is recorded."""
    from pipelines.lib.failures import explain

    summary["causes"] = explain(summary, settings)
    path = last_run_path(settings)
    current = read_last_run(path)
    if current and (current.get("finished_at") or "") > (summary.get("finished_at") or ""):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)  # readers see the old file or the new one, never half of one
    return True
