"""Shared fixtures: every test gets its own SHOPKPI_HOME; the demo build runs once."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import pytest

from pipelines.lib.settings import REPO_ROOT, SOURCES, Settings

HANDMADE_SHOP = REPO_ROOT / "data" / "samples" / "handmade_shop"
DEMO_ORDER_LINES = 6_000
DEMO_SEED = 7

os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")


def use_home(home: Path) -> Settings:
    os.environ["SHOPKPI_HOME"] = str(home)
    os.environ["DAGSTER_HOME"] = str(home / "dagster_home")
    settings = Settings.from_env()
    settings.ensure_dirs()
    return settings


@contextmanager
def kept_home_environment() -> Iterator[None]:
    """SHOPKPI_HOME and DAGSTER_HOME as they were before the block: no leak to later tests."""
    saved = {k: os.environ.get(k) for k in ("SHOPKPI_HOME", "DAGSTER_HOME")}
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def fill_inbox(settings: Settings, exports: Path) -> None:
    """Copy an export folder (<source>/files) into the inbox, as the analyst would."""
    for source in SOURCES:
        folder = exports / source
        if folder.is_dir():
            shutil.copytree(folder, settings.inbox_for(source), dirs_exist_ok=True)


def run_build() -> dg.ExecuteInProcessResult:
    """The daily_build job, in this process, on an ephemeral Dagster instance."""
    from pipelines.definitions import defs

    job = defs().resolve_job_def("daily_build")
    with dg.DagsterInstance.ephemeral() as instance:
        return job.execute_in_process(instance=instance, raise_on_error=False)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("SHOPKPI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home" / "dagster_home"))
    return use_home(tmp_path / "home")


@pytest.fixture(scope="session")
def demo_exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipelines import demo

    out = tmp_path_factory.mktemp("demo_exports")
    demo.generate(out, DEMO_ORDER_LINES, DEMO_SEED)
    return out


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory, demo_exports: Path) -> Iterator[Settings]:
    """A warehouse built once from the small demo shop; tests only read it."""
    with kept_home_environment():
        settings = use_home(tmp_path_factory.mktemp("demo_home"))
        fill_inbox(settings, demo_exports)
        result = run_build()
        assert result.success, "the demo build failed"
        yield settings
