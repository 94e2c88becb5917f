"""The shop's monthly net revenue targets, the spreadsheet its manager keeps: one row per
month and platform in the platform's currency, plus the whole shop's in CNY (empty
platform). Set from the sales plan, a little above what the shop then sells."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.demo.profile import PLATFORM_CURRENCY, PLATFORMS, TARGET_PER_PLANNED_LINE

USD_CNY_PLAN = 7.2  # the rate the plan is made at, not the day's rate


def write_targets(
    out: Path, start: dt.date, lines_per_day: np.ndarray, avg_price: dict[str, float]
) -> int:
    months = [(start + dt.timedelta(days=d)).replace(day=1) for d in range(len(lines_per_day))]
    plan = (
        pl.DataFrame({"month": months})
        .with_columns(pl.Series(p, lines_per_day[:, i]) for i, p in enumerate(PLATFORMS))
        .group_by("month", maintain_order=True)
        .sum()
    )
    rows = []
    for month in plan.iter_rows(named=True):
        whole_shop = 0.0
        for platform in PLATFORMS:
            target = float(month[platform] * avg_price[platform] * TARGET_PER_PLANNED_LINE)
            step = 100 if PLATFORM_CURRENCY[platform] == "USD" else 1000
            target = max(step, round(target / step) * step)
            rows.append((month["month"], platform, target, PLATFORM_CURRENCY[platform]))
            whole_shop += target * (USD_CNY_PLAN if PLATFORM_CURRENCY[platform] == "USD" else 1)
        rows.append((month["month"], "", round(whole_shop / 1000) * 1000, "CNY"))
    frame = pl.DataFrame(
        rows, schema=["month", "platform", "net_revenue_target", "currency"], orient="row"
    )
    frame.write_csv(out / "targets" / "sales_targets.csv")
    return frame.height
