"""The sidebar's shared filters as values a page can use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    platforms: list[str]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Filters:
        """The period of the same length just before this one."""
        end = self.start - dt.timedelta(days=1)
        return Filters(end - dt.timedelta(days=self.days - 1), end, self.platforms)


def current() -> Filters | None:
    chosen = st.session_state.get("date_range")
    if not chosen:
        return None
    start, end = (chosen[0], chosen[-1]) if isinstance(chosen, tuple | list) else (chosen, chosen)
    return Filters(start, end, list(st.session_state.get("platforms") or []))
