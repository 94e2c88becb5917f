"""Writing the exports: a month of rows per file at a time, and the text forms of times."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from pipelines.lib.settings import SOURCES


class Writer:
    """Collects a month of rows per output file and writes them in one go.

    Polars has a fixed cost per call, so rows are kept as numpy columns until the
    month ends; memory stays bounded by one month of the shop.
    """

    def __init__(self, out: Path, sources: tuple[str, ...] = SOURCES):
        self.out = out
        self.sources = set(sources)  # the others are generated (same draws) but not written
        self.started: set[Path] = set()
        self.pending: dict[tuple[str, str, str], list[dict[str, np.ndarray]]] = {}
        for source in sources:
            (out / source).mkdir(parents=True, exist_ok=True)

    def add(self, source: str, name: str, columns: dict, encoding: str = "utf-8") -> None:
        if source not in self.sources:
            return
        n = max(len(v) for v in columns.values() if isinstance(v, np.ndarray | list))
        if n == 0:
            return
        block = {
            k: np.asarray(v) if isinstance(v, np.ndarray | list) else np.full(n, v, dtype=object)
            for k, v in columns.items()
        }
        self.pending.setdefault((source, name, encoding), []).append(block)

    def flush(self) -> None:
        for (source, name, encoding), blocks in self.pending.items():
            frame = pl.DataFrame(
                {k: _series(np.concatenate([b[k] for b in blocks])) for k in blocks[0]}
            )
            path = self.out / source / name
            if name.endswith(".parquet"):
                frame.write_parquet(path, statistics=False)
                continue
            first = path not in self.started
            with path.open("wb" if first else "ab") as fh:
                fh.write(frame.write_csv(include_header=first).encode(encoding))
            self.started.add(path)
        self.pending = {}


def _series(values: np.ndarray) -> pl.Series:
    if values.dtype == object:  # text or numbers with gaps (None)
        return pl.Series(values.tolist(), strict=False)
    if values.dtype.kind == "U":
        return pl.Series(values.tolist(), dtype=pl.String)
    return pl.Series(values)


def ts_text(epoch: np.ndarray, style: str = "space", suffix: np.ndarray | str = "") -> np.ndarray:
    """Epoch seconds (negative = none) to text: 'space', 'slash' or 'iso_z'."""
    text = np.datetime_as_string(np.maximum(epoch, 0).astype("datetime64[s]"))
    if style == "iso_z":
        text = np.char.add(text, "Z")
    else:
        text = np.char.replace(text, "T", " ")
        if style == "slash":
            text = np.char.replace(text, "-", "/")
    if len(suffix) if isinstance(suffix, np.ndarray) else suffix:
        text = np.char.add(text, suffix)
    out = text.astype(object)
    out[epoch < 0] = None
    return out


def local_epoch(day: dt.date, tz: ZoneInfo) -> tuple[int, int]:
    """(epoch seconds of local midnight read as UTC, UTC offset in seconds at noon)."""
    midnight = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
    offset = dt.datetime(day.year, day.month, day.day, 12, tzinfo=tz).utcoffset()
    return midnight, int(offset.total_seconds())


def offset_text(offset: int) -> str:
    sign = "+" if offset >= 0 else "-"
    hours, minutes = divmod(abs(offset) // 60, 60)
    return f"{sign}{hours:02d}{minutes:02d}"
