"""Stock per SKU and warehouse: replenishment, stock-outs, and the daily snapshot export."""

from __future__ import annotations

import datetime as dt

import numpy as np

from pipelines.demo.catalogue import Catalogue
from pipelines.demo.profile import US_WAREHOUSE


class Inventory:
    """Stock per sku and warehouse with a reorder-point policy, supplier delays included."""

    def __init__(self, rng: np.random.Generator, cat: Catalogue, daily_lines: float):
        self.rng = rng
        self.warehouses = ["华东仓", "华南仓", US_WAREHOUSE]
        n = len(cat.sku)
        share = cat.popularity / cat.popularity.sum()
        # expected units per day and warehouse; refined by a moving average of real sales
        cn = share * daily_lines * 0.87 * 1.25 / 2
        us = (
            np.where(cat.on_shopify, share / share[cat.on_shopify].sum(), 0)
            * daily_lines
            * 0.13
            * 1.25
        )
        self.demand = np.stack([cn, cn, us], axis=1) + 1e-3
        self.carried = np.stack([np.ones(n, bool), np.ones(n, bool), cat.on_shopify], axis=1)
        self.lead_days = rng.integers(5, 15, size=n)
        # a few SKUs are managed tightly and run out now and then
        self.cover = np.where(rng.random(n) < 0.15, 0.8, 1.6)
        self.stock = np.ceil(self.demand * (self.lead_days[:, None] + 20)).astype(np.int64)
        self.stock[~self.carried] = 0
        self.inbound: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
        self.on_order = np.zeros_like(self.stock)

    def available(self, warehouses: list[int]) -> np.ndarray:
        return (self.stock[:, warehouses] > 0).any(axis=1)

    def ship(self, sold: np.ndarray) -> None:
        """Take a day's units per (sku, warehouse); a CN warehouse short of stock borrows."""
        self.stock -= sold
        for wh, other in ((0, 1), (1, 0)):
            short = self.stock[:, wh] < 0
            self.stock[short, other] += self.stock[short, wh]
            self.stock[short, wh] = 0
        np.maximum(self.stock, 0, out=self.stock)
        self.demand = 0.93 * self.demand + 0.07 * sold

    def replenish(self, day: int, prebuild: bool) -> None:
        arrived = self.inbound.pop(day, [])
        for sku_idx, wh_idx, qty in arrived:
            self.stock[sku_idx, wh_idx] += qty
            self.on_order[sku_idx, wh_idx] -= qty
        boost = 2.2 if prebuild else 1.0
        reorder_point = self.demand * (self.lead_days[:, None] + 3) * self.cover[:, None]
        position = self.stock + self.on_order
        need = self.carried & (position < reorder_point * boost)
        if not need.any():
            return
        sku_idx, wh_idx = np.nonzero(need)
        target = self.demand[sku_idx, wh_idx] * (self.lead_days[sku_idx] + 25) * boost
        qty = np.maximum(np.ceil(target - position[sku_idx, wh_idx]), 10).astype(np.int64)
        delay = self.lead_days[sku_idx] + np.where(
            self.rng.random(len(sku_idx)) < 0.08, self.rng.integers(7, 21, len(sku_idx)), 0
        )
        self.on_order[sku_idx, wh_idx] += qty
        for d in np.unique(delay):
            pick = delay == d
            self.inbound.setdefault(day + int(d), []).append(
                (sku_idx[pick], wh_idx[pick], qty[pick])
            )


def snapshot(day: dt.date, d: int, cat: Catalogue, inv: Inventory) -> dict:
    sku_idx, wh_idx = np.nonzero(inv.carried)
    launched = cat.launch_day[sku_idx] <= d
    sku_idx, wh_idx = sku_idx[launched], wh_idx[launched]
    # the overseas warehouse values stock at landed cost (freight and duty in)
    landed = np.round(cat.unit_cost[sku_idx] * 1.35, 2).astype(object)
    landed[wh_idx != 2] = None
    return {
        "snapshot_date": np.full(len(sku_idx), np.datetime64(day, "D")),
        "sku": cat.sku[sku_idx],
        "warehouse": np.array(inv.warehouses)[wh_idx],
        "on_hand_qty": inv.stock[sku_idx, wh_idx],
        "unit_cost": landed,
    }
