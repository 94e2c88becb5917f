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

import contextlib
import functools
import hashlib
import importlib
import inspect
import itertools
import json
import os
import shutil
import sys
import tempfile
import types
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd
import pyarrow as pa

from pipelines.lib.canonical import DUCKDB_TYPES, SPECS, SourceSpec
from pipelines.lib.settings import REPO_ROOT, SOURCES, Settings

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # nothing phones home

if TYPE_CHECKING:
    import great_expectations.expectations as gxe

# Great Expectations takes 3.5 s to import: each function imports it when it runs, so a
# build that has nothing to validate (and every process that only loads the
# definitions) does not pay for it

CHUNK_ROWS = 250_000
_ARROW_STRINGS = {
    pa.string(): pd.StringDtype("pyarrow"),
    pa.large_string(): pd.StringDtype("pyarrow"),
}


class _ImportedWhenUsed(types.ModuleType):
    """Stands in for a module until one of its attributes is asked for."""

    def __getattr__(self, attribute: str):
        if attribute.startswith("__"):  # the import system's questions: not a use
            raise AttributeError(attribute)
        del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attribute)


def _defer_what_gx_imports_unused() -> None:
    """GX imports scipy.stats and altair at its own import, for expectations (distribution
    tests, KL divergence) and charts these suites never use: 1.1 s of its 2.8 s and 80 MB
    of the worker's memory. They are imported if GX ever uses them."""
    for name in ("scipy.stats", "altair"):
        if name not in sys.modules:
            sys.modules[name] = _ImportedWhenUsed(name)


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


def expectations(spec: SourceSpec) -> list[gxe.Expectation]:
    """The suite of one raw table: columns, types, required values, ranges, allowed values."""
    _defer_what_gx_imports_unused()
    import great_expectations.expectations as gxe

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


def last_passing_load(con: duckdb.DuckDBPyConnection, source: str) -> int:
    """The newest load of raw.<source> that a passing check has seen (0: none yet)."""
    return con.execute(
        "select coalesce(max(last_load_id), 0) from audit.quality_checks "
        "where source = ? and success",
        [source],
    ).fetchone()[0]


def rows_to_check_sql(source: str) -> str:
    """The rows of raw.<source> loaded after a given load (the one parameter), as the suite
    reads them. Money as double: GX checks numbers, not Decimal objects. No ORDER BY: a scan
    returns the table in insertion order, which is load order (sorting ten million rows
    first cost seconds and spilled memory)."""
    columns = ", ".join(
        f'cast("{c.name}" as double) as "{c.name}"'
        if DUCKDB_TYPES[c.kind].startswith("DECIMAL")
        else f'"{c.name}"'
        for c in SPECS[source].columns
    )
    return f"select {columns} from raw.{source} where _load_id > ?"


def as_frame(batch: pa.RecordBatch) -> pd.DataFrame:
    """A chunk of raw rows as the suite reads it: text as Arrow-backed strings (null and
    set checks run in Arrow, and memory is a fraction of one Python object per value: a
    million order lines validate in 7.6 s instead of 12.2), numbers and times as NumPy
    types for the type expectations."""
    return batch.to_pandas(date_as_object=False, types_mapper=_ARROW_STRINGS.get)


def validate_rows_after(
    con: duckdb.DuckDBPyConnection, home: Path, source: str, after: int
) -> SuiteResult:
    """The suite on the rows of raw.<source> loaded after load `after`, in this process."""
    reader = con.execute(rows_to_check_sql(source), [after]).fetch_record_batch(CHUNK_ROWS)
    return validate(home, source, (as_frame(batch) for batch in reader))


def validate(home: Path, source: str, chunks: Iterable[pd.DataFrame]) -> SuiteResult:
    """Run the source's suite on raw rows, chunk by chunk, in this process. No rows: nothing
    to check (they were checked when they arrived), and GX is not even imported."""
    chunks = iter(chunks)
    first = next(chunks, None)
    if first is None:
        return nothing_to_check(home, source)
    return Suites(home).validate(source, itertools.chain([first], chunks))


def nothing_to_check(home: Path, source: str) -> SuiteResult:
    docs = Settings(home=home).data_docs_index
    return SuiteResult(source, True, 0, 0, [], docs if docs.exists() else None)


def docs_stale(home: Path) -> bool:
    """A suite ran since the Data Docs were last built, or there are none yet."""
    return _docs_stale_marker(home).exists() or not Settings(home=home).data_docs_index.exists()


def build_docs_if_stale(home: Path) -> Path | None:
    """Rebuild the Data Docs once per build, however many suites ran."""
    return build_docs(home) if docs_stale(home) else Settings(home=home).data_docs_index


def build_docs(home: Path) -> Path | None:
    """Bring the Data Docs site under home/gx/ up to date (`Suites.build_docs`)."""
    if not (home / "gx").is_dir():
        return None
    return Suites(home).build_docs()


