"""`make bench` reads each step's time from the build log as Dagster writes it."""

from pipelines.bench import duration_seconds, forecast_seconds, step_seconds


def test_dagster_durations_in_every_unit() -> None:
    assert duration_seconds("240ms") == 0.24
    assert duration_seconds("3.2s") == 3.2
    assert duration_seconds("1m53s") == 113
    assert duration_seconds("1h2m") == 3720


def test_steps_of_the_build_log(tmp_path) -> None:
    log = tmp_path / "build.log"
    log.write_text(
        'x - raw__orders - STEP_SUCCESS - Finished execution of step "raw__orders" in 1m53s.\n'
        'x - forecasts - STEP_SUCCESS - Finished execution of step "forecasts" in 812ms.\n',
        encoding="utf-8",
    )
    assert step_seconds(log) == {"raw__orders": 113.0, "forecasts": 0.81}
    assert forecast_seconds(log) == 0.81


def test_the_forecasts_without_the_publish_begun_beside_them(tmp_path) -> None:
    log = tmp_path / "build.log"
    log.write_text(
        "x - forecasts - the publish began beside the forecasts: 9.99 s\n"  # a run before
        'x - forecasts - STEP_START - Started execution of step "forecasts".\n'
        "x - forecasts - the publish began beside the forecasts: 0.64 s\n"
        'x - forecasts - STEP_SUCCESS - Finished execution of step "forecasts" in 1.5s.\n',
        encoding="utf-8",
    )
    assert forecast_seconds(log) == 0.86


def test_the_next_days_shipments_ship_orders_that_wait_for_one(tmp_path) -> None:
    """One more day, as `make bench` adds it: its shipments ship orders that exist and have
    none yet, oldest first, as a platform's daily logistics export does."""
    import duckdb
    import polars as pl

    from pipelines.bench import write_next_day
    from pipelines.lib.warehouse import ensure_schemas

    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ensure_schemas(con)
        con.execute(
            "insert into raw.orders (order_id, line_id, order_ts, status, quantity, unit_price) "
            "values ('o1', '1', '2025-03-01 10:00', 'delivered', 1, 10), "
            "('o2', '1', '2025-03-02 10:00', 'paid', 1, 10), "
            "('o3', '1', '2025-03-02 11:00', 'cancelled', 1, 10), "
            "('o4', '1', '2025-03-03 10:00', 'paid', 1, 10)"
        )
        con.execute(
            "insert into raw.logistics (shipment_id, order_id, ship_ts) values "
            "('s1', 'o1', '2025-03-02 09:00'), ('s2', 'o1', '2025-03-03 09:00')"
        )
    written = write_next_day(warehouse, tmp_path / "inbox")

    shipments = pl.read_csv(tmp_path / "inbox" / "logistics" / "next_day_logistics.csv")
    assert written["logistics"] == 1
    assert shipments.select("shipment_id", "order_id", "ship_ts").rows() == [
        ("s2-next", "o2", "2025-03-04T09:00:00Z")
    ]
