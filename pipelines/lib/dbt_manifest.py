"""The dbt project as Dagster sees it, with a manifest that is never stale."""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from pipelines.lib.settings import DBT_PROJECT_DIR, Settings
from pipelines.lib.warehouse import DBT_MEMORY_LIMIT
from pipelines.lib.warehouse import config as warehouse_config
from pipelines.lib.warm_dbt import project_changed_at

if TYPE_CHECKING:
    from dagster_dbt import DbtProject

# where `dbt parse` writes the manifest the definitions load (DbtProject's default)
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
# dbt's partial parse of the project, one per set of shop settings, shared by every home
PARSE_CACHE = DBT_PROJECT_DIR / "target" / "parse-cache"
PARTIAL_PARSE = "partial_parse.msgpack"


@cache
def dbt_project() -> DbtProject:
    # dagster_dbt takes 2 s to import: only what builds or serves needs it
    from dagster_dbt import DbtProject

    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    assert project.manifest_path == MANIFEST_PATH, project.manifest_path
    return project


def dbt_env(settings: Settings) -> dict[str, str]:
    """The environment a dbt subprocess needs: the warehouse home, no telemetry."""
    return {
        **os.environ,
        "SHOPKPI_HOME": str(settings.home),
        # the build profile names ~/warehouse.duckdb (DuckDB expands ~ from HOME)
        "HOME": str(settings.home),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DO_NOT_TRACK": "1",
    }


def dbt_log_level_file() -> str:
    """No dbt.log: dagster-dbt copies each of dbt's lines, errors included, into the build
    log, and writing them twice cost a hand-made shop's day 0.35 s of its 5.4 s dbt step.
    DBT_LOG_LEVEL_FILE=debug brings it back with every query's SQL."""
    return os.environ.get("DBT_LOG_LEVEL_FILE", "none")


@contextmanager
def environment_for_dbt(settings: Settings, warm_socket: Path | None = None) -> Iterator[None]:
    """HOME is the shop's home while dagster-dbt starts dbt (it passes this process's
    environment to dbt's), so that the build profile's ~/warehouse.duckdb is this home's;
    and the dbt command finds the process that waits for it, if one does (warm_dbt.py)."""
    from pipelines.lib.warm_dbt import SOCKET_ENV

    changes = {
        "HOME": str(settings.home),
        SOCKET_ENV: str(warm_socket) if warm_socket else None,
        "DBT_LOG_LEVEL_FILE": dbt_log_level_file(),
    }
    before = {name: os.environ.get(name) for name in changes}
    try:
        for name, value in changes.items():
            _set_env(name, value)
        yield
    finally:
        for name, value in before.items():
            _set_env(name, value)


def _set_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


BUILD_PROFILE = {
    "shopkpi": {
        "target": "duckdb",
        "outputs": {
            "duckdb": {
                "type": "duckdb",
                "path": "~/warehouse.duckdb",
                "threads": 2,
                "settings": warehouse_config(DBT_MEMORY_LIMIT),
            }
        },
    }
}


def write_build_profile(folder: Path) -> Path:
    """The profile every build passes to dbt. It is the same text for every home: it names
    `~/warehouse.duckdb` and dbt runs with HOME set to the shop's home. dbt keys its partial
    parse on the profile's values (and the vars), so one parse serves every home with the
    same settings (`PARSE_CACHE`) instead of ~11 s of CPU parsing each new home."""
    folder.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(BUILD_PROFILE, sort_keys=False)
    path = folder / "profiles.yml"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        temporary = path.with_name(f".profiles.{os.getpid()}.yml")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    return folder


def home_profiles_dir(settings: Settings) -> Path:
    """The build profile in this home's dbt folder, beside its target."""
    return write_build_profile(settings.home / "dbt")


def home_target_dir(settings: Settings) -> Path:
    """Where this home's dbt builds keep their artifacts and partial parse."""
    return home_profiles_dir(settings) / "target"


def dbt_build_args(settings: Settings) -> list[str]:
    """The arguments every dbt command of a build passes: the home's profile and the
    shop's settings. The same in `dbt parse` and `dbt build`, so a parse is reused."""
    return ["--profiles-dir", str(home_profiles_dir(settings)), "--vars",
            json.dumps(settings.dbt_vars())]  # fmt: skip


# What an incremental build of the whole project adds: dbt's views stay as the last build
# made them. A view is SQL text that reads its sources whenever it is queried, and a build
# is incremental only when the models, settings and dbt's version are the last build's
# (incremental.py): its views are the ones this build would make, as long as no view
# compiles to SQL that names its build or a value read while compiling (checked by
# tests/e2e/test_handmade_shop.py). Left out, they cost dbt no compile, no statements and
# no events (11 of 70 nodes). Their tests still run: `fqn:*` selects every test itself,
# and `empty` stops dbt from dropping the tests of the views it leaves out.
KEEP_VIEWS = ["--exclude", "config.materialized:view", "--indirect-selection", "empty"]


# `dbt parse` runs started by `start_parse_ahead`, by home
_parsing: dict[Path, subprocess.Popen] = {}


def parse_cache(settings: Settings) -> Path:
    """Where the partial parse for these shop settings is kept (vars, the build profile and
    dbt's version in the key: a change to any makes dbt parse from scratch)."""
    key = json.dumps(
        [settings.dbt_vars(), BUILD_PROFILE, importlib.metadata.version("dbt-core"),
         importlib.metadata.version("dbt-duckdb")],
        sort_keys=True,
    )  # fmt: skip
    return PARSE_CACHE / f"{hashlib.sha256(key.encode()).hexdigest()[:16]}.msgpack"


