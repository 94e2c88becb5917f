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
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines import adapters
from pipelines.adapters.base import Export, Warning
from pipelines.adapters.orders import convert_taobao_pair
from pipelines.lib.canonical import DUCKDB_TYPES, SPECS, SourceSpec
from pipelines.lib.parse import ROW, ParsedRows, parse_rows, split_duplicate_keys
from pipelines.lib.readers import READ_PROBLEM, FileRejected, ReadResult, peek_header, read_export
from pipelines.lib.settings import Settings

# files still being written by a browser or a copy job
_PARTIAL_SUFFIXES = (".crdownload", ".part", ".partial", ".tmp", ".download")


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


def pending_files(settings: Settings, source: str | None) -> list[Path]:
    """Files waiting in inbox/<source>/ (or inbox/ itself for None), oldest first: a
    later re-export must win."""
    folder = settings.inbox_for(source) if source else settings.inbox
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


def _read(path: Path) -> ReadResult:
    return read_export(path, is_header=adapters.looks_like_header)


@dataclass(frozen=True)
class _File:
    """A file to read: where it is now, and the name it arrived with (an archived copy may
    carry a suffix that keeps it apart from an earlier file of the same name)."""

    path: Path
    name: str
    sha: str


def _export(file: _File, read: ReadResult) -> Export:
    modified = datetime.fromtimestamp(file.path.stat().st_mtime, UTC)
    return Export(read.frame, read.preamble, file.name, modified)


def _unknown_format(read: ReadResult, source: str) -> str:
    near = adapters.closest(read.frame.columns, source)
    columns = [c for c in read.frame.columns if c != READ_PROBLEM]
    shown = ", ".join(columns[:12]) + (" ..." if len(columns) > 12 else "")
    return (
        f"not a format shopkpi knows (columns: {shown}). Closest: {near.title} "
        f"(inbox/{near.source}/), which also needs the column"
        f"{'s' if len(near.missing) > 1 else ''} {', '.join(near.missing)}. "
        "docs/formats.md lists every format and how to export it"
    )


@dataclass
class _Converted:
    """A file (or a pair) mapped onto canonical rows, before parsing."""

    frame: pl.DataFrame
    adapter: str | None
    skipped: int = 0
    warnings: list[Warning] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rejected: pl.DataFrame | None = None  # ROW, _reason, record, _file
    main_file: str | None = None  # of a pair, the file whose rows the canonical rows are


def _convert(file: _File, read: ReadResult, source: str, settings: Settings) -> _Converted:
    """Map one file onto the canonical columns of its source, or raise FileRejected."""
    found = adapters.identify(read.frame.columns)
    if found is None:
        near = adapters.closest(read.frame.columns, source)
        if not (near.is_canonical and near.source == source and near.present):
            raise FileRejected(_unknown_format(read, source))
        # a canonical file with columns missing: parsing names them
        return _Converted(read.frame, None)
    if found.source != source:
        what = f" ({found.adapter.title})" if found.adapter else ""
        raise FileRejected(
            f"it looks like a {found.source} file{what}: put it in inbox/{found.source}/"
        )
    if found.adapter is None:
        return _Converted(read.frame, None)
    adapted = found.adapter.convert(_export(file, read), settings)
    return _Converted(
        adapted.frame, found.adapter.name, adapted.skipped, adapted.warnings, adapted.notes,
        adapted.rejected,
    )  # fmt: skip


def _pair_converted(
    settings: Settings, first: tuple[_File, ReadResult], second: tuple[_File, ReadResult]
) -> _Converted:
    """The Taobao order list and its order detail, joined (whichever came first)."""
    by_name = {}
    for file, read in (first, second):
        found = adapters.identify(read.frame.columns)
        by_name[found.adapter.name if found and found.adapter else "?"] = (file, read)
    (list_file, list_read), (detail_file, detail_read) = (
        by_name["taobao_order_list"], by_name["taobao_order_detail"]
    )  # fmt: skip
    adapted = convert_taobao_pair(
        _export(list_file, list_read), _export(detail_file, detail_read), settings
    )
    return _Converted(
        adapted.frame, "taobao_order_list+detail", adapted.skipped, adapted.warnings,
        adapted.notes, adapted.rejected, main_file=detail_file.name,
    )  # fmt: skip


def _clock_change_warnings(parsed: ParsedRows, timezone: str) -> list[Warning]:
    """Local times that a daylight-saving change skipped or repeated: loaded, and said so."""
    return [
        Warning(
            "clock_change",
            rows,
            f"{rows} row(s) have a {column} that the clock skipped or repeated in {timezone} "
            "(a daylight-saving change); read as Python's zoneinfo reads them: a skipped time "
            "with the offset before the change, a repeated time as its first occurrence. "
            "Exports with a UTC offset avoid the doubt",
        )
        for column, rows in parsed.dst_rows.items()
    ]


