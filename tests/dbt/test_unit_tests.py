"""dbt unit tests: formulas pinned on hand-written rows, run here and never in a shop's build.

Each unit test pins its own vars (Asia/Shanghai, CNY), so they pass whatever the shop's
settings are; the production build excludes them (pipelines/defs/transform/dbt.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pipelines.lib.dbt_manifest import dbt_env
from pipelines.lib.settings import DBT_PROJECT_DIR, Settings
from pipelines.lib.warehouse import connect, ensure_schemas


def _dbt(args: list[str], settings: Settings) -> subprocess.CompletedProcess:
    dbt = Path(sys.executable).with_name("dbt")
    return subprocess.run(
        [str(dbt), *args, "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(settings.home / "dbt_target")],
        env=dbt_env(settings), capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_every_dbt_unit_test_passes_under_other_shop_settings(home: Settings) -> None:
    with connect(home.warehouse) as con:
        ensure_schemas(con)  # empty raw.* tables: the models' inputs exist
    # a shop in another timezone and currency must not change what the unit tests expect
    shop_vars = json.dumps({"timezone": "America/Sao_Paulo", "reporting_currency": "BRL"})
    built = _dbt(["run", "--empty", "--quiet", "--vars", shop_vars], home)
    assert built.returncode == 0, built.stdout + built.stderr
    tested = _dbt(["test", "--select", "test_type:unit", "--vars", shop_vars], home)
    assert tested.returncode == 0, tested.stdout[-4000:]
    summary = next(line for line in tested.stdout.splitlines() if "Done. PASS=" in line)
    passed = int(summary.split("PASS=")[1].split()[0])
    manifest = json.loads((home.home / "dbt_target" / "manifest.json").read_text("utf-8"))
    # every unit test of the project ran and passed, none skipped
    assert passed == len(manifest["unit_tests"]) >= 8, summary
