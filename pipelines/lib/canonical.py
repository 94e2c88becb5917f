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
            # an order line without line_id is identified by its sku
            key_fallbacks={"line_id": "sku"},
            description="one row per order line",
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
            description="one row per day, platform, channel and device",
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
            description="one row per day and campaign",
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
                opt("promised_ts", "timestamp"),
                opt("delivered_ts", "timestamp"),
                opt("region", "text"),
                opt("weight_kg", "float", min_value=0),
                Column("cost", "money", min_value=0),
                Column("currency", "currency"),
            ),
            natural_key=("shipment_id",),
            description="one row per shipment, outbound or return",
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
            description="one row per day, sku and warehouse (end-of-day stock)",
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
        ),
        SourceSpec(
            "fx_rates",
            (
                Column("date", "date"),
                Column("currency", "currency"),
                Column("rate", "float", positive=True),
            ),
            natural_key=("date", "currency"),
            description="units of reporting currency for one unit of currency, per day",
        ),
    )
}

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
