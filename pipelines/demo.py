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

import argparse
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

SHOP_TZ = ZoneInfo("Asia/Shanghai")
US_TZ = ZoneInfo("America/Los_Angeles")
DEFAULT_ORDER_LINES = 60_000
DEFAULT_END = dt.date(2026, 10, 31)
DAYS = 730

CATEGORIES = {
    # category: (unit cost range in CNY, nouns, kg per unit)
    "厨房用品": ((8, 120), ["保温杯", "不粘锅", "砧板", "刀具套装", "保鲜盒", "咖啡壶"], 0.8),
    "家居收纳": ((5, 90), ["收纳箱", "衣架", "置物架", "真空压缩袋", "鞋柜"], 1.2),
    "个护清洁": ((4, 60), ["洗发水", "沐浴露", "牙刷", "洗衣凝珠", "护手霜"], 0.5),
    "数码配件": ((10, 160), ["数据线", "充电器", "蓝牙耳机", "手机壳", "移动电源"], 0.2),
    "母婴用品": ((12, 150), ["奶瓶", "纸尿裤", "婴儿湿巾", "辅食碗", "安抚奶嘴"], 0.7),
    "宠物用品": ((6, 110), ["猫砂", "狗粮", "宠物窝", "逗猫棒", "宠物饮水机"], 1.5),
    "运动户外": ((15, 200), ["瑜伽垫", "跳绳", "登山包", "运动水壶", "护膝"], 0.9),
    "食品饮料": ((3, 50), ["坚果礼盒", "挂耳咖啡", "燕麦片", "花草茶", "牛肉干"], 0.6),
}
VARIANTS = ["黑色", "白色", "灰色", "蓝色", "粉色", "大号", "小号", "标准装", "家庭装", "礼盒装"]

PLATFORMS = ("tmall", "jd", "douyin", "shopify")
PLATFORM_SHARE = np.array([0.40, 0.25, 0.22, 0.13])
PLATFORM_CURRENCY = {"tmall": "CNY", "jd": "CNY", "douyin": "CNY", "shopify": "USD"}
PRICE_FACTOR = {"tmall": 1.0, "jd": 0.98, "douyin": 0.93}
REFUND_FACTOR = {"tmall": 1.0, "jd": 0.8, "douyin": 1.9, "shopify": 0.9}  # live commerce returns
CONVERSION = {"tmall": 0.031, "jd": 0.026, "douyin": 0.018, "shopify": 0.016}

CN_REGIONS = {  # province: (weight, warehouse, remote)
    "广东": (14, "华南仓", False),
    "浙江": (10, "华东仓", False),
    "江苏": (10, "华东仓", False),
    "上海": (7, "华东仓", False),
    "北京": (6, "华东仓", False),
    "山东": (7, "华东仓", False),
    "四川": (6, "华南仓", False),
    "福建": (5, "华南仓", False),
    "湖北": (5, "华南仓", False),
    "河南": (6, "华东仓", False),
    "湖南": (4, "华南仓", False),
    "广西": (3, "华南仓", False),
    "新疆": (1, "华东仓", True),
    "西藏": (0.3, "华南仓", True),
}
US_REGIONS = {"CA": 12, "NY": 8, "TX": 9, "FL": 6, "WA": 4, "IL": 4, "NJ": 3, "MA": 3, "AK": 0.4}
US_WAREHOUSE = "美国海外仓"

CARRIERS = {  # carrier: (platforms, weight, promised days, late probability, base cost)
    "中通快递": (("tmall", "douyin"), 35, 3, 0.10, 5.5),
    "圆通速递": (("tmall", "douyin"), 25, 3, 0.12, 5.0),
    "韵达快递": (("tmall", "douyin"), 20, 3, 0.18, 4.8),
    "顺丰速运": (("tmall", "douyin", "jd"), 20, 2, 0.04, 13.0),
    "京东物流": (("jd",), 90, 1, 0.03, 9.0),
    "UPS": (("shopify",), 40, 4, 0.08, 9.5),
    "USPS": (("shopify",), 35, 5, 0.15, 6.5),
    "FedEx": (("shopify",), 25, 3, 0.07, 11.0),
}

