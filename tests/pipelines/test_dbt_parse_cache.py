"""dbt's parse of the project is made once per set of shop settings and shared by homes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.lib import dbt_manifest
from pipelines.lib.dbt_manifest import (
    PARTIAL_PARSE,
    dbt_build_args,
    dbt_env,
    home_target_dir,
    start_parse_ahead,
    wait_for_parse_ahead,
)
from pipelines.lib.settings import DBT_PROJECT_DIR, Settings
from tests.conftest import use_home


def shop(home: Path) -> Settings:
    use_home(home)  # its folders; then its settings file
    (home / "shopkpi.toml").write_text(
        'timezone = "Pacific/Chatham"\nreporting_currency = "NZD"\n', encoding="utf-8"
    )
    return Settings.from_env(home)


def test_a_new_home_with_the_same_settings_reuses_the_parse_of_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dbt_manifest, "PARSE_CACHE", tmp_path / "parse-cache")
    first, second = shop(tmp_path / "first"), shop(tmp_path / "second")
    assert first.dbt_vars() == {"timezone": "Pacific/Chatham", "reporting_currency": "NZD"}

    # nothing kept for these settings: the first home parses ahead, and its parse is kept
    start_parse_ahead(first)
    assert first.home in dbt_manifest._parsing
    assert wait_for_parse_ahead(first) is None
    kept = dbt_manifest.parse_cache(first)
    assert kept.read_bytes() == (home_target_dir(first) / PARTIAL_PARSE).read_bytes()

    # the second home gets that parse without a dbt process of its own
    start_parse_ahead(second)
    assert second.home not in dbt_manifest._parsing
    assert (home_target_dir(second) / PARTIAL_PARSE).read_bytes() == kept.read_bytes()

    # and dbt accepts it for the second home: the build profile names no home's path
    target = home_target_dir(second)
    parsed = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "parse", "--project-dir",
         str(DBT_PROJECT_DIR), *dbt_build_args(second), "--target-path", str(target)],
        env=dbt_env(second), cwd=DBT_PROJECT_DIR, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert parsed.returncode == 0, parsed.stdout[-3000:]
    assert "Unable to do partial parsing" not in parsed.stdout
    assert json.loads((target / "perf_info.json").read_text())["parsed_path_count"] == 0


def test_other_settings_are_another_parse() -> None:
    china = Settings.from_values("/nowhere", {"timezone": "Asia/Shanghai"})
    chatham = Settings.from_values(
        "/nowhere", {"timezone": "Pacific/Chatham", "reporting_currency": "NZD"}
    )
    assert dbt_manifest.parse_cache(china) != dbt_manifest.parse_cache(chatham)


def test_another_build_profile_is_another_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """dbt parses from scratch when the profile changed (e.g. dbt's memory limit): a parse
    kept under the old profile must not be handed to every new home."""
    settings = Settings.from_values("/nowhere", {})
    before = dbt_manifest.parse_cache(settings)
    outputs = dbt_manifest.BUILD_PROFILE["shopkpi"]["outputs"]
    changed = {"duckdb": {**outputs["duckdb"], "settings": {"memory_limit": "1234MB"}}}
    monkeypatch.setitem(dbt_manifest.BUILD_PROFILE["shopkpi"], "outputs", changed)
    assert dbt_manifest.parse_cache(settings) != before
