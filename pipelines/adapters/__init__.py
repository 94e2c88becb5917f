"""Platform export adapters: which format a file is, and how it maps to the canonical one.

One module per platform (taobao.py, shopify.py, google_ads.py, ...) holds its status map,
its converters and its `ADAPTERS`; this registry collects every module's `ADAPTERS`, so a
new platform is a new module. A file is recognised by its header (after any title lines
above it): a file already in the canonical format of design.md first, then the adapter
whose signature columns are all present (the most specific one when several are; a tie
goes to the source first in SOURCES, then to the name first in alphabetical order).
`docs/formats.md` is written from these adapters (`python -m pipelines.adapters.docs`);
"how to add an adapter" is there.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.adapters.base import Adapter, normalise
from pipelines.lib.canonical import SOURCES, SPECS

# modules of this package that hold no adapters (docs.py reads the registry itself)
_NOT_PLATFORMS = {"base", "docs"}


def _registered() -> tuple[Adapter, ...]:
    """Every adapter of every module in this package, by name."""
    found: list[Adapter] = []
    for module in pkgutil.iter_modules(__path__):
        if module.name in _NOT_PLATFORMS:
            continue
        found += getattr(importlib.import_module(f"{__name__}.{module.name}"), "ADAPTERS", ())
    names = [adapter.name for adapter in found]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise RuntimeError(f"adapter names used twice: {', '.join(sorted(duplicates))}")
    return tuple(sorted(found, key=lambda a: (SOURCES.index(a.source), a.name)))


ADAPTERS: tuple[Adapter, ...] = _registered()
BY_NAME = {adapter.name: adapter for adapter in ADAPTERS}


@dataclass(frozen=True)
class Identified:
    source: str
    adapter: Adapter | None  # None: the canonical format itself


def identify(header: Sequence[str]) -> Identified | None:
    names = {normalise(h) for h in header}
    for spec in SPECS.values():
        if set(spec.required_names) <= names:
            return Identified(spec.name, None)
    matches = [a for a in ADAPTERS if not a.missing(header)]
    if not matches:
        return None
    best = max(matches, key=lambda a: len(a.signature))
    return Identified(best.source, best)


def looks_like_header(fields: list[str]) -> bool:
    """For the reader: is this line the header of a format we know?"""
    return identify(fields) is not None


@dataclass(frozen=True)
class Closest:
    title: str
    source: str
    expected: tuple[str, ...]  # the columns that identify it
    missing: tuple[str, ...]  # those the file does not have

    @property
    def present(self) -> int:
        return len(self.expected) - len(self.missing)

    @property
    def is_canonical(self) -> bool:
        return self.title.startswith("the shopkpi canonical")


def closest(header: Sequence[str], source: str | None = None) -> Closest:
    """The known format with most of its identifying columns in the header (ties go to
    a format of the folder the file was dropped in, then to the smaller gap)."""
    names = {normalise(h) for h in header}
    candidates = [
        Closest(
            f"the shopkpi canonical {spec.name} format",
            spec.name,
            tuple(spec.required_names),
            tuple(c for c in spec.required_names if c not in names),
        )
        for spec in SPECS.values()
    ] + [Closest(a.title, a.source, a.signature, tuple(a.missing(header))) for a in ADAPTERS]
    return max(candidates, key=lambda c: (c.present, c.source == source, -len(c.missing)))
