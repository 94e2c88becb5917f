"""The shopping calendar: the festivals that move an online shop's demand, in one place for
the forecasts (their regressors) and the demo shop (its peaks and lulls)."""

from __future__ import annotations

import datetime as dt

# Chinese New Year's day (the lunar calendar has no closed form)
CHINESE_NEW_YEAR = {
    2022: dt.date(2022, 2, 1), 2023: dt.date(2023, 1, 22), 2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29), 2026: dt.date(2026, 2, 17), 2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26), 2029: dt.date(2029, 2, 13), 2030: dt.date(2030, 2, 3),
}  # fmt: skip

# festival seasons as (month, day) first and last, both included: 618 and Double 11 with
# their pre-sale weeks, Double 12 with the first half of December
PROMO_618 = ((6, 1), (6, 18))
DOUBLE_11 = ((10, 20), (11, 11))
DOUBLE_12 = ((12, 1), (12, 12))
# the New Year holiday: days before and after Chinese New Year's day, both included
CNY_HOLIDAY = (-10, 7)
# Black Friday to Cyber Monday
BLACK_FRIDAY_DAYS = 4


def chinese_new_year(year: int) -> dt.date:
    """Chinese New Year's day; early February for a year the table does not reach."""
    return CHINESE_NEW_YEAR.get(year, dt.date(year, 2, 1))


def black_friday(year: int) -> dt.date:
    """The fourth Friday of November."""
    nov1 = dt.date(year, 11, 1)
    first_friday = nov1 + dt.timedelta(days=(4 - nov1.weekday()) % 7)
    return first_friday + dt.timedelta(weeks=3)


def month_day(season: tuple[tuple[int, int], tuple[int, int]]) -> tuple[int, int]:
    """A season as month*100+day bounds, to compare with a date's month*100+day."""
    (m1, d1), (m2, d2) = season
    return m1 * 100 + d1, m2 * 100 + d2