# Each source's newest validation results kept for the Data Docs: two weeks of daily
# builds. Every result stays in audit.quality_checks; the site is rebuilt from what is
# kept, and with every result of a year of daily builds (up to eight a build) it would
# take minutes (252 results: 5.6 s, 12: 0.7 s)
DOCS_RESULTS_KEPT = 14
# a line of the stale marker that asks for every page again (the suites were set up anew)
ALL_PAGES = "all"


def _docs_stale_marker(home: Path) -> Path:
    """Written when a suite ran: one line per validation result this build stored (its
    key, as JSON), or ALL_PAGES."""
    return home / "gx" / "uncommitted" / "docs_stale"


def _mark_docs_stale(home: Path, line: str) -> None:
    marker = _docs_stale_marker(home)
    marker.parent.mkdir(parents=True, exist_ok=True)
    with marker.open("a", encoding="utf-8") as out:
        out.write(line + "\n")


# the suites' set-up as stored by the last home that made it, by what it was set up from:
# a new home copies it (see Suites)
GX_SET_UP_CACHE = REPO_ROOT / ".cache" / "gx-set-up"


class Suites:
    """The GX file context under SHOPKPI_HOME/gx/ with each source's suite, validation
    definition and checkpoint, reused for every chunk. They are set up (about half a
    second a source: GX compares every stored expectation with the new one) when a suite
    or GX changed since a build set them up, else read as stored."""

    def __init__(self, home: Path) -> None:
        _defer_what_gx_imports_unused()
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig
        from great_expectations.execution_engine import pandas_execution_engine

        # GX fingerprints every in-memory batch under this size (an md5 over pandas' row
        # hashes: a third of a chunk's validation). A chunk is known by its load ids in
        # audit.quality_checks; the fingerprint would only be shown in the Data Docs.
        pandas_execution_engine.HASH_THRESHOLD = 0
        self.home = home
        self._set_up_dir = home / "gx" / "uncommitted" / "set_up"
        # a new home: the suites as the last one set them up. Its gx/ may exist already:
        # the build hands its first rows over (gx/uncommitted/new_rows) while this starts
        if not (home / "gx" / "great_expectations.yml").exists():
            kept = self._kept_set_up()
            if kept.is_dir():
                shutil.copytree(kept, home / "gx", dirs_exist_ok=True)
        self.context = gx.get_context(mode="file", project_root_dir=str(home))
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)  # quiet logs
        self._checkpoints: dict = {}
        self._data_source = None
        self._reuse: bool | None = None  # the stored checkpoints, if all are current

    def checkpoint(self, source: str):
        """The source's checkpoint: as a build before stored it when every source's suite
        is the one set up then (0.05 s for all), else set up and stored (0.1-0.8 s each)."""
        if source in self._checkpoints:
            return self._checkpoints[source]
        if self._reuse is None:
            self._reuse = all(
                marker.exists() and marker.read_text(encoding="utf-8") == stamp
                for marker, stamp in self._stamps.items()
            )
        if self._reuse:
            try:
                self._checkpoints[source] = self.context.checkpoints.get(f"raw_{source}")
                return self._checkpoints[source]
            except Exception:  # edited or removed since: set everything up again
                self._reuse = False
                self._checkpoints.clear()
        return self._set_up(source)

    @functools.cached_property
    def _expectations(self) -> dict[str, list]:
        """Each source's suite as the code states it (stamped, and set up when it changed)."""
        return {source: expectations(SPECS[source]) for source in SOURCES}

    @functools.cached_property
    def _stamps(self) -> dict[Path, str]:
        """Each source's marker file and what its checkpoint is set up from: the suite's
        expectations, the code that sets it up and GX's version."""
        import great_expectations as gx

        set_up_code = inspect.getsource(Suites._set_up)
        stamps = {}
        for source in SOURCES:
            expected = [e.configuration.to_json_dict() for e in self._expectations[source]]
            for config in expected:
                config.pop("id", None)  # a new one for every object made
            text = json.dumps(
                [gx.__version__, set_up_code, source, expected], sort_keys=True, default=str
            )
            stamps[self._set_up_dir / source] = hashlib.sha256(text.encode()).hexdigest()
        return stamps

    def _set_up(self, source: str):
        import great_expectations as gx

        context = self.context
        # made once per context, then each source's asset added to it (making it again
        # drops the assets of the suites set up before: they are all set up again next time)
        if self._data_source is None:
            shutil.rmtree(self._set_up_dir, ignore_errors=True)
            self._data_source = context.data_sources.add_or_update_pandas(name="raw")
            _mark_docs_stale(self.home, ALL_PAGES)  # the suites' own pages change too
        data_source = self._data_source
        asset = next((a for a in data_source.assets if a.name == source), None)
        asset = asset or data_source.add_dataframe_asset(name=source)
        batch = next((b for b in asset.batch_definitions if b.name == "loaded rows"), None)
        batch = batch or asset.add_batch_definition_whole_dataframe("loaded rows")
        suite = context.suites.add_or_update(
            gx.ExpectationSuite(name=f"raw_{source}", expectations=self._expectations[source])
        )
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=f"raw_{source}", data=batch, suite=suite)
        )
        self._checkpoints[source] = context.checkpoints.add_or_update(
            gx.Checkpoint(
                name=f"raw_{source}",
                validation_definitions=[definition],
                actions=[],  # Data Docs are built once per build, not after every chunk
            )
        )
        marker = self._set_up_dir / source
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(self._stamps[marker], encoding="utf-8")
        if all(marker.exists() for marker in self._stamps):
            self._keep_set_up()
        return self._checkpoints[source]

    def _kept_set_up(self) -> Path:
        digest = hashlib.sha256("".join(self._stamps.values()).encode()).hexdigest()[:16]
        return GX_SET_UP_CACHE / digest

    def _keep_set_up(self) -> None:
        """Keep this home's set-up (the GX config, suites, definitions and checkpoints, not
        its results or Data Docs) for the next new home: 2-3 s of CPU it need not spend.
        Written whole or not at all: test workers and other homes' builds read it."""
        kept = self._kept_set_up()
        if kept.exists():
            return
        kept.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(dir=kept.parent, prefix=".writing-"))
        shutil.copytree(
            self.home / "gx", temporary / "gx",
            ignore=lambda folder, _names: {"validations", "data_docs", "new_rows"}
            if Path(folder).name == "uncommitted" else set(),
        )  # fmt: skip
        with contextlib.suppress(OSError):  # another process kept the same set-up first
            os.rename(temporary / "gx", kept)
        shutil.rmtree(temporary, ignore_errors=True)

    def validate(
        self, source: str, chunks: Iterable[pd.DataFrame], keep_first: bool = True
    ) -> SuiteResult:
        """The suite on every chunk; a failure rebuilds the Data Docs at once (a failed
        build stops before publishing), else `build_docs_if_stale` does once per build.

        The Data Docs keep the first chunk's result (unless `keep_first` is False: a later
        part of rows the build hands over) and the first failing chunk's: the other chunks
        are validated on their batch alone (GX's checkpoint compares the stored suite and
        definitions with these and stores every result: a third more per chunk, and ten
        million order lines are eighty chunks)."""
        checkpoint = self.checkpoint(source)
        [definition] = checkpoint.validation_definitions
        failed: dict[str, str] = {}
        evaluated = 0
        success = True
        seen_rows = 0

        def kept(chunk: pd.DataFrame):
            run = checkpoint.run(batch_parameters={"dataframe": chunk})
            [(key, result)] = run.run_results.items()
            _mark_docs_stale(self.home, json.dumps(key.to_tuple()))  # its page to render
            return result

        for chunk in chunks:
            first = seen_rows == 0
            seen_rows += len(chunk)
            if first and keep_first:
                result = kept(chunk)
            else:
                batch = definition.batch_definition.get_batch(batch_parameters={"dataframe": chunk})
                result = batch.validate(definition.suite)
                if success and not result.success:  # the first failing chunk
                    result = kept(chunk)
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
        if seen_rows == 0:
            return nothing_to_check(self.home, source)
        _docs_stale_marker(self.home).touch()
        docs = self.build_docs() if not success else Settings(home=self.home).data_docs_index
        return SuiteResult(
            source=source,
            success=success,
            evaluated=evaluated,
            rows_checked=seen_rows,
            failed=[f"{label}: {example}" for label, example in failed.items()],
            docs_path=docs if docs and docs.exists() else None,
        )

    def build_docs(self) -> Path | None:
        """Render the pages of the validation results stored since the last build of the
        Data Docs, and the index; every page when there is no site yet or the suites were
        set up anew. Each source keeps its newest DOCS_RESULTS_KEPT results (the index drops
        the pages of the others)."""
        from great_expectations.data_context.types.resource_identifiers import (
            ValidationResultIdentifier,
        )

        marker = _docs_stale_marker(self.home)
        lines = marker.read_text(encoding="utf-8").splitlines() if marker.exists() else []
        kept = self._keep_newest_results()
        try:
            new = [ValidationResultIdentifier.from_tuple(json.loads(line))
                   for line in lines if line and line != ALL_PAGES]  # fmt: skip
        except (ValueError, TypeError, IndexError):  # a marker cut short: every page again
            new = []
        if new and ALL_PAGES not in lines and Settings(home=self.home).data_docs_index.exists():
            self.context.build_data_docs(resource_identifiers=[k for k in new if k in kept])
        else:
            self.context.build_data_docs()
        marker.unlink(missing_ok=True)
        docs = Settings(home=self.home).data_docs_index
        return docs if docs.exists() else None

    def _keep_newest_results(self) -> set:
        """Remove each suite's validation results but the newest DOCS_RESULTS_KEPT; the
        keys of those kept."""
        store = self.context.validation_results_store
        by_suite: dict[str, list] = {}
        for key in store.list_keys():
            by_suite.setdefault(key.expectation_suite_identifier.name, []).append(key)
        kept = set()
        for keys in by_suite.values():
            keys.sort(key=lambda k: k.run_id.run_time, reverse=True)
            kept.update(keys[:DOCS_RESULTS_KEPT])
            for key in keys[DOCS_RESULTS_KEPT:]:
                store.remove_key(key)
        return kept
