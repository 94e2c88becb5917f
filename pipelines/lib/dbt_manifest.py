"""The dbt project as Dagster sees it, with a manifest that is never stale."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from pipelines.lib.settings import DBT_PROJECT_DIR, Settings
from pipelines.lib.warehouse import DBT_MEMORY_LIMIT

if TYPE_CHECKING:
    from dagster_dbt import DbtProject

# where `dbt parse` writes the manifest the definitions load (DbtProject's default)
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"


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
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DO_NOT_TRACK": "1",
    }


def home_profiles_dir(settings: Settings) -> Path:
    """A profiles.yml naming this home's warehouse: a build passes it to dbt instead of
    changing the process's environment (dbt_project/profiles.yml reads SHOPKPI_HOME)."""
    folder = settings.home / "dbt"
    folder.mkdir(parents=True, exist_ok=True)
    profile = {
        "shopkpi": {
            "target": "duckdb",
            "outputs": {
                "duckdb": {
                    "type": "duckdb",
                    "path": str(settings.warehouse),
                    "threads": 2,
                    "settings": {"memory_limit": DBT_MEMORY_LIMIT},
                }
            },
        }
    }
    text = yaml.safe_dump(profile, sort_keys=False)
    path = folder / "profiles.yml"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return folder


def home_target_dir(settings: Settings) -> Path:
    """Where this home's dbt builds keep their artifacts and partial parse."""
    return home_profiles_dir(settings) / "target"


def dbt_build_args(settings: Settings) -> list[str]:
    """The arguments every dbt command of a build passes: the home's profile and the
    shop's settings. The same in `dbt parse` and `dbt build`, so a parse is reused."""
    return ["--profiles-dir", str(home_profiles_dir(settings)), "--vars",
            json.dumps(settings.dbt_vars())]  # fmt: skip


# `dbt parse` runs started by `start_parse_ahead`, by home
_parsing: dict[Path, subprocess.Popen] = {}


def start_parse_ahead(settings: Settings) -> None:
    """Parse the dbt project for a home that has never built, in a process of its own
    while ingest and the checks run, so the build's dbt only checks for changed files.
    dbt's partial parse is keyed on the profile (which names this home's warehouse) and
    the settings: the first build of every home would otherwise parse from scratch
    (about 10 s here). `dbt parse` does not open the warehouse the ingest is writing."""
    target = home_target_dir(settings)
    if (target / "partial_parse.msgpack").exists() or settings.home in _parsing:
        return
    env = {**dbt_env(settings), "DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target)}
    log = target / "parse-ahead.log"
    target.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as sink:
        _parsing[settings.home] = subprocess.Popen(
            [str(Path(sys.executable).with_name("dbt")), "parse", "--project-dir",
             str(DBT_PROJECT_DIR), *dbt_build_args(settings)],
            env=env, cwd=DBT_PROJECT_DIR, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip


def wait_for_parse_ahead(settings: Settings) -> str | None:
    """Wait for this home's parse-ahead, if one runs; what went wrong, if it failed (the
    build's dbt then parses by itself)."""
    process = _parsing.pop(settings.home, None)
    if process is None or process.wait() == 0:
        return None
    (home_target_dir(settings) / "partial_parse.msgpack").unlink(missing_ok=True)
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
        (home_target_dir(settings) / "partial_parse.msgpack").unlink(missing_ok=True)


def _newest_source_mtime() -> float:
    newest = 0.0
    for folder in ("models", "macros", "tests", "seeds"):
        for path in (DBT_PROJECT_DIR / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return max(newest, (DBT_PROJECT_DIR / "dbt_project.yml").stat().st_mtime)


def ensure_manifest() -> Path:
    """Run `dbt parse` when target/manifest.json is missing or older than the project files.
    Processes that load the definitions at once (test workers, the daemon and the webserver)
    take turns: the second finds the first one's manifest fresh."""
    manifest = MANIFEST_PATH

    def fresh() -> bool:
        return manifest.exists() and manifest.stat().st_mtime >= _newest_source_mtime()

    if fresh():
        return manifest
    manifest.parent.mkdir(parents=True, exist_ok=True)
    with (manifest.parent / ".parse.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not fresh():
            dbt = Path(sys.executable).with_name("dbt")
            subprocess.run(
                [str(dbt), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
                 "--profiles-dir", str(DBT_PROJECT_DIR)],
                check=True,
                env=dbt_env(Settings.from_env()),
            )  # fmt: skip
    return manifest


def load_manifest() -> dict:
    return json.loads(ensure_manifest().read_text(encoding="utf-8"))


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
