"""One platform's orders on one day: baskets, buyers, times, SKUs and prices, what became of
each order (paid, cancelled, refunded, shipped, delivered) and which campaign brought it.

The functions run in the order `platform_day` calls them: each draws from the one random
generator, so their order is part of the demo's output (tests/pipelines/test_demo.py pins it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from pipelines.demo.catalogue import Catalogue
from pipelines.demo.customers import CustomerBase, customer_ids
from pipelines.demo.demand import is_cny_slowdown
from pipelines.demo.marketing import Campaign, ads_row
from pipelines.demo.profile import (
    CARRIERS,
    CN_REGIONS,
    DAYS,
    DEVICES,
    DIMINISHING,
    HOUR_WEIGHTS,
    REFUND_FACTOR,
    US_REGIONS,
)
from pipelines.demo.stock import Inventory


@dataclass
class PlatformDay:
    """Orders (per order) and their lines (per line) of one platform on one day."""

    platform: str
    n_lines: int
    n_orders: int
    order_of_line: np.ndarray  # per line: its order's index
    line_no: np.ndarray  # per line: 0 for the first line of its order
    order_id: np.ndarray
    customer_id: np.ndarray
    local_order: np.ndarray = field(default=None)  # epoch seconds of local time, read as UTC
    utc_order: np.ndarray = field(default=None)
    pay_delay: np.ndarray = field(default=None)  # seconds from order to payment
    sku_idx: np.ndarray = field(default=None)  # per line
    qty: np.ndarray = field(default=None)
    unit_price: np.ndarray = field(default=None)
    gross: np.ndarray = field(default=None)
    discount: np.ndarray = field(default=None)


@dataclass
class Outcome:
    """What became of each order (per order, booleans)."""

    unpaid: np.ndarray
    cancelled_paid: np.ndarray
    refunded: np.ndarray
    partial: np.ndarray

    @property
    def paid_ok(self) -> np.ndarray:
        return ~self.unpaid & ~self.cancelled_paid


@dataclass
class Fulfilment:
    """Where each order goes and how its parcel travels (per order)."""

    region: np.ndarray
    warehouse: np.ndarray  # 0 华东仓, 1 华南仓, 2 the US warehouse
    remote: np.ndarray
    carrier: np.ndarray
    ships: np.ndarray
    ship_utc: np.ndarray
    promised_days: np.ndarray
    delivered_utc: np.ndarray
    delivered: np.ndarray


@dataclass
class Attribution:
    utm_source: np.ndarray
    utm_medium: np.ndarray
    utm_campaign: np.ndarray
    ads_rows: list[dict]


def baskets(
    rng: np.random.Generator, platform: str, n_lines: int, promo: bool, first_seq: int
) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """Order lines grouped into orders of 1-4 lines: (order_of_line, line_no, n_orders, ids)."""
    sizes = 1 + np.minimum(rng.poisson(0.35 if not promo else 0.6, n_lines), 3)
    bounds = np.cumsum(sizes)
    n_orders = int(np.searchsorted(bounds, n_lines) + 1)
    sizes = sizes[:n_orders]
    sizes[-1] -= int(bounds[n_orders - 1] - n_lines)
    order_of_line = np.repeat(np.arange(n_orders), sizes)
    line_no = np.arange(n_lines) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return order_of_line, line_no, n_orders, order_ids(platform, first_seq + np.arange(n_orders))


def order_times(
    rng: np.random.Generator, n_orders: int, event: float, midnight: int, offset: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(local order time, UTC order time, seconds to payment), by the shop's hour curve."""
    hour_w = HOUR_WEIGHTS.copy()
    if event > 3:
        hour_w[0] *= 8  # the midnight rush of a festival
    hour = rng.choice(24, size=n_orders, p=hour_w / hour_w.sum())
    local_order = midnight + hour * 3600 + rng.integers(0, 3600, n_orders)
    pay_delay = np.round(rng.lognormal(4.0, 1.2, n_orders)).astype(np.int64)
    return local_order, local_order - offset, pay_delay


