"""Shared fixtures: every test gets its own SHOPKPI_HOME; each shared build runs once.

`make test` runs two pytest-xdist workers. A shop that many tests only read (the demo, the
hand-made shop, each shop shape and setting) is built once per run, by the first worker
that needs it (`build_once`); the tests that build nothing run first.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
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


def fill_inbox(settings: Settings, exports: Path) -> None:
    """Copy an export folder (<source>/files) into the inbox, as the analyst would."""
    for source in SOURCES:
        folder = exports / source
        if folder.is_dir():
            shutil.copytree(folder, settings.inbox_for(source), dirs_exist_ok=True)


def run_build(
    settings: Settings, asset_selection: list[dg.AssetKey] | None = None
) -> dg.ExecuteInProcessResult:
    """The daily_build job with these settings, in this process, on an ephemeral instance;
    only some of its assets with `asset_selection` (as the Dagster UI's "Materialize
    selected")."""
    from pipelines.definitions import defs
    from pipelines.defs.resources import ShopSettings

    job = defs().resolve_job_def("daily_build")
    with dg.DagsterInstance.ephemeral() as instance:
        return job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            asset_selection=asset_selection,
            run_config={"resources": {"shop": ShopSettings.run_config(settings)}},
        )


def run_home_dbt(settings: Settings, args: list[str], target: Path) -> subprocess.CompletedProcess:
    """The venv's dbt with this home's build profile and settings (dbt_build_args), its
    artifacts and partial parse in `target`."""
    from pipelines.lib.dbt_manifest import dbt_build_args, dbt_env
    from pipelines.lib.settings import DBT_PROJECT_DIR

    return subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), *args, "--project-dir",
         str(DBT_PROJECT_DIR), "--target-path", str(target), *dbt_build_args(settings)],
        env=dbt_env(settings), capture_output=True, text=True, check=False,
    )  # fmt: skip


# fixtures that build a shop once for many tests that only read it
SHARED_BUILDS = ("demo_build", "built", "shop")
_BUILT: dict[str, object] = {}


def _shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this run sees (the workers' temp folders' parent)."""
    base = tmp_path_factory.getbasetemp()
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared-builds"


def build_once(key: str, make: Callable[[], T], tmp_path_factory: pytest.TempPathFactory) -> T:
    """What `make` builds (a home's Settings or a folder's Path), once per test run: the
    first worker to ask builds it under a lock, the others wait and read the same one.
    Fixtures can be set up again on another worker (xdist's groups do not reach pytest
    9.2's node ids), and a shop that only tests read needs building once."""
    if key in _BUILT:
        return _BUILT[key]
    root = _shared_root(tmp_path_factory)
    root.mkdir(parents=True, exist_ok=True)
    done = root / f"{key.replace(':', '_')}.json"
    with (root / f"{key.replace(':', '_')}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            try:
                made = make()
            except BaseException as err:
                done.write_text(json.dumps({"error": f"{type(err).__name__}: {err}"}), "utf-8")
                raise
            record = (
                {"home": str(made.home), "values": made.as_values()}
                if isinstance(made, Settings) else {"path": str(made)}
            )  # fmt: skip
            done.write_text(json.dumps(record), encoding="utf-8")
    record = json.loads(done.read_text(encoding="utf-8"))
    if "error" in record:
        pytest.fail(f"the shared build {key} failed on another worker: {record['error']}")
    if "home" in record:
        _BUILT[key] = Settings.from_values(record["home"], record["values"])
    else:
        _BUILT[key] = Path(record["path"])
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


def _reads_a_build(item: pytest.Item) -> bool:
    return any(name in getattr(item, "fixturenames", ()) for name in SHARED_BUILDS)


class _FastestFirst:
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Tests that build nothing first. Last: pytest orders the tests by fixture scope
        in its own hook, and the sort keeps that order within each tier."""

        def builds(item: pytest.Item) -> bool:
            return _reads_a_build(item) or "tests/e2e/" in item.nodeid

        items.sort(key=builds)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_FastestFirst(), "shopkpi-fastest-first")


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

    return build_once("demo_exports", generate, tmp_path_factory)


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

    return build_once("demo_build", build, tmp_path_factory)
