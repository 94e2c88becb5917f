"""Is there anything to build? A build whose inputs are those of the last successful
build changes nothing, so `make pipeline` says so and stops in a second instead of
starting Dagster, and the published file stays as it is, byte for byte.

The inputs of a build: the files waiting in the inbox (every file a build sees leaves
the inbox: loaded, skipped or quarantined), the shop's settings, the code that turns
files into marts (the pipeline's Python, the dbt project, the locked dependencies) and
the warehouse as the last build left it. After
each successful `make pipeline` their fingerprint is written beside the published file
with the run's id; the next one compares. A run the daemon started in between (its id is
in last_run.json) or a failed run means: build.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipelines.lib.code_files import code_files
from pipelines.lib.settings import REPO_ROOT, SOURCES, Settings


def record_path(settings: Settings) -> Path:
    return settings.published.with_name("last_build_inputs.json")


def code_version() -> str:
    """A digest of the code that computes the marts (content, not timestamps)."""
    digest = hashlib.sha256()
    for path in code_files():
        digest.update(str(path.relative_to(REPO_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def inputs_fingerprint(settings: Settings) -> str:
    values = json.dumps(settings.as_values(), sort_keys=True)
    return hashlib.sha256(f"{values}\n{code_version()}".encode()).hexdigest()


def waiting_files(settings: Settings) -> list[Path]:
    """Files a build would read: the same ones ingest picks up."""
    from pipelines.ingest.files import pending_files

    return [p for source in (None, *SOURCES) for p in pending_files(settings, source)]


def warehouse_state(settings: Settings) -> list[int] | None:
    """The warehouse as the build left it: a change made outside a build (a row written
    by hand, a restored file) means build again."""
    if not settings.warehouse.exists():
        return None
    stat = settings.warehouse.stat()
    return [stat.st_size, stat.st_mtime_ns]


def remember_inputs(settings: Settings, run_id: str) -> None:
    """After a successful build: what it was built from."""
    record = {"run_id": run_id, "fingerprint": inputs_fingerprint(settings),
              "warehouse": warehouse_state(settings)}  # fmt: skip
    record_path(settings).write_text(json.dumps(record) + "\n", encoding="utf-8")


def nothing_to_build(settings: Settings, last_run: dict | None) -> bool:
    """True when the last build succeeded from exactly the inputs a build would use now."""
    try:
        record = json.loads(record_path(settings).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return False
    return (
        last_run is not None
        and last_run.get("status") == "success"
        and last_run.get("run_id") == record.get("run_id")
        and settings.published.exists()
        and not waiting_files(settings)
        and record.get("warehouse") == warehouse_state(settings)
        and record.get("fingerprint") == inputs_fingerprint(settings)
    )
