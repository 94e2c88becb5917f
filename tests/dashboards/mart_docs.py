"""A mart's column docs and rules read straight from its dbt YAML, shaped as the pages get
them from the publish (`dashboards.data.column_docs`), for tests that build nothing."""

from functools import cache

import yaml

from pipelines.lib.settings import REPO_ROOT


@cache
def mart_docs(table: str) -> dict[str, dict[str, str]]:
    for path in sorted((REPO_ROOT / "dbt_project" / "models" / "marts").rglob("*.yml")):
        for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models", []):
            if model["name"] == table:
                return {
                    column["name"]: {
                        "description": column.get("description", ""),
                        **{k: str(v) for k, v in (column.get("meta") or {}).items()},
                    }
                    for column in model["columns"]
                }
    raise KeyError(f"no dbt YAML for marts.{table}")