CHANNELS = {  # platform: [(channel, share of orders, conversion factor)]
    "tmall": [("手淘搜索", 0.38, 1.2), ("手淘推荐", 0.18, 0.6), ("直通车", 0.14, 1.0),
              ("万相台", 0.10, 0.9), ("直播", 0.12, 1.4), ("淘内免费其他", 0.08, 0.8)],
    "jd": [("京东搜索", 0.45, 1.2), ("京东推荐", 0.20, 0.7), ("京东快车", 0.20, 1.0),
           ("其他", 0.15, 0.8)],
    "douyin": [("直播间", 0.50, 1.3), ("短视频", 0.22, 0.7), ("商品卡", 0.13, 1.0),
               ("千川", 0.15, 0.9)],
    "shopify": [("Organic Search", 0.30, 1.1), ("Paid Search", 0.22, 1.0),
                ("Paid Social", 0.20, 0.6), ("Email", 0.12, 1.8), ("Direct", 0.16, 1.3)],
}  # fmt: skip
DEVICES = {
    "tmall": [("无线端", 0.88), ("PC端", 0.12)],
    "jd": [("无线端", 0.80), ("PC端", 0.20)],
    "douyin": [("无线端", 1.0)],
    "shopify": [("mobile", 0.68), ("desktop", 0.32)],
}

CAMPAIGNS = [  # (ad_platform, id, name, sells on, share of spend, efficiency, start, end)
    ("alimama", "AM-1001", "直通车-核心词", "tmall", 0.30, 1.25, 0, DAYS),
    ("alimama", "AM-1002", "直通车-长尾词", "tmall", 0.15, 1.05, 0, DAYS),
    ("alimama", "AM-1003", "引力魔方-拉新", "tmall", 0.20, 0.45, 60, DAYS),
    ("alimama", "AM-1004", "万相台-大促爆发", "tmall", 0.25, 0.85, 120, DAYS),
    ("alimama", "AM-1005", "品销宝-品牌专区", "tmall", 0.10, 1.50, 0, 500),
    ("ocean_engine", "OE-2001", "千川-直播间成交", "douyin", 0.45, 1.00, 0, DAYS),
    ("ocean_engine", "OE-2002", "千川-短视频带货", "douyin", 0.30, 0.75, 30, DAYS),
    ("ocean_engine", "OE-2003", "千川-商品卡推广", "douyin", 0.25, 0.60, 200, DAYS),
    ("google_ads", "GA-3001", "Search - Brand", "shopify", 0.25, 1.60, 0, DAYS),
    ("google_ads", "GA-3002", "PMax - All Products", "shopify", 0.35, 0.95, 90, DAYS),
    ("google_ads", "GA-3003", "Shopping - Kitchen", "shopify", 0.15, 0.80, 0, 600),
    ("meta_ads", "MA-4001", "Prospecting - Broad", "shopify", 0.15, 0.50, 0, DAYS),
    ("meta_ads", "MA-4002", "Retargeting - 30d", "shopify", 0.10, 1.30, 150, DAYS),
]
AD_CPC = {"alimama": 1.3, "ocean_engine": 0.9, "google_ads": 0.85, "meta_ads": 0.6}
AD_CTR = {"alimama": 0.028, "ocean_engine": 0.012, "google_ads": 0.045, "meta_ads": 0.011}
AD_CURRENCY = {"alimama": "CNY", "ocean_engine": "CNY", "google_ads": "USD", "meta_ads": "USD"}
ATTRIBUTED_SHARE = 0.30  # orders that arrive through a paid campaign, on an ordinary day
TARGET_ROAS = 3.2
DIMINISHING = 0.6  # attributed orders grow with spend ** 0.6

CHINESE_NEW_YEAR = [dt.date(2024, 2, 10), dt.date(2025, 1, 29), dt.date(2026, 2, 17),
                    dt.date(2027, 2, 6)]  # fmt: skip
