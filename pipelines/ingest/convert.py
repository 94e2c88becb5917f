"""A file (or a pair) read, mapped onto the canonical columns by its adapter, and parsed:
the rows one load writes, and what to tell the analyst about each file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipelines import adapters
from pipelines.adapters.base import Export, Warning
from pipelines.ingest.audit import FileOutcome, first_reason
from pipelines.lib.canonical import SPECS
from pipelines.lib.parse import ROW, ParsedRows, parse_rows, split_duplicate_keys
from pipelines.lib.readers import READ_PROBLEM, FileRejected, ReadResult, read_export
from pipelines.lib.settings import Settings


def read_file(path: Path) -> ReadResult:
    return read_export(path, is_header=adapters.looks_like_header)


@dataclass(frozen=True)
class InboxFile:
    """A file to read: where it is now, and the name it arrived with (an archived copy may
    carry a suffix that keeps it apart from an earlier file of the same name)."""

    path: Path
    name: str
    sha: str


def export_of(file: InboxFile, read: ReadResult) -> Export:
    modified = datetime.fromtimestamp(file.path.stat().st_mtime, UTC)
    return Export(read.frame, read.preamble, file.name, modified)


def unknown_format(read: ReadResult, source: str) -> str:
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
class Converted:
    """A file (or a pair) mapped onto canonical rows, before parsing."""

    frame: pl.DataFrame
    adapter: str | None
    skipped: int = 0
    warnings: list[Warning] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rejected: pl.DataFrame | None = None  # ROW, _reason, record, _file
    main_file: str | None = None  # of a pair, the file whose rows the canonical rows are


def convert_file(file: InboxFile, read: ReadResult, source: str, settings: Settings) -> Converted:
    """Map one file onto the canonical columns of its source, or raise FileRejected."""
    found = adapters.identify(read.frame.columns)
    if found is None:
        near = adapters.closest(read.frame.columns, source)
        if not (near.is_canonical and near.source == source and near.present):
            raise FileRejected(unknown_format(read, source))
        # a canonical file with columns missing: parsing names them
        return Converted(read.frame, None)
    if found.source != source:
        what = f" ({found.adapter.title})" if found.adapter else ""
        raise FileRejected(
            f"it looks like a {found.source} file{what}: put it in inbox/{found.source}/"
        )
    if found.adapter is None:
        return Converted(read.frame, None)
    adapted = found.adapter.convert(export_of(file, read), settings)
    return Converted(
        adapted.frame, found.adapter.name, adapted.skipped, adapted.warnings, adapted.notes,
        adapted.rejected,
    )  # fmt: skip


def convert_pair(
    settings: Settings, first: tuple[InboxFile, ReadResult], second: tuple[InboxFile, ReadResult]
) -> Converted:
    """Two files that load together: the adapter that converts the pair (it declares
    `convert_pair`) gets its own file and its partner's, whichever came first."""
    found = [(file, read, adapters.identify(read.frame.columns)) for file, read in (first, second)]
    lead = next(f for f in found if f[2] and f[2].adapter and f[2].adapter.convert_pair)
    other = next(f for f in found if f is not lead)
    adapter = lead[2].adapter
    adapted = adapter.convert_pair(
        export_of(lead[0], lead[1]), export_of(other[0], other[1]), settings
    )
    return Converted(
        adapted.frame, f"{adapter.name}+{adapter.partner}", adapted.skipped, adapted.warnings,
        adapted.notes, adapted.rejected, main_file=adapted.rows_file or lead[0].name,
    )  # fmt: skip


def clock_change_warnings(parsed: ParsedRows, timezone: str) -> list[Warning]:
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


def rows_of(frame: pl.DataFrame) -> int:
    return frame[ROW].n_unique() if frame.height else 0


@dataclass
class Parsed:
    """A file or a pair read, converted and parsed: what one load writes."""

    converted: Converted
    good: pl.DataFrame
    bad: pl.DataFrame
    outcomes: list[FileOutcome]


def parse_group(
    settings: Settings, source: str, files: list[InboxFile], reads: list[ReadResult]
) -> Parsed:
    """Canonical rows and per-file outcomes of one load, or FileRejected."""
    spec = SPECS[source]
    if len(files) == 2:
        converted = convert_pair(settings, (files[0], reads[0]), (files[1], reads[1]))
    else:
        converted = convert_file(files[0], reads[0], source, settings)
    parsed = split_duplicate_keys(parse_rows(converted.frame, spec, settings.timezone), spec)
    good, bad = parsed.good, parsed.bad
    converted.warnings.extend(clock_change_warnings(parsed, settings.timezone))
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
        quarantined = rows_of(own_rejected)
        if file.name == main_name:
            loaded = rows_of(good)
            quarantined += rows_of(bad)
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
        first_bad = first_reason(bad if file.name == main_name else None, own_rejected)
        if first_bad:
            notes.append(f"{quarantined} row(s) quarantined; first: {first_bad}")
        if file.name == main_name:
            if parsed.ignored_columns and converted.adapter is None:
                notes.append(f"ignored columns: {', '.join(parsed.ignored_columns)}")
            notes.extend(converted.notes)
        notes.extend(w.message for w in converted.warnings if file.name == main_name)
        outcome.message = "; ".join(notes)
        outcomes.append(outcome)
    return Parsed(converted, good, bad, outcomes)
