"""Loading files into raw.*: audit rows, re-exports, skips, rejections, archive."""

import duckdb
import pytest

from pipelines.ingest import ingest_source
from pipelines.lib.settings import Settings
from pipelines.lib.warehouse import connect, ensure_schemas

HEADER = "order_id,platform,customer_id,order_ts,paid_ts,status,sku,quantity,unit_price,discount,currency\n"


def drop(settings: Settings, name: str, text: str, source: str = "orders") -> None:
    (settings.inbox_for(source) / name).write_text(text, encoding="utf-8")


def load(settings: Settings, source: str = "orders"):
    with connect(settings.warehouse) as con:
        ensure_schemas(con)
        return ingest_source(con, settings, source)


def rows(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_file_loads_and_is_archived_with_an_audit_row(home: Settings) -> None:
    drop(
        home,
        "o1.csv",
        HEADER + "A1,tmall,c1,2025-03-01 10:00:00,2025-03-01 10:01:00,paid,S1,2,10.5,1,CNY\n",
    )
    summary = load(home)
    assert [f.status for f in summary.files] == ["loaded"]
    assert rows(home, "select order_id, quantity, unit_price, _row_number from raw.orders") == [
        ("A1", 2, pytest.approx(10.5), 1)
    ]
    audit = rows(
        home,
        "select file_name, rows_read, rows_loaded, rows_quarantined, status from audit.file_loads",
    )
    assert audit == [("o1.csv", 1, 1, 0, "loaded")]
    assert not list(home.inbox_for("orders").iterdir())
    assert len(list((home.archive / "orders").rglob("o1.csv"))) == 1


def test_the_same_bytes_again_are_skipped(home: Settings) -> None:
    text = HEADER + "A1,tmall,c1,2025-03-01 10:00:00,2025-03-01 10:01:00,paid,S1,2,10.5,1,CNY\n"
    drop(home, "o1.csv", text)
    load(home)
    drop(home, "o1-again.csv", text)
    summary = load(home)
    assert [f.status for f in summary.files] == ["skipped"]
    assert rows(home, "select count(*) from raw.orders") == [(1,)]
    assert rows(home, "select count(*) from audit.file_loads") == [(2,)]


def test_a_re_export_replaces_rows_by_natural_key(home: Settings) -> None:
    drop(home, "day1.csv", HEADER
         + "A1,tmall,c1,2025-03-01 10:00:00,2025-03-01 10:01:00,paid,S1,2,10,0,CNY\n"
         + "A2,tmall,c2,2025-03-01 11:00:00,2025-03-01 11:01:00,paid,S1,1,10,0,CNY\n")  # fmt: skip
    load(home)
    drop(home, "day2.csv", HEADER
         + "A1,tmall,c1,2025-03-01 10:00:00,2025-03-01 10:01:00,delivered,S1,2,10,0,CNY\n")  # fmt: skip
    load(home)
    assert rows(home, "select order_id, status from raw.orders order by order_id") == [
        ("A1", "delivered"),
        ("A2", "paid"),
    ]


@pytest.mark.parametrize("batch_loads", [1, 2, 16])
def test_files_dropped_together_load_as_one_after_another(
    home: Settings, monkeypatch, batch_loads: int
) -> None:
    """Loads commit in batches; within a batch as across them the later file wins per
    natural key, and the same bytes twice load once."""
    import os

    from pipelines.ingest import load as loader

    monkeypatch.setattr(loader, "BATCH_LOADS", batch_loads)
    line = "{},tmall,c1,2025-03-01 10:00:00,2025-03-01 10:01:00,{},S1,{},10,0,CNY\n"
    files = [
        ("a.csv", HEADER + line.format("A1", "paid", 1) + line.format("A2", "paid", 1)),
        ("b.csv", HEADER + line.format("A1", "shipped", 2)),
        ("c.csv", HEADER + line.format("A3", "paid", 3)),
        ("c-copy.csv", HEADER + line.format("A3", "paid", 3)),  # the same bytes
        ("d.csv", HEADER + line.format("A1", "delivered", 4) + line.format("A3", "refunded", 3)),
    ]
    for index, (name, text) in enumerate(files):
        drop(home, name, text)
        path = home.inbox_for("orders") / name
        os.utime(path, ns=(10**18 + index, 10**18 + index))  # oldest first: a.csv .. d.csv
    summary = load(home)
    assert sorted((f.file_name, f.status) for f in summary.files) == [
        ("a.csv", "loaded"), ("b.csv", "loaded"), ("c-copy.csv", "skipped"),
        ("c.csv", "loaded"), ("d.csv", "loaded"),
    ]  # fmt: skip
    assert rows(home, "select order_id, status, quantity, _file_name from raw.orders "
                "order by order_id") == [
        ("A1", "delivered", 4, "d.csv"), ("A2", "paid", 1, "a.csv"), ("A3", "refunded", 3, "d.csv"),
    ]  # fmt: skip
    assert rows(home, "select count(distinct load_id), count(*) from audit.file_loads") == [(5, 5)]
    assert not list(home.inbox_for("orders").iterdir())
    assert len(list((home.archive / "orders").rglob("*.csv"))) == 5


def test_bad_rows_go_to_quarantine_and_the_rest_loads(home: Settings) -> None:
    drop(home, "mixed.csv", HEADER
         + "A1,tmall,c1,2025-03-01 10:00:00,,pending,S1,1,10,0,CNY\n"
         + "A2,tmall,c2,not a time,,pending,S1,1,10,0,CNY\n")  # fmt: skip
    summary = load(home)
    assert summary.files[0].status == "partial"
    assert rows(home, "select count(*) from raw.orders") == [(1,)]
    assert rows(home, "select file_name, row_number, reason from audit.quarantine") == [
        (
            "mixed.csv",
            2,
            "order_ts: 'not a time' is not a date and time (ISO 8601, e.g. 2025-06-18 20:15:00+08:00)",
        )
    ]
    assert rows(home, "select rows_read, rows_loaded, rows_quarantined from audit.file_loads") == [
        (2, 1, 1)
    ]


def test_a_file_without_a_required_column_is_rejected_and_the_rest_loads(home: Settings) -> None:
    drop(home, "a_bad.csv", "order_id,platform\nA1,tmall\n")
    drop(home, "b_good.csv", HEADER + "A1,tmall,c1,2025-03-01 10:00:00,,pending,S1,1,10,0,CNY\n")
    summary = load(home)
    assert {f.file_name: f.status for f in summary.files} == {
        "a_bad.csv": "rejected",
        "b_good.csv": "loaded",
    }
    message = rows(home, "select message from audit.file_loads where status = 'rejected'")[0][0]
    assert message.startswith("missing required columns customer_id, order_ts, status, sku")
    reason = home.quarantine / "orders" / "a_bad.csv.reason.txt"
    assert "missing required columns" in reason.read_text(encoding="utf-8")
    assert rows(home, "select count(*) from raw.orders") == [(1,)]


def test_files_still_downloading_are_left_alone(home: Settings) -> None:
    drop(home, "big.csv.crdownload", HEADER)
    assert load(home).files == []
    assert (home.inbox_for("orders") / "big.csv.crdownload").exists()


def test_file_names_and_links_cannot_reach_outside_shopkpi_home(home: Settings, tmp_path) -> None:
    """`../` in a name, a link to a file elsewhere, an inbox folder that leads elsewhere."""
    from pipelines.ingest.files import free_name as _free_name

    line = "A1,tmall,c1,2025-03-01 10:00:00,2025-03-01 10:01:00,paid,S1,2,10.5,1,CNY\n"
    folder = home.archive / "orders"
    for name in ("../../../etc/passwd", "/etc/passwd", "..\\..\\x.csv"):
        assert _free_name(folder, name, "ab" * 32).parent == folder
    # a Windows-style name with `..` is one odd file name on Linux: it stays in the archive
    drop(home, "report\\..\\..\\evil.csv", HEADER + line)
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.csv"
    secret.write_text(HEADER + line.replace("A1", "S9"), encoding="utf-8")
    (home.inbox_for("orders") / "link.csv").symlink_to(secret)

    summary = load(home)
    outcomes = {f.file_name: f for f in summary.files}
    assert outcomes["report\\..\\..\\evil.csv"].status == "loaded"
    assert outcomes["link.csv"].status == "rejected"
    assert "symbolic link" in outcomes["link.csv"].message
    assert rows(home, "select order_id from raw.orders") == [("A1",)]  # the link was not read
    assert secret.read_text(encoding="utf-8").startswith(HEADER)  # and its target not moved
    assert (home.quarantine / "orders" / "link.csv.reason.txt").exists()
    written = {p.resolve() for p in home.home.rglob("*")} | {p for p in outside.rglob("*")}
    assert all(p.is_relative_to(home.home.resolve()) or p == secret for p in written)

    # inbox/traffic is a link to a folder elsewhere: nothing there is read, moved or deleted
    home.inbox_for("traffic").rmdir()
    home.inbox_for("traffic").symlink_to(outside, target_is_directory=True)
    traffic = load(home, "traffic")
    assert traffic.files == [] and "outside SHOPKPI_HOME" in traffic.problems[0]
    assert secret.exists()


def test_a_time_the_clock_skipped_loads_with_a_warning(tmp_path, monkeypatch) -> None:
    from tests.conftest import use_home

    monkeypatch.setenv("SHOPKPI_TIMEZONE", "America/Los_Angeles")
    settings = use_home(tmp_path / "home")
    drop(
        settings,
        "o1.csv",
        HEADER + "A1,shopify,c1,2025-03-09 01:50:00,2025-03-09 02:30:00,paid,S1,1,10,0,USD\n",
    )
    summary = load(settings)
    assert [f.status for f in summary.files] == ["loaded"]
    assert rows(settings, "select cast(paid_ts as varchar) from raw.orders") == [
        ("2025-03-09 10:30:00",)
    ]
    [(kind, count, message)] = rows(settings, "select kind, rows, message from audit.load_warnings")
    assert (kind, count) == ("clock_change", 1)
    assert "paid_ts" in message and "America/Los_Angeles" in message


RAW_ORDERS = (
    "select order_id, sku, status, cast(order_ts as varchar), cast(paid_ts as varchar), "
    "quantity, unit_price, _file_name, _row_number from raw.orders order by all"
)


def test_a_new_timezone_reads_the_archived_files_again(home: Settings, tmp_path) -> None:
    """Times written without an offset mean the shop's local time: after a timezone change,
    raw.orders is what loading the same files under the new zone gives, pair files and
    re-exports (latest wins) included."""
    import dataclasses
    import shutil

    from tests.conftest import use_home
    from tests.pipelines.test_adapters import FIXTURES

    def drop_all(settings: Settings) -> None:
        drop(settings, "day1.csv", HEADER
             + "A1,tmall,c1,2025-03-01 23:30:00,2025-03-01 23:40:00,paid,S1,2,10,0,CNY\n"
             + "A2,tmall,c2,2025-03-01 11:00:00,2025-03-01 11:01:00,paid,S1,1,10,0,CNY\n")  # fmt: skip
        load(settings)
        drop(settings, "day2.csv", HEADER
             + "A1,tmall,c1,2025-03-01 23:30:00,2025-03-01 23:40:00,delivered,S1,2,10,0,CNY\n")  # fmt: skip
        for name in ("ExportOrderList202505.csv", "ExportOrderDetailList202505.csv"):
            shutil.copy(FIXTURES / name, settings.inbox_for("orders") / name)
        load(settings)

    drop_all(home)
    assert rows(home, "select cast(paid_ts as varchar) from raw.orders where order_id = 'A1'") == [
        ("2025-03-01 15:40:00",)  # 23:40 in Shanghai (+08:00)
    ]
    moved = dataclasses.replace(home, timezone="America/Los_Angeles")
    summary = load(moved)
    assert any("read again from archive/" in note for note in summary.notes)
    assert rows(home, "select cast(paid_ts as varchar) from raw.orders where order_id = 'A1'") == [
        ("2025-03-02 07:40:00",)  # 23:40 in Los Angeles (-08:00)
    ]
    fresh = dataclasses.replace(use_home(tmp_path / "fresh"), timezone="America/Los_Angeles")
    drop_all(fresh)
    assert rows(home, RAW_ORDERS) == rows(fresh, RAW_ORDERS)
    assert rows(
        home, "select distinct read_with from audit.file_loads where status = 'loaded'"
    ) == [(moved.read_with(),)]
    assert load(moved).notes == []  # read once, not on every build
