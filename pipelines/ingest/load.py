"""Loading the inbox into raw.*: files (or pairs) a batch per transaction, the archive
re-read when the settings files are read with change, files dropped into inbox/ routed."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
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


# Loads commit together in batches: a commit costs about 50 ms and each delete of
# re-exported keys scans raw.<source> (a million order lines in 96 files: 4.7 s of
# commits and 4.7 s of deletes one file at a time). A batch closes at 40 MB of files (about
# 140,000 order lines, more than a DuckDB row group of 122,880 rows, which DuckDB then
# writes compressed straight into the file instead of into its log first), and is
# committed before a file would take it past 48 MB: a file of the ten-million-line shop
# (29 MB) is never held while the next is parsed (three at a time took that build over
# 2 GB). A build killed mid-load redoes one batch.
BATCH_BYTES = 40_000_000
BATCH_MAX_BYTES = 48_000_000
BATCH_LOADS = 16


@dataclass
class PendingLoad:
    """A file or pair read and parsed, waiting for its batch's transaction."""

    load_id: int
    loaded_at: datetime
    files: list[InboxFile]
    formats: list[tuple[str, str | None]]  # each file's format and encoding
    parsed: Parsed


def write_rows(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    loads: list[tuple[pl.DataFrame, int, str, datetime]],
) -> None:
    """(good rows, load id, file name, loaded at) of loads in load order into raw.<source>:
    a later load's row replaces any earlier row with its natural key."""
    incoming = pl.concat(
        [
            good.with_columns(
                pl.lit(load_id, pl.Int64).alias("_load_id"),
                pl.lit(file_name, pl.String).alias("_file_name"),
                pl.lit(loaded_at, pl.Datetime("us")).alias("_loaded_at"),
                pl.lit(index, pl.Int32).alias("_load_index"),
            )
            for index, (good, load_id, file_name, loaded_at) in enumerate(loads)
        ],
        how="diagonal_relaxed",
    )
    if len(loads) > 1:  # within the batch too, only the latest load's rows of a key stay
        keys = [
            pl.coalesce(pl.col(name).cast(pl.String),
                        pl.col(spec.key_fallbacks[name]).cast(pl.String))
            if name in spec.key_fallbacks else pl.col(name).cast(pl.String)
            for name in spec.natural_key
        ]  # fmt: skip
        incoming = incoming.filter(
            pl.col("_load_index")
            == pl.col("_load_index").max().over([k.fill_null("") for k in keys])
        )
    con.register("incoming", incoming.to_arrow())
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
            f"_loaded_at) select {casts}, _load_id, _file_name, incoming.{ROW}, _loaded_at "
            "from incoming"
        )
    finally:
        con.unregister("incoming")


def store(
    con: duckdb.DuckDBPyConnection,
    source: str,
    loads: list[tuple[Parsed, int, datetime]],
) -> None:
    """Loads' rows (in load order) into raw.<source>, their bad rows and warnings into
    audit (in the caller's transaction)."""
    named = [(load, load_id, loaded_at, load.converted.main_file or load.outcomes[0].file_name)
             for load, load_id, loaded_at in loads]  # fmt: skip
    write_rows(con, SPECS[source], [(load.good, load_id, main_name, loaded_at)
                                    for load, load_id, loaded_at, main_name in named])  # fmt: skip
    for load, load_id, _, main_name in named:
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


def prepare_load(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    source: str,
    paths: list[Path],
    pending: dict[str, int],
) -> PendingLoad | list[FileOutcome]:
    """A file (or pair) read and parsed for the next batch, or its outcomes when it will
    not load: rejected (moved to quarantine/) or the same bytes as a load before (moved to
    archive/). `pending` maps the sha256 of files waiting in the batch to their load."""
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
        (pending[sha],) if sha in pending else con.execute(
            "select load_id from audit.file_loads where sha256 = ? and source = ? "
            "and status in ('loaded', 'partial') limit 1",
            [sha, source],
        ).fetchone()
        for sha in shas
    ]  # fmt: skip
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
        parsed = parse_group(settings, source, files, reads)
    except FileRejected as err:
        return [
            reject_file(con, settings, source, file.path, file.sha, load_id, loaded_at, str(err),
                    r.format, r.encoding)
            for file, r in zip(files, reads, strict=True)
        ]  # fmt: skip
    # a batch holds only what it writes: the text read and converted is let go (24 files
    # of the ten-million-line shop loaded alone: a peak of 1,185 MB with it, 922 MB
    # without, 905 MB committing one file at a time)
    parsed = replace(parsed, converted=replace(parsed.converted, frame=pl.DataFrame()))
    return PendingLoad(load_id, loaded_at, files, [(r.format, r.encoding) for r in reads], parsed)


def commit_loads(
    con: duckdb.DuckDBPyConnection, settings: Settings, source: str, batch: list[PendingLoad]
) -> list[FileOutcome]:
    """A batch of loads in one transaction; only after its commit do the files move to
    archive/ (a crash before leaves them in the inbox, the warehouse as it was)."""
    moves = []
    con.execute("begin transaction")
    try:
        store(con, source, [(load.parsed, load.load_id, load.loaded_at) for load in batch])
        for load in batch:
            day = load.loaded_at.strftime("%Y-%m-%d")
            for file, (fmt, encoding), outcome in zip(load.files, load.formats,
                                                      load.parsed.outcomes, strict=True):  # fmt: skip
                target = free_name(settings.archive / source / day, file.name, file.sha)
                moves.append((file.path, target))
                record_file(con, load.load_id, source, file.sha, fmt, encoding, outcome,
                             load.loaded_at, str(target), settings.read_with())  # fmt: skip
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    for path, target in moves:
        shutil.move(path, target)
    return [outcome for load in batch for outcome in load.parsed.outcomes]


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
            else:  # one load at a time: a whole history in one frame would double its memory
                store(con, source, [(load, load_id, loaded_at)])
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


def ingest_source(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    source: str,
    after_commit: Callable[[], object] | None = None,
) -> IngestSummary:
    """Every new file of the source into raw.<source>; `after_commit` runs after each
    batch's commit (the build hands the batch's rows to the GX worker)."""
    summary = IngestSummary(source)

    def commit(batch: list[PendingLoad]) -> None:
        summary.files.extend(commit_loads(con, settings, source, batch))
        if after_commit is not None:
            after_commit()

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
    batch: list[PendingLoad] = []
    batch_bytes = 0
    for group in groups:
        size = sum(path.lstat().st_size for path in group)  # a link: its own size
        if batch and batch_bytes + size > BATCH_MAX_BYTES:
            commit(batch)
            batch, batch_bytes = [], 0
        pending = {file.sha: load.load_id for load in batch for file in load.files}
        prepared = prepare_load(con, settings, source, group, pending)
        if isinstance(prepared, list):
            summary.files.extend(prepared)
            continue
        batch.append(prepared)
        batch_bytes += size
        if len(batch) >= BATCH_LOADS or batch_bytes >= BATCH_BYTES:
            commit(batch)
            batch, batch_bytes = [], 0
    if batch:
        commit(batch)
    for path, adapter in waiting:
        summary.files.append(record_waiting(con, source, path, adapter))
    return summary
