"""The demo shop: realistic exports of a shop selling on four platforms.

    python -m pipelines.demo --out DIR [--orders N] [--seed S] [--end YYYY-MM-DD]
                             [--skus N] [--sources orders,logistics,products]

Writes every source of the canonical format into DIR/<source>/, the way a shop's
back offices would hand them over: monthly order files per platform (CSV), the
Chinese platforms' traffic as GBK CSV, inventory snapshots as Parquet, the product
list as an Excel workbook. `--orders` is the number of order lines; the output is the
same for the same arguments, byte for byte.

`--skus` sets the catalogue's size (a real catalogue of thousands of SKUs, most of them
sold a few times a year, instead of about 300), `--sources` which exports are written (a
shop that has only some of them).

The shop sells about 300 SKUs in 8 categories on tmall, jd and douyin (CNY) and on
shopify (USD) over two years: a growing trend, weekly seasonality, 618, Double 11,
Double 12 and Black Friday peaks, a Chinese New Year dip, ad campaigns with
diminishing returns and last-click utm attribution, repeat customers with a decaying
repurchase curve, cancellations, refunds and returns, shipments by several carriers
with some late deliveries, and daily stock with replenishment and stock-outs.

Generation walks day by day and writes as it goes, so memory stays bounded whatever
`--orders` is (10,000,000 order lines work).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipelines.demo import logistics, orders, stock
from pipelines.demo.catalogue import Catalogue, make_catalogue
from pipelines.demo.customers import CustomerBase
from pipelines.demo.demand import allocate_lines, event_multiplier, is_prebuild
from pipelines.demo.marketing import Campaign, campaign_plan
from pipelines.demo.profile import (
    DAYS,
    DEFAULT_END,
    DEFAULT_ORDER_LINES,
    PLATFORM_CURRENCY,
    PLATFORMS,
    SHOP_TZ,
    US_TZ,
)
from pipelines.demo.reference import write_fx, write_products
from pipelines.demo.targets import write_targets
from pipelines.demo.traffic import traffic_rows
from pipelines.demo.writer import Writer, local_epoch, offset_text, ts_text
from pipelines.lib.settings import SOURCES

__all__ = ["DEFAULT_ORDER_LINES", "generate"]


@dataclass
class _Shop:
    """The state the day loop carries: catalogue, stock, customers, id counters, plan."""

    rng: np.random.Generator
    cat: Catalogue
    inventory: stock.Inventory
    campaigns: dict[str, list[Campaign]]
    end_epoch: int  # nothing ships or arrives after the last day
    writer: Writer
    counts: dict[str, int]
    customers: dict[str, CustomerBase] = field(
        default_factory=lambda: {p: CustomerBase(DAYS) for p in PLATFORMS}
    )
    order_seq: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PLATFORMS, 0))
    shipment_seq: int = 0

    def count(self, source: str, rows: int) -> None:
        if source in self.counts:
            self.counts[source] += rows


def generate(
    out: Path,
    order_lines: int,
    seed: int,
    end: dt.date = DEFAULT_END,
    skus: int | None = None,
    sources: tuple[str, ...] = SOURCES,
) -> dict[str, int]:
    """Write the demo shop into out/<source>/ (the sources asked for); row counts per source."""
    rng = np.random.default_rng(seed)
    start = end - dt.timedelta(days=DAYS - 1)
    cat = make_catalogue(rng, start, skus)
    lines_per_day = allocate_lines(rng, start, DAYS, order_lines)
    end_epoch = int(dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), SHOP_TZ).timestamp())
    avg_price = {p: float(np.average(cat.price[p], weights=cat.popularity)) for p in PLATFORMS}
    shop = _Shop(
        rng, cat, stock.Inventory(rng, cat, order_lines / DAYS),
        campaign_plan(lines_per_day, avg_price), end_epoch, Writer(out, sources),
        dict.fromkeys(sources, 0),
    )  # fmt: skip
    for d in range(DAYS):
        _one_day(shop, d, start + dt.timedelta(days=d), lines_per_day[d])
    if "products" in sources:
        shop.counts["products"] = write_products(out, cat)
    if "fx_rates" in sources:
        shop.counts["fx_rates"] = write_fx(out, rng, start, end)
    if "targets" in sources:
        shop.counts["targets"] = write_targets(out, start, lines_per_day, avg_price)
    return shop.counts


def _one_day(shop: _Shop, d: int, day: dt.date, lines: np.ndarray) -> None:
    """Stock arrives, each platform sells, stock leaves; the day's snapshot and ads rows."""
    month = day.strftime("%Y-%m")
    shop.inventory.replenish(d, is_prebuild(day))
    sold = np.zeros_like(shop.inventory.stock)
    ads_rows: list[dict] = []
    for platform, n_lines in zip(PLATFORMS, lines, strict=True):
        ads_rows += _platform_day(shop, d, day, platform, int(n_lines), sold)
    shop.inventory.ship(sold)
    snapshot = stock.snapshot(day, d, shop.cat, shop.inventory)
    shop.writer.add("inventory", f"stock_snapshot_{month}.parquet", snapshot)
    shop.count("inventory", len(snapshot["sku"]))
    for row in ads_rows:
        shop.writer.add(
            "ads", f"{row['ad_platform']}_{month}.csv", {k: [v] for k, v in row.items()}
        )
    shop.count("ads", len(ads_rows))
    if (day + dt.timedelta(days=1)).month != day.month or d == DAYS - 1:
        shop.writer.flush()