def _rows_of(frame: pl.DataFrame) -> int:
    return frame[ROW].n_unique() if frame.height else 0


@dataclass
class _Parsed:
    """A file or a pair read, converted and parsed: what one load writes."""

    converted: _Converted
    good: pl.DataFrame
    bad: pl.DataFrame
    outcomes: list[FileOutcome]


def _parse_group(
    settings: Settings, source: str, files: list[_File], reads: list[ReadResult]
) -> _Parsed:
    """Canonical rows and per-file outcomes of one load, or FileRejected."""
    spec = SPECS[source]
    if len(files) == 2:
        converted = _pair_converted(settings, (files[0], reads[0]), (files[1], reads[1]))
    else:
        converted = _convert(files[0], reads[0], source, settings)
    parsed = split_duplicate_keys(parse_rows(converted.frame, spec, settings.timezone), spec)
    good, bad = parsed.good, parsed.bad
    converted.warnings.extend(_clock_change_warnings(parsed, settings.timezone))
    # the canonical rows are one file's rows (of a pair, the order detail's); rows the
    # adapter refused name their own file
    main_name = converted.main_file or files[0].name
    rejected = converted.rejected
    outcomes = []
    for file, r in zip(files, reads, strict=True):
        own_rejected = (
            rejected.filter(pl.col("_file").fill_null(main_name) == file.name)
            if rejected is not None else pl.DataFrame()
        )  # fmt: skip
        quarantined = _rows_of(own_rejected)
        if file.name == main_name:
            loaded = _rows_of(good)
            quarantined += _rows_of(bad)
        else:
            loaded = r.frame.height - quarantined
        outcome = FileOutcome(
            file.name,
            "partial" if quarantined else "loaded",
            rows_read=r.frame.height,
            rows_loaded=loaded,
            rows_quarantined=quarantined,
            rows_skipped=converted.skipped if file.name == main_name else 0,
            adapter=converted.adapter,
        )
        notes = []
        first_bad = _first_reason(bad if file.name == main_name else None, own_rejected)
        if first_bad:
            notes.append(f"{quarantined} row(s) quarantined; first: {first_bad}")
        if file.name == main_name:
            if parsed.ignored_columns and converted.adapter is None:
                notes.append(f"ignored columns: {', '.join(parsed.ignored_columns)}")
            notes.extend(converted.notes)
        notes.extend(w.message for w in converted.warnings if file.name == main_name)
        outcome.message = "; ".join(notes)
        outcomes.append(outcome)
    return _Parsed(converted, good, bad, outcomes)


