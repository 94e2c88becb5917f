"""A Taobao order list + detail pair gives the same KPIs as the same orders written in the
canonical format: both go through dbt into one warehouse, as two platforms."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from dbt.cli.main import dbtRunner

from pipelines.ingest import ingest_source
from pipelines.lib.settings import DBT_PROJECT_DIR, Settings
from pipelines.lib.warehouse import connect, ensure_schemas

FIXTURES = Path(__file__).parents[1] / "fixtures" / "platform_exports"
MARTS = ("fct_daily_kpis", "dim_customers")


def test_taobao_pair_and_canonical_file_give_the_same_kpis(home: Settings, monkeypatch) -> None:
    canonical = FIXTURES / "taobao_as_canonical.csv"
    shutil.copy(canonical, home.inbox_for("orders") / canonical.name)
    with connect(home.warehouse) as con:
        ensure_schemas(con)
        assert ingest_source(con, home, "orders").files[0].status == "loaded"
    # the same orders from the seller centre export, booked as another platform
    for name in ("ExportOrderList202505.csv", "ExportOrderDetailList202505.csv"):
        shutil.copy(FIXTURES / name, home.inbox_for("orders") / name)
    taobao = Settings(home=home.home, alibaba_platform="taobao")
    with connect(home.warehouse) as con:
        assert {f.status for f in ingest_source(con, taobao, "orders").files} == {"loaded"}

    selected = " ".join(f"+{m}" for m in MARTS)
    result = dbtRunner().invoke(
        ["run", "--select", selected, "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--quiet"]
    )  # fmt: skip
    assert result.success, result.exception

    # dbt-duckdb keeps its connection open in this process: open the file the same way
    with duckdb.connect(str(home.warehouse)) as con:
        # dim_customers' M score is a quintile over the whole shop (both platforms here),
        # so only each customer's own figures are compared
        for mart, columns in (
            ("fct_daily_kpis", "* exclude (platform)"),
            (
                "dim_customers",
                "customer_id, first_order_date, last_order_date, orders, net_revenue",
            ),
        ):
            per_platform = {
                platform: con.execute(
                    f"select {columns} from marts.{mart} where platform = ? order by all",
                    [platform],
                ).fetchall()
                for platform in ("tmall", "taobao")
            }  # fmt: skip
            assert per_platform["tmall"], mart
            assert per_platform["tmall"] == per_platform["taobao"], mart
        # the masked buyer of T4 is not a customer in the customer marts
        assert con.execute(
            "select count(*) from marts.dim_customers where customer_id like 'anonymous:%'"
        ).fetchone() == (0,)
        kpis = con.execute(
            "select sum(orders), sum(customers), sum(new_customers), sum(net_revenue) "
            "from marts.fct_daily_kpis where platform = 'taobao'"
        ).fetchone()
    # 3 valid orders (T3 never paid); T4's masked buyer counts as a buyer, not a new one;
    # net = 37.00 + (29.50 - 9.50) + 12.00
    assert kpis == (3, 3, 2, 69)
