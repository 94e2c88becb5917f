"""`make bench`: time `make pipeline` on a generated shop against the floor, and report
the peak memory of each.

    python -m pipelines.bench [--orders N] [--seed S] [--skus N] [--sources a,b] [--keep]

Generates N order lines (default 1,000,000) into a temporary SHOPKPI_HOME, then runs
the build exactly as `make pipeline` does (`python -m pipelines.cli build`) in a child
process, sampling the memory of that whole process tree (the build and its dbt
subprocess) every 0.1 s. Then the floor (`pipelines.floor`: the nine non-forecast marts in
one DuckDB process straight from the same files) the same way. Prints wall time and peak
memory of each, the build's steps, and the ratio pipeline / floor with the forecasts
reported beside it (the floor has none); writes the same as JSON into bench-results/
(not committed).

Then it times the forecasts on their own, as the weekly run does them: the full backtest
(model choice per series) and the forecast ahead, for every SKU, category and the shop,
with the accuracy the targets are about. `--skus` and `--sources` make the shop a real
catalogue (thousands of SKUs, most sold a few times) with only some exports.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import psutil

from pipelines import demo
from pipelines.lib.settings import REPO_ROOT, SOURCES, Settings


def _tree_rss(process: psutil.Process) -> tuple[int, list[tuple[str, int]]]:
    """(RSS summed over the process tree, each process's short name and RSS)."""
    total, parts = 0, []
    for proc in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # ended between listing and reading
            rss = proc.memory_info().rss
            total += rss
            parts.append((" ".join(proc.cmdline()[1:4])[:60], rss))
    return total, parts


def run_measured(
    command: list[str], env: dict[str, str], also: psutil.Process | None = None
) -> tuple[float, int, int, dict]:
    """(wall seconds, peak RSS summed over the process tree, exit code, what the tree held
    at its peak and when). `also`: a process whose tree counts too (the dbt standby's)."""
    # the bench's own writes (generated exports, a home copied for the twin, the build
    # before) wait in the page cache to be written back; the first fsync of a timed build
    # would pay for them (2.2 GB of a copied ten-million-line warehouse: 2.5 s here),
    # which a shop's build a day after the last one does not
    os.sync()
    peak, at_peak = 0, {}
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL)
    watched = psutil.Process(child.pid)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, at_peak
        while not done.is_set():
            with contextlib.suppress(psutil.Error):
                total, parts = _tree_rss(watched)
                if also is not None:
                    more, more_parts = _tree_rss(also)
                    total, parts = total + more, parts + more_parts
                if total > peak:
                    peak = total
                    at_peak = {
                        "seconds_in": round(time.perf_counter() - started, 1),
                        "processes_mb": [[name, round(rss / 1e6)] for name, rss in parts],
                    }
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = child.wait()
    done.set()
    sampler.join()
    return time.perf_counter() - started, peak, code, at_peak


