"""A snapshot of what Dagster loads: assets (with their group and upstream assets), checks
(and whether they block), jobs (and what they select), schedules and sensors. A change to
the graph shows as a diff of tests/snapshots/asset_graph.txt; when it is meant, rewrite
the file with SHOPKPI_UPDATE_SNAPSHOTS=1 and commit it with the change."""

import os
from pathlib import Path

from pipelines.definitions import defs

SNAPSHOT = Path(__file__).parents[1] / "snapshots" / "asset_graph.txt"


def graph_lines() -> list[str]:
    loaded = defs()
    graph = loaded.resolve_asset_graph()
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        parents = ", ".join(sorted(p.to_user_string() for p in node.parent_keys))
        lines.append(f"asset {key.to_user_string()} [{node.group_name}] <- {parents}")
    for check in sorted(
        graph.asset_check_keys, key=lambda c: (c.asset_key.to_user_string(), c.name)
    ):
        spec = graph.get_check_spec(check)
        blocking = "blocking" if spec.blocking else "non-blocking"
        lines.append(f"check {check.asset_key.to_user_string()}:{check.name} ({blocking})")
    for job in sorted(loaded.resolve_all_job_defs(), key=lambda j: j.name):
        if job.name.startswith("__"):
            continue
        selected = sorted(k.to_user_string() for k in job.asset_layer.executable_asset_keys)
        lines.append(f"job {job.name}: {len(selected)} assets")
    for schedule in sorted(loaded.schedules, key=lambda s: s.name):
        lines.append(f"schedule {schedule.name}: {schedule.cron_schedule} -> {schedule.job_name}")
    for sensor in sorted(loaded.sensors, key=lambda s: s.name):
        lines.append(f"sensor {sensor.name}")
    return lines


def test_the_asset_graph_is_the_snapshot() -> None:
    lines = graph_lines()
    if os.environ.get("SHOPKPI_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot yet: run with SHOPKPI_UPDATE_SNAPSHOTS=1"
    assert lines == SNAPSHOT.read_text(encoding="utf-8").splitlines()
