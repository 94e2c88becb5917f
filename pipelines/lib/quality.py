"""Great Expectations suites for raw.*, derived from the canonical format.

Ingest already quarantines rows that break the format; these suites check what landed
in raw.* after every load, as a second, independent line (types as stored, required
values, ranges, allowed values), and keep the results as GX Data Docs
under SHOPKPI_HOME/gx/. The Dagster asset checks that run them are blocking: a failed
suite stops the marts from being rebuilt. An empty source is not a failure: most shops
start with one or two exports, and the marts that need the others stay empty. Rows are validated in chunks of CHUNK_ROWS so
memory stays bounded; key uniqueness over the whole table is a dbt test on staging.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pipelines.lib.canonical import DUCKDB_TYPES, SPECS, SourceSpec
from pipelines.lib.settings import Settings

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # nothing phones home

if TYPE_CHECKING:
    import great_expectations.expectations as gxe

# Great Expectations takes 3.5 s to import: each function imports it when it runs, so a
# build that has nothing to validate (and every process that only loads the
# definitions) does not pay for it

CHUNK_ROWS = 250_000

# how each stored DuckDB type reads back into pandas, for the type expectations
PANDAS_TYPES = {
    # text needs no check here: raw.* stores it as VARCHAR, and a per-value check is slow
    "BIGINT": ["int64", "Int64", "float64"],  # a nullable integer column reads as float
    "DOUBLE": ["float64", "Float64"],
    "DECIMAL(18, 4)": ["float64", "Float64"],
    "TIMESTAMP": ["datetime64", "datetime64[us]", "datetime64[ns]"],
    "DATE": ["datetime64[ms]", "datetime64[us]", "datetime64[ns]", "datetime64[s]"],
}


@dataclass(frozen=True)
class SuiteResult:
    source: str
    success: bool
    evaluated: int
    rows_checked: int
    failed: list[str]  # one line per failed expectation, for people
    docs_path: Path | None


def build_docs(home: Path) -> Path | None:
    """Rebuild the Data Docs site from every validation result kept under home/gx/."""
    if not (home / "gx").is_dir():
        return None
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="file", project_root_dir=str(home))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.build_data_docs()
    docs = Settings(home=home).data_docs_index
    return docs if docs.exists() else None


def expectations(spec: SourceSpec) -> list[gxe.Expectation]:
    import great_expectations.expectations as gxe

    """The suite of one raw table: columns, types, required values, ranges, allowed values."""
    suite: list[gxe.Expectation] = []
    for column in spec.columns:
        suite.append(gxe.ExpectColumnToExist(column=column.name))
        types = PANDAS_TYPES.get(DUCKDB_TYPES[column.kind])
        if types:
            suite.append(gxe.ExpectColumnValuesToBeInTypeList(column=column.name, type_list=types))
        if not column.nullable:
            suite.append(gxe.ExpectColumnValuesToNotBeNull(column=column.name))
        if column.allowed:
            suite.append(
                gxe.ExpectColumnValuesToBeInSet(column=column.name, value_set=list(column.allowed))
            )
        if column.min_value is not None:
            suite.append(
                gxe.ExpectColumnValuesToBeBetween(column=column.name, min_value=column.min_value)
            )
        if column.positive:
            suite.append(
                gxe.ExpectColumnValuesToBeBetween(column=column.name, min_value=0, strict_min=True)
            )
        if column.kind == "currency":
            suite.append(
                gxe.ExpectColumnValuesToMatchRegex(column=column.name, regex=r"^[A-Z]{3}$")
            )
    return suite


def validate(home: Path, source: str, chunks: Iterable[pd.DataFrame]) -> SuiteResult:
    """Run the source's suite on raw rows, chunk by chunk. No rows: nothing to check (they
    were checked when they arrived). The Data Docs are rebuilt here only when the suite
    fails (a failed build stops before publishing); else once per build by `build_docs`."""
    chunks = iter(chunks)
    first = next(chunks, None)
    if first is None:
        docs = Settings(home=home).data_docs_index
        return SuiteResult(source, True, 0, 0, [], docs if docs.exists() else None)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    spec = SPECS[source]
    context = gx.get_context(mode="file", project_root_dir=str(home))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # quiet logs
    data_source = context.data_sources.add_or_update_pandas(name="raw")
    asset = next((a for a in data_source.assets if a.name == source), None)
    asset = asset or data_source.add_dataframe_asset(name=source)
    batch = next((b for b in asset.batch_definitions if b.name == "loaded rows"), None)
    batch = batch or asset.add_batch_definition_whole_dataframe("loaded rows")
    suite = context.suites.add_or_update(
        gx.ExpectationSuite(
            name=f"raw_{source}",
            expectations=expectations(spec),
        )
    )
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=f"raw_{source}", data=batch, suite=suite)
    )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=f"raw_{source}",
            validation_definitions=[definition],
            actions=[],  # Data Docs are built once below, not after every chunk
        )
    )
    failed: dict[str, str] = {}
    evaluated = 0
    success = True
    seen_rows = 0
    for chunk in itertools.chain([first], chunks):
        seen_rows += len(chunk)
        run = checkpoint.run(batch_parameters={"dataframe": chunk})
        [result] = run.run_results.values()
        success &= result.success
        evaluated = len(result.results)
        for outcome in result.results:
            if outcome.success:
                continue
            config = outcome.expectation_config
            details = outcome.result or {}
            example = details.get("partial_unexpected_list") or details.get("observed_value")
            label = f"{config.type} {config.kwargs.get('column', '')}".strip()
            failed.setdefault(
                label, f"e.g. {example[:3] if isinstance(example, list) else example!r}"
            )
    if not success:
        context.build_data_docs()
    docs = Settings(home=home).data_docs_index
    return SuiteResult(
        source=source,
        success=success,
        evaluated=evaluated,
        rows_checked=seen_rows,
        failed=[f"{label}: {example}" for label, example in failed.items()],
        docs_path=docs if docs.exists() else None,
    )
