"""An incremental build gives, cell for cell, the marts a full rebuild gives from the same
files; when it may not be trusted it rebuilds in full; the weekly check finds a difference.

The shop: the hand-made shop, two more orders and a January shipment, then a second drop
of files that re-exports old orders (a status change, a refund booked weeks later, a paid
day moved, a day whose only order was cancelled, an order whose buyer is corrected to
another), brings a customer's earlier order late (so another order is no longer their
first), a new day of orders, traffic and shipments, a re-exported traffic day and
shipment, shipments whose ship day moves to another month (January left empty), and a
return in April of an order shipped out in March.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.ingest import ingest_source
from pipelines.lib import incremental
from pipelines.lib.dbt_manifest import KEEP_VIEWS, load_manifest
from pipelines.lib.publish import CHANGED_CUSTOMERS, WHOLE, column_docs, publish
from pipelines.lib.settings import SOURCES, Settings
from pipelines.lib.warehouse import connect, ensure_schemas
from tests.conftest import HANDMADE_SHOP, build_once, fill_inbox, run_home_dbt, use_home

ORDER_HEADER = (
    "order_id,line_id,platform,customer_id,order_ts,paid_ts,status,sku,quantity,unit_price,"
    "discount,refund_amount,currency,utm_source,utm_medium,utm_campaign,region,device"
)
SHIPMENT_HEADER = (
    "shipment_id,order_id,carrier,warehouse,direction,ship_ts,promised_ts,delivered_ts,region,"
    "weight_kg,cost,currency"
)
FIRST_DROP = {
    "orders/tmall_more.csv": [
        ORDER_HEADER,
        # the only order of 03-05: cancelled in the second drop
        "T2001,T2001-1,tmall,tb_f,2025-03-05 10:00:00,2025-03-05 10:01:00,paid,MUG-01,1,59.00,0,0,CNY,,,,浙江,无线端",
        # paid 03-06; the second drop says 03-07
        "T2002,T2002-1,tmall,tb_g,2025-03-06 10:00:00,2025-03-06 10:01:00,paid,TEA-01,2,45.00,0,0,CNY,,,,浙江,无线端",
        # two lines: the second drop refunds the second and does not export the first again
        "T2005,T2005-1,tmall,tb_i,2025-03-08 10:00:00,2025-03-08 10:01:00,paid,MUG-01,1,59.00,0,0,CNY,,,,浙江,无线端",
        "T2005,T2005-2,tmall,tb_i,2025-03-08 10:00:00,2025-03-08 10:01:00,paid,TEA-01,1,45.00,0,0,CNY,,,,浙江,无线端",
        # names a campaign no ads export has named yet: attributed once the second drop's does
        "T2006,T2006-1,tmall,tb_j,2025-03-03 10:00:00,2025-03-03 10:01:00,paid,TEA-01,1,45.00,0,0,CNY,alimama,cpc,AM-2,浙江,无线端",
    ],
    "logistics/shipments_january.csv": [
        SHIPMENT_HEADER,
        # the only shipment of January: the second drop moves it to March
        "SH7,T1005,圆通速递,华东仓,outbound,2025-01-20 09:00:00,2025-01-22 09:00:00,,江苏,0.5,3.00,CNY",
    ],
}
SECOND_DROP = {
    "orders/tmall_reexport.csv": [
        ORDER_HEADER,
        # a refund booked weeks later on an order of 03-01
        "T1001,T1001-1,tmall,tb_a,2025-03-01 09:58:00,2025-03-01 10:00:00,partially_refunded,MUG-01,2,59.00,8.00,110.00,CNY,alimama,cpc,AM-1,浙江,无线端",
        # a status change: 03-02's order cancelled
        "T1003,T1003-1,tmall,tb_a,2025-03-02 19:59:00,2025-03-02 20:00:00,cancelled,TEA-01,2,45.00,5.00,0,CNY,alimama,cpc,AM-1,浙江,PC端",
        # 03-05 emptied
        "T2001,T2001-1,tmall,tb_f,2025-03-05 10:00:00,2025-03-05 10:01:00,cancelled,MUG-01,1,59.00,0,0,CNY,,,,浙江,无线端",
        # moved from 03-06 to 03-07
        "T2002,T2002-1,tmall,tb_g,2025-03-06 10:00:00,2025-03-07 09:00:00,paid,TEA-01,2,45.00,0,0,CNY,,,,浙江,无线端",
        # tb_b's earlier order, late: T1002 of 03-01 is no longer tb_b's first
        "T2003,T2003-1,tmall,tb_b,2025-02-20 10:00:00,2025-02-20 10:01:00,delivered,TEA-01,1,45.00,0,0,CNY,,,,广东,无线端",
        # one line of two refunded: T2005-1 keeps its row
        "T2005,T2005-2,tmall,tb_i,2025-03-08 10:00:00,2025-03-08 10:01:00,refunded,TEA-01,1,45.00,0,45.00,CNY,,,,浙江,无线端",
        # a new day
        "T2004,T2004-1,tmall,tb_h,2025-03-10 10:00:00,2025-03-10 10:01:00,paid,MUG-01,3,59.00,0,0,CNY,,,,江苏,无线端",
    ],
    "orders/shopify_reexport.csv": [
        ORDER_HEADER,
        # the buyer corrected: 9001 had two orders, now one; 9003 is a new customer
        "#1003,#1003-1,shopify,9003,2025-03-02 06:59:00 -0800,2025-03-02 07:00:00 -0800,delivered,MUG-01,2,12.99,0,0,USD,,,,CA,mobile",
    ],
    "traffic/tmall_traffic_more.csv": [
        "date,platform,channel,device,sessions,visitors,product_views,add_to_cart,checkouts,orders",
        "2025-03-10,tmall,直通车,无线端,70,60,40,6,2,1",
        # re-exported: 03-02 had 0 sessions
        "2025-03-02,tmall,搜索流量,无线端,25,20,10,2,1,0",
    ],
    "ads/ads_more.csv": [
        "date,ad_platform,account_id,campaign_id,campaign_name,spend,currency,impressions,clicks,conversions,conversion_value",
        # re-exported with more spend and the campaign's new name (max(campaign_name))
        "2025-03-01,alimama,am-main,AM-1,直通车-核心词-春季,55.00,CNY,2000,40,1,214.00",
        # a campaign new to the ads exports: T2006 of 03-03 named it
        "2025-03-10,alimama,am-main,AM-2,直通车-新品,20.00,CNY,800,16,0,0",
        "2025-03-10,google_ads,ga-main,GA-1,Search - Brand,4.00,USD,600,12,0,0",
    ],
    "inventory/stock_more.csv": [
        "snapshot_date,sku,warehouse,on_hand_qty,unit_cost",
        # re-exported: TEA-01 was not out of stock on 03-02
        "2025-03-02,TEA-01,华东仓,3,",
        "2025-03-10,MUG-01,华东仓,7,",
    ],
    "logistics/shipments_more.csv": [
        SHIPMENT_HEADER,
        # re-exported with its final cost
        "SH1,T1001,中通快递,华东仓,outbound,2025-03-01 12:00:00,2025-03-04 12:00:00,2025-03-03 15:00:00,浙江,1.5,10.00,CNY",
        "SH5,T2004,顺丰速运,华东仓,outbound,2025-03-10 15:00:00,2025-03-12 15:00:00,,江苏,1.0,9.00,CNY",
        # its ship day corrected: from March to February
        "SH3,T1003,顺丰速运,华东仓,outbound,2025-02-27 09:00:00,2025-03-05 09:00:00,,浙江,0.6,7.00,CNY",
        "SH7,T1005,圆通速递,华东仓,outbound,2025-03-04 09:00:00,2025-03-06 09:00:00,,江苏,0.5,3.00,CNY",
        # T1001 (shipped out in March) comes back in April
        "RT2,T1001,中通快递,华东仓,return,2025-04-02 10:00:00,,,浙江,1.5,8.00,CNY",
    ],
}


def drop(settings: Settings, files: dict[str, list[str]]) -> None:
    for name, lines in files.items():
        path = settings.inbox / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(settings: Settings, target: Path, full: bool = False, check: bool = False) -> dict:
    """What a build's ingest and dbt steps do (pipelines/defs), without Dagster, GX, the
    forecasts or dbt's data tests (the models are what is compared): load the inbox, plan,
    dbt run, record. Returns the plan and any check."""
    with connect(settings.warehouse) as con:
        ensure_schemas(con)
        for source in SOURCES:
            ingest_source(con, settings, source)
        fingerprint = incremental.models_fingerprint(settings)
        plan = incremental.plan_build(con, fingerprint, asked_full=full)
        kept = incremental.keep_before_full(con, MARTS) if check else []
        started = incremental.build_started(con, plan)
    # as the build's dbt step: a full build makes the views, an incremental one keeps them
    done = run_home_dbt(
        settings, ["run", "--quiet", *(["--full-refresh"] if plan.full else KEEP_VIEWS)], target
    )
    assert done.returncode == 0, done.stdout[-4000:]
    with connect(settings.warehouse) as con:
        incremental.build_finished(con, started)
        checked = incremental.compare_with_full(con, kept)
    return {"plan": plan, "checked": checked}


MARTS = [
    "fct_daily_kpis",
    "fct_daily_marketing",
    "campaign_roi",
    "conversion_funnel",
    "customer_cohorts",
    "dim_customers",
    "repurchase",
    "inventory_turnover",
    "logistics_performance",
    "fct_monthly_targets",
]
# the forecasts learn from this one: compared too
COMPARED = [*(f"marts.{m}" for m in MARTS), "intermediate.int_daily_sku_sales"]


def tables(warehouse: Path) -> dict[str, pl.DataFrame]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frames = {relation: con.execute(f"select * from {relation}").pl() for relation in COMPARED}
    return {r: f.with_columns(pl.col(pl.Decimal).cast(pl.Float64)) for r, f in frames.items()}


# the file keeps its name: views name their tables "warehouse"."schema"."table"
INCREMENTAL_COPY = Path("after_incremental_build") / "warehouse.duckdb"
# the dashboards' file after the incremental build's publish
INCREMENTAL_PUBLISH = Path("after_incremental_build") / "shopkpi.duckdb"
# and the file a whole publish of the same warehouse writes
INCREMENTAL_PUBLISHED_WHOLE = Path("after_incremental_build") / "whole.duckdb"


def build_stepwise_then_check(root: Path) -> Settings:
    """The shop built after each drop (the second build incremental), a copy of its
    warehouse kept, then rebuilt in full by the weekly check from the same rows."""
    target = root / "dbt_target"  # one parse for every build
    settings = use_home(root / "home")
    fill_inbox(settings, HANDMADE_SHOP)
    drop(settings, FIRST_DROP)
    first = build(settings, target)
    assert first["plan"].full and first["plan"].reason == "first build of this warehouse"
    assert publish(settings, load_manifest(), "first")[::2] == ("updated", WHOLE)
    # a full rebuild of the same files publishes nothing new: the file is left as it was
    assert build(settings, target, full=True)["plan"].full
    assert publish(settings, load_manifest(), "same")[::2] == ("unchanged", WHOLE)
    drop(settings, SECOND_DROP)
    second = build(settings, target)
    assert not second["plan"].full, second["plan"].reason
    assert second["plan"].reason == (
        "new rows of ads, inventory, logistics, orders, traffic since the last build"
    )
    # the published file holds what the build before published: only the changed
    # customers are written
    assert publish(settings, load_manifest(), "second")[::2] == ("updated", CHANGED_CUSTOMERS)
    (settings.home / INCREMENTAL_COPY).parent.mkdir()
    shutil.copy(settings.warehouse, settings.home / INCREMENTAL_COPY)
    shutil.move(settings.published, settings.home / INCREMENTAL_PUBLISH)
    # the same warehouse published whole, to compare the fingerprints
    assert publish(settings, load_manifest(), "whole")[::2] == ("updated", WHOLE)
    shutil.move(settings.published, settings.home / INCREMENTAL_PUBLISHED_WHOLE)
    assert build(settings, target, full=True, check=True)["plan"].full
    assert publish(settings, load_manifest(), "full")[::2] == ("updated", WHOLE)
    return settings


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The marts after the incremental build and after the full rebuild, and the check."""
    settings = build_once(
        "incremental_shop",
        lambda: build_stepwise_then_check(tmp_path_factory.mktemp("incremental")),
        tmp_path_factory,
    )
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        checked = con.execute("select * from audit.rebuild_checks").pl().to_dicts()
    return {
        "incremental": tables(settings.home / INCREMENTAL_COPY),
        "full": tables(settings.warehouse),
        "checked": checked,
        "published": {
            "incremental": published(settings.home / INCREMENTAL_PUBLISH),
            "full": published(settings.published),
        },
        "settings": settings,
    }


