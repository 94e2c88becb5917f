"""Settings in one place: where the data lives and how the shop reports.

A shop's settings live in SHOPKPI_HOME/shopkpi.toml, written with commented defaults on
the first run; an environment variable SHOPKPI_<NAME> overrides the file (tests and
benchmarks use that). Everything is read when asked for, never at import time.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# the sources are declared with everything else about them in canonical.py (SPECS)
from pipelines.lib.canonical import SOURCES

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SETTINGS_FILE = "shopkpi.toml"

# name -> what it means, for the commented file a new home starts with
SETTING_NOTES = {
    "timezone": "IANA time zone of the shop: local days, and times written without an offset",
    "reporting_currency": "ISO 4217 code all money is reported in (other currencies need fx_rates)",
    "language": "language of build messages on the console: en or zh (the dashboards have a switch)",
    "freshness_days": "data older than this many days before today is flagged as stale",
    "forecast_days": "days ahead the forecasts reach",
    "lead_time_days": "days from ordering stock to having it: the reorder quantity covers them",
    "service_level": "chance of not running out during the lead time (0.5 to 0.99)",
    "alibaba_platform": "platform of Taobao/Tmall seller-centre and 生意参谋 files: tmall or taobao",
    "web_platform": "platform name of the shop's own site in GA4 exports",
    "shopify_currency": "currency of Shopify product and inventory exports (they carry none)",
}


# the settings ingest reads files with (the rest only shape dbt, checks and forecasts)
READ_SETTINGS = ("timezone", "alibaba_platform", "web_platform", "shopify_currency")


class SettingsError(ValueError):
    """A setting a person wrote wrong: the message says which, where, and what is expected."""


@dataclass(frozen=True)
class Settings:
    home: Path
    timezone: str = "Asia/Shanghai"
    reporting_currency: str = "CNY"
    language: str = "en"
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
    def from_env(cls, home: Path | None = None) -> Settings:
        """The settings of `home` (default: SHOPKPI_HOME): its shopkpi.toml, overridden by
        SHOPKPI_<NAME> environment variables."""
        home = Path(home or os.environ.get("SHOPKPI_HOME") or REPO_ROOT / "data").resolve()
        values: dict[str, object] = {}
        where: dict[str, str] = {}
        path = home / SETTINGS_FILE
        if path.exists():
            try:
                values = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
                raise SettingsError(f"{path} is not valid TOML: {err}") from err
            where = dict.fromkeys(values, str(path))
        for field in fields(cls):
            env = os.environ.get(f"SHOPKPI_{field.name.upper()}")
            if field.name != "home" and env not in (None, ""):
                values[field.name], where[field.name] = env, f"SHOPKPI_{field.name.upper()}"
        unknown = sorted(set(values) - {f.name for f in fields(cls)} - {"home"})
        if unknown:
            raise SettingsError(
                f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(SETTING_NOTES)}"
            )
        typed = {}
        for field in fields(cls):
            if field.name in values and field.name != "home":
                typed[field.name] = _typed(field.name, values[field.name], field.type, where)
        settings = cls(home=home, **typed)
        settings.validate(where)
        return settings

    @classmethod
    def from_values(cls, home: str | Path, values: dict[str, str]) -> Settings:
        """Settings from the text values `as_values` wrote (a run's resource config)."""
        where = dict.fromkeys(values, "run config")
        typed = {
            field.name: _typed(field.name, values[field.name], field.type, where)
            for field in fields(cls)
            if field.name in values and field.name != "home"
        }
        settings = cls(home=Path(home).resolve(), **typed)
        settings.validate(where)
        return settings

    def as_values(self) -> dict[str, str]:
        """Every setting but the home as text: what a run is given to build with."""
        return {f.name: str(getattr(self, f.name)) for f in fields(self) if f.name != "home"}

    def validate(self, where: dict[str, str] | None = None) -> None:
        where = where or {}

        def fail(name: str, message: str) -> None:
            raise SettingsError(f"{where.get(name, 'default')}: {name} {message}")

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            fail("timezone", f"'{self.timezone}' is not a time zone name (e.g. Asia/Shanghai, "
                 "America/Sao_Paulo, Asia/Kolkata)")  # fmt: skip
        for name in ("reporting_currency", "shopify_currency"):
            if not re.fullmatch(r"[A-Z]{3}", getattr(self, name)):
                fail(name, f"'{getattr(self, name)}' is not a 3-letter ISO 4217 code (e.g. CNY)")
        if self.language not in ("en", "zh"):
            fail("language", f"'{self.language}' is not en or zh")
        if not 0.5 <= self.service_level < 1:
            fail("service_level", f"{self.service_level} is not between 0.5 and 1, e.g. 0.95")
        for name in ("freshness_days", "forecast_days", "lead_time_days"):
            if getattr(self, name) < 1:
                fail(name, f"{getattr(self, name)} must be at least 1")

    def write_default_file(self) -> Path | None:
        """shopkpi.toml with every setting commented out at its default, if there is none."""
        path = self.home / SETTINGS_FILE
        if path.exists():
            return None
        lines = [
            "# shopkpi settings for this SHOPKPI_HOME. Remove the # of a line to change it;",
            "# an environment variable SHOPKPI_<NAME> (e.g. SHOPKPI_TIMEZONE) overrides it.",
            "# Changing timezone or reporting_currency rebuilds every mart on the next build (files",
            "# already loaded are read again from archive/ under the new timezone).",
            "",
        ]
        defaults = Settings(home=self.home)
        for name, note in SETTING_NOTES.items():
            value = getattr(defaults, name)
            shown = f'"{value}"' if isinstance(value, str) else value
            lines += [f"# {note}", f"# {name} = {shown}", ""]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")
        return path

    def shown(self) -> dict[str, str]:
        """The settings in force, for /data-health."""
        return {name: str(getattr(self, name)) for name in SETTING_NOTES}

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
    def build_log(self) -> Path:
        """Every build event with its traceback: what the console leaves out."""
        return self.home / "logs" / "build.log"

    @property
    def dagster_home(self) -> Path:
        """Dagster's instance folder: DAGSTER_HOME when it is set for this home (the Makefile
        sets it beside SHOPKPI_HOME), else SHOPKPI_HOME/dagster_home."""
        env_home = os.environ.get("SHOPKPI_HOME")
        if os.environ.get("DAGSTER_HOME") and env_home and Path(env_home).resolve() == self.home:
            return Path(os.environ["DAGSTER_HOME"])
        return self.home / "dagster_home"

    def inbox_for(self, source: str) -> Path:
        return self.inbox / source

    def read_with(self) -> str:
        """The settings that shape how an export's rows are read (times written without an
        offset, what a file cannot say itself): a file read under others is read again."""
        return json.dumps({name: getattr(self, name) for name in READ_SETTINGS}, sort_keys=True)

    def dbt_vars(self) -> dict[str, str]:
        return {"timezone": self.timezone, "reporting_currency": self.reporting_currency}

    def ensure_dirs(self) -> None:
        self.write_default_file()
        for source in SOURCES:
            self.inbox_for(source).mkdir(parents=True, exist_ok=True)
        for path in (self.archive, self.quarantine, self.published.parent, self.dagster_home):
            path.mkdir(parents=True, exist_ok=True)


def _typed(name: str, value: object, kind: object, where: dict[str, str]) -> object:
    """A setting's text (environment) or TOML value as the field's type, or a clear error."""
    kind = kind if isinstance(kind, str) else getattr(kind, "__name__", str(kind))
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
    except (TypeError, ValueError):
        raise SettingsError(
            f"{where.get(name, 'default')}: {name} '{value}' is not a number"
        ) from None
    text = str(value).strip()
    return text.upper() if name.endswith("currency") else text
