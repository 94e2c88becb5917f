"""Shipment exports: one outbound parcel per shipped order, a return for goods sent back."""

from __future__ import annotations

import numpy as np

from pipelines.demo.catalogue import Catalogue
from pipelines.demo.orders import Fulfilment, Outcome, PlatformDay
from pipelines.demo.profile import CARRIERS, PLATFORM_CURRENCY, US_WAREHOUSE
from pipelines.demo.writer import ts_text

WAREHOUSES = np.array(["华东仓", "华南仓", US_WAREHOUSE])


def shipments(
    rng: np.random.Generator, day_orders: PlatformDay, outcome: Outcome, sent: Fulfilment,
    cat: Catalogue, first_seq: int, end_epoch: int,
) -> tuple[dict, dict]:  # fmt: skip
    """(outbound rows, return rows): cost by carrier, weight and remoteness."""
    platform, n_orders = day_orders.platform, day_orders.n_orders
    weight = np.bincount(
        day_orders.order_of_line,
        weights=day_orders.qty * cat.weight_kg[day_orders.sku_idx],
        minlength=n_orders,
    )
    base_cost = np.array([CARRIERS[c][4] for c in sent.carrier])
    per_kg = 0.45 if platform == "shopify" else 1.5
    cost = np.round(base_cost + per_kg * weight + sent.remote * 8, 2)
    promised_utc = sent.ship_utc + sent.promised_days * 86400
    currency = PLATFORM_CURRENCY[platform]
    order_id = day_orders.order_id
    idx = np.nonzero(sent.ships)[0]
    outbound = shipment_rows(
        first_seq, order_id[idx], sent.carrier[idx], WAREHOUSES[sent.warehouse[idx]], "outbound",
        sent.ship_utc[idx], promised_utc[idx],
        np.where(sent.delivered[idx], sent.delivered_utc[idx], -1),
        sent.region[idx], weight[idx], cost[idx], currency,
    )  # fmt: skip
    back = sent.delivered & (outcome.refunded | (outcome.partial & (rng.random(n_orders) < 0.4)))
    return_utc = sent.delivered_utc + rng.integers(1, 6, n_orders) * 86400
    back &= return_utc < end_epoch
    ridx = np.nonzero(back)[0]
    returns = shipment_rows(
        first_seq + len(idx), order_id[ridx], sent.carrier[ridx],
        WAREHOUSES[sent.warehouse[ridx]], "return", return_utc[ridx], np.full(len(ridx), -1),
        np.full(len(ridx), -1), sent.region[ridx], weight[ridx], np.round(cost[ridx] * 0.9, 2),
        currency,
    )  # fmt: skip
    return outbound, returns


def shipment_rows(seq0, order_id, carrier, warehouse, direction, ship, promised, delivered,
                   region, weight, cost, currency) -> dict:  # fmt: skip
    n = len(order_id)
    prefix = "SHP" if direction == "outbound" else "RTN"
    return {
        "shipment_id": np.char.add(prefix, (seq0 + np.arange(n) + 10_000_000).astype(str)),
        "order_id": order_id,
        "carrier": carrier,
        "warehouse": warehouse,
        "direction": direction,
        "ship_ts": ts_text(ship, "iso_z"),
        "promised_ts": ts_text(promised, "iso_z"),
        "delivered_ts": ts_text(delivered, "iso_z"),
        "region": region,
        "weight_kg": np.round(weight, 2),
        "cost": cost,
        "currency": currency,
    }