def published(path: Path) -> dict[str, pl.DataFrame]:
    """Every relation of the dashboards' file but its build metadata, the history that
    grows by a row per run and the weekly check's verdict (the full rebuild's only)."""
    with duckdb.connect(str(path), read_only=True) as con:
        relations = [
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema != 'meta' and table_name not in "
                "('quality_checks', 'transform_builds', 'publishes', 'file_loads', 'rebuild_checks')"
            ).fetchall()
        ]
        frames = {r: con.execute(f"select * from {r}").pl() for r in relations}
    return {r: f.with_columns(pl.col(pl.Decimal).cast(pl.Float64)) for r, f in frames.items()}


@pytest.mark.parametrize("relation", COMPARED)
def test_an_incremental_build_equals_a_full_rebuild(shop, relation: str) -> None:
    stepwise, whole = shop["incremental"][relation], shop["full"][relation]
    assert whole.height > 0
    assert_frame_equal(
        stepwise.sort(stepwise.columns, nulls_last=True),
        whole.sort(whole.columns, nulls_last=True),
        rel_tol=1e-9,
        abs_tol=1e-9,
    )


def test_the_published_file_updated_by_customer_equals_one_written_whole(shop) -> None:
    """The dashboards' file after the incremental build, written from the previous one with
    only the changed customers, holds what a whole publish of the full rebuild holds."""
    stepwise, whole = shop["published"]["incremental"], shop["published"]["full"]
    assert sorted(stepwise) == sorted(whole)
    assert "marts.dim_customers" in whole and "intermediate.int_customer_totals" in whole
    for relation, frame in whole.items():
        mine = stepwise[relation]
        try:
            assert_frame_equal(
                mine.sort(mine.columns, nulls_last=True),
                frame.sort(frame.columns, nulls_last=True),
                rel_tol=1e-9,
                abs_tol=1e-9,
            )
        except AssertionError as err:
            raise AssertionError(f"{relation}: {err}") from None


