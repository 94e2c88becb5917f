"""Great Expectations beside the build, in a process of its own.

GX costs seconds before it checks a row (3.5 s to import, about half a second to set up
each suite and as much again to run one), and at a million lines validating a source's new
rows takes about as long as loading them. So a build starts this worker early: it imports GX
and sets up every suite on the other core while Dagster loads. Each batch that ingest
commits is handed over (its rows in a Parquet file under SHOPKPI_HOME/gx/uncommitted/new_rows/)
and ingest goes on with the next batch, so the worker validates a large export while it
loads; the check step only collects the verdict on all of a source's parts. When the
checks are done the worker rebuilds the Data Docs once and exits, before dbt starts, so
its memory is not held beside dbt's.

Where there is no worker (a check run on its own from the Dagster UI, or the worker failed)
the check validates in its own process: the same suite, the same verdict.

Protocol: one JSON object per line; the parent writes to the worker's stdin, the worker
answers on its original stdout (GX's own prints go to stderr, the build log).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import os
import signal
import socket
import subprocess
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import psutil

from pipelines.lib.code_files import code_changed_at
from pipelines.lib.quality import (
    CHUNK_ROWS,
    SuiteResult,
    last_passing_load,
    rows_to_check_sql,
)
from pipelines.lib.settings import REPO_ROOT, SOURCES
from pipelines.lib.warm_dbt import accept_one, socket_path, spawn_listening

# half the chunk of a check in the build's process: this one runs beside ingest, and GX
# holds several copies of a chunk (a 250,000-row chunk of orders: 350 MB, 125,000: 220 MB)
WORKER_CHUNK_ROWS = CHUNK_ROWS // 2


def new_rows_dir(home: Path) -> Path:
    return home / "gx" / "uncommitted" / "new_rows"


@dataclass
class HandedOver:
    """A source's rows handed over in parts: those after load `after`, up to `newest`."""

    after: int
    newest: int = 0
    keys: list[str] = field(default_factory=list)  # one answer per part


def combined(parts: list[dict]) -> SuiteResult:
    """One verdict from the worker's answers on each part of a source's rows."""
    failed: dict[str, str] = {}
    for part in parts:
        for line in part["failed"]:
            label, _, example = line.partition(": ")
            failed.setdefault(label, example)
    docs = next((p["docs_path"] for p in reversed(parts) if p["docs_path"]), "")
    return SuiteResult(
        source=parts[0]["source"],
        success=all(p["success"] for p in parts),
        evaluated=max(p["evaluated"] for p in parts),
        rows_checked=sum(p["rows_checked"] for p in parts),
        failed=[f"{label}: {example}" for label, example in failed.items()],
        docs_path=Path(docs) if docs else None,
    )


class _OnStandby:
    """A worker `make run` kept on standby (standby.py), as this build's handle on a
    process it started: requests and answers go over the socket it was waiting on."""

    def __init__(self, conn: socket.socket, answers, pid: int) -> None:
        self.conn, self.stdout, self.pid = conn, answers, pid
        self.stdin = conn.makefile("w", encoding="utf-8")
        self.returncode: int | None = None

    def poll(self) -> int | None:
        # not this process's child: gone, or a zombie until its parent reaps it
        with contextlib.suppress(psutil.NoSuchProcess):
            if psutil.Process(self.pid).status() != psutil.STATUS_ZOMBIE:
                return None
        self.returncode = 0
        return 0

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"GX worker {self.pid}", timeout)
            time.sleep(0.05)
        return 0

    def close_input(self) -> None:
        """Nothing more will come (the socket's other direction stays open for answers)."""
        with contextlib.suppress(OSError, ValueError):
            self.stdin.close()
            self.conn.shutdown(socket.SHUT_WR)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)


def standby_socket_path(home: Path) -> Path:
    return socket_path(home, standby=True, kind="gx")


def _take_standby(home: Path) -> _OnStandby | None:
    """The worker waiting on standby for this home, if one does and has this code."""
    path = standby_socket_path(home)
    if not path.is_socket():
        return None
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(str(path))
        conn.sendall((json.dumps({"code_changed_at": code_changed_at()}) + "\n").encode())
        answers = conn.makefile("r", encoding="utf-8")
        hello = json.loads(answers.readline() or "{}")
        if hello.get("ready") is not True:
            raise OSError("refused")
    except (OSError, ValueError):  # nobody listens, it stopped, or its code is older
        conn.close()
        return None
    # its own word: the socket's peer credentials name the process that listened first
    return _OnStandby(conn, answers, int(hello["pid"]))


