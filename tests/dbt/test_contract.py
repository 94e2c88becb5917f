"""The marts are the public contract of design.md: every table, every listed column,
and every column described in the dbt docs (what `make docs` and the tooltips show)."""

import re

import duckdb

from pipelines.lib.dbt_manifest import load_manifest, mart_models
from pipelines.lib.settings import Settings
from tests.conftest import shared_path


def contract() -> dict[str, list[str]]:
    """table -> key columns, read from the marts table in design.md."""
    tables = {}
    for line in shared_path("design.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| `(\w+)` \| [^|]+ \| ([^|]+) \|", line)
        if match:
            # "series (sku, category or `ALL`), model": a parenthesis explains, it is no column
            columns = re.sub(r"\([^)]*\)", "", match.group(2))
            tables[match.group(1)] = [c.strip().split(" ")[0] for c in columns.split(",")]
    assert len(tables) >= 12, "the marts table of design.md was not found"
    return tables


def test_every_contract_table_and_column_is_built(demo_build: Settings) -> None:
    with duckdb.connect(str(demo_build.warehouse), read_only=True) as con:
        built = {}
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns where table_schema = 'marts'"
        ).fetchall():
            built.setdefault(table, set()).add(column)
    for table, columns in contract().items():
        assert table in built, f"marts.{table} is missing"
        missing = [c for c in columns if c not in built[table]]
        assert not missing, f"marts.{table} lacks {missing}"


def test_every_mart_and_column_is_documented(demo_build: Settings) -> None:
    from pipelines.lib.publish import forecast_docs

    manifest = load_manifest()
    with duckdb.connect(str(demo_build.warehouse), read_only=True) as con:
        marts = {t for (t,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()}  # fmt: skip
        nodes = [*mart_models(manifest), *forecast_docs()]
        assert marts == {node["name"] for node in nodes}, "a mart without documentation"
        for node in nodes:
            assert node["description"].strip(), node["name"]
            documented = {name: col["description"].strip() for name, col in node["columns"].items()}
            chinese = {name: _meta(col) for name, col in node["columns"].items()}
            columns = con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = ?",
                [node["name"]],
            ).fetchall()
            for (column,) in columns:
                assert documented.get(column), f"{node['name']}.{column} has no description"
                # the tooltips in Chinese: a label and a definition for every column
                meta = chinese.get(column, {})
                assert meta.get("label_zh"), f"{node['name']}.{column} has no label_zh"
                assert meta.get("description_zh"), f"{node['name']}.{column} has no description_zh"


def _meta(column: dict) -> dict:
    """A column's meta: dbt keeps it under config.meta as well as meta."""
    return column.get("meta") or column.get("config", {}).get("meta") or {}