def test_the_updated_file_carries_the_fingerprint_of_a_whole_publish(shop) -> None:
    """The update carried int_customer_totals' part of the fingerprint forward (minus the
    rows it deleted, plus those it inserted): the same as hashing the whole table, so the
    next publish that changes nothing finds the file equal."""
    home = shop["settings"].home
    written = {}
    for how, path in (("updated", INCREMENTAL_PUBLISH), ("whole", INCREMENTAL_PUBLISHED_WHOLE)):
        with duckdb.connect(str(home / path), read_only=True) as con:
            written[how] = (
                con.execute("select fingerprint from meta.build").fetchone()[0],
                con.execute("select * from meta.table_digests order by all").fetchall(),
            )
    assert ("intermediate", "int_customer_totals") in {row[:2] for row in written["whole"][1]}
    assert written["updated"] == written["whole"]


def test_the_docs_in_the_fingerprint_do_not_follow_dbts_parse_order() -> None:
    """A fresh parse and a partial one list the manifest's nodes in other orders: the same
    docs, so a publish of the same rows finds nothing changed."""
    manifest = load_manifest()
    reparsed = {**manifest, "nodes": dict(reversed(list(manifest["nodes"].items())))}
    assert column_docs(reparsed).equals(column_docs(manifest))


def test_the_changes_reached_the_marts(shop) -> None:
    """The equality above is not two stale copies: each change shows in the marts."""
    days = shop["incremental"]["marts.fct_daily_kpis"].filter(pl.col("platform") == "tmall")
    by_day = {row["date"].isoformat(): row for row in days.iter_rows(named=True)}
    assert "2025-03-05" not in by_day, "the emptied day keeps no row"
    assert "2025-03-06" not in by_day and by_day["2025-03-07"]["orders"] == 1, "moved day"
    assert by_day["2025-03-10"]["orders"] == 1 and by_day["2025-03-10"]["sessions"] == 70
    assert by_day["2025-03-02"]["orders"] == 0 and by_day["2025-03-02"]["sessions"] == 25
    # 03-01: T1001 refunded 110 more; T1002 (refunded) is no longer tb_b's first order
    assert by_day["2025-03-01"]["refunds"] == pytest.approx(59 + 110)
    assert by_day["2025-03-01"]["new_customers"] == 1
    assert by_day["2025-02-20"]["new_customers"] == 1
    # 03-08: the line the re-export left out still counts beside the refunded one
    assert by_day["2025-03-08"]["gross_sales"] == pytest.approx(59 + 45)
    assert by_day["2025-03-08"]["refunds"] == pytest.approx(45)
    customers = shop["incremental"]["marts.dim_customers"].filter(pl.col("platform") == "shopify")
    orders_of = dict(customers.select("customer_id", "orders").iter_rows())
    assert orders_of == {"9001": 1, "9002": 1, "9003": 1}, "the buyer moved"
    months = shop["incremental"]["marts.logistics_performance"]
    sf = months.filter(pl.col("carrier") == "顺丰速运")
    by_month = {row["month"].isoformat(): row for row in sf.iter_rows(named=True)}
    assert by_month["2025-02-01"]["shipments"] == 1, "SH3 moved to February"
    assert by_month["2025-03-01"]["shipments"] == 1, "only SH5 left in March"
    zto = months.filter((pl.col("carrier") == "中通快递") & (pl.col("region") == "浙江"))
    by_month = {row["month"].isoformat(): row for row in zto.iter_rows(named=True)}
    assert by_month["2025-03-01"]["orders_returned"] == 1, "T1001's April return"
    assert by_month["2025-04-01"]["shipments"] == 0 and by_month["2025-04-01"]["shipping_cost"] == 8
    yto = months.filter(pl.col("carrier") == "圆通速递")["month"].cast(pl.String).to_list()
    assert yto == ["2025-03-01"], "January emptied: SH7 moved to March"
    campaigns = shop["incremental"]["marts.campaign_roi"]
    by_key = {
        (row["date"].isoformat(), row["campaign_id"]): row
        for row in campaigns.iter_rows(named=True)
    }
    assert by_key[("2025-03-03", "AM-2")]["attributed_revenue"] == 45, "attributed late"
    assert by_key[("2025-03-01", "AM-1")]["spend"] == 55, "re-exported spend"
    assert ("2025-03-02", "AM-1") not in by_key, "T1003 cancelled: AM-1's 03-02 emptied"
    names = campaigns.filter(pl.col("campaign_id") == "AM-1")["campaign_name"].unique()
    assert names.to_list() == ["直通车-核心词-春季"], "renamed on every day"
    marketing = shop["incremental"]["marts.fct_daily_marketing"]
    day = {row["date"].isoformat(): row for row in marketing.iter_rows(named=True)}
    assert day["2025-03-03"]["attributed_revenue"] == 45
    assert day["2025-03-10"]["ad_spend"] > 20
    turnover = shop["incremental"]["marts.inventory_turnover"]
    march = {
        row["sku"]: row
        for row in turnover.filter(pl.col("month").cast(pl.String) == "2025-03-01").iter_rows(
            named=True
        )
    }
    assert march["TEA-01"]["stockout_days"] == 0, "the re-exported snapshot"
    assert march["MUG-01"]["snapshot_days"] == 3, "the new snapshot day"
    sales = shop["incremental"]["intermediate.int_daily_sku_sales"]
    assert sales.filter(pl.col("sales_date").cast(pl.String) == "2025-03-05").height == 0


