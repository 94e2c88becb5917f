"""Read an export file of any supported format into a frame of text columns.

Detection is by content, not by file name: xlsx/xls and Parquet by their magic bytes,
everything else as delimited text whose encoding (UTF-8 with or without BOM, UTF-16,
GBK/GB18030) and delimiter are sniffed. Platform exports often put a title, a date range
or `#` comments above the header: the header is the first of the top lines that
`is_header` recognises, and the lines above it come back as the preamble. Every cell
comes back as text (or null), so that parsing and validation happen in one place
(`pipelines.lib.parse`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl


class FileRejected(Exception):
    """The whole file cannot be used; the message says why, for a person."""


@dataclass(frozen=True)
class ReadResult:
    frame: pl.DataFrame  # all columns pl.String, header names stripped
    format: str  # csv | tsv | xlsx | xls | parquet
    encoding: str | None  # for text formats
    preamble: tuple[str, ...] = ()  # lines above the header (report title, date range)


HeaderTest = Callable[[list[str]], bool]
_HEADER_SEARCH_LINES = 30  # how far down a platform's title lines may push the header


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_DELIMITERS = (",", "\t", ";", "|")


def detect_encoding(data: bytes) -> str:
    """The text encoding of an export: BOM first, then strict UTF-8, then GB18030."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312, what Chinese back offices write
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError as err:
        raise FileRejected(
            f"cannot decode the file: byte {err.start} is neither UTF-8 nor GBK/GB18030 text; "
            "save it again as UTF-8 CSV"
        ) from err