HOUR_WEIGHTS = np.array([0.6, 0.3, 0.15, 0.1, 0.1, 0.15, 0.3, 0.6, 1.0, 1.3, 1.4, 1.3,
                         1.2, 1.3, 1.3, 1.2, 1.1, 1.1, 1.2, 1.5, 1.8, 2.0, 1.9, 1.3])  # fmt: skip
WEEKDAY = {  # Monday first
    "cn": np.array([0.96, 0.93, 0.95, 0.98, 1.02, 1.09, 1.10]),
    "us": np.array([1.02, 0.98, 0.97, 0.98, 1.00, 0.99, 1.08]),
}
SOURCES = ("orders", "traffic", "ads", "logistics", "inventory", "products", "fx_rates")


# ------------------------------------------------------------------ calendar


def black_friday(year: int) -> dt.date:
    nov1 = dt.date(year, 11, 1)
    first_friday = nov1 + dt.timedelta(days=(4 - nov1.weekday()) % 7)
    return first_friday + dt.timedelta(weeks=3)


def event_multiplier(day: dt.date, platform: str) -> tuple[float, bool]:
    """(demand multiplier, is a promotion day) of a platform on a local day."""
    y = day.year
    if platform == "shopify":
        bf = black_friday(y)
        if day == bf:
            return 4.0, True
        if day == bf + dt.timedelta(days=3):  # Cyber Monday
            return 3.0, True
        if bf - dt.timedelta(days=6) <= day <= bf + dt.timedelta(days=4):
            return 1.6, True
        if dt.date(y, 12, 1) <= day <= dt.date(y, 12, 20):
            return 1.3, False
        if day in (dt.date(y, 12, 25), dt.date(y, 1, 1)):
            return 0.6, False
        return 1.0, False
    peak_618 = {"jd": 4.5, "tmall": 3.5, "douyin": 3.0}[platform]
    peak_1111 = {"tmall": 6.5, "jd": 4.0, "douyin": 4.5}[platform]
    if day == dt.date(y, 6, 18):
        return peak_618, True
    if dt.date(y, 6, 1) <= day < dt.date(y, 6, 18):
        return 1.35, True
    if day == dt.date(y, 11, 11):
        return peak_1111, True
    if dt.date(y, 10, 20) <= day < dt.date(y, 11, 11):
        return 1.45, True
    if day in (dt.date(y, 11, 12), dt.date(y, 11, 13)):
        return 1.3, False
    if day == dt.date(y, 12, 12):
        return 1.9, True
    for cny in CHINESE_NEW_YEAR:
        offset = (day - cny).days
        if -10 <= offset <= -3:
            return 0.8, False
        if -2 <= offset <= 6:
            return 0.42, False
        if 7 <= offset <= 14:
            return 0.75, False
    return 1.0, False


def is_cny_slowdown(day: dt.date) -> bool:
    return any(-5 <= (day - cny).days <= 7 for cny in CHINESE_NEW_YEAR)


# ------------------------------------------------------------------ the shop


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


# ------------------------------------------------------------------ writers


class Writer:
    """Collects a month of rows per output file and writes them in one go.

    Polars has a fixed cost per call, so rows are kept as numpy columns until the
    month ends; memory stays bounded by one month of the shop.
    """

    def __init__(self, out: Path, sources: tuple[str, ...] = SOURCES):
        self.out = out
        self.sources = set(sources)  # the others are generated (same draws) but not written
        self.started: set[Path] = set()
        self.pending: dict[tuple[str, str, str], list[dict[str, np.ndarray]]] = {}
        for source in sources:
            (out / source).mkdir(parents=True, exist_ok=True)

    def add(self, source: str, name: str, columns: dict, encoding: str = "utf-8") -> None:
        if source not in self.sources:
            return
        n = max(len(v) for v in columns.values() if isinstance(v, np.ndarray | list))
        if n == 0:
            return
        block = {
            k: np.asarray(v) if isinstance(v, np.ndarray | list) else np.full(n, v, dtype=object)
            for k, v in columns.items()
        }
        self.pending.setdefault((source, name, encoding), []).append(block)

    def flush(self) -> None:
        for (source, name, encoding), blocks in self.pending.items():
            frame = pl.DataFrame(
                {k: _series(np.concatenate([b[k] for b in blocks])) for k in blocks[0]}
            )
            path = self.out / source / name
            if name.endswith(".parquet"):
                frame.write_parquet(path, statistics=False)
                continue
            first = path not in self.started
            with path.open("wb" if first else "ab") as fh:
                fh.write(frame.write_csv(include_header=first).encode(encoding))
            self.started.add(path)
        self.pending = {}