def _store(
    con: duckdb.DuckDBPyConnection, source: str, load: _Parsed, load_id: int, loaded_at: datetime
) -> None:
    """One load's rows into raw.<source>, its bad rows and warnings into audit (in the
    caller's transaction)."""
    main_name = load.converted.main_file or load.outcomes[0].file_name
    _write_rows(con, SPECS[source], load.good, load_id, main_name, loaded_at)
    _quarantine(con, load_id, source, main_name, load.bad)
    rejected = load.converted.rejected
    if rejected is not None:
        for outcome in load.outcomes:
            own = rejected.filter(pl.col("_file").fill_null(main_name) == outcome.file_name)
            _quarantine(con, load_id, source, outcome.file_name, own.drop("_file"))
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
            rejected = _reject(
                con, settings, source, path, sha, load_id, loaded_at,
                f"is a symbolic link (to {link}), not a file: copy the export itself into "
                f"inbox/{source}/",
            )  # fmt: skip
            return [rejected] + [FileOutcome(p.name, "waiting") for p in paths if p != path]

    shas = [_sha256(path) for path in paths]
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
            target = _free_name(settings.archive / source / day, path.name, sha)
            _record_file(con, load_id, source, sha, None, None, outcome, loaded_at, str(target))
            shutil.move(path, target)
            outcomes.append(outcome)
        return outcomes

    files = [_File(path, path.name, sha) for path, sha in zip(paths, shas, strict=True)]
    reads: list[ReadResult] = []
    for index, file in enumerate(files):
        try:
            reads.append(_read(file.path))
        except FileRejected as err:
            outcome = _reject(con, settings, source, file.path, file.sha, load_id, loaded_at,
                              str(err))  # fmt: skip
            return [outcome if i == index else FileOutcome(p.name, "waiting")
                    for i, p in enumerate(paths)]  # fmt: skip
    try:
        load = _parse_group(settings, source, files, reads)
    except FileRejected as err:
        return [
            _reject(con, settings, source, file.path, file.sha, load_id, loaded_at, str(err),
                    r.format, r.encoding)
            for file, r in zip(files, reads, strict=True)
        ]  # fmt: skip

    con.execute("begin transaction")
    try:
        _store(con, source, load, load_id, loaded_at)
        targets = []
        for file, r, outcome in zip(files, reads, load.outcomes, strict=True):
            target = _free_name(settings.archive / source / day, file.name, file.sha)
            targets.append(target)
            _record_file(con, load_id, source, file.sha, r.format, r.encoding, outcome,
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
    loads: list[tuple[int, datetime, list[_File], _Parsed | str]] = []
    for load_id, rows in groups.items():
        files = [_File(Path(r[3]), r[1], r[2]) for r in rows]
        try:
            reads = [_read(file.path) for file in files]
            load: _Parsed | str = _parse_group(settings, source, files, reads)
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
                _store(con, source, load, load_id, loaded_at)
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


def _first_reason(bad: pl.DataFrame | None, rejected: pl.DataFrame) -> str | None:
    for frame in (bad, rejected):
        if frame is not None and frame.height:
            first = frame.sort(ROW).row(0, named=True)
            return f"row {first[ROW]}: {first['_reason']}"
    return None


def _quarantine(
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


def _identify(path: Path) -> adapters.Identified | None:
    if path.is_symlink():
        return None
    return adapters.identify(peek_header(path, adapters.looks_like_header))


def _pairs(
    source: str, files: list[Path]
) -> tuple[list[list[Path]], list[tuple[Path, adapters.Adapter]]]:
    """Files grouped into what loads together: single files, and each Taobao order list
    with its order detail (same name apart from List/DetailList, else the only two).
    Returns (groups, files still waiting for their partner, with their format)."""
    if not any(a.partner and a.source == source for a in adapters.ADAPTERS):
        return [[path] for path in files], []  # no paired format: no need to peek
    role: dict[Path, adapters.Adapter] = {}
    for path in files:
        found = _identify(path)
        if found and found.adapter and found.adapter.partner:
            role[path] = found.adapter
    groups = [[path] for path in files if path not in role]
    lists = [p for p, a in role.items() if a.name == "taobao_order_list"]
    details = [p for p, a in role.items() if a.name == "taobao_order_detail"]

    def stem(path: Path) -> str:
        return re.sub(r"(?i)export|order|detail|list|订单|宝贝|报表|明细|[\s_\-]", "", path.stem)

    for order_list in list(lists):
        same = [d for d in details if stem(d) == stem(order_list)]
        if len(same) == 1:
            groups.append([order_list, same[0]])
            lists.remove(order_list)
            details.remove(same[0])
    if len(lists) == 1 and len(details) == 1:
        groups.append([lists.pop(), details.pop()])
    return groups, [(path, role[path]) for path in lists + details]


def _route_inbox_root(
    con: duckdb.DuckDBPyConnection, settings: Settings, source: str
) -> list[FileOutcome]:
    """Files dropped into inbox/ itself go to the folder of the source they turn out to
    be; the orders step also rejects the ones no format matches."""
    outcomes = []
    for path in pending_files(settings, None):
        found = _identify(path)
        if found is not None and found.source == source:
            target = _free_name(settings.inbox_for(source), path.name, _sha256(path))
            shutil.move(path, target)
        elif (found is None or path.is_symlink()) and source == "orders":
            loaded_at = datetime.now(UTC).replace(tzinfo=None)
            load_id = con.execute("select nextval('audit.load_id_seq')").fetchone()[0]
            sha = _sha256(path) if not path.is_symlink() else hashlib.sha256(b"link").hexdigest()
            try:
                reason = (
                    "is a symbolic link, not a file" if path.is_symlink()
                    else _unknown_format(_read(path), "orders")
                )  # fmt: skip
            except FileRejected as err:
                reason = str(err)
            outcomes.append(
                _reject(con, settings, "inbox", path, sha, load_id, loaded_at,
                        f"dropped into inbox/ and not recognised: {reason}")
            )  # fmt: skip
    return outcomes


def _record_waiting(
    con: duckdb.DuckDBPyConnection, source: str, path: Path, adapter: adapters.Adapter
) -> FileOutcome:
    """A file of a pair whose partner is not there yet: it stays in the inbox."""
    partner = adapters.BY_NAME[adapter.partner]
    outcome = FileOutcome(
        path.name, "waiting",
        message=f"waits in the inbox for its partner file: {partner.title} of the same "
        f"period ({partner.how_to_export})",
        adapter=adapter.name,
    )  # fmt: skip
    sha = _sha256(path)
    seen = con.execute(
        "select 1 from audit.file_loads where sha256 = ? and status = 'waiting'", [sha]
    ).fetchone()
    if not seen:  # once per file, not once per run
        load_id = con.execute("select nextval('audit.load_id_seq')").fetchone()[0]
        now = datetime.now(UTC).replace(tzinfo=None)
        _record_file(con, load_id, source, sha, None, None, outcome, now, str(path))
    return outcome


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
    summary.files.extend(_route_inbox_root(con, settings, source))
    groups, waiting = _pairs(source, pending_files(settings, source))
    for group in groups:
        summary.files.extend(load_files(con, settings, source, group))
    for path, adapter in waiting:
        summary.files.append(_record_waiting(con, source, path, adapter))
    return summary
