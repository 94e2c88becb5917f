"""Shared fixtures: every test gets its own SHOPKPI_HOME; each shared build runs once.

`make test` runs two pytest-xdist workers (`--dist loadgroup`): the tests that read one
shared build (SHARED_BUILDS) are one group, so that build runs once, on one worker; the
tests that build nothing run first.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import dagster as dg
import pytest

from pipelines.lib.settings import REPO_ROOT, SOURCES, Settings

T = TypeVar("T")
HANDMADE_SHOP = REPO_ROOT / "data" / "samples" / "handmade_shop"
DEMO_ORDER_LINES = 6_000
DEMO_SEED = 7

os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")


def use_home(home: Path) -> Settings:
    """A home's settings and folders. The process environment stays as it was: a build
    gets its settings passed in (cli.build, run_build), a subprocess gets SHOPKPI_HOME."""
    settings = Settings.from_env(home)
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


def run_build(settings: Settings) -> dg.ExecuteInProcessResult:
    """The daily_build job with these settings, in this process, on an ephemeral instance."""
    from pipelines.definitions import defs
    from pipelines.defs.resources import ShopSettings

    job = defs().resolve_job_def("daily_build")
    with dg.DagsterInstance.ephemeral() as instance:
        return job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"resources": {"shop": ShopSettings.run_config(settings)}},
        )


# fixtures that build a shop once for many tests that only read it
SHARED_BUILDS = ("demo_build", "built", "shop")
_BUILT: dict[str, object] = {}


def build_once(key: str, make: Callable[[], T]) -> T:
    """What `make` builds, once per test process. A module-scoped fixture can be set up
    again between the tests of its xdist group (the worker tears it down when it does not
    yet know the next test); the build it made is still good, so it is kept here."""
    if key not in _BUILT:
        _BUILT[key] = make()
    return _BUILT[key]


SHARED = REPO_ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A file of ../shared/ (design.md, real-samples/). CI always has it: a missing one is
    a failure, unless SHOPKPI_TESTS_WITHOUT_SHARED=1 says to skip those tests on purpose."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("SHOPKPI_TESTS_WITHOUT_SHARED") == "1":
            pytest.skip(f"{path} is not here (SHOPKPI_TESTS_WITHOUT_SHARED=1)")
        pytest.fail(
            f"{path} is missing: clone the project with shared/ beside it, or set "
            "SHOPKPI_TESTS_WITHOUT_SHARED=1 to skip the tests that read it"
        )
    return path


def _shared_build(item: pytest.Item) -> str | None:
    """The xdist group of a test that reads a shared build: one per build."""
    for name in SHARED_BUILDS:
        if name in getattr(item, "fixturenames", ()):
            if name == "demo_build":
                return name
            callspec = getattr(item, "callspec", None)
            param = callspec.params.get(name) if callspec else None
            return f"{item.module.__name__}:{name}:{param}"
    return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that build nothing first; each shared build's readers in one xdist group."""
    for item in items:
        group = _shared_build(item)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))

    def builds(item: pytest.Item) -> bool:
        return _shared_build(item) is not None or "tests/e2e/" in item.nodeid

    items.sort(key=builds)  # stable: pytest's fixture order holds within each tier


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("SHOPKPI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home" / "dagster_home"))
    return use_home(tmp_path / "home")


@pytest.fixture(scope="session")
def demo_exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipelines import demo

    def generate() -> Path:
        out = tmp_path_factory.mktemp("demo_exports")
        demo.generate(out, DEMO_ORDER_LINES, DEMO_SEED)
        return out

    return build_once("demo_exports", generate)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory, demo_exports: Path) -> Settings:
    """A warehouse built once from the small demo shop; tests only read it."""

    def build() -> Settings:
        settings = use_home(tmp_path_factory.mktemp("demo_home"))
        fill_inbox(settings, demo_exports)
        result = run_build(settings)
        assert result.success, "the demo build failed"
        # every check passes on the demo, the cross-mart consistency rules among them; only
        # freshness warns (the demo shop ends on 2026-10-31)
        failed = [
            check.check_name
            for check in result.get_asset_check_evaluations()
            if not check.passed and not check.check_name.startswith("freshness_")
        ]
        assert failed == [], failed
        return settings

    return build_once("demo_build", build)
