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

    def last_year(self) -> Filters:
        """The same dates a year earlier (29 February becomes the 28th)."""

        def shift(day: dt.date) -> dt.date:
            try:
                return day.replace(year=day.year - 1)
            except ValueError:
                return day.replace(year=day.year - 1, day=28)

        return Filters(shift(self.start), shift(self.end), self.platforms)

    def months(self) -> tuple[dt.date, dt.date]:
        """First days of the first and last month the period touches (monthly marts)."""
        return self.start.replace(day=1), self.end.replace(day=1)


def current() -> Filters | None:
    chosen = st.session_state.get("date_range")
    if not chosen:
        return None
    start, end = (chosen[0], chosen[-1]) if isinstance(chosen, tuple | list) else (chosen, chosen)
    return Filters(start, end, list(st.session_state.get("platforms") or []))