class QualityWorker:
    """The parent's handle on one worker process, for one build of one home."""

    def __init__(self, home: Path, log_path: Path) -> None:
        self.home = home
        standby = _take_standby(home)
        if standby is not None:
            self.process = standby
        else:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            with log_path.open("a", encoding="utf-8") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "pipelines.lib.quality_worker", str(home)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    cwd=REPO_ROOT,
                    text=True,
                )
        self.parts: dict[str, HandedOver] = {}  # by source, in this build
        self.answers: dict[str, dict] = {}
        self.failure: str | None = None  # why the worker can no longer answer
        self.docs_asked = False

    def _send(self, message: dict) -> bool:
        if self.failure:
            return False
        try:
            self.process.stdin.write(json.dumps(message) + "\n")
            self.process.stdin.flush()
            return True
        except (BrokenPipeError, OSError, ValueError):
            self.failure = f"the validation worker stopped (exit code {self.process.poll()})"
            return False

    def _wait_for(self, key: str) -> dict | None:
        while key not in self.answers and not self.failure:
            line = self.process.stdout.readline()
            if not line:
                self.failure = f"the validation worker stopped (exit code {self.process.wait()})"
                break
            answer = json.loads(line)
            self.answers[answer["key"]] = answer
        return self.answers.pop(key, None)

    def submit(self, source: str, path: Path, after: int, newest: int) -> None:
        """Queue the rows of one batch (loads up to `newest`) of the rows its check will
        ask about, those after load `after`."""
        parts = self.parts.get(source)
        if parts is None or parts.after != after:  # a check passed since the last part
            parts = self.parts[source] = HandedOver(after)
        message = {"validate": source, "path": str(path), "keep_first": not parts.keys}
        key = f"{source}/{len(parts.keys)}"
        if self._send({"key": key, **message}):
            parts.keys.append(key)
            parts.newest = newest

    def handed_over_up_to(self, source: str, after: int) -> int:
        """The newest load already handed over for a check of the rows after `after`."""
        parts = self.parts.get(source)
        return parts.newest if parts and parts.after == after else after

    def result(self, source: str, after: int) -> SuiteResult | None:
        """The verdict on the rows handed over for `source`, or None when they were not
        handed over after load `after` or the worker could not validate them (the caller
        validates in its own process; `failure` says why)."""
        parts = self.parts.pop(source, None)
        if parts is None or not parts.keys:
            return None
        answers = [self._wait_for(key) for key in parts.keys]
        for answer in answers:
            if answer is None:  # the worker stopped: `failure` says how
                return None
            if "error" in answer:
                self.failure = answer["error"]
                return None
        if parts.after != after:  # a check passed since: these are not the rows to check
            return None
        return combined([answer["result"] for answer in answers])

    def ask_to_finish(self) -> None:
        """Ask for the Data Docs (rebuilt if a suite ran) and say nothing more will come:
        the worker writes them and exits while the build goes on."""
        if self._send({"key": "docs", "docs": True}):
            self.docs_asked = True
        self._close_input()

    def finish(self) -> None:
        """Wait for the Data Docs, if asked for, then for the worker's exit."""
        if self.docs_asked:
            self._wait_for("docs")
        self.stop()

    def _close_input(self) -> None:
        if isinstance(self.process, _OnStandby):
            self.process.close_input()
        else:
            with contextlib.suppress(OSError):
                self.process.stdin.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self._close_input()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        for path in new_rows_dir(self.home).glob("*.parquet"):
            path.unlink(missing_ok=True)


_workers: dict[Path, QualityWorker] = {}


def start(home: Path, log_path: Path) -> QualityWorker:
    """The worker of this home's build, started if it is not running yet."""
    home = home.resolve()
    worker = _workers.get(home)
    if worker is None or worker.process.poll() is not None:
        worker = _workers[home] = QualityWorker(home, log_path)
    return worker


def hand_over(con: duckdb.DuckDBPyConnection, home: Path, log_path: Path, source: str) -> int:
    """Write the rows of raw.<source> that its check must see and were not handed over yet
    to a Parquet file and queue them with the home's worker (started if need be). Returns
    how many rows were handed over; none: no file, no worker started."""
    after = last_passing_load(con, source)
    worker = _workers.get(home.resolve())
    alive = worker is not None and worker.process.poll() is None
    # a worker started anew has seen none of the rows: it gets them all
    since = worker.handed_over_up_to(source, after) if alive else after
    sql = rows_to_check_sql(source)
    count, newest = con.execute(
        f"select count(*), max(_load_id) from raw.{source} where _load_id > ?", [since]
    ).fetchone()
    if count:
        path = new_rows_dir(home) / f"{source}-{newest}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"copy ({sql}) to '{path}' (format parquet)", [since])
        try:
            start(home, log_path).submit(source, path, after, newest)
        except OSError as err:  # no worker: the check validates in the build's process
            print(f"the GX worker did not start: {err}", file=sys.stderr)
            return 0
    return count