def _series(values: np.ndarray) -> pl.Series:
    if values.dtype == object:  # text or numbers with gaps (None)
        return pl.Series(values.tolist(), strict=False)
    if values.dtype.kind == "U":
        return pl.Series(values.tolist(), dtype=pl.String)
    return pl.Series(values)


def ts_text(epoch: np.ndarray, style: str = "space", suffix: np.ndarray | str = "") -> np.ndarray:
    """Epoch seconds (negative = none) to text: 'space', 'slash' or 'iso_z'."""
    text = np.datetime_as_string(np.maximum(epoch, 0).astype("datetime64[s]"))
    if style == "iso_z":
        text = np.char.add(text, "Z")
    else:
        text = np.char.replace(text, "T", " ")
        if style == "slash":
            text = np.char.replace(text, "-", "/")
    if len(suffix) if isinstance(suffix, np.ndarray) else suffix:
        text = np.char.add(text, suffix)
    out = text.astype(object)
    out[epoch < 0] = None
    return out


def local_epoch(day: dt.date, tz: ZoneInfo) -> tuple[int, int]:
    """(epoch seconds of local midnight read as UTC, UTC offset in seconds at noon)."""
    midnight = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
    offset = dt.datetime(day.year, day.month, day.day, 12, tzinfo=tz).utcoffset()
    return midnight, int(offset.total_seconds())


