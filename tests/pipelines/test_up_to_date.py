"""When is a build needed? Whenever a file waits, a setting or the code changed, the
warehouse was touched, or the last run was not this one's successful build."""

import json
from pathlib import Path

import pytest

from pipelines import up_to_date
from pipelines.lib.settings import Settings


@pytest.fixture
def built(tmp_path: Path) -> tuple[Settings, dict]:
    """A home as a successful `make pipeline` leaves it (files stand in for the build's)."""
    settings = Settings(home=tmp_path / "shop")
    settings.ensure_dirs()
    settings.warehouse.write_bytes(b"warehouse")
    settings.published.parent.mkdir(parents=True, exist_ok=True)
    settings.published.write_bytes(b"published")
    up_to_date.remember_inputs(settings, "run-1")
    return settings, {"run_id": "run-1", "status": "success"}


def test_the_same_inputs_need_no_build(built) -> None:
    settings, last_run = built
    assert up_to_date.nothing_to_build(settings, last_run)


def test_a_waiting_file_needs_a_build(built) -> None:
    settings, last_run = built
    (settings.inbox_for("orders") / "tmall_2025-03.csv").write_text("order_id\n", "utf-8")
    assert not up_to_date.nothing_to_build(settings, last_run)


def test_a_half_downloaded_file_is_not_waiting(built) -> None:
    settings, last_run = built
    (settings.inbox_for("orders") / "tmall.csv.crdownload").write_text("order_id\n", "utf-8")
    assert up_to_date.nothing_to_build(settings, last_run)  # ingest ignores it too


def test_another_setting_needs_a_build(built) -> None:
    settings, last_run = built
    moved = Settings.from_values(settings.home, {**settings.as_values(), "timezone": "UTC"})
    assert not up_to_date.nothing_to_build(moved, last_run)


def test_a_touched_warehouse_needs_a_build(built) -> None:
    settings, last_run = built
    settings.warehouse.write_bytes(b"warehouse with a row written by hand")
    assert not up_to_date.nothing_to_build(settings, last_run)


@pytest.mark.parametrize(
    "last_run",
    [None, {"run_id": "run-1", "status": "failure"}, {"run_id": "run-2", "status": "success"}],
)
def test_a_failed_or_other_last_run_needs_a_build(built, last_run) -> None:
    settings, _ = built
    assert not up_to_date.nothing_to_build(settings, last_run)


def test_other_code_needs_a_build(built, monkeypatch) -> None:
    settings, last_run = built
    monkeypatch.setattr(up_to_date, "code_version", lambda: "another version")
    assert not up_to_date.nothing_to_build(settings, last_run)


def test_the_record_names_its_run(built) -> None:
    settings, _ = built
    record = json.loads(up_to_date.record_path(settings).read_text("utf-8"))
    assert record["run_id"] == "run-1" and len(record["fingerprint"]) == 64