def order_lines(
    rng: np.random.Generator, day_orders: PlatformDay, d: int, cat: Catalogue,
    inventory: Inventory, promo: bool,
) -> None:  # fmt: skip
    """SKUs among the launched, in-stock, carried ones; quantities, prices and discounts."""
    platform, n_lines, n_orders = day_orders.platform, day_orders.n_lines, day_orders.n_orders
    wh_options = [2] if platform == "shopify" else [0, 1]
    weights = cat.popularity * (cat.launch_day <= d) * inventory.available(wh_options)
    if platform == "shopify":
        weights = weights * cat.on_shopify
    sku_idx = rng.choice(len(cat.sku), size=n_lines, p=weights / weights.sum())
    qty = np.where(rng.random(n_lines) < 0.82, 1, rng.integers(2, 5, n_lines))
    promo_price = 0.9 if promo else 1.0
    unit_price = np.round(cat.price[platform][sku_idx] * promo_price, 2)
    gross = qty * unit_price
    disc_rate = np.where(
        rng.random(n_orders) < (0.55 if promo else 0.25),
        rng.uniform(0.03, 0.2, n_orders),
        0,
    )
    day_orders.sku_idx, day_orders.qty, day_orders.unit_price = sku_idx, qty, unit_price
    day_orders.gross = gross
    day_orders.discount = np.round(gross * disc_rate[day_orders.order_of_line], 2)


def outcomes(
    rng: np.random.Generator, platform: str, n_orders: int, event: float, age: int
) -> Outcome:
    """Unpaid, cancelled after payment, refunded, partly refunded (none in the last 2 days)."""
    u = rng.random(n_orders)
    refund_p = 0.045 * REFUND_FACTOR[platform] * (1.4 if event > 3 else 1.0)
    return Outcome(
        unpaid=u < 0.015,
        cancelled_paid=(u >= 0.015) & (u < 0.03),
        refunded=(u >= 0.03) & (u < 0.03 + refund_p) & (age >= 2),
        partial=(u >= 0.03 + refund_p) & (u < 0.03 + refund_p * 2.1) & (age >= 2),
    )


def fulfilment(
    rng: np.random.Generator, day_orders: PlatformDay, outcome: Outcome, day: dt.date,
    event: float, end_epoch: int,
) -> Fulfilment:  # fmt: skip
    """Region, warehouse, carrier, ship, promised and delivery times of each order."""
    platform, n_orders = day_orders.platform, day_orders.n_orders
    if platform == "shopify":
        us_regions = list(US_REGIONS)
        us_region_p = np.array(list(US_REGIONS.values()), dtype=float)
        us_region_p /= us_region_p.sum()
        region = np.array(us_regions)[rng.choice(len(us_regions), n_orders, p=us_region_p)]
        warehouse = np.full(n_orders, 2)
        remote = region == "AK"
    else:
        cn_regions = list(CN_REGIONS)
        cn_region_p = np.array([CN_REGIONS[r][0] for r in cn_regions], dtype=float)
        cn_region_p /= cn_region_p.sum()
        r = rng.choice(len(cn_regions), n_orders, p=cn_region_p)
        region = np.array(cn_regions)[r]
        warehouse = np.array([0 if CN_REGIONS[x][1] == "华东仓" else 1 for x in cn_regions])[r]
        remote = np.array([CN_REGIONS[x][2] for x in cn_regions])[r]
    carrier_names = [c for c, v in CARRIERS.items() if platform in v[0]]
    carrier_w = np.array([CARRIERS[c][1] for c in carrier_names], dtype=float)
    carrier = np.array(carrier_names)[
        rng.choice(len(carrier_names), n_orders, p=carrier_w / carrier_w.sum())
    ]
    refund_before_ship = outcome.refunded & (rng.random(n_orders) < 0.2)
    ships = outcome.paid_ok & ~refund_before_ship
    backlog = 48 if event > 3 else 0
    backlog += 72 if is_cny_slowdown(day) and platform != "shopify" else 0
    ship_utc = (
        day_orders.utc_order
        + day_orders.pay_delay
        + ((rng.lognormal(np.log(16), 0.5, n_orders) + backlog) * 3600).astype(np.int64)
    )
    ships &= ship_utc < end_epoch
    promised_days = np.array([CARRIERS[c][2] for c in carrier]) + remote * 2
    late_p = np.array([CARRIERS[c][3] for c in carrier]) * (1.8 if event > 3 else 1.0)
    late = rng.random(n_orders) < late_p
    transit_days = np.where(
        late,
        promised_days + rng.uniform(0.3, 4, n_orders),
        promised_days * rng.uniform(0.35, 0.98, n_orders),
    )
    delivered_utc = ship_utc + (transit_days * 86400).astype(np.int64)
    delivered = ships & (delivered_utc < end_epoch)
    return Fulfilment(region, warehouse, remote, carrier, ships, ship_utc, promised_days,
                      delivered_utc, delivered)  # fmt: skip