def duration_seconds(text: str) -> float:
    """Dagster's step durations: 240ms, 3.2s, 1m53s, 1h2m."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    return sum(float(n) * units[u] for n, u in re.findall(r"([\d.]+)(ms|h|m|s)", text))


def step_seconds(build_log: Path) -> dict[str, float]:
    """Each step of the last run in the build log and how long it took."""
    steps: dict[str, float] = {}
    if build_log.exists():
        pattern = re.compile(r'Finished execution of step "([^"]+)" in ([\dhms.]+)')
        for match in pattern.finditer(build_log.read_text(encoding="utf-8", errors="replace")):
            steps[match.group(1)] = round(duration_seconds(match.group(2)), 2)
    return steps


def forecast_seconds(build_log: Path) -> float:
    """What the forecasts added to the build: their step, less the publish's first part
    that ran in it beside the model fits (pipelines/defs/publish.py). That part, slowed by
    the fits beside it, takes longer than it would alone: the build without forecasts is
    counted no shorter than it would be."""
    step = step_seconds(build_log).get("forecasts", 0.0)
    text = build_log.read_text(encoding="utf-8", errors="replace") if build_log.exists() else ""
    last_step = text[text.rfind('Started execution of step "forecasts"') :]
    began = re.search(r"the publish began beside the forecasts: ([\d.]+) s", last_step)
    return round(max(step - (float(began.group(1)) if began else 0.0), 0.0), 2)


def measure_floor(home: Path, timezone: str) -> dict[str, float | int]:
    """The floor over the files the build just loaded (now in archive/), dbt's SQL as the
    build compiled it."""
    database = Path(tempfile.mkdtemp(prefix="shopkpi-floor-db-")) / "warehouse.duckdb"
    command = [sys.executable, "-m", "pipelines.floor", "--exports", str(home / "archive"),
               "--manifest", str(home / "dbt" / "target" / "manifest.json"),
               "--database", str(database), "--timezone", timezone]  # fmt: skip
    wall, peak, code, _ = run_measured(command, dict(os.environ))
    shutil.rmtree(database.parent, ignore_errors=True)
    return {"floor_seconds": round(wall, 1), "floor_peak_memory_mb": round(peak / 1e6),
            "floor_exit_code": code}  # fmt: skip


def time_forecasts(warehouse: Path) -> dict[str, float | int | str]:
    """Backtest and forecast every series of the built shop, timed (the weekly full run)."""
    import duckdb
    import polars as pl

    from pipelines.lib import forecast

    with duckdb.connect(str(warehouse), read_only=True) as con:
        sales = con.execute("select * from intermediate.int_daily_sku_sales").pl()
    started = time.perf_counter()
    series = forecast.build_series(sales)
    run = forecast.run(series, 28)
    seconds = time.perf_counter() - started
    # a daily build's forecasts when every series changed: each series' chosen model fitted
    # again on all of its history, no coefficients or variants kept from an earlier fit
    started = time.perf_counter()
    refit = forecast.run(series, 28, choices=dict(run.choices))
    refit_seconds = time.perf_counter() - started
    chosen = run.accuracy.filter(pl.col("is_selected"))
    shop = chosen.filter(pl.col("series") == "ALL").row(0, named=True)
    skus = chosen.filter(pl.col("series_type") == "sku").drop_nulls(["mase", "baseline_mase"])
    return {
        "forecast_seconds": round(seconds, 1),
        "forecast_refit_seconds": round(refit_seconds, 1),
        "forecast_refit_series": refit.forecast.filter(pl.col("kind") == "future")[
            "series"
        ].n_unique(),
        "forecast_skus": series.filter(pl.col("series_type") == "sku")["series"].n_unique(),
        "forecast_history_days": series.filter(pl.col("series") == "ALL").height,
        "all_model": shop["model"],
        "all_holdout_mase": round(shop["mase"], 3),
        "all_baseline_mase": round(shop["baseline_mase"], 3),
        "all_mase_gain_vs_baseline": round(1 - shop["mase"] / shop["baseline_mase"], 3),
        "sku_mean_mase": round(skus["mase"].mean(), 3),
        "sku_mean_baseline_mase": round(skus["baseline_mase"].mean(), 3),
        "series_by_method": dict(sorted(Counter(run.choices.values()).items())),
    }


# the next day's exports, written from the built warehouse: each dated source's last day
# again, one day later, under new ids; plus a re-export of 2% of the last 30 days' orders
# as refunded, as a platform's daily export carries status changes of older orders. The
# day's shipments ship orders that wait for one, oldest first, as a logistics export does
NEXT_DAY = {
    "orders": ("order_ts", ("order_id", "line_id")),
    "traffic": ("date", ()),
    "ads": ("date", ()),
    "logistics": ("ship_ts", ("shipment_id",)),
}
WAITING_ORDERS = """
    select order_id as waiting_order_id,
        row_number() over (order by min(order_ts), order_id) as nth
    from raw.orders
    where status in ('paid', 'shipped', 'delivered')
        and order_id not in (select order_id from raw.logistics where order_id is not null)
    group by order_id
"""


def _columns(source: str, new_ids: tuple[str, ...], shift: str, refunded: bool) -> str:
    """A select list giving raw.<source>'s rows back in the canonical format."""
    from pipelines.lib.canonical import SPECS

    parts = []
    for column in SPECS[source].columns:
        name = column.name
        value = f'"{name}"'
        if name in new_ids:
            value = f"{value} || '-next'"
        elif column.kind == "timestamp":
            value = f"strftime({value} + {shift}, '%Y-%m-%dT%H:%M:%SZ')"
        elif column.kind == "date":
            value = f"cast({value} + {shift} as date)"
        elif refunded and name == "status":
            value = "'refunded'"
        elif refunded and name == "refund_amount":
            value = "round(quantity * unit_price - coalesce(discount, 0), 2)"
        parts.append(f'{value} as "{name}"')
    return ", ".join(parts)


