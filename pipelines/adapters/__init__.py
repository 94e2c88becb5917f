"""Platform export adapters: which format a file is, and how it maps to the canonical one.

A file is recognised by its header (after any title lines above it): a file already in
the canonical format of design.md first, then the adapter whose signature columns are
all present (the most specific one when several are). `docs/formats.md` is written from
these adapters (`python -m pipelines.adapters.docs`); "how to add an adapter" is there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.adapters import ads, catalog, orders, pinduoduo, traffic
from pipelines.adapters.base import Adapter, normalise
from pipelines.lib.canonical import SPECS

ADAPTERS: tuple[Adapter, ...] = (
    *orders.ADAPTERS,
    *pinduoduo.ADAPTERS,
    *catalog.ADAPTERS,
    *ads.ADAPTERS,
    *traffic.ADAPTERS,
)
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