def test_the_weekly_check_compared_every_mart(shop) -> None:
    assert sorted(c["mart"] for c in shop["checked"]) == sorted(MARTS)
    assert not [c for c in shop["checked"] if c["rows_only_incremental"] or c["rows_only_full"]]


def test_the_weekly_check_reports_a_changed_cell(tmp_path: Path) -> None:
    """A mart that differs from its full rebuild in one cell is reported, with an example;
    a double that differs only in the last bits is not."""
    with connect(tmp_path / "warehouse.duckdb") as con:
        ensure_schemas(con)
        con.execute("create schema marts")
        con.execute("create table marts.a as select range as id, range * 0.1 as x from range(5)")
        con.execute("create table marts.b as select range as id from range(3)")
        kept = incremental.keep_before_full(con, ["a", "b", "not_built"])
        assert kept == ["a", "b"]
        con.execute("update marts.a set x = x + 1e-12")  # summed in another order
        con.execute("update marts.b set id = 7 where id = 2")
        checked = {c["mart"]: c for c in incremental.compare_with_full(con, kept)}
        recorded = con.execute(
            "select mart, rows_only_incremental, rows_only_full from audit.rebuild_checks "
            "order by mart"
        ).fetchall()
    assert checked["a"]["rows_only_incremental"] == checked["a"]["rows_only_full"] == 0
    assert checked["b"]["rows_only_incremental"] == checked["b"]["rows_only_full"] == 1
    assert checked["b"]["example"] == "(2,)"
    assert recorded == [("a", 0, 0), ("b", 1, 1)]


