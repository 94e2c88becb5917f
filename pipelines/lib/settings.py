"""Settings in one place: where the data lives and how the shop reports.

Everything is read from the environment when asked for (never at import time), so
tests and benchmarks can point SHOPKPI_HOME at a temporary folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

SOURCES = ("orders", "traffic", "ads", "logistics", "inventory", "products", "fx_rates")


@dataclass(frozen=True)
class Settings:
    home: Path
    timezone: str = "Asia/Shanghai"
    reporting_currency: str = "CNY"
    # data older than this many days (in the shop's timezone) is flagged as stale
    freshness_days: int = 2
    # forecasts: days ahead, and what inventory_risk's reorder quantity assumes
    forecast_days: int = 28
    lead_time_days: int = 14
    service_level: float = 0.95
    # what platform adapters cannot read from the file: the seller centre export is the
    # same for Taobao and Tmall shops, GA4 tracks the shop's own site, and Shopify's
    # product and inventory exports carry no currency
    alibaba_platform: str = "tmall"
    web_platform: str = "shopify"
    shopify_currency: str = "USD"

    @classmethod
    def from_env(cls) -> Settings:
        home = Path(os.environ.get("SHOPKPI_HOME") or REPO_ROOT / "data").resolve()
        settings = cls(
            home=home,
            timezone=os.environ.get("SHOPKPI_TIMEZONE", "Asia/Shanghai"),
            reporting_currency=os.environ.get("SHOPKPI_REPORTING_CURRENCY", "CNY").upper(),
            freshness_days=int(os.environ.get("SHOPKPI_FRESHNESS_DAYS", "2")),
            forecast_days=int(os.environ.get("SHOPKPI_FORECAST_DAYS", "28")),
            lead_time_days=int(os.environ.get("SHOPKPI_LEAD_TIME_DAYS", "14")),
            service_level=float(os.environ.get("SHOPKPI_SERVICE_LEVEL", "0.95")),
            alibaba_platform=os.environ.get("SHOPKPI_ALIBABA_PLATFORM", "tmall"),
            web_platform=os.environ.get("SHOPKPI_WEB_PLATFORM", "shopify"),
            shopify_currency=os.environ.get("SHOPKPI_SHOPIFY_CURRENCY", "USD").upper(),
        )
        if not 0.5 <= settings.service_level < 1:
            raise ValueError("SHOPKPI_SERVICE_LEVEL must be between 0.5 and 1, e.g. 0.95")
        ZoneInfo(settings.timezone)  # fail early on a misspelt zone
        return settings

    @property
    def inbox(self) -> Path:
        return self.home / "inbox"

    @property
    def archive(self) -> Path:
        return self.home / "archive"

    @property
    def quarantine(self) -> Path:
        return self.home / "quarantine"

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        """The read-only copy of the marts that the dashboards open."""
        return self.home / "published" / "shopkpi.duckdb"

    @property
    def data_docs_index(self) -> Path:
        """The Great Expectations Data Docs site the quality checks write."""
        return self.home / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"

    @property
    def dagster_home(self) -> Path:
        return Path(os.environ.get("DAGSTER_HOME") or self.home / "dagster_home")

    def inbox_for(self, source: str) -> Path:
        return self.inbox / source

    def dbt_vars(self) -> dict[str, str]:
        return {"timezone": self.timezone, "reporting_currency": self.reporting_currency}

    def ensure_dirs(self) -> None:
        for source in SOURCES:
            self.inbox_for(source).mkdir(parents=True, exist_ok=True)
        for path in (self.archive, self.quarantine, self.published.parent, self.dagster_home):
            path.mkdir(parents=True, exist_ok=True)
