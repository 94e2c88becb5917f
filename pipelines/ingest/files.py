"""Files in the inbox: which wait to load, their digest, a free name where they go."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipelines.lib.settings import Settings

# files still being written by a browser or a copy job
PARTIAL_SUFFIXES = (".crdownload", ".part", ".partial", ".tmp", ".download")


def pending_files(settings: Settings, source: str | None) -> list[Path]:
    """Files waiting in inbox/<source>/ (or inbox/ itself for None), oldest first: a
    later re-export must win."""
    folder = settings.inbox_for(source) if source else settings.inbox
    if not folder.is_dir():
        return []
    files = [
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith((".", "~$")) and p.suffix not in PARTIAL_SUFFIXES
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def free_name(folder: Path, name: str, sha: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / Path(name).name  # never a path from outside the folder
    if target.exists():
        target = folder / f"{target.stem}.{sha[:8]}{target.suffix}"
    return target
