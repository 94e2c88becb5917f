"""The canonical ("shopkpi") export format of design.md, as data.

One `Column` per canonical column: its kind decides how the text is parsed and what
DuckDB type `raw.<source>` stores it as. Natural keys decide which row a re-export
replaces.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ORDER_STATUSES = (
    "pending",
    "paid",
    "shipped",
    "delivered",
    "cancelled",
    "refunded",
    "partially_refunded",
)
SHIPMENT_DIRECTIONS = ("outbound", "return")

# kind -> DuckDB column type in raw.*; money is DECIMAL so sums are exact and repeatable
DUCKDB_TYPES = {
    "text": "VARCHAR",
    "code": "VARCHAR",
    "currency": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "money": "DECIMAL(18, 4)",
    "timestamp": "TIMESTAMP",  # UTC, naive
    "date": "DATE",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = True  # the column must be in the file
    nullable: bool = False  # a row may leave it empty
    default: float | None = None  # value used for an empty cell
    allowed: tuple[str, ...] = ()  # for kind "code"
    min_value: float | None = None  # for numeric kinds
    positive: bool = False  # strictly greater than zero
    # a timestamp written as a bare date means the end of that local day (a promised
    # delivery "by 2025-03-05" is kept by a parcel delivered that afternoon)
    date_means_end_of_day: bool = False


def opt(name: str, kind: str, **kw) -> Column:
    """An (opt) column of design.md: may be absent from the file or empty in a row."""
    return Column(name, kind, required=False, nullable=True, **kw)


@dataclass(frozen=True)
class SourceSpec:
    name: str
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]
    # key parts that may be empty are compared as equal when both are empty
    description: str = ""
    key_fallbacks: dict[str, str] = field(default_factory=dict)
    # what the shop sees once this export arrives, said to the analyst while it is missing
    title_zh: str = ""
    unlocks: dict[str, str] = field(default_factory=dict)
    # the column that dates the data (freshness); None: the source has no business day
    business_day: str | None = None
    # some shops never need it (fx_rates: a shop selling only in its reporting currency)
    often_absent: bool = False

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_names(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


SPECS: dict[str, SourceSpec] = {
    spec.name: spec
    for spec in (
        SourceSpec(
            "orders",
            (
                Column("order_id", "text"),
                opt("line_id", "text"),
                Column("platform", "text"),
                opt("shop_id", "text"),
                Column("customer_id", "text"),
                Column("order_ts", "timestamp"),
                opt("paid_ts", "timestamp"),
                Column("status", "code", allowed=ORDER_STATUSES),
                Column("sku", "text"),
                Column("quantity", "int", min_value=0),
                Column("unit_price", "money", min_value=0),
                Column("discount", "money", min_value=0, nullable=True, default=0.0),
                opt("refund_amount", "money", min_value=0, default=0.0),
                Column("currency", "currency"),
                opt("utm_source", "text"),
                opt("utm_medium", "text"),
                opt("utm_campaign", "text"),
                opt("region", "text"),
                opt("device", "text"),
            ),
            natural_key=("platform", "order_id", "line_id"),
            business_day="paid_ts",
            # an order line without line_id is identified by its sku
            key_fallbacks={"line_id": "sku"},
            description="one row per order line",
            title_zh="订单",
            unlocks={
                "en": "sales, orders and AOV, customers and repurchase, campaign attribution and the forecasts",
                "zh": "销售额、订单与客单价、用户与复购、广告归因和销售预测",
            },
        ),
        SourceSpec(
            "traffic",
            (
                Column("date", "date"),
                Column("platform", "text"),
                Column("channel", "text"),
                opt("device", "text"),
                Column("sessions", "int", min_value=0),
                opt("visitors", "int", min_value=0),
                opt("page_views", "int", min_value=0),
                opt("product_views", "int", min_value=0),
                opt("add_to_cart", "int", min_value=0),
                opt("checkouts", "int", min_value=0),
                opt("orders", "int", min_value=0),
            ),
            natural_key=("date", "platform", "channel", "device"),
            business_day="date",
            description="one row per day, platform, channel and device",
            title_zh="流量",
            unlocks={
                "en": "sessions, visitors, both conversion rates and the conversion funnel",
                "zh": "会话、访客、两种转化率和转化漏斗",
            },
        ),
        SourceSpec(
            "ads",
            (
                Column("date", "date"),
                Column("ad_platform", "text"),
                opt("account_id", "text"),
                Column("campaign_id", "text"),
                opt("campaign_name", "text"),
                Column("spend", "money", min_value=0),
                Column("currency", "currency"),
                Column("impressions", "int", min_value=0),
                Column("clicks", "int", min_value=0),
                opt("conversions", "float", min_value=0),
                opt("conversion_value", "money", min_value=0),
            ),
            natural_key=("date", "ad_platform", "campaign_id"),
            business_day="date",
            description="one row per day and campaign",
            title_zh="广告",
            unlocks={
                "en": "ad spend, ROAS, ROI, MER and customer acquisition cost",
                "zh": "广告花费、ROAS、ROI、MER 和获客成本",
            },
        ),
        SourceSpec(
            "logistics",
            (
                Column("shipment_id", "text"),
                Column("order_id", "text"),
                Column("carrier", "text"),
                opt("warehouse", "text"),
                Column("direction", "code", allowed=SHIPMENT_DIRECTIONS),
                Column("ship_ts", "timestamp"),
                opt("promised_ts", "timestamp", date_means_end_of_day=True),
                opt("delivered_ts", "timestamp"),
                opt("region", "text"),
                opt("weight_kg", "float", min_value=0),
                Column("cost", "money", min_value=0),
                Column("currency", "currency"),
            ),
            natural_key=("shipment_id",),
            business_day="ship_ts",
            description="one row per shipment, outbound or return",
            title_zh="物流",
            unlocks={
                "en": "logistics cost, gross profit after shipping, delivery times, on-time and return rates",
                "zh": "物流成本、扣除运费后的毛利、配送时效、准时率和退货率",
            },
        ),
        SourceSpec(
            "inventory",
            (
                Column("snapshot_date", "date"),
                Column("sku", "text"),
                opt("warehouse", "text"),
                Column("on_hand_qty", "int", min_value=0),
                opt("unit_cost", "money", min_value=0),
            ),
            natural_key=("snapshot_date", "sku", "warehouse"),
            business_day="snapshot_date",
            description="one row per day, sku and warehouse (end-of-day stock)",
            title_zh="库存",
            unlocks={
                "en": "stock on hand, inventory turnover, stock-out days and reorder warnings",
                "zh": "库存、库存周转、缺货天数和补货预警",
            },
        ),
        SourceSpec(
            "products",
            (
                Column("sku", "text"),
                Column("product_name", "text"),
                Column("category", "text"),
                Column("unit_cost", "money", min_value=0),
                opt("list_price", "money", min_value=0),
                Column("currency", "currency"),
                opt("launch_date", "date"),
            ),
            natural_key=("sku",),
            description="one row per sku",
            title_zh="商品",
            unlocks={
                "en": "cost of goods, gross profit and margin, and categories",
                "zh": "商品成本、毛利与毛利率，以及品类",
            },
        ),
        SourceSpec(
            "fx_rates",
            (
                Column("date", "date"),
                Column("currency", "currency"),
                Column("rate", "float", positive=True),
            ),
            natural_key=("date", "currency"),
            business_day="date",
            often_absent=True,
            description="units of reporting currency for one unit of currency, per day",
            title_zh="汇率",
            unlocks={
                "en": "money in other currencies converted to the reporting currency",
                "zh": "把其他币种的金额换算为报告币种",
            },
        ),
    )
}


# the sources, in the order the pipeline and the docs list them
SOURCES: tuple[str, ...] = tuple(SPECS)


def missing_export_note(source: str, lang: str = "en") -> str:
    """What an empty source means, in plain words: not an error, and what would fill it."""
    spec = SPECS[source]
    if lang == "zh":
        return (
            f"还没有{spec.title_zh}导出文件（不影响构建）。把它放入 inbox/{source}/ "
            f"后即可看到：{spec.unlocks['zh']}。"
        )
    return (
        f"No {source} export yet (the build is fine without it). Drop one into "
        f"inbox/{source}/ to see {spec.unlocks['en']}."
    )


# columns every raw.* table carries besides the canonical ones
LOAD_METADATA = {
    "_load_id": "BIGINT",
    "_file_name": "VARCHAR",
    "_row_number": "BIGINT",
    "_loaded_at": "TIMESTAMP",
}


def raw_table_ddl(spec: SourceSpec) -> str:
    cols = [f'"{c.name}" {DUCKDB_TYPES[c.kind]}' for c in spec.columns]
    cols += [f"{name} {sql_type}" for name, sql_type in LOAD_METADATA.items()]
    return f"create table if not exists raw.{spec.name} ({', '.join(cols)})"