def offset_text(offset: int) -> str:
    sign = "+" if offset >= 0 else "-"
    hours, minutes = divmod(abs(offset) // 60, 60)
    return f"{sign}{hours:02d}{minutes:02d}"


# ------------------------------------------------------------------ the day loop


@dataclass
class Shop:
    rng: np.random.Generator
    start: dt.date
    days: int
    cat: Catalogue
    lines_per_day: np.ndarray  # (days, platforms)


def allocate_lines(rng: np.random.Generator, start: dt.date, days: int, total: int) -> np.ndarray:
    weights = np.zeros((days, len(PLATFORMS)))
    for d in range(days):
        day = start + dt.timedelta(days=d)
        trend = 1 + 0.45 * d / 365
        for p, platform in enumerate(PLATFORMS):
            weekly = WEEKDAY["us" if platform == "shopify" else "cn"][day.weekday()]
            event, _ = event_multiplier(day, platform)
            growth = trend * (1.25 if platform == "douyin" and d > 365 else 1.0)
            weights[d, p] = PLATFORM_SHARE[p] * growth * weekly * event
    weights *= rng.lognormal(0, 0.08, size=weights.shape)
    exact = weights / weights.sum() * total
    lines = np.floor(exact).astype(np.int64)
    remainder = total - lines.sum()
    order = np.argsort(-(exact - lines), axis=None, kind="stable")[:remainder]
    lines.flat[order] += 1
    return lines


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
    writer = Writer(out, sources)
    counts = dict.fromkeys(sources, 0)

    customers = {p: CustomerBase(DAYS) for p in PLATFORMS}
    order_seq = dict.fromkeys(PLATFORMS, 0)
    shipment_seq = 0
    inventory = Inventory(rng, cat, order_lines / DAYS)
    end_epoch = int(dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), SHOP_TZ).timestamp())
    avg_price = {p: float(np.average(cat.price[p], weights=cat.popularity)) for p in PLATFORMS}
    campaigns = _campaign_plan(lines_per_day, avg_price)
    cn_regions = list(CN_REGIONS)
    cn_region_p = np.array([CN_REGIONS[r][0] for r in cn_regions], dtype=float)
    cn_region_p /= cn_region_p.sum()
    us_regions = list(US_REGIONS)
    us_region_p = np.array(list(US_REGIONS.values()), dtype=float)
    us_region_p /= us_region_p.sum()

    for d in range(DAYS):
        day = start + dt.timedelta(days=d)
        month = day.strftime("%Y-%m")
        prebuild = dt.date(day.year, 5, 20) <= day <= dt.date(day.year, 6, 10) or dt.date(
            day.year, 10, 5
        ) <= day <= dt.date(day.year, 11, 5)
        inventory.replenish(d, prebuild)
        sold = np.zeros_like(inventory.stock)
        ads_rows: list[dict] = []

        for p, platform in enumerate(PLATFORMS):
            n_lines = int(lines_per_day[d, p])
            event, promo = event_multiplier(day, platform)
            tz = US_TZ if platform == "shopify" else SHOP_TZ
            midnight, offset = local_epoch(day, tz)
            if n_lines == 0:
                continue
            # ---- orders and their lines
            sizes = 1 + np.minimum(rng.poisson(0.35 if not promo else 0.6, n_lines), 3)
            bounds = np.cumsum(sizes)
            n_orders = int(np.searchsorted(bounds, n_lines) + 1)
            sizes = sizes[:n_orders]
            sizes[-1] -= int(bounds[n_orders - 1] - n_lines)
            order_of_line = np.repeat(np.arange(n_orders), sizes)
            line_no = np.arange(n_lines) - np.repeat(np.cumsum(sizes) - sizes, sizes)

            seq = order_seq[platform] + np.arange(n_orders)
            order_seq[platform] += n_orders
            order_id = _order_ids(platform, seq)
            p_new = 0.72 - 0.17 * d / DAYS
            cust = customers[platform].pick(rng, d, n_orders, p_new)
            customer_id = _customer_ids(platform, cust)

            hour_w = HOUR_WEIGHTS.copy()
            if event > 3:
                hour_w[0] *= 8  # the midnight rush of a festival
            hour = rng.choice(24, size=n_orders, p=hour_w / hour_w.sum())
            local_order = midnight + hour * 3600 + rng.integers(0, 3600, n_orders)
            utc_order = local_order - offset
            pay_delay = np.round(rng.lognormal(4.0, 1.2, n_orders)).astype(np.int64)

            # ---- sku choice among launched, in-stock, carried SKUs
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
            discount = np.round(gross * disc_rate[order_of_line], 2)

            # ---- status: unpaid, cancelled, refunded, partially refunded, fulfilment
            age = DAYS - 1 - d
            u = rng.random(n_orders)
            refund_p = 0.045 * REFUND_FACTOR[platform] * (1.4 if event > 3 else 1.0)
            unpaid = u < 0.015
            cancelled_paid = (u >= 0.015) & (u < 0.03)
            refunded = (u >= 0.03) & (u < 0.03 + refund_p) & (age >= 2)
            partial = (u >= 0.03 + refund_p) & (u < 0.03 + refund_p * 2.1) & (age >= 2)
            paid_ok = ~unpaid & ~cancelled_paid

            # ---- fulfilment: region, warehouse, carrier, timings
            if platform == "shopify":
                region = np.array(us_regions)[rng.choice(len(us_regions), n_orders, p=us_region_p)]
                order_wh = np.full(n_orders, 2)
                remote = region == "AK"
            else:
                r = rng.choice(len(cn_regions), n_orders, p=cn_region_p)
                region = np.array(cn_regions)[r]
                order_wh = np.array([0 if CN_REGIONS[x][1] == "华东仓" else 1 for x in cn_regions])[
                    r
                ]
                remote = np.array([CN_REGIONS[x][2] for x in cn_regions])[r]
            carrier_names = [c for c, v in CARRIERS.items() if platform in v[0]]
            carrier_w = np.array([CARRIERS[c][1] for c in carrier_names], dtype=float)
            carrier = np.array(carrier_names)[
                rng.choice(len(carrier_names), n_orders, p=carrier_w / carrier_w.sum())
            ]
            refund_before_ship = refunded & (rng.random(n_orders) < 0.2)
            ships = paid_ok & ~refund_before_ship
            backlog = 48 if event > 3 else 0
            backlog += 72 if is_cny_slowdown(day) and platform != "shopify" else 0
            ship_utc = (
                utc_order
                + pay_delay
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

            status = np.full(n_orders, "paid", dtype=object)
            status[ships] = "shipped"
            status[delivered] = "delivered"
            status[partial & paid_ok] = "partially_refunded"
            status[refunded & paid_ok] = "refunded"
            status[cancelled_paid] = "cancelled"
            status[unpaid] = np.where(age < 1, "pending", "cancelled")

            # refunds per line: whole order, or a share of its first line
            line_status = status[order_of_line]
            net_line = gross - discount
            refund = np.where(line_status == "refunded", net_line, 0.0)
            part_line = (line_status == "partially_refunded") & (line_no == 0)
            refund = np.where(
                part_line, np.round(net_line * rng.uniform(0.2, 0.6, n_lines), 2), refund
            )

            # ---- attribution: campaigns of this platform take part of the orders
            utm_campaign = np.full(n_orders, None, dtype=object)
            utm_source = np.full(n_orders, None, dtype=object)
            utm_medium = np.full(n_orders, None, dtype=object)
            order_value = np.bincount(order_of_line, weights=net_line, minlength=n_orders)
            free = rng.permutation(n_orders)
            taken = 0
            for camp in campaigns[platform]:
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
                    _ads_row(rng, day, camp, spend, len(attributed), order_value[attributed].sum())
                )
            organic = free[taken:]
            email = organic[rng.random(len(organic)) < 0.05]
            utm_source[email] = "newsletter" if platform == "shopify" else "wechat"
            utm_medium[email] = "email" if platform == "shopify" else "social"
            utm_campaign[email] = f"crm-{day:%Y%m}"

            device_names = [x for x, _ in DEVICES[platform]]
            device_p = np.array([w for _, w in DEVICES[platform]])
            device = np.array(device_names)[rng.choice(len(device_names), n_orders, p=device_p)]

            # ---- write the order lines
            style = "slash" if platform == "douyin" else "space"
            suffix = " " + offset_text(offset) if platform == "shopify" else ""
            paid_local = np.where(unpaid, -1, local_order + pay_delay)
            line_order_id = order_id[order_of_line]
            writer.add(
                "orders",
                f"{platform}_{month}.csv",
                {
                    "order_id": line_order_id,
                    "line_id": np.char.add(
                        np.char.add(line_order_id, "-"), (line_no + 1).astype(str)
                    ),
                    "platform": platform,
                    "shop_id": f"{platform}-flagship",
                    "customer_id": customer_id[order_of_line],
                    "order_ts": ts_text(local_order, style, suffix)[order_of_line],
                    "paid_ts": ts_text(paid_local, style, suffix)[order_of_line],
                    "status": line_status,
                    "sku": cat.sku[sku_idx],
                    "quantity": qty,
                    "unit_price": unit_price,
                    "discount": discount,
                    "refund_amount": np.round(refund, 2),
                    "currency": PLATFORM_CURRENCY[platform],
                    "utm_source": utm_source[order_of_line],
                    "utm_medium": utm_medium[order_of_line],
                    "utm_campaign": utm_campaign[order_of_line],
                    "region": region[order_of_line],
                    "device": device[order_of_line],
                },
            )
            if "orders" in counts:
                counts["orders"] += n_lines

            # ---- stock leaves the warehouses with paid, not cancelled orders
            leaves = paid_ok[order_of_line]
            np.add.at(sold, (sku_idx[leaves], order_wh[order_of_line][leaves]), qty[leaves])

            # ---- shipments: outbound, and returns for refunded goods that travelled
            weight = np.bincount(
                order_of_line, weights=qty * cat.weight_kg[sku_idx], minlength=n_orders
            )
            base_cost = np.array([CARRIERS[c][4] for c in carrier])
            per_kg = 0.45 if platform == "shopify" else 1.5
            cost = np.round(base_cost + per_kg * weight + remote * 8, 2)
            promised_utc = ship_utc + promised_days * 86400
            idx = np.nonzero(ships)[0]
            ship_rows = _shipment_rows(
                shipment_seq, order_id[idx], carrier[idx],
                np.array(["华东仓", "华南仓", US_WAREHOUSE])[order_wh[idx]], "outbound",
                ship_utc[idx], promised_utc[idx], np.where(delivered[idx], delivered_utc[idx], -1),
                region[idx], weight[idx], cost[idx], PLATFORM_CURRENCY[platform],
            )  # fmt: skip
            shipment_seq += len(idx)
            back = delivered & (refunded | (partial & (rng.random(n_orders) < 0.4)))
            return_utc = delivered_utc + rng.integers(1, 6, n_orders) * 86400
            back &= return_utc < end_epoch
            ridx = np.nonzero(back)[0]
            return_rows = _shipment_rows(
                shipment_seq, order_id[ridx], carrier[ridx],
                np.array(["华东仓", "华南仓", US_WAREHOUSE])[order_wh[ridx]], "return",
                return_utc[ridx], np.full(len(ridx), -1), np.full(len(ridx), -1),
                region[ridx], weight[ridx], np.round(cost[ridx] * 0.9, 2), PLATFORM_CURRENCY[platform],
            )  # fmt: skip
            shipment_seq += len(ridx)
            for rows in (ship_rows, return_rows):
                writer.add("logistics", f"shipments_{month}.csv", rows)
            if "logistics" in counts:
                counts["logistics"] += len(idx) + len(ridx)

            # ---- traffic: the platform's own paid-order count, spread over a funnel
            reported = int(paid_ok.sum())
            traffic = _traffic_rows(rng, day, platform, reported, event)
            encoding = "gb18030" if platform in ("tmall", "jd") else "utf-8"  # 生意参谋 exports GBK
            writer.add("traffic", f"{platform}_traffic_{day.year}.csv", traffic, encoding)
            if "traffic" in counts:
                counts["traffic"] += len(traffic["date"])

        inventory.ship(sold)
        snapshot = _inventory_snapshot(day, d, cat, inventory)
        writer.add("inventory", f"stock_snapshot_{month}.parquet", snapshot)
        if "inventory" in counts:
            counts["inventory"] += len(snapshot["sku"])
        for row in ads_rows:
            writer.add("ads", f"{row['ad_platform']}_{month}.csv", {k: [v] for k, v in row.items()})
        if "ads" in counts:
            counts["ads"] += len(ads_rows)
        if (day + dt.timedelta(days=1)).month != day.month or d == DAYS - 1:
            writer.flush()

    if "products" in sources:
        counts["products"] = _write_products(out, cat)
    if "fx_rates" in sources:
        counts["fx_rates"] = _write_fx(out, rng, start, end)
    return counts


