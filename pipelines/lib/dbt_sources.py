"""dbt's `raw` source, written from the canonical format: one declaration per source.

    python -m pipelines.lib.dbt_sources   # rewrites the sources YAML from SPECS

A test fails when the committed file differs from what SPECS gives.
"""

from __future__ import annotations

import sys

import yaml

from pipelines.lib.canonical import SPECS
from pipelines.lib.settings import DBT_PROJECT_DIR

SOURCES_YML = DBT_PROJECT_DIR / "models" / "staging" / "shop" / "_shop__sources.yml"
HEADER = "# Written by `python -m pipelines.lib.dbt_sources` from pipelines/lib/canonical.py.\n"
DESCRIPTION = (
    "Rows loaded by the Dagster ingest assets from the export files in "
    "SHOPKPI_HOME/inbox/<source>/, in the canonical columns of design.md. Timestamps are "
    "UTC; money is in the row's own currency. Each row carries _load_id, _file_name, "
    "_row_number and _loaded_at (see audit.file_loads)."
)


def render() -> str:
    tables = [
        {
            "name": spec.name,
            "description": spec.description[:1].upper() + spec.description[1:] + ".",
            "meta": {"dagster": {"asset_key": ["raw", spec.name]}},
            "columns": [{"name": c.name, "description": c.doc} for c in spec.columns],
        }
        for spec in SPECS.values()
    ]
    document = {
        "version": 2,
        "sources": [{"name": "raw", "description": DESCRIPTION, "schema": "raw", "tables": tables}],
    }
    return HEADER + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def main() -> None:
    SOURCES_YML.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {SOURCES_YML}\n")


if __name__ == "__main__":
    main()
