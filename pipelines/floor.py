"""The floor of `make bench`: the nine non-forecast marts computed in one DuckDB process
straight from the export files, with no Dagster, dbt, Great Expectations or audit.

    python -m pipelines.floor --exports DIR --manifest MANIFEST --database DB [--timezone TZ]

The raw tables are read once from the files in DIR/<source>/ (any depth), read and typed in
SQL the way ingest types them (numbers written with currency signs, ISO-ish timestamps,
text without an offset in the shop's timezone, GBK files decoded first). The models are
dbt's own SQL as the pipeline's last build compiled it (`compiled_code` in its manifest),
run in dependency order with dbt's materializations. So the floor does the same SQL work
as a build, once, and nothing else: what a build spends beyond it is orchestration,
ingest bookkeeping, checks and publishing.

It trusts its input: no quarantine, no re-export replacement (the demo shop writes every
row once), no checks. It is a yardstick, not a pipeline.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import json
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import polars as pl

from pipelines.lib.canonical import DUCKDB_TYPES, SPECS, Column
from pipelines.lib.parse import NUMBER_NOISE
from pipelines.lib.warehouse import MEMORY_LIMIT

# the marts of the floor (the forecasts are reported beside it, not in it)
FLOOR_MARTS = (
    "fct_daily_kpis", "fct_daily_marketing", "conversion_funnel", "customer_cohorts",
    "repurchase", "dim_customers", "campaign_roi", "inventory_turnover",
    "logistics_performance",
)  # fmt: skip
AWARE_FORMATS = ["%Y-%m-%d %H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M%z"]
NAIVE_FORMATS = ["%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


def sql_list(items: list[str]) -> str:
    return "[" + ", ".join(f"'{i}'" for i in items) + "]"


def cleaned(column: Column, present: bool) -> str:
    """The column's text, trimmed (empty is NULL); timestamps normalised once for strptime:
    2025/6/18 -> 2025-6-18 (strptime reads unpadded), T -> space, Z and +08:00 -> +0800."""
    if not present:
        return f'cast(null as varchar) as "{column.name}"'
    text = f"nullif(trim(cast(\"{column.name}\" as varchar)), '')"
    if column.kind == "timestamp":
        text = (
            f"regexp_replace(regexp_replace(regexp_replace(replace({text}, '/', '-'), "
            r"'^(\d{4}-\d{1,2}-\d{1,2})T', '\1 '), 'Z$', '+0000'), "
            r"'\s*([+-]\d{2}):?(\d{2})$', '\1\2')"
        )
    return f'{text} as "{column.name}"'


def typed(column: Column, timezone: str) -> str:
    """One canonical column from its cleaned text, typed as raw.* types it."""
    kind, sql_type, text = column.kind, DUCKDB_TYPES[column.kind], f'"{column.name}"'
    if kind == "currency":
        value = f"upper({text})"
    elif kind == "code":
        value = f"lower({text})"
    elif kind in ("int", "float", "money"):
        number = f"try_cast(regexp_replace({text}, '{NUMBER_NOISE}', '', 'g') as double)"
        value = f"cast({number} as {sql_type})"
    elif kind == "timestamp":
        if column.date_means_end_of_day:
            text = rf"(case when length({text}) <= 10 then {text} || ' 23:59:59.999999' else {text} end)"
        aware = f"timezone('UTC', try_strptime({text}, {sql_list(AWARE_FORMATS)}))"
        naive = f"try_strptime({text}, {sql_list(NAIVE_FORMATS)})"
        value = f"coalesce({aware}, timezone('UTC', timezone('{timezone}', {naive})))"
    elif kind == "date":
        value = f"cast(try_strptime(replace(left({text}, 10), '/', '-'), '%Y-%m-%d') as date)"
    else:
        value = text
    return f'{value} as "{column.name}"'


def is_utf8(path: Path, sample: int = 1 << 20) -> bool:
    """Whether the file's first megabyte reads as UTF-8 (a GBK file fails on its header)."""
    with path.open("rb") as handle:
        head = handle.read(sample)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # may end mid-character
    except UnicodeDecodeError:
        return False
    return True


