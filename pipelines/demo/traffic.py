"""Traffic exports: each platform's funnel by channel and device, around its paid orders."""

from __future__ import annotations

import datetime as dt

import numpy as np

from pipelines.demo.profile import CHANNELS, CONVERSION, DEVICES

TRAFFIC_COLUMNS = ("date", "platform", "channel", "device", "sessions", "visitors", "page_views",
                   "product_views", "add_to_cart", "checkouts", "orders")  # fmt: skip


def traffic_rows(rng, day: dt.date, platform: str, orders: int, event: float) -> dict:
    rows = []
    channels = CHANNELS[platform]
    ch_share = np.array([s for _, s, _ in channels])
    dev = DEVICES[platform]
    split = rng.multinomial(orders, ch_share)
    for (channel, _, conv), ch_orders in zip(channels, split, strict=True):
        dev_split = rng.multinomial(ch_orders, [w for _, w in dev])
        for (device, _), n in zip(dev, dev_split, strict=True):
            desktop = 0.7 if device in ("PC端", "desktop") else 1.0
            rate = CONVERSION[platform] * conv * (1.3 if event > 3 else 1.0) * desktop
            sessions = int(max(n, 1) / rate * rng.lognormal(0, 0.12))
            product_views = int(sessions * rng.uniform(0.55, 0.75))
            add_to_cart = int(product_views * rng.uniform(0.08, 0.16))
            checkouts = max(int(add_to_cart * rng.uniform(0.35, 0.55)), n)
            add_to_cart = max(add_to_cart, checkouts)
            visitors = int(sessions * rng.uniform(0.68, 0.8))
            page_views = int(sessions * rng.uniform(2.8, 4.2))
            rows.append((day.isoformat(), platform, channel, device, sessions, visitors,
                         page_views, product_views, add_to_cart, checkouts, int(n)))  # fmt: skip
    return {name: [r[i] for r in rows] for i, name in enumerate(TRAFFIC_COLUMNS)}
