"""The hand-made shop in other timezones and reporting currencies, checked by hand.

tests/e2e/test_handmade_shop.py checks every mart in Asia/Shanghai + CNY. Here the same
files build in America/Los_Angeles + USD, America/Sao_Paulo + BRL and Asia/Kolkata (+05:30)
+ INR, each with a rates file in its reporting currency. Stated by hand below: the local
paid day of every order in every zone (Shopify times carry -08:00; the Tmall file's times
carry no offset, so they are the shop's local time wherever it is) and each order's money
in its own currency. The test multiplies by the rates and adds up per day and platform.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import duckdb
import pytest

from pipelines import cli
from pipelines.lib.settings import Settings
from tests.conftest import HANDMADE_SHOP, build_once, fill_inbox

D = dt.date
SETTINGS = {
    # zone, currency, units of the reporting currency for 1 CNY and for 1 USD
    "los_angeles_usd": ("America/Los_Angeles", "USD", Decimal("0.14"), Decimal("1")),
    "sao_paulo_brl": ("America/Sao_Paulo", "BRL", Decimal("0.8"), Decimal("5.8")),
    "kolkata_inr": ("Asia/Kolkata", "INR", Decimal("12"), Decimal("86")),
}
# order: platform, customer, currency, gross, discount, refund, cogs (CNY), shipping (own
# currency of each shipment: the order's), and its local paid day per setting
ORDERS = {
    # paid 2025-03-01 02:00 UTC: Fri 18:00 in LA, Fri 23:00 in São Paulo (an hour before
    # midnight), Sat 07:30 in Kolkata
    "#1001": ("shopify", "9001", "USD", "12.99", "1.00", "0", "20", "5",
              {"los_angeles_usd": D(2025, 2, 28), "sao_paulo_brl": D(2025, 2, 28),
               "kolkata_inr": D(2025, 3, 1)}),
    # paid 2025-03-02 16:30 UTC: 08:30 in LA, 13:30 in São Paulo, 22:00 in Kolkata
    "#1002": ("shopify", "9002", "USD", "29.97", "0", "0", "45", "4",
              {"los_angeles_usd": D(2025, 3, 2), "sao_paulo_brl": D(2025, 3, 2),
               "kolkata_inr": D(2025, 3, 2)}),
    # paid 2025-03-02 15:00 UTC: 07:00 in LA, 12:00 in São Paulo, 20:30 in Kolkata
    "#1003": ("shopify", "9001", "USD", "25.98", "0", "0", "40", "0",
              {"los_angeles_usd": D(2025, 3, 2), "sao_paulo_brl": D(2025, 3, 2),
               "kolkata_inr": D(2025, 3, 2)}),
    # Tmall times have no offset: local time in every zone (T1002 at 00:10, just after midnight)
    "T1001": ("tmall", "tb_a", "CNY", "163", "8", "0", "55", "8",
              dict.fromkeys(SETTINGS, D(2025, 3, 1))),
    "T1002": ("tmall", "tb_b", "CNY", "59", "0", "59", "0", "12",  # refunded: goods back
              dict.fromkeys(SETTINGS, D(2025, 3, 1))),
    "T1003": ("tmall", "tb_a", "CNY", "90", "5", "20", "30", "7",
              dict.fromkeys(SETTINGS, D(2025, 3, 2))),
}  # fmt: skip
FIRST_ORDERS = {"#1001", "#1002", "T1001", "T1002"}  # each customer's earliest paid order


def expected_days(setting: str) -> dict[tuple[dt.date, str], dict[str, Decimal]]:
    _, _, cny, usd = SETTINGS[setting]
    rate = {"CNY": cny, "USD": usd}
    days: dict[tuple[dt.date, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for order_id, (
        platform,
        _,
        currency,
        gross,
        disc,
        refund,
        cogs,
        ship,
        day_in,
    ) in ORDERS.items():
        row = days[(day_in[setting], platform)]
        row["orders"] += 1
        row["new_customers"] += order_id in FIRST_ORDERS
        row["gross_sales"] += Decimal(gross) * rate[currency]
        row["discounts"] += Decimal(disc) * rate[currency]
        row["refunds"] += Decimal(refund) * rate[currency]
        row["cogs"] += Decimal(cogs) * cny
        row["logistics_cost"] += Decimal(ship) * rate[currency]
    for row in days.values():
        row["net_revenue"] = row["gross_sales"] - row["discounts"] - row["refunds"]
        row["gross_profit"] = row["net_revenue"] - row["cogs"] - row["logistics_cost"]
    return days


@pytest.fixture(scope="module", params=list(SETTINGS))
def built(request, tmp_path_factory):
    setting = request.param
    yield (
        setting,
        build_once(
            f"setting:{setting}", lambda: build_in(setting, tmp_path_factory), tmp_path_factory
        ),
    )


def build_in(setting: str, tmp_path_factory) -> Settings:
    from tests.conftest import use_home

    zone, currency, cny, usd = SETTINGS[setting]
    settings = use_home(tmp_path_factory.mktemp(setting))
    (settings.home / "shopkpi.toml").write_text(
        f'timezone = "{zone}"\nreporting_currency = "{currency}"\n', encoding="utf-8"
    )
    settings = Settings.from_env(settings.home)
    fill_inbox(settings, HANDMADE_SHOP)
    for path in settings.inbox_for("fx_rates").iterdir():
        path.unlink()  # the sample's rates are to CNY: this shop reports in another currency
    (settings.inbox_for("fx_rates") / "rates.csv").write_text(
        f"date,currency,rate\n2025-02-27,CNY,{cny}\n2025-02-27,USD,{usd}\n", encoding="utf-8"
    )
    assert cli.build(settings) == 0, setting
    return settings


def test_daily_kpis_by_hand_in_each_timezone_and_currency(built) -> None:
    setting, settings = built
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        got = con.execute(
            'select "date", platform, orders, new_customers, gross_sales, discounts, refunds, '
            "net_revenue, cogs, logistics_cost, gross_profit from marts.fct_daily_kpis "
            'where orders > 0 order by "date", platform'
        ).pl()
    want = expected_days(setting)
    assert {(r["date"], r["platform"]) for r in got.iter_rows(named=True)} == set(want)
    for row in got.iter_rows(named=True):
        expected = want[(row["date"], row["platform"])]
        for column, value in expected.items():
            assert abs(Decimal(str(row[column])) - value) < Decimal("0.0005"), (
                setting, row["date"], row["platform"], column, row[column], value,
            )  # fmt: skip


def test_repurchase_and_the_reporting_currency_shown(built) -> None:
    setting, settings = built
    with duckdb.connect(str(settings.published), read_only=True) as con:
        cohorts = con.execute(
            "select cohort_month, new_customers, repurchased_90d from marts.repurchase "
            "order by cohort_month"
        ).fetchall()
        shown = con.execute("select timezone, reporting_currency from meta.build").fetchone()
    # 9001 first paid in February in LA and São Paulo (Feb 28 local), in March in Kolkata
    if setting == "kolkata_inr":
        assert cohorts == [(D(2025, 3, 1), 4, 2)]
    else:
        assert cohorts == [(D(2025, 2, 1), 1, 1), (D(2025, 3, 1), 3, 1)]
    assert shown == SETTINGS[setting][:2]


def marts_of(settings: Settings) -> dict[str, list[tuple]]:
    with duckdb.connect(str(settings.published), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "and table_name not in ('sales_forecast', 'forecast_accuracy', 'inventory_risk')"
        ).fetchall()]  # fmt: skip
        return {t: con.execute(f"select * from marts.{t} order by all").fetchall() for t in tables}


MOVED = 'timezone = "America/Los_Angeles"\nreporting_currency = "USD"\n'


@pytest.mark.slow  # three full builds: `make test-slow` (make test keeps to its budget)
def test_a_new_timezone_and_currency_rebuild_every_mart_as_a_fresh_home_would(tmp_path) -> None:
    from tests.conftest import use_home

    rates = "date,currency,rate\n2025-02-27,CNY,0.14\n2025-02-27,USD,1\n"
    # a home in China time and CNY for a while, then moved to Los Angeles time and USD:
    # times written without an offset are read again under the new zone
    switched = use_home(tmp_path / "switched")
    fill_inbox(switched, HANDMADE_SHOP)
    assert cli.build(switched) == 0
    (switched.home / "shopkpi.toml").write_text(MOVED, "utf-8")
    (switched.inbox_for("fx_rates") / "usd_rates.csv").write_text(rates, encoding="utf-8")
    switched = Settings.from_env(switched.home)
    assert cli.build(switched) == 0
    # a fresh home in Los Angeles time and USD from the start, with the same files
    fresh = use_home(tmp_path / "fresh")
    (fresh.home / "shopkpi.toml").write_text(MOVED, "utf-8")
    fill_inbox(fresh, HANDMADE_SHOP)
    (fresh.inbox_for("fx_rates") / "usd_rates.csv").write_text(rates, encoding="utf-8")
    fresh = Settings.from_env(fresh.home)
    assert cli.build(fresh) == 0
    assert marts_of(Settings(home=tmp_path / "switched")) == marts_of(fresh)
