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
    doc: str = ""  # what the column means: the dbt source's column description


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
                Column("order_id", "text", doc="The platform's order number."),
                opt(
                    "line_id",
                    "text",
                    doc="The line within the order; empty when the export has one line per SKU (the SKU then identifies it).",
                ),
                Column(
                    "platform",
                    "text",
                    doc="Sales platform (tmall, taobao, jd, douyin, pinduoduo, shopify, amazon, ...).",
                ),
                opt("shop_id", "text", doc="The shop on the platform, when the shop has several."),
                Column(
                    "customer_id",
                    "text",
                    doc="The platform's buyer id; anonymous:<order id> when the export masks or omits the buyer.",
                ),
                Column(
                    "order_ts",
                    "timestamp",
                    doc="When the order was placed (UTC; a time without offset was read in the shop's timezone).",
                ),
                opt(
                    "paid_ts",
                    "timestamp",
                    doc="When the order was paid (UTC); empty when never paid.",
                ),
                Column(
                    "status",
                    "code",
                    allowed=ORDER_STATUSES,
                    doc="pending, paid, shipped, delivered, cancelled, refunded or partially_refunded.",
                ),
                Column(
                    "sku",
                    "text",
                    doc="The product's SKU; empty for an order-level export (no SKUs), which counts for the shop, never as a SKU.",
                ),
                Column("quantity", "int", min_value=0, doc="Units of the SKU on the line."),
                Column(
                    "unit_price",
                    "money",
                    min_value=0,
                    doc="Listed price of one unit, in the line's currency.",
                ),
                Column(
                    "discount",
                    "money",
                    min_value=0,
                    nullable=True,
                    default=0.0,
                    doc="What the shop took off the line (platform-funded coupons excluded), in the line's currency.",
                ),
                opt(
                    "refund_amount",
                    "money",
                    min_value=0,
                    default=0.0,
                    doc="Money given back for the line's goods, capped at what they sold for.",
                ),
                Column("currency", "currency", doc="ISO 4217 code of the line's money."),
                opt(
                    "utm_source", "text", doc="Traffic source the order came through (last click)."
                ),
                opt("utm_medium", "text", doc="Traffic medium (cpc, email, social, ...)."),
                opt(
                    "utm_campaign",
                    "text",
                    doc="Campaign tag: equal to an ads campaign_id, the order is attributed to that campaign.",
                ),
                opt("region", "text", doc="Delivery region (province or state)."),
                opt("device", "text", doc="Device the order was placed on."),
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
                Column("date", "date", doc="The day of the visits, in the shop's timezone."),
                Column("platform", "text", doc="Sales platform (or the shop's own site for GA4)."),
                Column("channel", "text", doc="Traffic channel as the platform names it."),
                opt(
                    "device",
                    "text",
                    doc="Device as the platform names it; empty when the export has none.",
                ),
                Column(
                    "sessions", "int", min_value=0, doc="Visits (sessions; 访客数 for 生意参谋)."
                ),
                opt("visitors", "int", min_value=0, doc="Distinct visitors."),
                opt("page_views", "int", min_value=0, doc="Pages viewed."),
                opt("product_views", "int", min_value=0, doc="Product detail page views."),
                opt("add_to_cart", "int", min_value=0, doc="Add-to-cart events."),
                opt("checkouts", "int", min_value=0, doc="Checkouts started."),
                opt(
                    "orders",
                    "int",
                    min_value=0,
                    doc="Orders the platform reports for this traffic.",
                ),
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
                Column(
                    "date", "date", doc="The day of the spend, in the ad account's reporting day."
                ),
                Column(
                    "ad_platform",
                    "text",
                    doc="Ad platform (alimama, ocean_engine, google_ads, meta_ads, ...).",
                ),
                opt("account_id", "text", doc="The ad account."),
                Column(
                    "campaign_id",
                    "text",
                    doc="The campaign's id (its name when the report has no id).",
                ),
                opt("campaign_name", "text", doc="The campaign's name."),
                Column(
                    "spend",
                    "money",
                    min_value=0,
                    doc="Ad spend that day, in the account's currency.",
                ),
                Column("currency", "currency", doc="ISO 4217 code of the spend."),
                Column(
                    "impressions", "int", min_value=0, doc="Impressions reported by the platform."
                ),
                Column("clicks", "int", min_value=0, doc="Clicks reported by the platform."),
                opt(
                    "conversions",
                    "float",
                    min_value=0,
                    doc="Conversions the platform claims (its own attribution).",
                ),
                opt(
                    "conversion_value",
                    "money",
                    min_value=0,
                    doc="Value of those conversions (its own attribution; shopkpi's ROAS uses utm_campaign).",
                ),
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
                Column("shipment_id", "text", doc="The parcel's id."),
                Column("order_id", "text", doc="The order it carries (joined on order_id alone)."),
                Column("carrier", "text", doc="Carrier."),
                opt("warehouse", "text", doc="Warehouse it left from (or returned to)."),
                Column("direction", "code", allowed=SHIPMENT_DIRECTIONS, doc="outbound or return."),
                Column("ship_ts", "timestamp", doc="When it was handed to the carrier (UTC)."),
                opt(
                    "promised_ts",
                    "timestamp",
                    date_means_end_of_day=True,
                    doc="Promised delivery (UTC); a bare date means the end of that local day.",
                ),
                opt(
                    "delivered_ts",
                    "timestamp",
                    doc="When it was delivered (UTC); empty while on the way.",
                ),
                opt("region", "text", doc="Destination region."),
                opt("weight_kg", "float", min_value=0, doc="Weight in kilograms."),
                Column("cost", "money", min_value=0, doc="Shipping cost, in the row's currency."),
                Column("currency", "currency", doc="ISO 4217 code of the cost."),
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
                Column("snapshot_date", "date", doc="The day the stock was counted (end of day)."),
                Column("sku", "text", doc="The SKU."),
                opt("warehouse", "text", doc="The warehouse."),
                Column("on_hand_qty", "int", min_value=0, doc="Units on hand."),
                opt(
                    "unit_cost",
                    "money",
                    min_value=0,
                    doc="Unit cost at this warehouse (e.g. landed cost abroad); empty: the products export's.",
                ),
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
                Column("sku", "text", doc="The SKU."),
                Column("product_name", "text", doc="The product's name."),
                Column("category", "text", doc="The product's category."),
                Column("unit_cost", "money", min_value=0, doc="Cost of one unit (cost of goods)."),
                opt("list_price", "money", min_value=0, doc="List price of one unit."),
                Column("currency", "currency", doc="ISO 4217 code of unit_cost and list_price."),
                opt("launch_date", "date", doc="When the product went on sale."),
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
            "targets",
            (
                Column(
                    "month",
                    "date",
                    doc="The month the target is for: its first day (any day of it counts as the month).",
                ),
                opt(
                    "platform",
                    "text",
                    doc="The sales platform the target is for; empty: the whole shop, all platforms.",
                ),
                Column(
                    "net_revenue_target",
                    "money",
                    positive=True,
                    doc="The month's net revenue target, in the row's currency.",
                ),
                Column("currency", "currency", doc="ISO 4217 code of the target."),
            ),
            natural_key=("month", "platform"),
            # targets are set ahead for months to come: their dates say nothing of freshness
            business_day=None,
            often_absent=True,
            description="one row per month and platform (empty: the whole shop): the net revenue target",
            title_zh="销售目标",
            unlocks={
                "en": "each month's net revenue against its target, and the pace to reach it",
                "zh": "每月净销售额对比目标的完成率，以及达成目标所需的进度",
            },
        ),
        SourceSpec(
            "fx_rates",
            (
                Column(
                    "date",
                    "date",
                    doc="The day the rate holds from (a day without one uses the latest earlier rate).",
                ),
                Column("currency", "currency", doc="The currency converted."),
                Column(
                    "rate",
                    "float",
                    positive=True,
                    doc="Units of the reporting currency for one unit of the currency.",
                ),
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
