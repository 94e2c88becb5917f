"""Great Expectations in its own process: the same verdict as in the build's process."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from pipelines.lib import quality_worker
from pipelines.lib.quality import validate_rows_after
from pipelines.lib.settings import SOURCES, Settings
from pipelines.lib.warehouse import ensure_schemas

ORDER = (
    "insert into raw.orders (order_id, platform, customer_id, order_ts, status, sku, quantity, "
    "unit_price, discount, currency, _load_id) values "
    "('{id}', 'tmall', 'c1', timestamp '2025-03-02 01:00:00', '{status}', 'MUG-01', {qty}, "
    "59.5, 0, 'CNY', {load})"
)


def warehouse(home: Path) -> duckdb.DuckDBPyConnection:
    home.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    ensure_schemas(con)
    return con


def in_process(con: duckdb.DuckDBPyConnection, home: Path, source: str):
    return validate_rows_after(con, home, source, 0)


def test_the_worker_gives_the_verdict_the_build_process_would(tmp_path) -> None:
    home = tmp_path / "shop"
    con = warehouse(home)
    con.execute(ORDER.format(id="A1", status="paid", qty=2, load=1))
    con.execute(ORDER.format(id="A2", status="lost", qty=-5, load=1))  # two broken rules
    log = home / "logs" / "build.log"
    assert quality_worker.hand_over(con, home, log, "orders") == 2
    assert quality_worker.hand_over(con, home, log, "ads") == 0  # nothing loaded: not sent
    worker = quality_worker.running(home)
    assert worker is not None and set(worker.parts) == {"orders"}
    try:
        assert worker.result("ads", 0) is None  # never handed over: the check validates itself
        from_worker = worker.result("orders", 0)
        # as the dbt step does: ask for the Data Docs, go on, collect the worker later
        quality_worker.ask_to_finish(home)
        assert worker.process.wait(timeout=120) == 0  # wrote them and exited by itself
        assert Settings(home=home).data_docs_index.exists()
    finally:
        quality_worker.finish(home)
    assert worker.process.returncode == 0 and worker.failure is None
    assert not list(quality_worker.new_rows_dir(home).glob("*.parquet"))  # hand-over cleaned
    here = in_process(con, home, "orders")
    assert from_worker is not None and not from_worker.success
    assert (from_worker.success, from_worker.rows_checked, from_worker.evaluated) == (
        here.success,
        here.rows_checked,
        here.evaluated,
    )
    assert from_worker.failed == here.failed
    assert any(line.startswith("expect_column_values_to_be_in_set status") for line in here.failed)
    assert any("expect_column_values_to_be_between quantity" in line for line in here.failed)


def test_batches_handed_over_in_turn_get_one_verdict_on_all_their_rows(tmp_path) -> None:
    home = tmp_path / "shop"
    con = warehouse(home)
    log = home / "logs" / "build.log"
    con.execute(ORDER.format(id="A1", status="paid", qty=2, load=1))  # as ingest commits
    assert quality_worker.hand_over(con, home, log, "orders") == 1
    con.execute(ORDER.format(id="A2", status="lost", qty=1, load=2))
    con.execute(ORDER.format(id="A3", status="paid", qty=-5, load=3))
    assert quality_worker.hand_over(con, home, log, "orders") == 2  # only the new loads
    assert quality_worker.hand_over(con, home, log, "orders") == 0  # nothing new: not sent
    worker = quality_worker.running(home)
    try:
        assert len(worker.parts["orders"].keys) == 2
        from_worker = worker.result("orders", 0)
    finally:
        quality_worker.finish(home)
    here = in_process(con, home, "orders")
    assert from_worker is not None and worker.failure is None
    assert (from_worker.success, from_worker.rows_checked) == (here.success, 3) == (False, 3)
    assert sorted(from_worker.failed) == sorted(here.failed)
    assert len(here.failed) == 2  # the status of A2 and the quantity of A3


def test_a_worker_that_died_leaves_the_check_to_the_build_process(tmp_path) -> None:
    home = tmp_path / "shop"
    con = warehouse(home)
    con.execute(ORDER.format(id="A1", status="paid", qty=2, load=1))
    log = home / "logs" / "build.log"
    quality_worker.hand_over(con, home, log, "orders")
    worker = quality_worker.running(home)
    worker.process.kill()
    worker.process.wait()
    try:
        assert worker.result("orders", 0) is None
        assert "the validation worker stopped" in (worker.failure or "")
    finally:
        quality_worker.stop(home)
    assert quality_worker.running(home) is None
    assert in_process(con, home, "orders").success  # what the check then does itself


def test_rows_checked_since_a_later_pass_are_not_taken_from_an_older_hand_over(
    tmp_path,
) -> None:
    home = tmp_path / "shop"
    con = warehouse(home)
    con.execute(ORDER.format(id="A1", status="paid", qty=2, load=1))
    quality_worker.hand_over(con, home, home / "build.log", "orders")
    worker = quality_worker.running(home)
    try:
        # the check asks about the rows after load 1: the worker saw those after load 0
        assert worker.result("orders", 1) is None
    finally:
        quality_worker.stop(home)


def test_a_break_in_a_later_chunk_fails_the_suite_and_reaches_the_data_docs(tmp_path) -> None:
    from pipelines.lib.quality import Suites, as_frame, rows_to_check_sql

    home = tmp_path / "shop"
    con = warehouse(home)
    con.execute(ORDER.format(id="A1", status="paid", qty=2, load=1))
    con.execute(ORDER.format(id="A2", status="lost", qty=1, load=1))  # chunk 2: a status
    con.execute(ORDER.format(id="A3", status="paid", qty=-5, load=1))  # chunk 3: a quantity
    reader = con.execute(rows_to_check_sql("orders"), [0]).to_arrow_reader(1)
    result = Suites(home).validate("orders", (as_frame(batch) for batch in reader))
    assert (result.success, result.rows_checked) == (False, 3)
    assert any(
        line.startswith("expect_column_values_to_be_in_set status") for line in result.failed
    )
    assert any("expect_column_values_to_be_between quantity" in line for line in result.failed)
    # kept for the Data Docs: the first chunk's result and the first failing chunk's
    stored = list((home / "gx" / "uncommitted" / "validations").rglob("*.json"))
    assert len(stored) == 2
    assert result.docs_path is not None and result.docs_path.exists()


def test_a_new_home_reuses_the_suites_another_set_up_and_a_changed_suite_is_set_up_again(
    tmp_path, monkeypatch
) -> None:
    from pipelines.lib import quality
    from pipelines.lib.quality import Suites, as_frame, rows_to_check_sql

    monkeypatch.setattr(quality, "GX_SET_UP_CACHE", tmp_path / "kept")
    set_up = []
    real_set_up = Suites._set_up
    monkeypatch.setattr(Suites, "_set_up", lambda self, s: set_up.append(s) or real_set_up(self, s))

    def verdict(home: Path):
        con = warehouse(home)
        con.execute(ORDER.format(id="A1", status="paid", qty=2, load=1))
        con.execute(ORDER.format(id="A2", status="lost", qty=1, load=1))  # a broken rule
        suites = Suites(home)
        for source in SOURCES:  # as the worker does before the first rows arrive
            suites.checkpoint(source)
        reader = con.execute(rows_to_check_sql("orders"), [0]).to_arrow_reader(10)
        return suites.validate("orders", (as_frame(batch) for batch in reader))

    first = verdict(tmp_path / "first")
    assert sorted(set_up) == sorted(SOURCES)  # a home with nothing kept yet: all set up
    set_up.clear()
    second = verdict(tmp_path / "second")
    assert set_up == []  # the kept set-up, copied: nothing set up again
    assert (second.success, second.rows_checked, second.failed) == (
        first.success, first.rows_checked, first.failed,
    )  # fmt: skip
    assert not second.success and second.docs_path is not None and second.docs_path.exists()
    assert len(list((tmp_path / "second" / "gx" / "uncommitted" / "validations").rglob("*.json")))
    # a new home whose build handed its first rows over before the worker started (the
    # hand-over made gx/uncommitted/new_rows): the kept set-up is copied all the same
    (tmp_path / "handed" / "gx" / "uncommitted" / "new_rows").mkdir(parents=True)
    handed = verdict(tmp_path / "handed")
    assert set_up == [] and handed.rows_checked == first.rows_checked

    # a suite that changed (here: a new rule for ads) sets every source up again
    real_expectations = quality.expectations

    def changed(spec):
        rules = real_expectations(spec)
        if spec.name == "ads":
            import great_expectations.expectations as gxe

            rules.append(gxe.ExpectTableRowCountToBeBetween(min_value=0))
        return rules

    monkeypatch.setattr(quality, "expectations", changed)
    third = verdict(tmp_path / "second")  # the same home, its stored set-up now outdated
    assert sorted(set_up) == sorted(SOURCES)
    # the same rules broken (its rows are in twice now)
    assert [line.split(":")[0] for line in third.failed] == [
        line.split(":")[0] for line in first.failed
    ]
    stored = json.loads((tmp_path / "second" / "gx" / "expectations" / "raw_ads.json").read_text())
    assert "expect_table_row_count_to_be_between" in {e["type"] for e in stored["expectations"]}


def test_the_data_docs_render_only_new_results_and_keep_each_source_s_newest(
    tmp_path, monkeypatch
) -> None:
    """Each build's Data Docs render the pages of the results it stored, not every page
    again; each source keeps its newest DOCS_RESULTS_KEPT results and pages."""
    from pipelines.lib import quality
    from pipelines.lib.quality import build_docs_if_stale, docs_stale, validate_rows_after

    monkeypatch.setattr(quality, "DOCS_RESULTS_KEPT", 2)
    home = tmp_path / "shop"
    con = warehouse(home)
    site = Settings(home=home).data_docs_index.parent

    def a_build(load: int) -> None:
        con.execute(ORDER.format(id=f"A{load}", status="paid", qty=load, load=load))
        assert validate_rows_after(con, home, "orders", load - 1).success
        assert docs_stale(home)
        build_docs_if_stale(home)
        assert not docs_stale(home)

    def pages() -> dict[str, int]:
        return {
            p.relative_to(site).as_posix(): p.stat().st_mtime_ns
            for p in (site / "validations").rglob("*.html")
        }

    a_build(1)
    first = pages()
    assert len(first) == 1
    a_build(2)
    second = pages()
    assert len(second) == 2 and second.items() >= first.items()  # the first page as it was
    a_build(3)
    third = pages()
    # the oldest result and its page are gone, the index links the two newest only
    results = list((home / "gx" / "uncommitted" / "validations").rglob("*.json"))
    assert len(results) == 2 and len(third) == 2
    assert not set(first) & set(third) and set(second) - set(first) <= set(third)
    index = Settings(home=home).data_docs_index.read_text(encoding="utf-8")
    assert all(name in index for name in third) and not any(name in index for name in first)


def test_a_stale_marker_cut_short_renders_every_page(tmp_path) -> None:
    from pipelines.lib.quality import _docs_stale_marker, build_docs_if_stale, validate_rows_after

    home = tmp_path / "shop"
    con = warehouse(home)
    con.execute(ORDER.format(id="A1", status="paid", qty=1, load=1))
    assert validate_rows_after(con, home, "orders", 0).success
    build_docs_if_stale(home)
    [page] = (Settings(home=home).data_docs_index.parent / "validations").rglob("*.html")
    rendered = page.stat().st_mtime_ns
    # a marker a crash left half written: every page again, no error
    _docs_stale_marker(home).write_text('["raw_orders", "__none__"', encoding="utf-8")
    assert build_docs_if_stale(home) == Settings(home=home).data_docs_index
    assert page.stat().st_mtime_ns > rendered and not _docs_stale_marker(home).exists()