def write_next_day(warehouse: Path, inbox: Path) -> dict[str, int]:
    """One more day of exports into the inbox, in the canonical format; rows per source."""
    import duckdb

    written = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for source, (day_column, ids) in NEXT_DAY.items():
            day = f'cast("{day_column}" as date)'
            last_day = f"(select max({day}) from raw.{source})"
            day_rows = f"(select * from raw.{source} where {day} = {last_day})"
            if source == "logistics":  # the n-th shipment ships the n-th waiting order
                day_rows = (
                    "(select * replace (waiting_order_id as order_id) from (select *, "
                    f"row_number() over (order by shipment_id) as nth from {day_rows}) "
                    f"inner join ({WAITING_ORDERS}) using (nth))"
                )
            query = f"select {_columns(source, ids, 'interval 1 day', False)} from {day_rows}"
            if source == "orders":
                query += (
                    f" union all select {_columns(source, (), 'interval 0 day', True)} "
                    f"from raw.orders where cast(order_ts as date) > {last_day} - 30 "
                    "and status in ('delivered', 'shipped', 'paid') and hash(order_id) % 50 = 0"
                )
            rows = con.execute(f"select count(*) from ({query})").fetchone()[0]
            if rows:
                target = inbox / source / f"next_day_{source}.csv"
                target.parent.mkdir(parents=True, exist_ok=True)
                con.execute(f"copy ({query}) to '{target}' (header, delimiter ',')")
                written[source] = rows
    return written