def keep_parse(parsed: Path, settings: Settings) -> None:
    """Keep a parse for the next new home with these settings (written whole or not at all:
    test workers and builds of other homes read it)."""
    cached = parse_cache(settings)
    cached.parent.mkdir(parents=True, exist_ok=True)
    temporary = cached.with_name(f".{cached.name}.{os.getpid()}")
    shutil.copyfile(parsed, temporary)
    os.replace(temporary, cached)


def parse_env(settings: Settings) -> dict[str, str]:
    """The environment of a `dbt parse` for this home: its target folder keeps the parse."""
    target = str(home_target_dir(settings))
    return {**dbt_env(settings), "DBT_TARGET_PATH": target, "DBT_LOG_PATH": target}


def start_parse_ahead(settings: Settings) -> None:
    """Give a home that has never built dbt's parse of the project: the one kept for these
    settings, else a `dbt parse` in a process of its own while ingest and the checks run
    (about 11 s of CPU), so the build's dbt only checks for changed files. `dbt parse`
    does not open the warehouse the ingest is writing."""
    target = home_target_dir(settings)
    if (target / PARTIAL_PARSE).exists() or settings.home in _parsing:
        return
    target.mkdir(parents=True, exist_ok=True)
    if parse_cache(settings).exists():  # dbt re-parses any file changed since
        shutil.copyfile(parse_cache(settings), target / PARTIAL_PARSE)
        return
    env = parse_env(settings)
    log = target / "parse-ahead.log"
    with log.open("w", encoding="utf-8") as sink:
        _parsing[settings.home] = subprocess.Popen(
            [str(Path(sys.executable).with_name("dbt")), "parse", "--project-dir",
             str(DBT_PROJECT_DIR), *dbt_build_args(settings)],
            env=env, cwd=DBT_PROJECT_DIR, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip


def manifest_ahead(settings: Settings) -> dict | None:
    """What dbt's waiting process (warm_dbt.py) needs to load the project's manifest before
    the build asks for it: the `dbt parse` of the build's own arguments, environment and
    folder. None while this home has no partial parse yet (its first build: the parse
    ahead above is making it, and two parses must not write the same files)."""
    if settings.home in _parsing or not (home_target_dir(settings) / PARTIAL_PARSE).exists():
        return None
    env = {**parse_env(settings), "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
           "DBT_LOG_LEVEL_FILE": dbt_log_level_file()}  # fmt: skip
    return {"args": dbt_build_args(settings), "env": env, "cwd": str(DBT_PROJECT_DIR)}


def wait_for_parse_ahead(settings: Settings) -> str | None:
    """Wait for this home's parse-ahead, if one runs, and keep its parse for the next home;
    what went wrong, if it failed (the build's dbt then parses by itself)."""
    process = _parsing.pop(settings.home, None)
    parsed = home_target_dir(settings) / PARTIAL_PARSE
    if process is None:
        return None
    if process.wait() == 0:
        keep_parse(parsed, settings)
        return None
    parsed.unlink(missing_ok=True)
    return f"dbt parse ahead of the build failed (exit {process.returncode}): see " + str(
        home_target_dir(settings) / "parse-ahead.log"
    )


def stop_parse_ahead(settings: Settings) -> None:
    """After the run: a parse the dbt step did not wait for (the run stopped before dbt)
    is stopped, and its half-written parse removed."""
    process = _parsing.pop(settings.home, None)
    if process is not None and process.poll() is None:
        process.terminate()
        process.wait()
        (home_target_dir(settings) / PARTIAL_PARSE).unlink(missing_ok=True)


def ensure_manifest() -> Path:
    """Run `dbt parse` when target/manifest.json is missing or older than the project files.
    Processes that load the definitions at once (test workers, the daemon and the webserver)
    take turns: the second finds the first one's manifest fresh. The parse is the one a
    build of this environment's shop needs (build profile, its settings): it is kept for
    the first build of a new home (`make setup` parses, the first build does not)."""
    manifest = MANIFEST_PATH

    def fresh() -> bool:
        return manifest.exists() and manifest.stat().st_mtime >= project_changed_at(DBT_PROJECT_DIR)

    if fresh():
        return manifest
    manifest.parent.mkdir(parents=True, exist_ok=True)
    with (manifest.parent / ".parse.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not fresh():
            settings = Settings.from_env()
            dbt = Path(sys.executable).with_name("dbt")
            profile = write_build_profile(manifest.parent / "build-profile")
            subprocess.run(
                [str(dbt), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
                 "--profiles-dir", str(profile), "--vars", json.dumps(settings.dbt_vars())],
                check=True,
                env=dbt_env(settings),
            )  # fmt: skip
            keep_parse(manifest.parent / PARTIAL_PARSE, settings)
    return manifest


def load_manifest() -> dict:
    return json.loads(ensure_manifest().read_text(encoding="utf-8"))


def view_models(manifest: dict) -> list[dict]:
    """The models dbt makes views (KEEP_VIEWS)."""
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("materialized") == "view"
    ]


def mart_models(manifest: dict) -> list[dict]:
    """The public tables: dbt models in schema marts."""
    return sorted(
        (
            node
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["config"].get("schema") == "marts"
        ),
        key=lambda node: node["name"],
    )
