"""Load the files waiting in `inbox/<source>/` into `raw.<source>`.

One file is one transaction: its good rows replace rows with the same natural key
(the most recently loaded file wins), its bad rows go to `audit.quarantine`, and
`audit.file_loads` gets a row that reconciles rows_read = rows_loaded + rows_quarantined.
Only after the commit does the file move to `archive/`, so a crash mid-load leaves the
file in the inbox and the warehouse as it was; on the rerun a committed file is
recognised by its sha256 and only moved.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.lib.canonical import DUCKDB_TYPES, SPECS, SourceSpec
from pipelines.lib.parse import ROW, parse_rows, split_duplicate_keys
from pipelines.lib.readers import FileRejected, read_export
from pipelines.lib.settings import Settings

# files still being written by a browser or a copy job
_PARTIAL_SUFFIXES = (".crdownload", ".part", ".partial", ".tmp", ".download")


@dataclass
class FileOutcome:
    file_name: str
    status: str  # loaded | partial | rejected | skipped
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    message: str = ""


@dataclass
class IngestSummary:
    source: str
    files: list[FileOutcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the folder, not one file

    def count(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files)

    def with_status(self, *statuses: str) -> list[FileOutcome]:
        return [f for f in self.files if f.status in statuses]


def pending_files(settings: Settings, source: str) -> list[Path]:
    """Files waiting in the inbox, oldest first: a later re-export must win."""
    folder = settings.inbox_for(source)
    if not folder.is_dir():
        return []
    files = [
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith((".", "~$")) and p.suffix not in _PARTIAL_SUFFIXES
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _free_name(folder: Path, name: str, sha: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / Path(name).name  # never a path from outside the folder
    if target.exists():
        target = folder / f"{target.stem}.{sha[:8]}{target.suffix}"
    return target


def _key_sql(spec: SourceSpec, alias: str) -> list[str]:
    parts = []
    for name in spec.natural_key:
        expr = f'cast({alias}."{name}" as varchar)'
        if name in spec.key_fallbacks:
            fallback = f'cast({alias}."{spec.key_fallbacks[name]}" as varchar)'
            expr = f"coalesce({expr}, {fallback})"
        parts.append(f"coalesce({expr}, '')")
    return parts


def _write_rows(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    good: pl.DataFrame,
    load_id: int,
    file_name: str,
    loaded_at: datetime,
) -> None:
    con.register("incoming", good.to_arrow())
    try:
        matches = " and ".join(
            f"{t} = {i}"
            for t, i in zip(_key_sql(spec, "target"), _key_sql(spec, "incoming"), strict=True)
        )
        con.execute(f"delete from raw.{spec.name} as target using incoming where {matches}")
        columns = ", ".join(f'"{c.name}"' for c in spec.columns)
        casts = ", ".join(
            f'cast(incoming."{c.name}" as {DUCKDB_TYPES[c.kind]})' for c in spec.columns
        )
        con.execute(
            f"insert into raw.{spec.name} ({columns}, _load_id, _file_name, _row_number, "
            f"_loaded_at) select {casts}, ?, ?, incoming.{ROW}, ? from incoming",
            [load_id, file_name, loaded_at],
        )
    finally:
        con.unregister("incoming")


def _record_file(
    con: duckdb.DuckDBPyConnection,
    load_id: int,
    source: str,
    sha: str,
    fmt: str | None,
    encoding: str | None,
    outcome: FileOutcome,
    loaded_at: datetime,
    stored_as: str,
) -> None:
    con.execute(
        "insert into audit.file_loads values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        ],
    )


def _reject(
    con: duckdb.DuckDBPyConnection, settings: Settings, source: str, path: Path,
    sha: str, load_id: int, loaded_at: datetime, reason: str,
    fmt: str | None = None, encoding: str | None = None,
) -> FileOutcome:  # fmt: skip
    """Move the file to quarantine/<source>/ with a reason file beside it."""
    outcome = FileOutcome(path.name, "rejected", message=reason)
    target = _free_name(settings.quarantine / source, path.name, sha)
    _record_file(con, load_id, source, sha, fmt, encoding, outcome, loaded_at, str(target))
    shutil.move(path, target)  # a symbolic link moves as the link, its target untouched
    target.with_name(target.name + ".reason.txt").write_text(
        f"{path.name} was rejected on {loaded_at:%Y-%m-%d %H:%M} UTC:\n{reason}\n",
        encoding="utf-8",
    )
    return outcome


def load_file(
    con: duckdb.DuckDBPyConnection, settings: Settings, source: str, path: Path
) -> FileOutcome:
    spec = SPECS[source]
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    day = loaded_at.strftime("%Y-%m-%d")
    load_id = con.execute("select nextval('audit.load_id_seq')").fetchone()[0]
    if path.is_symlink():
        # a link could make the pipeline read, and archive, files from anywhere
        link = str(path.readlink())
        sha = hashlib.sha256(f"symlink:{link}".encode()).hexdigest()
        return _reject(
            con, settings, source, path, sha, load_id, loaded_at,
            f"is a symbolic link (to {link}), not a file: copy the export itself into "
            f"inbox/{source}/",
        )  # fmt: skip

    sha = _sha256(path)
    already = con.execute(
        "select load_id from audit.file_loads where sha256 = ? and source = ? "
        "and status in ('loaded', 'partial') limit 1",
        [sha, source],
    ).fetchone()
    if already:
        outcome = FileOutcome(
            path.name, "skipped", message=f"same bytes as load {already[0]}; nothing to load"
        )
        target = _free_name(settings.archive / source / day, path.name, sha)
        _record_file(con, load_id, source, sha, None, None, outcome, loaded_at, str(target))
        shutil.move(path, target)
        return outcome

    fmt = encoding = None
    try:
        read = read_export(path)
        fmt, encoding = read.format, read.encoding
        parsed = split_duplicate_keys(parse_rows(read.frame, spec, settings.timezone), spec)
    except FileRejected as err:
        return _reject(
            con, settings, source, path, sha, load_id, loaded_at, str(err), fmt, encoding
        )

    good, bad = parsed.good, parsed.bad
    outcome = FileOutcome(
        path.name,
        "partial" if bad.height else "loaded",
        rows_read=read.frame.height,
        rows_loaded=good.height,
        rows_quarantined=bad.height,
    )
    notes = []
    if bad.height:
        first = bad.row(0, named=True)
        notes.append(
            f"{bad.height} row(s) quarantined; first: row {first[ROW]}: {first['_reason']}"
        )
    if parsed.ignored_columns:
        notes.append(f"ignored columns: {', '.join(parsed.ignored_columns)}")
    outcome.message = "; ".join(notes)
    target = _free_name(settings.archive / source / day, path.name, sha)

    con.execute("begin transaction")
    try:
        _write_rows(con, spec, good, load_id, path.name, loaded_at)
        if bad.height:
            con.register("bad_rows", bad.to_arrow())
            con.execute(
                f"insert into audit.quarantine select ?, ?, ?, {ROW}, _reason, record "
                "from bad_rows",
                [load_id, source, path.name],
            )
            con.unregister("bad_rows")
        _record_file(con, load_id, source, sha, fmt, encoding, outcome, loaded_at, str(target))
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    shutil.move(path, target)
    return outcome


def ingest_source(con: duckdb.DuckDBPyConnection, settings: Settings, source: str) -> IngestSummary:
    summary = IngestSummary(source)
    inbox = settings.inbox_for(source)
    if inbox.exists() and not inbox.resolve().is_relative_to(settings.home.resolve()):
        # never move (or delete) files outside SHOPKPI_HOME: leave them and say so
        summary.problems.append(
            f"inbox/{source} leads outside SHOPKPI_HOME (to {inbox.resolve()}): "
            "nothing read; make it a real folder and copy the exports into it"
        )
        return summary
    for path in pending_files(settings, source):
        summary.files.append(load_file(con, settings, source, path))
    return summary