def statuses(outcome: Outcome, sent: Fulfilment, age: int) -> np.ndarray:
    """Each order's status as the back office shows it on the last day."""
    status = np.full(len(outcome.unpaid), "paid", dtype=object)
    status[sent.ships] = "shipped"
    status[sent.delivered] = "delivered"
    status[outcome.partial & outcome.paid_ok] = "partially_refunded"
    status[outcome.refunded & outcome.paid_ok] = "refunded"
    status[outcome.cancelled_paid] = "cancelled"
    status[outcome.unpaid] = np.where(age < 1, "pending", "cancelled")
    return status


def line_refunds(
    rng: np.random.Generator, day_orders: PlatformDay, line_status: np.ndarray
) -> np.ndarray:
    """Refund per line: the whole order, or a share of its first line."""
    net_line = day_orders.gross - day_orders.discount
    refund = np.where(line_status == "refunded", net_line, 0.0)
    part_line = (line_status == "partially_refunded") & (day_orders.line_no == 0)
    n_lines = day_orders.n_lines
    return np.where(part_line, np.round(net_line * rng.uniform(0.2, 0.6, n_lines), 2), refund)


def attribution(
    rng: np.random.Generator, day_orders: PlatformDay, paid_ok: np.ndarray, d: int,
    day: dt.date, campaigns: list[Campaign],
) -> Attribution:  # fmt: skip
    """Last-click utm tags: each running campaign takes orders with diminishing returns on its
    spend (its ads row counts them); a few of the rest come from the newsletter or WeChat."""
    n_orders, platform = day_orders.n_orders, day_orders.platform
    utm_campaign = np.full(n_orders, None, dtype=object)
    utm_source = np.full(n_orders, None, dtype=object)
    utm_medium = np.full(n_orders, None, dtype=object)
    net_line = day_orders.gross - day_orders.discount
    order_value = np.bincount(day_orders.order_of_line, weights=net_line, minlength=n_orders)
    free = rng.permutation(n_orders)
    taken = 0
    ads_rows = []
    for camp in campaigns:
        spend = camp.spend[d]
        if spend <= 0:
            continue
        want = rng.poisson(camp.k * spend**DIMINISHING)
        got = free[taken : taken + want]
        taken += len(got)
        utm_campaign[got] = camp.campaign_id
        utm_source[got] = camp.ad_platform
        utm_medium[got] = "cpc"
        attributed = got[paid_ok[got]]
        ads_rows.append(
            ads_row(rng, day, camp, spend, len(attributed), order_value[attributed].sum())
        )
    organic = free[taken:]
    email = organic[rng.random(len(organic)) < 0.05]
    utm_source[email] = "newsletter" if platform == "shopify" else "wechat"
    utm_medium[email] = "email" if platform == "shopify" else "social"
    utm_campaign[email] = f"crm-{day:%Y%m}"
    return Attribution(utm_source, utm_medium, utm_campaign, ads_rows)


def devices(rng: np.random.Generator, platform: str, n_orders: int) -> np.ndarray:
    device_names = [x for x, _ in DEVICES[platform]]
    device_p = np.array([w for _, w in DEVICES[platform]])
    return np.array(device_names)[rng.choice(len(device_names), n_orders, p=device_p)]


def new_platform_day(
    rng: np.random.Generator, platform: str, n_lines: int, promo: bool, first_seq: int,
    customers: CustomerBase, d: int,
) -> PlatformDay:  # fmt: skip
    """Baskets and buyers: the share of new buyers falls as the shop matures."""
    order_of_line, line_no, n_orders, order_id = baskets(rng, platform, n_lines, promo, first_seq)
    p_new = 0.72 - 0.17 * d / DAYS
    cust = customers.pick(rng, d, n_orders, p_new)
    return PlatformDay(platform, n_lines, n_orders, order_of_line, line_no, order_id,
                       customer_ids(platform, cust))  # fmt: skip


def order_ids(platform: str, seq: np.ndarray) -> np.ndarray:
    """Each platform's own id format; they never collide across platforms."""
    if platform == "tmall":
        return np.char.add("2", np.char.zfill((seq * 7919 + 3_170_000_000_000_000).astype(str), 17))
    if platform == "jd":
        return (seq * 13 + 300_000_000_000).astype(str)
    if platform == "douyin":
        return (seq * 17 + 6_920_000_000_000_000_000).astype(str)
    return np.char.add("#", (seq + 1001).astype(str))
