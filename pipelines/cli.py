"""Entry points behind the Makefile: `python -m pipelines.cli prepare|demo-if-empty|build`."""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import gc
import shutil
import sys
import tempfile
from pathlib import Path

from pipelines.lib.settings import SOURCES, Settings, SettingsError
from pipelines.lib.workers import quiet_resource_tracker

DAGSTER_YAML = """\
# written by `python -m pipelines.cli prepare`
telemetry:
  enabled: false
concurrency:
  runs:
    # one DuckDB writer: builds queue up instead of colliding
    max_concurrent_runs: 1
"""


def prepare(settings: Settings) -> None:
    """Folders under SHOPKPI_HOME, the Dagster instance config, a fresh dbt manifest."""
    from pipelines.lib.dbt_manifest import ensure_manifest

    settings.ensure_dirs()
    config = settings.dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    ensure_manifest()


def inbox_is_empty(settings: Settings) -> bool:
    return (
        not any(p.is_file() for p in settings.inbox.rglob("*")) if settings.inbox.exists() else True
    )


def files_ever_loaded(settings: Settings) -> int:
    """How many files this home has loaded: never mix the demo shop into a real one."""
    import duckdb

    if not settings.warehouse.exists():
        return 0
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        known = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'audit' and table_name = 'file_loads'"
        ).fetchone()[0]
        return con.execute("select count(*) from audit.file_loads").fetchone()[0] if known else 0


def demo_if_empty(settings: Settings) -> None:
    """Put the demo shop's exports into the inbox, unless the inbox holds files already."""
    from pipelines import demo

    if not inbox_is_empty(settings):
        print(f"inbox {settings.inbox} already has files: no demo data added")
        return
    if files_ever_loaded(settings):
        print(f"{settings.warehouse} already holds loaded files: no demo data added")
        return
    with tempfile.TemporaryDirectory() as tmp:
        counts = demo.generate(Path(tmp), demo.DEFAULT_ORDER_LINES, seed=42)
        for source in SOURCES:
            for path in sorted((Path(tmp) / source).iterdir()):
                shutil.move(path, settings.inbox_for(source) / path.name)
    print(f"demo shop written to {settings.inbox}: {counts}")


