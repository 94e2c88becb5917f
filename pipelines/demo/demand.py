"""How much the demo shop sells on a day: festivals (the shared calendar), weekdays, trend."""

from __future__ import annotations

import datetime as dt

import numpy as np

from pipelines.demo.profile import PLATFORM_SHARE, PLATFORMS, WEEKDAY
from pipelines.lib.festivals import (
    CHINESE_NEW_YEAR,
    DOUBLE_11,
    DOUBLE_12,
    PROMO_618,
    black_friday,
)


def _on(day: dt.date, month_day: tuple[int, int]) -> bool:
    return (day.month, day.day) == month_day


def _between(day: dt.date, first: tuple[int, int], before: tuple[int, int]) -> bool:
    """first <= day < before, within the day's year."""
    return dt.date(day.year, *first) <= day < dt.date(day.year, *before)


def event_multiplier(day: dt.date, platform: str) -> tuple[float, bool]:
    """(demand multiplier, is a promotion day) of a platform on a local day."""
    y = day.year
    if platform == "shopify":
        bf = black_friday(y)
        if day == bf:
            return 4.0, True
        if day == bf + dt.timedelta(days=3):  # Cyber Monday
            return 3.0, True
        if bf - dt.timedelta(days=6) <= day <= bf + dt.timedelta(days=4):
            return 1.6, True
        if dt.date(y, 12, 1) <= day <= dt.date(y, 12, 20):
            return 1.3, False
        if day in (dt.date(y, 12, 25), dt.date(y, 1, 1)):
            return 0.6, False
        return 1.0, False
    peak_618 = {"jd": 4.5, "tmall": 3.5, "douyin": 3.0}[platform]
    peak_1111 = {"tmall": 6.5, "jd": 4.0, "douyin": 4.5}[platform]
    if _on(day, PROMO_618[1]):
        return peak_618, True
    if _between(day, PROMO_618[0], PROMO_618[1]):  # the pre-sale weeks
        return 1.35, True
    if _on(day, DOUBLE_11[1]):
        return peak_1111, True
    if _between(day, DOUBLE_11[0], DOUBLE_11[1]):
        return 1.45, True
    if day in (dt.date(y, 11, 12), dt.date(y, 11, 13)):
        return 1.3, False
    if _on(day, DOUBLE_12[1]):
        return 1.9, True
    for cny in CHINESE_NEW_YEAR.values():
        offset = (day - cny).days
        if -10 <= offset <= -3:
            return 0.8, False
        if -2 <= offset <= 6:
            return 0.42, False
        if 7 <= offset <= 14:
            return 0.75, False
    return 1.0, False


def is_cny_slowdown(day: dt.date) -> bool:
    """Warehouses and carriers slow down around the New Year."""
    return any(-5 <= (day - cny).days <= 7 for cny in CHINESE_NEW_YEAR.values())


def is_prebuild(day: dt.date) -> bool:
    """Weeks before 618 and Double 11 when the shop stocks up."""
    return dt.date(day.year, 5, 20) <= day <= dt.date(day.year, 6, 10) or (
        dt.date(day.year, 10, 5) <= day <= dt.date(day.year, 11, 5)
    )


def allocate_lines(rng: np.random.Generator, start: dt.date, days: int, total: int) -> np.ndarray:
    """Order lines per (day, platform), summing to `total` exactly."""
    weights = np.zeros((days, len(PLATFORMS)))
    for d in range(days):
        day = start + dt.timedelta(days=d)
        trend = 1 + 0.45 * d / 365
        for p, platform in enumerate(PLATFORMS):
            weekly = WEEKDAY["us" if platform == "shopify" else "cn"][day.weekday()]
            event, _ = event_multiplier(day, platform)
            growth = trend * (1.25 if platform == "douyin" and d > 365 else 1.0)
            weights[d, p] = PLATFORM_SHARE[p] * growth * weekly * event
    weights *= rng.lognormal(0, 0.08, size=weights.shape)
    exact = weights / weights.sum() * total
    lines = np.floor(exact).astype(np.int64)
    remainder = total - lines.sum()
    order = np.argsort(-(exact - lines), axis=None, kind="stable")[:remainder]
    lines.flat[order] += 1
    return lines