# ------------------------------------------------------------------ pieces


def _order_ids(platform: str, seq: np.ndarray) -> np.ndarray:
    """Each platform's own id format; they never collide across platforms."""
    if platform == "tmall":
        return np.char.add("2", np.char.zfill((seq * 7919 + 3_170_000_000_000_000).astype(str), 17))
    if platform == "jd":
        return (seq * 13 + 300_000_000_000).astype(str)
    if platform == "douyin":
        return (seq * 17 + 6_920_000_000_000_000_000).astype(str)
    return np.char.add("#", (seq + 1001).astype(str))


def _customer_ids(platform: str, idx: np.ndarray) -> np.ndarray:
    if platform == "tmall":
        return np.char.add("tb_", (idx * 37 + 100_000_000).astype(str))
    if platform == "jd":
        return np.char.add("jd_", np.char.zfill((idx * 31 + 5_000_000).astype(str), 10))
    if platform == "douyin":
        return np.char.add("dy", (idx * 53 + 1_000_000_000).astype(str))
    return (idx + 6_100_000_000_000).astype(str)


@dataclass
class Campaign:
    ad_platform: str
    campaign_id: str
    campaign_name: str
    platform: str
    spend: np.ndarray  # per day, in the ad account's currency
    k: float  # attributed orders per spend ** DIMINISHING


