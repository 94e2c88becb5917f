"""What became of each file and row: audit.file_loads, audit.quarantine, quarantine/."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.ingest.files import free_name
from pipelines.lib.parse import ROW
from pipelines.lib.settings import Settings


@dataclass
class FileOutcome:
    file_name: str
    status: str  # loaded | partial | rejected | skipped | waiting (for its partner file)
    rows_read: int = 0  # data rows in the file
    rows_loaded: int = 0  # of them, loaded (a row may become several canonical rows)
    rows_quarantined: int = 0
    message: str = ""
    rows_skipped: int = 0  # left out on purpose: totals rows, continuation rows
    adapter: str | None = None  # the platform format, None for the canonical one


@dataclass
class IngestSummary:
    source: str
    files: list[FileOutcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the folder, not one file
    notes: list[str] = field(default_factory=list)  # what the analyst should know

    def count(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files)

    def with_status(self, *statuses: str) -> list[FileOutcome]:
        return [f for f in self.files if f.status in statuses]


def record_file(
    con: duckdb.DuckDBPyConnection,
    load_id: int,
    source: str,
    sha: str,
    fmt: str | None,
    encoding: str | None,
    outcome: FileOutcome,
    loaded_at: datetime,
    stored_as: str,
    read_with: str | None = None,
) -> None:
    con.execute(
        "insert into audit.file_loads (load_id, file_name, source, sha256, format, encoding, "
        "rows_read, rows_loaded, rows_quarantined, status, message, loaded_at, stored_as, "
        "adapter, rows_skipped, read_with) values "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id,
            outcome.file_name,
            source,
            sha,
            fmt,
            encoding,
            outcome.rows_read,
            outcome.rows_loaded,
            outcome.rows_quarantined,
            outcome.status,
            outcome.message,
            loaded_at,
            stored_as,
            outcome.adapter,
            outcome.rows_skipped,
            read_with,
        ],
    )


def reject_file(
    con: duckdb.DuckDBPyConnection, settings: Settings, source: str, path: Path,
    sha: str, load_id: int, loaded_at: datetime, reason: str,
    fmt: str | None = None, encoding: str | None = None,
) -> FileOutcome:  # fmt: skip
    """Move the file to quarantine/<source>/ with a reason file beside it."""
    outcome = FileOutcome(path.name, "rejected", message=reason)
    target = free_name(settings.quarantine / source, path.name, sha)
    record_file(con, load_id, source, sha, fmt, encoding, outcome, loaded_at, str(target))
    shutil.move(path, target)  # a symbolic link moves as the link, its target untouched
    target.with_name(target.name + ".reason.txt").write_text(
        f"{path.name} was rejected on {loaded_at:%Y-%m-%d %H:%M} UTC:\n{reason}\n",
        encoding="utf-8",
    )
    return outcome


def quarantine_rows(
    con: duckdb.DuckDBPyConnection, load_id: int, source: str, file_name: str, bad: pl.DataFrame
) -> None:
    if not bad.height:
        return
    con.register("bad_rows", bad.select(ROW, "_reason", "record").to_arrow())
    try:
        con.execute(
            f"insert into audit.quarantine select ?, ?, ?, {ROW}, _reason, record from bad_rows",
            [load_id, source, file_name],
        )
    finally:
        con.unregister("bad_rows")


def first_reason(bad: pl.DataFrame | None, rejected: pl.DataFrame) -> str | None:
    for frame in (bad, rejected):
        if frame is not None and frame.height:
            first = frame.sort(ROW).row(0, named=True)
            return f"row {first[ROW]}: {first['_reason']}"
    return None
