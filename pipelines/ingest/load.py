"""Loading the inbox into raw.*: one file (or pair) per transaction, the archive re-read
when the settings files are read with change, files dropped into inbox/ itself routed."""

from __future__ import annotations

import hashlib
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.ingest.audit import (
    FileOutcome,
    IngestSummary,
    quarantine_rows,
    record_file,
    reject_file,
)
from pipelines.ingest.convert import InboxFile, Parsed, parse_group, read_file, unknown_format
from pipelines.ingest.files import free_name, pending_files, sha256_of
from pipelines.ingest.pairs import group_files, identify_file, record_waiting
from pipelines.lib.canonical import DUCKDB_TYPES, SPECS, SourceSpec
from pipelines.lib.parse import ROW
from pipelines.lib.readers import FileRejected, ReadResult
from pipelines.lib.settings import Settings


def key_sql(spec: SourceSpec, alias: str) -> list[str]:
    parts = []
    for name in spec.natural_key:
        expr = f'cast({alias}."{name}" as varchar)'
        if name in spec.key_fallbacks:
            fallback = f'cast({alias}."{spec.key_fallbacks[name]}" as varchar)'
            expr = f"coalesce({expr}, {fallback})"
        parts.append(f"coalesce({expr}, '')")
    return parts


def write_rows(
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
            for t, i in zip(key_sql(spec, "target"), key_sql(spec, "incoming"), strict=True)
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


def store(
    con: duckdb.DuckDBPyConnection, source: str, load: Parsed, load_id: int, loaded_at: datetime
) -> None:
    """One load's rows into raw.<source>, its bad rows and warnings into audit (in the
    caller's transaction)."""
    main_name = load.converted.main_file or load.outcomes[0].file_name
    write_rows(con, SPECS[source], load.good, load_id, main_name, loaded_at)
    quarantine_rows(con, load_id, source, main_name, load.bad)
    rejected = load.converted.rejected
    if rejected is not None:
        for outcome in load.outcomes:
            own = rejected.filter(pl.col("_file").fill_null(main_name) == outcome.file_name)
            quarantine_rows(con, load_id, source, outcome.file_name, own.drop("_file"))
    for warning in load.converted.warnings:
        con.execute(
            "insert into audit.load_warnings values (?, ?, ?, ?, ?, ?)",
            [load_id, source, main_name, warning.kind, warning.rows, warning.message],
        )


def load_files(
    con: duckdb.DuckDBPyConnection, settings: Settings, source: str, paths: list[Path]
) -> list[FileOutcome]:
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    day = loaded_at.strftime("%Y-%m-%d")
    load_id = con.execute("select nextval('audit.load_id_seq')").fetchone()[0]
    for path in paths:
        if path.is_symlink():
            # a link could make the pipeline read, and archive, files from anywhere
            link = str(path.readlink())
            sha = hashlib.sha256(f"symlink:{link}".encode()).hexdigest()
            rejected = reject_file(
                con, settings, source, path, sha, load_id, loaded_at,
                f"is a symbolic link (to {link}), not a file: copy the export itself into "
                f"inbox/{source}/",
            )  # fmt: skip
            return [rejected] + [FileOutcome(p.name, "waiting") for p in paths if p != path]

    shas = [sha256_of(path) for path in paths]
    already = [
        con.execute(
            "select load_id from audit.file_loads where sha256 = ? and source = ? "
            "and status in ('loaded', 'partial') limit 1",
            [sha, source],
        ).fetchone()
        for sha in shas
    ]
    if all(already):
        outcomes = []
        for path, sha, earlier in zip(paths, shas, already, strict=True):
            outcome = FileOutcome(
                path.name, "skipped", message=f"same bytes as load {earlier[0]}; nothing to load"
            )
            target = free_name(settings.archive / source / day, path.name, sha)
            record_file(con, load_id, source, sha, None, None, outcome, loaded_at, str(target))
            shutil.move(path, target)
            outcomes.append(outcome)
        return outcomes

    files = [InboxFile(path, path.name, sha) for path, sha in zip(paths, shas, strict=True)]
    reads: list[ReadResult] = []
    for index, file in enumerate(files):
        try:
            reads.append(read_file(file.path))
        except FileRejected as err:
            outcome = reject_file(con, settings, source, file.path, file.sha, load_id, loaded_at,
                              str(err))  # fmt: skip
            return [outcome if i == index else FileOutcome(p.name, "waiting")
                    for i, p in enumerate(paths)]  # fmt: skip
    try:
        load = parse_group(settings, source, files, reads)
    except FileRejected as err:
        return [
            reject_file(con, settings, source, file.path, file.sha, load_id, loaded_at, str(err),
                    r.format, r.encoding)
            for file, r in zip(files, reads, strict=True)
        ]  # fmt: skip

    con.execute("begin transaction")
    try:
        store(con, source, load, load_id, loaded_at)
        targets = []
        for file, r, outcome in zip(files, reads, load.outcomes, strict=True):
            target = free_name(settings.archive / source / day, file.name, file.sha)
            targets.append(target)
            record_file(con, load_id, source, file.sha, r.format, r.encoding, outcome,
                         loaded_at, str(target), settings.read_with())  # fmt: skip
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    for file, target in zip(files, targets, strict=True):
        shutil.move(file.path, target)
    return load.outcomes


def reread_archive(con: duckdb.DuckDBPyConnection, settings: Settings, source: str) -> list[str]:
    """Files loaded under other read settings (another timezone, say) read again from
    archive/, in their load order, so raw.<source> is what loading them today would give.
    Returns what the analyst should know; empty when nothing needed re-reading."""
    read_with = settings.read_with()
    loaded = con.execute(
        "select load_id, file_name, sha256, stored_as, loaded_at, read_with "
        "from audit.file_loads where source = ? and status in ('loaded', 'partial') "
        "order by load_id, file_name",
        [source],
    ).fetchall()
    if all(row[5] == read_with for row in loaded):
        return []
    missing = [row[3] for row in loaded if not Path(row[3]).is_file()]
    if missing:
        return [
            f"the settings that {source} files are read with changed, but {len(missing)} "
            f"archived file(s) are gone (first: {missing[0]}): rows loaded before keep their "
            "old reading. Put the files back in archive/ to have them read again"
        ]
    groups: dict[int, list[tuple]] = {}
    for row in loaded:
        groups.setdefault(row[0], []).append(row)
    loads: list[tuple[int, datetime, list[InboxFile], Parsed | str]] = []
    for load_id, rows in groups.items():
        files = [InboxFile(Path(r[3]), r[1], r[2]) for r in rows]
        try:
            reads = [read_file(file.path) for file in files]
            load: Parsed | str = parse_group(settings, source, files, reads)
        except FileRejected as err:
            load = str(err)
        loads.append((load_id, rows[0][4], files, load))
    ids = list(groups)
    con.execute("begin transaction")
    try:
        con.execute(f"delete from raw.{source}")
        for table in ("quarantine", "load_warnings"):
            con.execute(
                f"delete from audit.{table} where source = ? and load_id in "
                f"(select unnest(?::bigint[]))",
                [source, ids],
            )
        for load_id, loaded_at, files, load in loads:
            if isinstance(load, str):  # no longer readable: its rows stay out, and why
                outcomes = [FileOutcome(f.name, "rejected", message=load) for f in files]
            else:
                store(con, source, load, load_id, loaded_at)
                outcomes = load.outcomes
            for outcome in outcomes:
                con.execute(
                    "update audit.file_loads set status = ?, rows_read = ?, rows_loaded = ?, "
                    "rows_quarantined = ?, rows_skipped = ?, message = ?, read_with = ? "
                    "where load_id = ? and source = ? and file_name = ?",
                    [outcome.status, outcome.rows_read, outcome.rows_loaded,
                     outcome.rows_quarantined, outcome.rows_skipped, outcome.message, read_with,
                     load_id, source, outcome.file_name],
                )  # fmt: skip
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return [
        f"{len(loaded)} {source} file(s) loaded before were read again from archive/ "
        f"with the settings now in force ({read_with})"
    ]


def route_inbox_root(
    con: duckdb.DuckDBPyConnection, settings: Settings, source: str
) -> list[FileOutcome]:
    """Files dropped into inbox/ itself go to the folder of the source they turn out to
    be; the orders step also rejects the ones no format matches."""
    outcomes = []
    for path in pending_files(settings, None):
        found = identify_file(path)
        if found is not None and found.source == source:
            target = free_name(settings.inbox_for(source), path.name, sha256_of(path))
            shutil.move(path, target)
        elif (found is None or path.is_symlink()) and source == "orders":
            loaded_at = datetime.now(UTC).replace(tzinfo=None)
            load_id = con.execute("select nextval('audit.load_id_seq')").fetchone()[0]
            sha = sha256_of(path) if not path.is_symlink() else hashlib.sha256(b"link").hexdigest()
            try:
                reason = (
                    "is a symbolic link, not a file" if path.is_symlink()
                    else unknown_format(read_file(path), "orders")
                )  # fmt: skip
            except FileRejected as err:
                reason = str(err)
            outcomes.append(
                reject_file(con, settings, "inbox", path, sha, load_id, loaded_at,
                        f"dropped into inbox/ and not recognised: {reason}")
            )  # fmt: skip
    return outcomes


def ingest_source(con: duckdb.DuckDBPyConnection, settings: Settings, source: str) -> IngestSummary:
    summary = IngestSummary(source)
    for folder, name in (
        (settings.inbox, "inbox"),
        (settings.inbox_for(source), f"inbox/{source}"),
    ):
        if folder.exists() and not folder.resolve().is_relative_to(settings.home.resolve()):
            # never move (or delete) files outside SHOPKPI_HOME: leave them and say so
            summary.problems.append(
                f"{name} leads outside SHOPKPI_HOME (to {folder.resolve()}): "
                "nothing read; make it a real folder and copy the exports into it"
            )
            return summary
    summary.notes.extend(reread_archive(con, settings, source))
    summary.files.extend(route_inbox_root(con, settings, source))
    groups, waiting = group_files(source, pending_files(settings, source))
    for group in groups:
        summary.files.extend(load_files(con, settings, source, group))
    for path, adapter in waiting:
        summary.files.append(record_waiting(con, source, path, adapter))
    return summary