def _campaign_plan(
    lines_per_day: np.ndarray, avg_price: dict[str, float]
) -> dict[str, list[Campaign]]:
    """Daily budgets that follow demand (pushed harder on peaks) and their efficiency."""
    plan: dict[str, list[Campaign]] = {p: [] for p in PLATFORMS}
    rng = np.random.default_rng(7)  # budgets are a plan, not part of the order stream
    for ad_platform, cid, name, platform, share, eff, start, stop in CAMPAIGNS:
        p = PLATFORMS.index(platform)
        orders = lines_per_day[:, p] / 1.4
        typical = max(float(np.median(orders)), 1.0)
        base_orders = typical * ATTRIBUTED_SHARE * share
        base_spend = base_orders * avg_price[platform] / TARGET_ROAS
        demand = orders / typical
        spend = base_spend * demand**0.8 * rng.lognormal(0, 0.15, len(orders))
        spend[: max(start, 0)] = 0
        spend[stop:] = 0
        spend[rng.random(len(orders)) < 0.03] = 0  # paused for a day
        spend = np.round(spend, 2)
        k = eff * base_orders / base_spend**DIMINISHING
        plan[platform].append(Campaign(ad_platform, cid, name, platform, spend, k))
    return plan


def _ads_row(rng, day, camp: Campaign, spend: float, orders: int, value: float) -> dict:
    clicks = max(int(spend / AD_CPC[camp.ad_platform] * rng.lognormal(0, 0.1)), 0)
    impressions = int(clicks / AD_CTR[camp.ad_platform] * rng.lognormal(0, 0.1))
    # platforms claim more than last click gives them (view-through, multi-touch)
    claim = rng.uniform(1.1, 1.5)
    return {
        "date": day.isoformat(),
        "ad_platform": camp.ad_platform,
        "account_id": f"{camp.ad_platform}-main",
        "campaign_id": camp.campaign_id,
        "campaign_name": camp.campaign_name,
        "spend": spend,
        "currency": AD_CURRENCY[camp.ad_platform],
        "impressions": impressions,
        "clicks": clicks,
        "conversions": round(orders * claim, 1),
        "conversion_value": round(value * claim, 2),
    }