def build(settings: Settings, full: bool = False) -> int:
    """Run the daily_build job once, in this process, recorded in the Dagster instance;
    unless nothing changed since the last build (no new files, same settings and code)
    and `full` was not asked for."""
    settings.home.mkdir(parents=True, exist_ok=True)
    # two `make pipeline`s take turns from the start: even creating the Dagster instance
    # must not race (the run itself also takes .build.lock, shared with daemon runs)
    with (settings.home / ".cli.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("another build is running on this SHOPKPI_HOME: waiting", flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        if not full and _up_to_date(settings):
            return 0
        return _build_locked(settings, full)


def _up_to_date(settings: Settings) -> bool:
    from pipelines.lib.run_status import last_run_path, read_last_run
    from pipelines.up_to_date import nothing_to_build

    last_run = read_last_run(last_run_path(settings))
    if not nothing_to_build(settings, last_run):
        return False
    print(
        f"nothing new: no files in {settings.inbox}, same settings and code as the build of "
        f"{last_run['finished_at']} (run {last_run['run_id'][:8]}); {settings.published} "
        "is current. `make pipeline FULL=1` rebuilds everything anyway."
    )
    return True


# what the build's process on standby (build_standby.py) opened while it waited: the home's
# Dagster instance with the mtime of the dagster.yaml it read, and the job (0.4 s a build)
_ahead: dict = {}


def open_ahead(settings: Settings) -> None:
    """Open this home's Dagster instance and resolve the build's job now, for the build
    this process will run."""
    import dagster as dg

    from pipelines.definitions import defs

    config = settings.dagster_home / "dagster.yaml"
    if config.exists():
        _ahead["instance"] = (
            settings.dagster_home, config.stat().st_mtime,
            dg.DagsterInstance.from_config(str(settings.dagster_home)),
        )  # fmt: skip
    _ahead["job"] = defs().resolve_job_def("daily_build")
    _ahead["job"].get_job_snapshot()  # kept by the job: the run records it


def _instance(settings: Settings):
    """This home's Dagster instance: the one open_ahead opened, when it is this home's and
    its dagster.yaml has not changed since."""
    import dagster as dg

    if "instance" in _ahead:
        folder, mtime, instance = _ahead.pop("instance")
        config = settings.dagster_home / "dagster.yaml"
        if folder == settings.dagster_home and config.exists() and config.stat().st_mtime == mtime:
            return instance
        instance.dispose()
    return dg.DagsterInstance.from_config(str(settings.dagster_home))


def _build_locked(settings: Settings, full: bool = False) -> int:
    from pipelines.lib import quality_worker, warm_dbt

    # GX imports and sets up its suites on the other core while this process loads Dagster
    # (the run's ingest steps hand it their rows; see pipelines/lib/quality_worker.py). No
    # new files (FULL=1, new settings): nothing to validate, unless rows wait for a check
    # since one failed, and then the first hand-over starts it.
    if not inbox_is_empty(settings):
        quality_worker.start(settings.home, settings.build_log)

    from pipelines.definitions import defs
    from pipelines.defs.resources import ShopSettings
    from pipelines.lib.dagster_events import keep_event_log_connections
    from pipelines.lib.dbt_manifest import manifest_ahead, start_parse_ahead, stop_parse_ahead
    from pipelines.lib.run_status import record_run, summarise_run

    prepare(settings)
    start_parse_ahead(settings)  # dbt parses on the other core while ingest runs
    # runs land in SHOPKPI_HOME's own instance, also when called outside the Makefile
    with _instance(settings) as instance:
        keep_event_log_connections(instance)  # ~400 events a build: 7 s -> 2 s
        job = _ahead.pop("job", None) or defs().resolve_job_def("daily_build")
        # dbt imports while ingest and the checks run (warm_dbt.py), unless loading the
        # inbox needs the memory (then an ingest step starts it); started now, not with
        # the GX worker, which the checks wait for, so that the two do not share the
        # other core while Dagster loads
        warm_dbt.start_if_little_to_load(
            settings.home, settings.inbox, settings.build_log, manifest_ahead(settings)
        )
        if not gc.isenabled():  # `make pipeline`'s own process: see main()
            gc.freeze()
            gc.enable()
        settings.build_log.parent.mkdir(parents=True, exist_ok=True)
        # dbt's own output goes to the build log too: the console gets one line per step
        with (
            settings.build_log.open("a", encoding="utf-8") as sink,
            contextlib.redirect_stdout(sink),
        ):
            result = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_config={
                    # the run builds with exactly these settings, read once above
                    "resources": {"shop": ShopSettings.run_config(settings)},
                    # FULL=1: every dbt model rebuilt from all rows, not only what changed
                    "ops": {"shopkpi_dbt_models": {"config": {"full_rebuild": full}}},
                    # tracebacks go to the build log and the Dagster UI, not to the screen
                    "loggers": {
                        "shopkpi_console": {},
                        "shopkpi_build_log": {"config": {"path": str(settings.build_log)}},
                    },
                },
            )
        # the daemon's run-status sensors record the runs it launches; this one is ours
        stop_parse_ahead(settings)  # when the run stopped before dbt waited for it
        summary = summarise_run(instance, result.run_id)
    record_run(settings, summary)
    if result.success:
        from pipelines.up_to_date import remember_inputs

        remember_inputs(settings, result.run_id)
    if not result.success:
        print(f"\nThe build failed (run {result.run_id}). Why, and what to do:", file=sys.stderr)
        for cause in summary["causes"]:
            print(f"  - {cause[settings.language]}", file=sys.stderr)
        print(
            f"Details: {settings.build_log} and the Dagster UI (make run, then Runs, run "
            f"{result.run_id[:8]}). The dashboards keep showing the last good publish.",
            file=sys.stderr,
        )
        return 1
    for note in missing_export_notes(settings):
        print(f"note: {note}")
    if summary["published"] == "unchanged":
        print(f"build succeeded (run {result.run_id}); nothing changed, {settings.published} kept")
    else:
        print(f"build succeeded (run {result.run_id}); dashboards read {settings.published}")
    return 0


def missing_export_notes(settings: Settings) -> list[str]:
    """One line per export the shop has not sent: fine, and what it would add."""
    import duckdb

    from pipelines.lib.canonical import SPECS, missing_export_note

    # row counts only: DuckDB keeps them, where the newest day would read every raw table
    counts = " union all ".join(f"select '{s}', count(*) from raw.{s}" for s in SPECS)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows_by_source = con.execute(counts).fetchall()
    return [
        missing_export_note(source, settings.language)
        for source, rows in rows_by_source
        # a shop selling in its reporting currency needs no rates
        if rows == 0 and not SPECS[source].often_absent
    ]


def main(argv: list[str] | None = None) -> int:
    quiet_resource_tracker()  # before anything in the build starts worker processes
    parser = argparse.ArgumentParser(prog="python -m pipelines.cli")
    parser.add_argument("command", choices=["prepare", "demo-if-empty", "build"])
    parser.add_argument(
        "--full", action="store_true", help="build even when nothing changed (make pipeline FULL=1)"
    )
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as err:
        print(f"shopkpi cannot start: {err}", file=sys.stderr)
        return 2
    if args.command == "prepare":
        prepare(settings)
    elif args.command == "demo-if-empty":
        settings.ensure_dirs()
        demo_if_empty(settings)
    else:
        from pipelines import build_standby

        # while `make run` serves the home, a process that has imported all of the below
        # builds instead (build_standby.py)
        code = build_standby.hand_over(settings, sys.argv[1:] if argv is None else argv)
        if code is not None:
            return code
        # this process lives for one build: what it imports and loads (Dagster,
        # dagster-dbt, the definitions) stays to the end, and the collector's full
        # passes over it while it loads took about 0.9 s of a small shop's build. Collection
        # resumes, with that heap frozen out of it, once the job is loaded (_build_locked).
        gc.disable()
        from pipelines.lib.warm_dbt import keep_dbt_core_out

        keep_dbt_core_out()
        return build(settings, full=args.full)
    return 0


if __name__ == "__main__":
    sys.exit(main())
