"""The bad-input catalogue: every fixture in tests/fixtures/bad_inputs/ meets its fate.

expected.csv says, per file, whether it loads, loads with quarantined rows, is rejected
or is left waiting, how many rows go where, and the reason a person would read.
"""

import csv
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest import ingest_source
from pipelines.lib.settings import REPO_ROOT, Settings
from pipelines.lib.translate import to_chinese
from pipelines.lib.warehouse import connect, ensure_schemas

FIXTURES = Path(__file__).parents[1] / "fixtures" / "bad_inputs"
CASES = list(csv.DictReader((FIXTURES / "expected.csv").open(encoding="utf-8")))


def test_the_catalogue_is_complete_and_in_the_readme() -> None:
    files = {p.name for p in FIXTURES.iterdir()} - {"expected.csv", "make_fixtures.py"}
    assert files == {case["file"] for case in CASES}
    assert len(CASES) >= 30
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [case["file"] for case in CASES if f"`{case['file']}`" not in readme]
    assert not missing, f"README's catalogue lacks {missing}"


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_bad_input(case: dict, home: Settings) -> None:
    source = case["source"]
    shutil.copy(FIXTURES / case["file"], home.inbox_for(source) / case["file"])
    with connect(home.warehouse) as con:
        ensure_schemas(con)
        summary = ingest_source(con, home, source)

    if case["outcome"] == "waiting":
        assert summary.files == []
        assert (home.inbox_for(source) / case["file"]).exists()
        return

    [outcome] = summary.files
    assert outcome.status == case["outcome"]
    assert outcome.rows_loaded == int(case["rows_loaded"])
    assert outcome.rows_quarantined == int(case["rows_quarantined"])
    assert outcome.rows_read == outcome.rows_loaded + outcome.rows_quarantined
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        raw_rows = con.execute(f"select count(*) from raw.{source}").fetchone()[0]
        reasons = [r[0] for r in con.execute("select reason from audit.quarantine").fetchall()]
    assert raw_rows == outcome.rows_loaded
    assert len(reasons) == outcome.rows_quarantined
    # /data-health in Chinese: every part of every row's reason has its Chinese wording
    for reason in reasons:
        chinese = to_chinese(reason)
        assert all(re.search(r"[\u4e00-\u9fff]", part) for part in chinese.split("；")), (
            reason, chinese,
        )  # fmt: skip
    if case["outcome"] == "rejected":
        assert case["reason"] in outcome.message
        kept = home.quarantine / source / case["file"]
        assert kept.exists(), "a rejected file is kept in quarantine/"
        assert case["reason"] in kept.with_name(kept.name + ".reason.txt").read_text(
            encoding="utf-8"
        )
    elif case["outcome"] == "partial":
        assert any(case["reason"] in reason for reason in reasons), reasons
    elif case["reason"]:
        assert case["reason"] in outcome.message
    assert not (home.inbox_for(source) / case["file"]).exists()
