"""`make bench` reads each step's time from the build log as Dagster writes it."""

from pipelines.bench import duration_seconds, step_seconds


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
