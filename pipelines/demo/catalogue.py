"""The demo shop's catalogue: SKUs, categories, costs, prices per platform, launch days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.demo.profile import CATEGORIES, PRICE_FACTOR, VARIANTS


@dataclass
class Catalogue:
    products: pl.DataFrame
    sku: np.ndarray
    unit_cost: np.ndarray  # CNY
    weight_kg: np.ndarray
    popularity: np.ndarray
    launch_day: np.ndarray  # day index; negative = before the window
    price: dict[str, np.ndarray]  # platform -> price in the platform's currency
    on_shopify: np.ndarray  # bool


def make_catalogue(rng: np.random.Generator, start: dt.date, skus: int | None = None) -> Catalogue:
    """About 300 SKUs (34-41 per category), or `skus` of them spread over the categories."""
    rows = []
    for code, (category, ((lo, hi), nouns, kg)) in enumerate(CATEGORIES.items(), start=1):
        if skus is None:
            count = int(rng.integers(34, 42))
        else:
            count = skus // len(CATEGORIES) + (code <= skus % len(CATEGORIES))
        width = 3 if count < 1000 else 5
        for i in range(count):
            noun = nouns[i % len(nouns)]
            variant = VARIANTS[int(rng.integers(len(VARIANTS)))]
            cost = round(float(np.exp(rng.uniform(np.log(lo), np.log(hi)))), 2)
            launch = (
                int(rng.integers(-400, -30)) if rng.random() < 0.85 else int(rng.integers(30, 600))
            )
            rows.append(
                {
                    "sku": f"SKU-{code:02d}{i + 1:0{width}d}",
                    "product_name": f"{noun} {variant} {i + 1:02d}",
                    "category": category,
                    "unit_cost": cost,
                    "list_price": round(cost * float(rng.uniform(1.8, 3.4)), 0) - 0.1,
                    "weight_kg": round(kg * float(rng.uniform(0.4, 1.8)), 2),
                    "launch": launch,
                }
            )
    n = len(rows)
    popularity = 1.0 / np.arange(1, n + 1) ** 1.05
    rng.shuffle(popularity)
    unit_cost = np.array([r["unit_cost"] for r in rows])
    list_price = np.array([r["list_price"] for r in rows])
    price = {p: np.round(list_price * f, 1) for p, f in PRICE_FACTOR.items()}
    # sold abroad with freight and duty priced in, charm prices
    price["shopify"] = np.floor(list_price / 7.1 * 1.6) + 0.99
    on_shopify = rng.random(n) < 0.4
    products = pl.DataFrame(
        {
            "sku": [r["sku"] for r in rows],
            "product_name": [r["product_name"] for r in rows],
            "category": [r["category"] for r in rows],
            "unit_cost": unit_cost,
            "list_price": list_price,
            "currency": ["CNY"] * n,
            "launch_date": [(start + dt.timedelta(days=r["launch"])).isoformat() for r in rows],
        }
    )
    return Catalogue(
        products=products,
        sku=np.array([r["sku"] for r in rows]),
        unit_cost=unit_cost,
        weight_kg=np.array([r["weight_kg"] for r in rows]),
        popularity=popularity,
        launch_day=np.array([r["launch"] for r in rows]),
        price=price,
        on_shopify=on_shopify,
    )