def _shipment_rows(seq0, order_id, carrier, warehouse, direction, ship, promised, delivered,
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


TRAFFIC_COLUMNS = ("date", "platform", "channel", "device", "sessions", "visitors", "page_views",
                   "product_views", "add_to_cart", "checkouts", "orders")  # fmt: skip


def _traffic_rows(rng, day: dt.date, platform: str, orders: int, event: float) -> dict:
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


def _inventory_snapshot(day: dt.date, d: int, cat: Catalogue, inv: Inventory) -> dict:
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


def _write_products(out: Path, cat: Catalogue) -> int:
    import xlsxwriter

    path = out / "products" / "products.xlsx"
    with xlsxwriter.Workbook(path) as workbook:
        # a fixed creation date keeps the workbook's bytes the same for the same seed
        workbook.set_properties({"created": dt.datetime(2026, 1, 1)})
        cat.products.write_excel(workbook, worksheet="商品列表", autofit=False)
    return cat.products.height


def _write_fx(out: Path, rng: np.random.Generator, start: dt.date, end: dt.date) -> int:
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.demo", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="folder to write <source>/ folders into"
    )
    parser.add_argument(
        "--orders", type=int, default=DEFAULT_ORDER_LINES, help="order lines to generate"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--end", type=dt.date.fromisoformat, default=DEFAULT_END, help="last day")
    parser.add_argument("--skus", type=int, default=None, help="SKUs in the catalogue (~300)")
    parser.add_argument(
        "--sources",
        type=lambda text: tuple(s.strip() for s in text.split(",") if s.strip()),
        default=SOURCES,
        help=f"comma-separated exports to write (default all: {','.join(SOURCES)})",
    )
    args = parser.parse_args(argv)
    unknown = set(args.sources) - set(SOURCES)
    if unknown:
        parser.error(f"unknown source(s) {', '.join(sorted(unknown))}; known: {', '.join(SOURCES)}")
    counts = generate(args.out, args.orders, args.seed, args.end, args.skus, args.sources)
    print("demo shop written to", args.out, counts)


if __name__ == "__main__":
    main()
