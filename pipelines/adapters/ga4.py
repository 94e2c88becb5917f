"""Google Analytics 4 explorations (the shop's own site)."""

from __future__ import annotations

from pipelines.adapters.base import (
    Adapted,
    Adapter,
    Export,
    Mapping,
    has,
    with_source_rows,
)
from pipelines.adapters.traffic_reports import traffic_rows
from pipelines.lib.readers import FileRejected
from pipelines.lib.settings import Settings

GA4 = {
    "date": ("Date",),
    "channel": (
        "Session default channel group",
        "Session primary channel group (Default Channel Group)",
        "Default channel group",
        "First user default channel group",
        "Session source / medium",
    ),
    "device": ("Device category",),
    "sessions": ("Sessions",),
    "visitors": ("Total users", "Active users", "Users"),
    "page_views": ("Views", "Screen page views", "Page views"),
    "product_views": ("Items viewed", "Item views", "Item-list views"),
    "add_to_cart": ("Add to carts", "Items added to cart"),
    "checkouts": ("Checkouts", "Items checked out"),
    "orders": ("Transactions", "Ecommerce purchases", "Purchases"),
}


def convert_ga4(export: Export, settings: Settings) -> Adapted:
    frame = with_source_rows(export.frame)
    if not has(frame, "Date"):
        raise FileRejected(
            "the GA4 export has no Date column, so its sessions cannot be put on days: add "
            "Date as the first dimension (Explore > Dimensions > Date) and export again"
        )
    return traffic_rows(frame, GA4, settings.web_platform, "(all)", lambda d: d)


ADAPTERS = (
    Adapter(
        name="ga4_traffic",
        title="Google Analytics 4 report or exploration export",
        source="traffic",
        signature=("sessions",),
        convert=convert_ga4,
        how_to_export="GA4 > Explore (free form): Date, Session default channel group, Device "
        "category as dimensions; Sessions, Total users, Views, Add to carts, Checkouts, "
        "Transactions as metrics; Export > CSV",
        mappings=(
            *tuple(
                Mapping(
                    k,
                    " / ".join(v),
                    "`#` comment lines and totals rows skipped" if k == "date" else "",
                )
                for k, v in GA4.items()
            ),
            Mapping("platform", "(setting)", "SHOPKPI_WEB_PLATFORM, default shopify"),
        ),
    ),
)