def _platform_day(
    shop: _Shop, d: int, day: dt.date, platform: str, n_lines: int, sold: np.ndarray
) -> list[dict]:
    """One platform's orders, shipments and traffic of a day; returns its ads rows."""
    rng, month = shop.rng, day.strftime("%Y-%m")
    event, promo = event_multiplier(day, platform)
    midnight, offset = local_epoch(day, US_TZ if platform == "shopify" else SHOP_TZ)
    if n_lines == 0:
        return []
    sales = orders.new_platform_day(
        rng, platform, n_lines, promo, shop.order_seq[platform], shop.customers[platform], d
    )
    shop.order_seq[platform] += sales.n_orders
    sales.local_order, sales.utc_order, sales.pay_delay = orders.order_times(
        rng, sales.n_orders, event, midnight, offset
    )
    orders.order_lines(rng, sales, d, shop.cat, shop.inventory, promo)
    age = DAYS - 1 - d
    outcome = orders.outcomes(rng, platform, sales.n_orders, event, age)
    sent = orders.fulfilment(rng, sales, outcome, day, event, shop.end_epoch)
    line_status = orders.statuses(outcome, sent, age)[sales.order_of_line]
    refund = orders.line_refunds(rng, sales, line_status)
    tags = orders.attribution(rng, sales, outcome.paid_ok, d, day, shop.campaigns[platform])
    device = orders.devices(rng, platform, sales.n_orders)

    shop.writer.add("orders", f"{platform}_{month}.csv",
                    _order_rows(sales, shop.cat.sku[sales.sku_idx], outcome.unpaid, line_status,
                                refund, tags, sent, device, offset))  # fmt: skip
    shop.count("orders", n_lines)

    # stock leaves the warehouses with paid, not cancelled orders
    leaves = outcome.paid_ok[sales.order_of_line]
    lines_wh = sent.warehouse[sales.order_of_line]
    np.add.at(sold, (sales.sku_idx[leaves], lines_wh[leaves]), sales.qty[leaves])

    outbound, returns = logistics.shipments(
        rng, sales, outcome, sent, shop.cat, shop.shipment_seq, shop.end_epoch
    )
    shipped = len(outbound["order_id"]) + len(returns["order_id"])
    shop.shipment_seq += shipped
    for rows in (outbound, returns):
        shop.writer.add("logistics", f"shipments_{month}.csv", rows)
    shop.count("logistics", shipped)

    # traffic: the platform's own paid-order count, spread over a funnel
    traffic = traffic_rows(rng, day, platform, int(outcome.paid_ok.sum()), event)
    encoding = "gb18030" if platform in ("tmall", "jd") else "utf-8"  # 生意参谋 exports GBK
    shop.writer.add("traffic", f"{platform}_traffic_{day.year}.csv", traffic, encoding)
    shop.count("traffic", len(traffic["date"]))
    return tags.ads_rows


def _order_rows(
    sales: orders.PlatformDay, sku: np.ndarray, unpaid: np.ndarray, line_status: np.ndarray,
    refund: np.ndarray,
    tags: orders.Attribution, sent: orders.Fulfilment, device: np.ndarray, offset: int,
) -> dict:  # fmt: skip
    """The order lines as the canonical export: douyin writes slashed dates, shopify offsets."""
    platform, of_line = sales.platform, sales.order_of_line
    style = "slash" if platform == "douyin" else "space"
    suffix = " " + offset_text(offset) if platform == "shopify" else ""
    paid_local = np.where(unpaid, -1, sales.local_order + sales.pay_delay)
    line_order_id = sales.order_id[of_line]
    return {
        "order_id": line_order_id,
        "line_id": np.char.add(np.char.add(line_order_id, "-"), (sales.line_no + 1).astype(str)),
        "platform": platform,
        "shop_id": f"{platform}-flagship",
        "customer_id": sales.customer_id[of_line],
        "order_ts": ts_text(sales.local_order, style, suffix)[of_line],
        "paid_ts": ts_text(paid_local, style, suffix)[of_line],
        "status": line_status,
        "sku": sku,
        "quantity": sales.qty,
        "unit_price": sales.unit_price,
        "discount": sales.discount,
        "refund_amount": np.round(refund, 2),
        "currency": PLATFORM_CURRENCY[platform],
        "utm_source": tags.utm_source[of_line],
        "utm_medium": tags.utm_medium[of_line],
        "utm_campaign": tags.utm_campaign[of_line],
        "region": sent.region[of_line],
        "device": device[of_line],
    }