def running(home: Path) -> QualityWorker | None:
    return _workers.get(home.resolve())


def ask_to_finish(home: Path) -> None:
    worker = _workers.get(home.resolve())
    if worker:
        worker.ask_to_finish()


def finish(home: Path) -> None:
    worker = _workers.pop(home.resolve(), None)
    if worker:
        worker.finish()


def stop(home: Path) -> None:
    worker = _workers.pop(home.resolve(), None)
    if worker:
        worker.stop()


@atexit.register
def _stop_all() -> None:
    for home in list(_workers):
        stop(home)


def start_standby(home: Path, log_path: Path) -> subprocess.Popen:
    """A worker that sets every suite up, then waits for this home's next build, whenever
    it comes (standby.py keeps one while `make run` serves the home); it stops when its
    parent does."""
    path = standby_socket_path(home)
    return spawn_listening(
        path, log_path,
        lambda fd: [sys.executable, "-m", "pipelines.lib.quality_worker", str(home),
                    "--standby", str(fd), str(path)],
        cwd=REPO_ROOT,
    )  # fmt: skip


def _wait_for_a_build(listening: int, path: Path, code_at: float):
    """On standby: (requests, answers) of the build that comes, or None when the code
    changed since this worker started (it then exits) or its parent is gone."""
    conn = accept_one(socket.socket(fileno=listening), path, os.getppid())
    if conn is None:
        return None
    requests = conn.makefile("r", encoding="utf-8")
    answers = conn.makefile("w", encoding="utf-8")
    answers.reconfigure(line_buffering=True)  # makefile's buffering=1 is no line buffering
    hello = json.loads(requests.readline() or "{}")
    ready = hello.get("code_changed_at") == code_at
    answers.write(json.dumps({"ready": ready, "pid": os.getpid()}) + "\n")
    return (requests, answers) if ready else None


def serve(home: Path, standby: tuple[int, Path] | None = None) -> None:
    """The worker's loop: set every suite up, then validate what arrives, one at a time.
    With `standby` (the listening socket and its path) it waits for a build after the
    set-up, and reads and answers on that build's connection."""
    code_at = code_changed_at()  # before importing: an edit meanwhile is an edit
    if standby is None:
        requests = sys.stdin
        answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1, encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # GX's prints must not reach the parent
    import pyarrow.parquet as pq

    from pipelines.lib.quality import Suites, as_frame, docs_stale

    suites = Suites(home)
    for source in SOURCES:  # while the build is still loading Dagster and the exports
        suites.checkpoint(source)
    if not gc.isenabled():  # as the build's process does: GX's heap out of the full passes
        gc.freeze()
        gc.enable()
    if standby is not None:
        taken = _wait_for_a_build(*standby, code_at)
        if taken is None:
            return
        requests, answers = taken
    for line in requests:
        message = json.loads(line)
        answer: dict = {"key": message["key"]}
        try:
            if "validate" in message:
                path = Path(message["path"])
                # pyarrow's defaults read ahead: 500 MB more for ten million orders rows
                parquet = pq.ParquetFile(path, buffer_size=1 << 20, pre_buffer=False)
                batches = parquet.iter_batches(batch_size=WORKER_CHUNK_ROWS)
                chunks = (as_frame(batch) for batch in batches)
                verdict = suites.validate(message["validate"], chunks, message["keep_first"])
                result = asdict(verdict)
                path.unlink(missing_ok=True)
                result["docs_path"] = str(result["docs_path"] or "")
                answer |= {"result": result}
            elif "docs" in message and docs_stale(home):
                suites.build_docs()
        except Exception:  # the check falls back to validating in its own process
            traceback.print_exc()
            answer["error"] = traceback.format_exc(limit=1).strip().splitlines()[-1]
        answers.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    gc.disable()  # while GX imports and the suites are set up: all of it lives to the end
    if sys.argv[2:3] == ["--standby"]:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # standby.py stops it so
        serve(Path(sys.argv[1]), (int(sys.argv[3]), Path(sys.argv[4])))
    else:
        serve(Path(sys.argv[1]))
