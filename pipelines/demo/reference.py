"""Reference exports: the product list (an Excel workbook) and USD->CNY rates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.demo.catalogue import Catalogue


def write_products(out: Path, cat: Catalogue) -> int:
    import xlsxwriter

    path = out / "products" / "products.xlsx"
    with xlsxwriter.Workbook(path) as workbook:
        # a fixed creation date keeps the workbook's bytes the same for the same seed
        workbook.set_properties({"created": dt.datetime(2026, 1, 1)})
        cat.products.write_excel(workbook, worksheet="商品列表", autofit=False)
    return cat.products.height


def write_fx(out: Path, rng: np.random.Generator, start: dt.date, end: dt.date) -> int:
    """USD->CNY on working days only: a weekend uses Friday's rate."""
    days = [
        start - dt.timedelta(days=7) + dt.timedelta(days=i) for i in range((end - start).days + 8)
    ]
    steps = rng.normal(0, 0.012, len(days))
    rate = 7.18 + np.cumsum(steps) - np.linspace(0, 0.1, len(days))
    frame = pl.DataFrame({"date": days, "currency": "USD", "rate": np.round(rate, 4)}).filter(
        pl.col("date").dt.weekday() <= 5
    )
    frame.write_csv(out / "fx_rates" / "usd_cny.csv")
    return frame.height
