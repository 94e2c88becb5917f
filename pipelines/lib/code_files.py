"""The files that are the code a build runs: `make pipeline` builds again when their
content changed (up_to_date.py), and a process on standby that started before they last
changed refuses a build (standby.py)."""

from __future__ import annotations

from pathlib import Path

from pipelines.lib.settings import DBT_PROJECT_DIR, REPO_ROOT

CODE = (
    (REPO_ROOT / "pipelines", "*.py"),
    (REPO_ROOT / "pipelines", "*.yml"),  # the forecast marts' docs (defs/forecast/marts.yml)
    (DBT_PROJECT_DIR / "models", "*"),
    (DBT_PROJECT_DIR / "macros", "*"),
    (DBT_PROJECT_DIR / "tests", "*"),
)
CODE_FILES = (DBT_PROJECT_DIR / "dbt_project.yml", REPO_ROOT / "uv.lock")


def code_files() -> list[Path]:
    paths = [p for folder, pattern in CODE for p in folder.rglob(pattern) if p.is_file()]
    return sorted({*paths, *(p for p in CODE_FILES if p.exists())})


def code_changed_at() -> float:
    """When a file of the code last changed (a stat of each: cheap enough to ask often)."""
    return max(path.stat().st_mtime for path in code_files())