def _loads(con: duckdb.DuckDBPyConnection, *rows: tuple[int, str, str]) -> None:
    for load_id, source, status in rows:
        con.execute(
            "insert into audit.file_loads (load_id, source, status) values (?, ?, ?)",
            [load_id, source, status],
        )


@pytest.mark.parametrize(
    ("new_loads", "finished", "fingerprint", "expected"),
    [
        ([(3, "orders", "loaded"), (4, "traffic", "partial")], True, "same",
         "new rows of orders, traffic since the last build"),
        ([], True, "same", incremental.NOTHING_NEW),
        ([(3, "orders", "rejected")], True, "same", incremental.NOTHING_NEW),
        ([(3, "products", "loaded")], True, "same", incremental.FULL_REBUILD_SOURCES["products"]),
        ([(3, "fx_rates", "loaded")], True, "same", incremental.FULL_REBUILD_SOURCES["fx_rates"]),
        ([(3, "logistics", "loaded")], True, "same", "the first logistics export arrived"),
        ([(3, "orders", "loaded")], False, "same", "the last build stopped before it finished"),
        ([(3, "orders", "loaded")], True, "other", incremental.MODELS_CHANGED),
    ],
)  # fmt: skip
def test_a_build_is_incremental_only_when_that_is_sound(
    tmp_path: Path, new_loads, finished, fingerprint, expected
) -> None:
    with connect(tmp_path / "warehouse.duckdb") as con:
        ensure_schemas(con)
        assert incremental.plan_build(con, "same", asked_full=False).reason == (
            "first build of this warehouse"
        )
        _loads(con, (1, "orders", "loaded"), (2, "traffic", "loaded"))
        started = incremental.build_started(con, incremental.plan_build(con, "same", False))
        if finished:
            incremental.build_finished(con, started)
        _loads(con, *new_loads)
        plan = incremental.plan_build(con, fingerprint, asked_full=False)
        assert plan.reason == expected
        incremental_reasons = (
            incremental.NOTHING_NEW,
            "new rows of orders, traffic since the last build",
        )
        assert plan.full == (expected not in incremental_reasons)
        assert plan.through_load_id == max([2, *(r[0] for r in new_loads if r[2] != "rejected")])
        assert incremental.plan_build(con, "same", asked_full=True).full


def test_another_dbt_or_duckdb_version_changes_the_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade rebuilds in full: the views an incremental build keeps were made by the
    versions before."""
    settings = use_home(tmp_path / "home")
    before = incremental.models_fingerprint(settings)
    assert incremental.models_fingerprint(settings) == before
    installed = incremental.metadata.version
    for package in incremental.ENGINE_PACKAGES:
        monkeypatch.setattr(
            incremental.metadata,
            "version",
            lambda name, package=package: "99.0" if name == package else installed(name),
        )
        assert incremental.models_fingerprint(settings) != before, package
