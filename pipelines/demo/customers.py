"""Customers per platform: new ones, and returning ones on a decaying repurchase curve."""

from __future__ import annotations

import numpy as np


class CustomerBase:
    """Customers of one platform, kept as counts per first-order day (bounded memory)."""

    def __init__(self, days: int):
        self.count = 0
        self.start = np.zeros(days + 1, dtype=np.int64)  # customers before day d

    def pick(self, rng: np.random.Generator, day: int, n: int, p_new: float) -> np.ndarray:
        ids = np.empty(n, dtype=np.int64)
        returning = rng.random(n) >= p_new
        if self.count == 0:
            returning[:] = False
        # most repeat buyers come back within weeks, a loyal tail over months
        lag = (
            np.where(rng.random(n) < 0.55, rng.exponential(25, n), rng.exponential(160, n)).astype(
                np.int64
            )
            + 1
        )
        target = day - lag
        ok = returning & (target >= 0)
        lo = self.start[np.clip(target, 0, None)]
        hi = self.start[np.clip(target + 1, 0, None)]
        has = ok & (hi > lo)
        ids[has] = lo[has] + (rng.random(has.sum()) * (hi[has] - lo[has])).astype(np.int64)
        fallback = returning & ~has
        ids[fallback] = (rng.random(fallback.sum()) * self.count).astype(np.int64)
        new = ~returning
        ids[new] = self.count + np.arange(new.sum())
        self.count += int(new.sum())
        self.start[day + 1] = self.count
        return ids


def customer_ids(platform: str, idx: np.ndarray) -> np.ndarray:
    if platform == "tmall":
        return np.char.add("tb_", (idx * 37 + 100_000_000).astype(str))
    if platform == "jd":
        return np.char.add("jd_", np.char.zfill((idx * 31 + 5_000_000).astype(str), 10))
    if platform == "douyin":
        return np.char.add("dy", (idx * 53 + 1_000_000_000).astype(str))
    return (idx + 6_100_000_000_000).astype(str)