def detect_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _to_text_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Typed columns (Parquet, Excel) to text in the canonical spelling."""
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.String:
            exprs.append(col)
        elif isinstance(dtype, pl.Datetime):
            fmt = "%Y-%m-%dT%H:%M:%S%.f%:z" if dtype.time_zone else "%Y-%m-%dT%H:%M:%S%.f"
            exprs.append(col.dt.to_string(fmt))
        elif dtype == pl.Date:
            exprs.append(col.dt.to_string("%Y-%m-%d"))
        elif dtype.is_float():
            # Excel stores ids and counts as floats: 1234.0 must read as "1234"
            exprs.append(
                pl.when(col.is_finite() & (col == col.round(0)) & (col.abs() < 1e15))
                .then(col.cast(pl.Int64).cast(pl.String))
                .otherwise(col.cast(pl.String))
            )
        elif dtype == pl.Null:
            exprs.append(col.cast(pl.String))
        else:
            exprs.append(col.cast(pl.String))
    return frame.select([e.alias(n) for e, n in zip(exprs, frame.columns, strict=True)])


def _check_header(names: list[str]) -> None:
    if any(not n for n in names):
        position = names.index("") + 1
        raise FileRejected(f"column {position} of the header has no name")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise FileRejected(f"the header names these columns twice: {', '.join(duplicates)}")


def _clean_headers(frame: pl.DataFrame) -> pl.DataFrame:
    names = [str(n).strip().lstrip("\ufeff").strip() for n in frame.columns]
    _check_header(names)
    return frame.rename(dict(zip(frame.columns, names, strict=True)))


READ_PROBLEM = "_read_problem"  # a row the reader could not split cleanly, and why


def _read_ragged(text: str, delimiter: str, header: list[str]) -> pl.DataFrame:
    """The slow path for a file with rows of the wrong width: keep every row, say which.

    A row with more or fewer fields than the header keeps its place (so row numbers stay
    true) with a reason in _read_problem; parsing quarantines it, the rest loads.
    """
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    next(reader)
    width = len(header)
    records, problems = [], []
    for fields in reader:
        if not fields:
            continue
        problem = None
        if len(fields) != width:
            problem = f"the row has {len(fields)} fields, the header has {width}"
            fields = (fields + [""] * width)[:width]
        records.append([f if f != "" else None for f in fields])
        problems.append(problem)
    frame = pl.DataFrame(records, schema=dict.fromkeys(header, pl.String), orient="row")
    return frame.with_columns(pl.Series(READ_PROBLEM, problems, dtype=pl.String))


def _split_fields(line: str) -> tuple[str, list[str]]:
    delimiter = detect_delimiter(line)
    return delimiter, [f.strip() for f in next(csv.reader([line], delimiter=delimiter), [])]


def _find_header(lines: list[str], is_header: HeaderTest | None) -> int:
    """Index of the header line: the first one `is_header` knows, else the first real line."""
    if is_header is not None:
        for index, line in enumerate(lines[:_HEADER_SEARCH_LINES]):
            if line.strip() and is_header(_split_fields(line)[1]):
                return index
    if not lines or not lines[0].strip():
        raise FileRejected("the file has no header line (the first line is empty)")
    for index, line in enumerate(lines[:_HEADER_SEARCH_LINES]):
        if not line.startswith("#"):  # GA4-style comment lines above the header
            return index
    return 0


def read_text(data: bytes, is_header: HeaderTest | None = None) -> ReadResult:
    encoding = detect_encoding(data)
    if encoding in ("utf-8", "utf-8-sig"):
        text_bytes = data[3:] if encoding == "utf-8-sig" else data
    else:
        text_bytes = data.decode(encoding).lstrip("\ufeff").encode("utf-8")
    top = text_bytes[: 1 << 16].split(b"\n")[: _HEADER_SEARCH_LINES + 1]
    lines = [line.decode("utf-8", errors="replace").rstrip("\r") for line in top]
    start = _find_header(lines, is_header)
    preamble = tuple(line.strip() for line in lines[:start] if line.strip())
    text_bytes = text_bytes[sum(len(line) + 1 for line in top[:start]) :]
    first_line = lines[start]
    if not first_line.strip():
        raise FileRejected("the file has no header line (the first line is empty)")
    delimiter, header = _split_fields(first_line)
    # polars renames repeated header names (a, a_duplicated_0): check the header as written
    _check_header(header)
    try:
        frame = pl.read_csv(
            io.BytesIO(text_bytes),
            separator=delimiter,
            infer_schema=False,
            empty_string_is_null=True,
            truncate_ragged_lines=False,
        )
    except pl.exceptions.ComputeError as err:
        if "more fields" not in str(err):
            raise FileRejected(f"cannot read the file as delimited text: {err}") from err
        frame = _read_ragged(text_bytes.decode("utf-8"), delimiter, header)
    except pl.exceptions.NoDataError as err:
        raise FileRejected(f"cannot read the file as delimited text: {err}") from err
    fmt = "tsv" if delimiter == "\t" else "csv"
    return ReadResult(_clean_headers(frame), fmt, encoding.replace("-sig", " with BOM"), preamble)


def _read_workbook(data: bytes, fmt: str, is_header: HeaderTest | None) -> ReadResult:
    try:
        frame = pl.read_excel(io.BytesIO(data), engine="calamine")
        if is_header is None or is_header([str(c).strip() for c in frame.columns]):
            return ReadResult(_clean_headers(_to_text_columns(frame)), fmt, None)
        # a title block above the header: find the header among the top rows
        grid = pl.read_excel(io.BytesIO(data), engine="calamine", has_header=False)
    except Exception as err:  # calamine raises its own types for broken workbooks
        raise FileRejected(f"cannot read the {fmt} workbook: {err}") from err
    rows = grid.head(_HEADER_SEARCH_LINES).rows()
    for index, row in enumerate(rows):
        names = [str(v).strip() if v is not None else "" for v in row]
        if is_header(names):
            body = grid.slice(index + 1)
            keep = [c for c, n in zip(grid.columns, names, strict=True) if n]
            body = body.select(keep).rename(
                {c: n for c, n in zip(grid.columns, names, strict=True) if n}
            )
            preamble = tuple(" ".join(str(v) for v in r if v is not None) for r in rows[:index])
            return ReadResult(_clean_headers(_to_text_columns(body)), fmt, None, preamble)
    return ReadResult(_clean_headers(_to_text_columns(frame)), fmt, None)


def peek_header(path: Path, is_header: HeaderTest | None = None) -> list[str]:
    """The header of a file from its first 64 KiB (a Parquet schema; workbooks are read)."""
    with path.open("rb") as fh:
        data = fh.read(1 << 16)
    if data.startswith(b"PAR1"):  # the schema is the header: no need to read the rows
        return [name.strip() for name in pl.read_parquet_schema(path)]
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        try:
            return read_export(path, is_header).frame.columns
        except FileRejected:
            return []  # loading it says why
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None:
        encoding = "gb18030"
        for trim in range(4):  # the 64 KiB may end inside a character
            try:
                data[: len(data) - trim].decode("utf-8")
                encoding = "utf-8"
                break
            except UnicodeDecodeError:
                continue
    lines = data.decode(encoding, errors="replace").lstrip("\ufeff").splitlines()
    if not lines:
        return []
    try:
        return _split_fields(lines[_find_header(lines, is_header)])[1]
    except FileRejected:
        return []


def read_export(path: Path, is_header: HeaderTest | None = None) -> ReadResult:
    """Read one export file; raise FileRejected with a reason a person understands."""
    data = path.read_bytes()
    if not data.strip():
        raise FileRejected("the file is empty")
    if data.startswith(b"PAR1"):
        frame = pl.read_parquet(io.BytesIO(data))
        return ReadResult(_clean_headers(_to_text_columns(frame)), "parquet", None)
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        fmt = "xlsx" if data.startswith(b"PK") else "xls"
        return _read_workbook(data, fmt, is_header)
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRejected("unsupported format: binary content that is not xlsx, xls or Parquet")
    return read_text(data, is_header)