def utf8_files(files: list[Path], scratch: Path) -> list[Path]:
    """CSV files DuckDB can read: a GBK file (生意参谋's) is decoded to UTF-8 first."""
    readable = []
    for path in files:
        if is_utf8(path):
            readable.append(path)
        else:
            copy = scratch / f"{len(readable)}_{path.name}"
            copy.write_text(path.read_bytes().decode("gb18030"), encoding="utf-8")
            readable.append(copy)
    return readable


def by_header(files: list[Path]) -> dict[tuple[str, ...], list[Path]]:
    groups: dict[tuple[str, ...], list[Path]] = {}
    for path in files:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = tuple(next(csv.reader(handle)))
        groups.setdefault(header, []).append(path)
    return groups


def create_raw_tables(con: duckdb.DuckDBPyConnection, exports: Path, timezone: str) -> None:
    """raw.<source> for every source, read once from its files and typed in SQL."""
    # the UTF-8 copies of files in other encodings, read while the tables are made
    with tempfile.TemporaryDirectory(prefix="shopkpi-floor-") as scratch:
        _create_raw_tables(con, exports, timezone, Path(scratch))


def _create_raw_tables(
    con: duckdb.DuckDBPyConnection, exports: Path, timezone: str, scratch: Path
) -> None:
    for name, spec in SPECS.items():
        files = sorted(p for p in (exports / name).rglob("*") if p.is_file())
        csvs = utf8_files([p for p in files if p.suffix in (".csv", ".txt", ".tsv")], scratch)
        parquets = [p for p in files if p.suffix == ".parquet"]
        sheets = [p for p in files if p.suffix == ".xlsx"]
        parts = []
        # DuckDB's sniffer costs about 0.1 s a file: files are read with their header given
        for header, group in by_header(csvs).items():
            columns = "{" + ", ".join(f"'{h}': 'VARCHAR'" for h in header) + "}"
            parts.append(
                f"select * from read_csv({sql_list([str(p) for p in group])}, header = true, "
                f"auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
                f"columns = {columns})"
            )
        if parquets:
            parts.append(f"select * from read_parquet({sql_list([str(p) for p in parquets])})")
        for i, sheet in enumerate(sheets):
            con.register(f"_sheet_{name}_{i}", pl.read_excel(sheet).cast(pl.String).to_arrow())
            parts.append(f"select * from _sheet_{name}_{i}")
        files_sql = " union all by name ".join(parts) or "select 1 as _none where false"
        present = {row[0] for row in con.execute(f"describe {files_sql}").fetchall()}
        text = ", ".join(cleaned(c, c.name in present) for c in spec.columns)
        types = ", ".join(typed(c, timezone) for c in spec.columns)
        con.execute(
            f"create table raw.{name} as select {types}, "
            f"cast(1 as bigint) as _load_id, cast(current_timestamp as timestamp) as _loaded_at "
            f"from (select {text} from ({files_sql}))"
        )


def models_in_order(manifest: dict) -> list[dict]:
    """The floor marts and every model they read, parents first."""
    nodes = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] == "model"}
    wanted: dict[str, dict] = {}

    def visit(key: str) -> None:
        if key in wanted or key not in nodes:
            return
        for parent in nodes[key]["depends_on"]["nodes"]:
            visit(parent)
        wanted[key] = nodes[key]

    for key, node in nodes.items():
        if node["name"] in FLOOR_MARTS:
            visit(key)
    return list(wanted.values())


def run(exports: Path, manifest: dict, database: Path, timezone: str) -> dict[str, float]:
    started = time.perf_counter()
    con = duckdb.connect(str(database), config={"memory_limit": MEMORY_LIMIT})  # as a build
    for schema in ("raw", "staging", "intermediate", "marts"):
        con.execute(f"create schema if not exists {schema}")
    create_raw_tables(con, exports, timezone)
    for node in models_in_order(manifest):
        kind = "view" if node["config"]["materialized"] == "view" else "table"
        relation = node["relation_name"]
        con.execute(f"create or replace {kind} {relation} as {node['compiled_code']}")
    con.close()
    return {"floor_seconds": round(time.perf_counter() - started, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.floor")
    parser.add_argument("--exports", type=Path, required=True)
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument("--timezone", default="Asia/Shanghai")
    args = parser.parse_args(argv)
    manifest = json.loads(args.manifest.read_text(encoding="utf-8"))
    print(json.dumps(run(args.exports, manifest, args.database, args.timezone)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
