"""While `make run` serves a home, one dbt process waits on standby for its next build.

A build starts dbt's process itself (warm_dbt.py) as it begins, so that dbt-core imports
and the manifest loads while ingest and the checks run. On two cores that start competes
with Dagster's, GX's and ingest's: on a ten-million-line shop's next day dbt's process was
ready 2.8 s after the dbt step asked for it (measured 2026-12-06). A build that finds a
process on standby (warm_dbt.on_standby) hands it the command instead: dbt imported and the
home's manifest loaded before the build began, whether the build is `make pipeline` or a
run the Dagster daemon starts for new files.

This keeper starts one when the home has a partial parse (after its first build) and no
build runs, starts the next once a build has used it and finished, and starts it again
when what it loaded ahead no longer matches (the shop's settings or the dbt project
changed; a build would still run correctly, but parse for itself). It stops with its
parent (`make run`) and stops its standby process then.

    python -m pipelines.lib.dbt_standby     (the home: SHOPKPI_HOME)
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from pipelines.lib.settings import DBT_PROJECT_DIR, Settings, SettingsError

POLL_SECONDS = 1.0


def build_running(home: Path) -> bool:
    """Whether a build holds this home's build lock (ShopSettings takes `.build.lock` for
    every run, `make pipeline`'s and the daemon's), read from /proc/locks without taking
    it: taking it, even for a moment, could make a starting build wait and say so."""
    lock = home / ".build.lock"
    try:
        inode = lock.stat().st_ino
        text = Path("/proc/locks").read_text()
    except OSError:
        return False  # no lock file yet: no build ever ran here
    for line in text.splitlines():
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 1234 00:2f:5678 0 EOF" (blocked waiters: "1: -> FLOCK")
        if "->" in fields or len(fields) < 6:
            continue
        if fields[1] == "FLOCK" and fields[5].rsplit(":", 1)[-1] == str(inode):
            return True
    return False


def what_to_load(home: Path) -> tuple | None:
    """What the standby process loads ahead for this home's next build, and when the dbt
    project last changed; None while the home has no partial parse (before its first
    build) or its settings cannot be read (the build will say why)."""
    from pipelines.lib.dbt_manifest import manifest_ahead
    from pipelines.lib.warm_dbt import project_changed_at

    try:
        settings = Settings.from_env(home)
    except SettingsError:
        return None
    ahead = manifest_ahead(settings)
    if ahead is None:
        return None
    return ahead, project_changed_at(DBT_PROJECT_DIR), settings.build_log


def keep(home: Path, poll_seconds: float = POLL_SECONDS) -> None:
    """Keep one dbt process on standby for this home until stopped (SIGTERM, SIGINT)."""
    from pipelines.lib import warm_dbt

    process: subprocess.Popen | None = None
    loaded: tuple | None = None  # what `process` loaded ahead, and the project's time

    def stop_standby() -> None:
        nonlocal process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process is not None:  # it took no command: nobody else removes its socket
            warm_dbt.socket_path(home, standby=True).unlink(missing_ok=True)
        process = None

    def on_signal(signum, frame) -> None:
        raise KeyboardInterrupt

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, on_signal)
    try:
        while True:
            if process is not None and process.poll() is not None:
                process = None  # it ran a build's command (or failed): start the next
            try:
                if not build_running(home):
                    wanted = what_to_load(home)
                    if process is not None and wanted is not None and wanted[:2] != loaded:
                        stop_standby()  # settings or project changed since it loaded
                    if process is None and wanted is not None:
                        ahead, project_at, build_log = wanted
                        process = warm_dbt.start_standby(home, build_log, ahead)
                        loaded = (ahead, project_at)
            except OSError as err:  # builds start their own dbt process meanwhile
                print(f"dbt standby: {err}; trying again", file=sys.stderr, flush=True)
            time.sleep(poll_seconds)
    except KeyboardInterrupt:
        pass
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)  # a second signal must not stop the stop
        stop_standby()


def main() -> int:
    try:
        settings = Settings.from_env()
    except SettingsError as err:
        print(f"dbt standby: {err}", file=sys.stderr)
        return 1
    from pipelines.serve import die_with_parent

    die_with_parent()  # `make run` killed outright: this and its standby process stop too
    keep(settings.home.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