def start_standby(env: dict[str, str], home: Path) -> subprocess.Popen:
    """What `make run` keeps for a home (pipelines/standby.py), once its processes
    wait: on their sockets, and done importing and loading (their CPU time stands)."""
    from pipelines import build_standby
    from pipelines.lib import quality_worker, warm_dbt

    keeper = subprocess.Popen(
        [sys.executable, "-m", "pipelines.standby"], env=env, cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    sockets = (
        build_standby.socket_path(home),
        quality_worker.standby_socket_path(home),
        warm_dbt.socket_path(home, standby=True),
    )
    deadline = time.monotonic() + 180
    last = -1.0
    while time.monotonic() < deadline:
        time.sleep(1)
        if not all(path.is_socket() for path in sockets):
            continue
        with contextlib.suppress(psutil.Error):
            used = sum(
                sum(p.cpu_times()[:2]) for p in psutil.Process(keeper.pid).children(recursive=True)
            )
            if used == last:
                break
            last = used
    return keeper


def twin_home(home: Path) -> Path:
    """A copy of the home as it is now (the archive's files linked, not copied): the same
    warehouse and waiting files, to build the same day a second way."""
    twin = Path(tempfile.mkdtemp(prefix="shopkpi-bench-twin-"))
    for path in home.iterdir():
        if path.name == "archive":
            subprocess.run(["cp", "-al", str(path), str(twin / path.name)], check=True)
        elif path.is_dir():
            shutil.copytree(path, twin / path.name, symlinks=True)
        else:
            shutil.copy2(path, twin / path.name)
    return twin


def measure_next_day(
    home: Path,
    env: dict[str, str],
    full_wall: float,
    full_without_forecasts: float,
    prefix: str,
    also: psutil.Process | None = None,
) -> dict:
    """The build of the day waiting in the inbox, timed (keys start with `prefix`)."""
    wall, peak, code, _ = run_measured([sys.executable, "-m", "pipelines.cli", "build"], env, also)
    steps = step_seconds(home / "logs" / "build.log")  # the last run's
    without_forecasts = wall - forecast_seconds(home / "logs" / "build.log")
    return {
        f"{prefix}_seconds": round(wall, 1),
        f"{prefix}_without_forecasts_seconds": round(without_forecasts, 1),
        f"{prefix}_share_of_full_build": round(wall / full_wall, 3),
        f"{prefix}_share_without_forecasts": round(without_forecasts / full_without_forecasts, 3),
        f"{prefix}_peak_memory_mb": round(peak / 1e6),
        f"{prefix}_exit_code": code,
        f"{prefix}_steps": steps,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.bench")
    parser.add_argument("--orders", type=int, default=1_000_000, help="order lines to generate")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the temporary SHOPKPI_HOME")
    parser.add_argument("--no-floor", action="store_true", help="time the pipeline only")
    parser.add_argument(
        "--no-next-day", action="store_true", help="skip timing one more day's exports after"
    )
    parser.add_argument("--skus", type=int, default=None, help="SKUs in the catalogue (~300)")
    parser.add_argument(
        "--sources",
        type=lambda text: tuple(s.strip() for s in text.split(",") if s.strip()),
        default=SOURCES,
        help="comma-separated exports the shop has (default all)",
    )
    args = parser.parse_args(argv)

    home = Path(tempfile.mkdtemp(prefix="shopkpi-bench-"))
    inbox = home / "inbox"
    started = time.perf_counter()
    demo.generate(inbox, args.orders, args.seed, skus=args.skus, sources=args.sources)
    generate_seconds = time.perf_counter() - started
    input_bytes = sum(p.stat().st_size for s in args.sources for p in (inbox / s).iterdir())

    env = {**os.environ, "SHOPKPI_HOME": str(home), "DAGSTER_HOME": str(home / "dagster_home")}
    wall, peak, code, at_peak = run_measured([sys.executable, "-m", "pipelines.cli", "build"], env)
    steps = step_seconds(home / "logs" / "build.log")
    forecast_step = forecast_seconds(home / "logs" / "build.log")
    result = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "order_lines": args.orders,
        "skus": args.skus or "~300",
        "sources": ",".join(args.sources),
        "input_mb": round(input_bytes / 1e6, 1),
        "generate_seconds": round(generate_seconds, 1),
        "pipeline_seconds": round(wall, 1),
        "pipeline_without_forecasts_seconds": round(wall - forecast_step, 1),
        "order_lines_per_second": round(args.orders / wall),
        "peak_memory_mb": round(peak / 1e6),
        "peak_memory_at": at_peak,
        "exit_code": code,
        "steps": steps,
    }
    if code == 0 and not args.no_floor:
        result |= measure_floor(home, Settings.from_env(home).timezone)
        result["ratio_pipeline_to_floor"] = round(
            result["pipeline_without_forecasts_seconds"] / result["floor_seconds"], 2
        )
        result |= time_forecasts(home / "warehouse.duckdb")
    # after the floor: it reads the archive and the manifest of the first build
    if code == 0 and not args.no_next_day:
        full_without_forecasts = result["pipeline_without_forecasts_seconds"]
        result["next_day_rows"] = write_next_day(home / "warehouse.duckdb", inbox)
        twin = twin_home(home)
        # as `make pipeline` alone: the build starts every process it needs
        result |= measure_next_day(home, env, wall, full_without_forecasts, "next_day")
        # the same day from the same warehouse, as while `make run` serves the home: the
        # build's process and dbt's on standby
        twin_env = env | {"SHOPKPI_HOME": str(twin), "DAGSTER_HOME": str(twin / "dagster_home")}
        keeper = start_standby(twin_env, twin)
        try:
            result |= measure_next_day(
                twin, twin_env, wall, full_without_forecasts, "next_day_standby",
                also=psutil.Process(keeper.pid),
            )  # fmt: skip
        finally:
            keeper.terminate()
            keeper.wait(timeout=30)
            shutil.rmtree(twin, ignore_errors=True)
    result |= {"cpus": os.cpu_count(), "python": platform.python_version()}
    print(json.dumps(result, indent=2))
    if code == 0 and not args.no_floor:
        print(
            f"\n{args.orders:,} order lines: pipeline {result['pipeline_seconds']} s "
            f"({result['peak_memory_mb']:,} MB), of which forecasts {forecast_step} s; "
            f"floor {result['floor_seconds']} s ({result['floor_peak_memory_mb']:,} MB); "
            f"pipeline without forecasts / floor = {result['ratio_pipeline_to_floor']}x"
        )
        print(
            f"forecasts of {result['forecast_skus']} SKUs: backtest and forecast "
            f"{result['forecast_seconds']} s; every series fitted again with its chosen model "
            f"({result['forecast_refit_series']} series) {result['forecast_refit_seconds']} s"
        )
    for prefix, how in (("next_day", "make pipeline alone"),
                        ("next_day_standby", "with make run up (build, GX and dbt on standby)")):  # fmt: skip
        if f"{prefix}_seconds" in result:
            print(
                f"one more day, {how} ({result['next_day_rows']}): "
                f"{result[f'{prefix}_seconds']} s, "
                f"{result[f'{prefix}_share_of_full_build']:.1%} of the full build; without "
                f"forecasts {result[f'{prefix}_without_forecasts_seconds']} s, "
                f"{result[f'{prefix}_share_without_forecasts']:.1%}"
            )
    out = REPO_ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    name = f"pipeline-{args.orders}" + (f"-{args.skus}skus" if args.skus else "")
    (out / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    if code != 0 and (home / "logs" / "build.log").exists():  # the home goes: keep why
        kept_log = out / f"{name}-failed-build.log"
        shutil.copyfile(home / "logs" / "build.log", kept_log)
        print(f"the build failed: its log is kept in {kept_log}")
    if args.keep:
        print(f"kept {home}")
    else:
        shutil.rmtree(home, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
