"""While `make run` serves a home, a build's process and dbt's wait on standby for its
next build.

Without them a build starts both as it begins: its own Python process imports Dagster,
the definitions and statsforecast, and dbt's (warm_dbt.py) imports dbt-core and loads the
manifest while ingest and the checks run. On two cores those starts compete with each
other, with GX's worker and with ingest: on a ten-million-line shop's next day dbt's
process was ready 2.8 s after the dbt step asked for it, and the build's own imports took
3 s before its run began (measured 2026-12-06). With both on standby the build begins with
its run, whether it is `make pipeline` (build_standby.py takes its command) or a run the
Dagster daemon starts for new files (dbt's process takes the dbt step's command).

This keeper starts each when no build runs on the home: dbt's once the home has a
partial parse (after its first build); starts the next after a build has used one; and
starts one again when what it loaded no longer matches (the code, the shop's settings or
the dbt project changed: a build would still be right, but slower). It stops with its
parent (`make run`), and stops its processes then.

    python -m pipelines.standby     (the home: SHOPKPI_HOME)
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipelines.lib.settings import DBT_PROJECT_DIR, Settings, SettingsError

POLL_SECONDS = 2.0  # idle, the keeper's checks cost about 0.5 s of CPU a minute
RETRY_SECONDS = 60.0


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


def _settings(home: Path) -> Settings | None:
    try:
        return Settings.from_env(home)
    except SettingsError:
        return None  # the build will say why


def dbt_wants(home: Path) -> tuple | None:
    """What dbt's process on standby loads ahead for the home's next build, and when the
    dbt project last changed; None before the home's first build (no partial parse)."""
    from pipelines.lib.dbt_manifest import manifest_ahead
    from pipelines.lib.warm_dbt import project_changed_at

    settings = _settings(home)
    ahead = manifest_ahead(settings) if settings else None
    if ahead is None:
        return None
    return (ahead, project_changed_at(DBT_PROJECT_DIR)), settings.build_log


def code_wants(home: Path) -> tuple | None:
    """The code a build's process or GX's worker on standby imports (when it changed)."""
    from pipelines.lib.code_files import code_changed_at

    settings = _settings(home)
    return (code_changed_at(), settings.build_log) if settings else None


@dataclass
class Standby:
    """One kind of process kept waiting: what it would load now (None: none now, else
    (what, its log)) and how it starts."""

    wants: Callable[[Path], tuple | None]
    start: Callable[[Path, tuple, Path], subprocess.Popen]
    socket: Callable[[Path], Path]
    process: subprocess.Popen | None = None
    loaded: object = None
    retry_at: float = 0.0  # after one that stopped before any build came

    def stop(self, home: Path) -> None:
        from pipelines.lib.warm_dbt import stop_waiting

        if self.process is not None:
            stop_waiting(self.process, self.socket(home))
        self.process = None

    def keep(self, home: Path) -> None:
        """Between builds: started if none waits, started again if it loaded other things."""
        waiting = self.socket(home).is_socket()  # it removes it when a build comes
        if self.process is not None and self.process.poll() is not None:
            if waiting:  # it failed before any build came (see the build log): not at once
                self.socket(home).unlink(missing_ok=True)
                self.retry_at = time.monotonic() + RETRY_SECONDS
            self.process = None  # else it ran a build's command: start the next
        wanted = self.wants(home)
        if wanted is None or time.monotonic() < self.retry_at:
            return
        what, log = wanted
        if self.process is not None and waiting and what != self.loaded:
            self.stop(home)
        if self.process is None:
            self.process = self.start(home, what, log)
            self.loaded = what


def standbys() -> list[Standby]:
    from pipelines import build_standby
    from pipelines.lib import quality_worker, warm_dbt

    return [
        Standby(code_wants, lambda home, what, log: build_standby.start(home, log),
                build_standby.socket_path),
        Standby(code_wants, lambda home, what, log: quality_worker.start_standby(home, log),
                quality_worker.standby_socket_path),
        Standby(dbt_wants, lambda home, what, log: warm_dbt.start_standby(home, log, what[0]),
                lambda home: warm_dbt.socket_path(home, standby=True)),
    ]  # fmt: skip


def keep(home: Path, poll_seconds: float = POLL_SECONDS) -> None:
    """Keep a build's and dbt's process on standby for this home until stopped (SIGTERM,
    SIGINT, SIGHUP)."""
    kept = standbys()

    def on_signal(signum, frame) -> None:
        raise KeyboardInterrupt

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, on_signal)
    try:
        while True:
            try:
                if not build_running(home):
                    for standby in kept:
                        standby.keep(home)
            except OSError as err:  # builds start their own processes meanwhile
                print(f"standby: {err}; trying again", file=sys.stderr, flush=True)
            time.sleep(poll_seconds)
    except KeyboardInterrupt:
        pass
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)  # a second signal must not stop the stop
        for standby in kept:
            standby.stop(home)


def main() -> int:
    try:
        settings = Settings.from_env()
    except SettingsError as err:
        print(f"standby: {err}", file=sys.stderr)
        return 1
    from pipelines.serve import die_with_parent

    die_with_parent()  # `make run` killed outright: this and its standby processes stop too
    keep(settings.home.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
