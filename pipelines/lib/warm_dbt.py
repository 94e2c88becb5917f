"""dbt's process, started before the build needs it.

dbt spends about 4 s of CPU before its first model runs: 2.5 s importing dbt-core, then
its flags, profile and manifest. On a small shop that is a fifth of the build, on one more
day of a large one a tenth, and it sits between the checks and the first model. So a build
with little to load starts dbt's process once Dagster has loaded the job (`start`): it
imports dbt-core on the other core while ingest and the checks run, then waits. With more
to load (its memory is ingest's) the dbt step starts it as it begins, and it imports while
the step plans the build.

Once dbt-core is imported the process also loads the project's manifest, as the build's
`dbt build` would (`dbt parse` with its arguments, environment and folder, from the home's
partial parse), and runs the command with it when nothing that decides the manifest
differs (`_loaded_for`; else the command parses as `dbt` does, and the build log says
why). The command then starts with its first model: 2.1 -> 0.6 s on a 10M shop's next day.

dagster-dbt runs dbt as a command; ours is this file (`python -I warm_dbt.py build ...`,
see `DBT_COMMAND`). It hands its arguments, environment, working folder and standard
streams to the waiting process over a Unix socket; that process runs dbt exactly as the
`dbt` command would and sends back dbt's exit code, which the command exits with. A signal
the command gets (dagster-dbt interrupts dbt when a run is cancelled) is passed on. Where no
process waits (it failed to start, or a second dbt command in a run) the command becomes
the venv's `dbt` itself (exec).

This file runs as a plain script for the command, so it imports only the standard library
at the top.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

# dagster-dbt's command: this venv's Python running this file (isolated: the script's
# folder is not put on sys.path, where pipelines/lib/*.py would shadow other modules)
DBT_COMMAND = [sys.executable, "-I", str(Path(__file__).resolve())]
DBT = str(Path(sys.executable).with_name("dbt"))  # the venv's dbt, when no process waits
SOCKET_ENV = "SHOPKPI_WARM_DBT"  # where the command finds the waiting process
ACCEPTED = b"A"  # the process took the command: it runs dbt now
CODE = struct.Struct("!i")  # then dbt's exit code
SMALL_INBOX_BYTES = 64_000_000  # above: ingest's memory, not dbt's start, is what counts

# what must be the same in the build's command as in the parse ahead for its manifest to
# be the one the command would load: the project and where dbt keeps its partial parse
# (the arguments, vars among them, and the variables the project reads are compared too)
MANIFEST_ENV = ("DBT_PROJECT_DIR", "DBT_TARGET_PATH")

_started: dict[Path, tuple[subprocess.Popen, Path]] = {}
# homes whose build starts dbt after a big ingest, with what it loads ahead
_start_after_ingest: dict[Path, dict | None] = {}


def keep_dbt_core_out() -> None:
    """A build's process runs dbt in dbt's own process, never in itself. dagster-dbt imports
    dbt-core whenever it is installed, only for type names it also has stand-ins for and to
    evaluate an asset selection, which for ours (the whole project) it reads from the
    manifest without dbt-core. Hidden from this process before dagster-dbt is imported, the
    build loads its job 1.6 s sooner and 90 MB smaller. The Dagster UI's process keeps
    dbt-core: there a user may materialize any subset of the models."""
    sys.modules.setdefault("dbt.version", None)  # None: `import dbt.version` fails


def socket_path(home: Path, standby: bool = False, kind: str = "dbt") -> Path:
    """Short enough for a Unix socket (about 100 bytes) whatever the home's path. A
    process `make run` keeps on standby (standby.py) has a name of its own: a build's
    own process never takes it over, nor removes it. `kind`: dbt, build or gx."""
    digest = hashlib.sha256(str(home.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / (
        f"shopkpi-{kind}{'-standby' if standby else ''}-{digest}.sock"
    )


def on_standby(home: Path) -> Path | None:
    """The socket of the dbt process `make run` keeps on standby for this home's next
    build, if one waits (it removes the socket when it takes a command or stops; one left
    by a process that died refuses the command, which then runs as `dbt` itself)."""
    path = socket_path(home, standby=True)
    return path if path.is_socket() else None


def inbox_bytes(inbox: Path) -> int:
    return sum(p.stat().st_size for p in inbox.rglob("*") if p.is_file()) if inbox.exists() else 0


def start_if_little_to_load(
    home: Path, inbox: Path, log_path: Path, ahead: dict | None = None
) -> None:
    """At the start of a build (`make pipeline`): start the waiting process now when the
    inbox is small, else after the ingest step that leaves little in it (`after_ingest`:
    the large exports loaded and their memory given back), so that dbt imports while the
    last small sources load and the checks run instead of after them."""
    if on_standby(home):
        return
    if inbox_bytes(inbox) < SMALL_INBOX_BYTES:
        start(home, log_path, ahead)
    else:
        _start_after_ingest[home.resolve()] = ahead


def after_ingest(home: Path, inbox: Path, log_path: Path) -> None:
    """An ingest step is done: start the process if this build waits to and little is left.
    Runs started elsewhere (the Dagster UI, the daemon) never wait: their dbt step starts
    its own process."""
    if home.resolve() in _start_after_ingest and inbox_bytes(inbox) < SMALL_INBOX_BYTES:
        start(home, log_path, _start_after_ingest.pop(home.resolve()))


def start(home: Path, log_path: Path, ahead: dict | None = None) -> None:
    """Start this home's waiting dbt process (its own messages go to the build log). It
    listens from this moment on: the socket is bound here and handed to it. With `ahead`
    (dbt_manifest.manifest_ahead: the arguments, environment and folder of the build's
    `dbt parse`) it loads the project's manifest once dbt-core is imported, so that the
    build's command starts with its first model instead (about a second on a large shop's
    next day: the profile, the partial parse's file checks, writing manifest.json)."""
    home = home.resolve()
    stop(home)
    _started[home] = (_spawn(socket_path(home), log_path, ahead), socket_path(home))


def start_standby(home: Path, log_path: Path, ahead: dict | None) -> subprocess.Popen:
    """Start a dbt process that waits for the next build of this home, whenever it comes
    (standby.py keeps one while `make run` serves the home). It stops when its parent
    does."""
    return _spawn(socket_path(home, standby=True), log_path, ahead, compile_macros=True)


def _spawn(
    path: Path, log_path: Path, ahead: dict | None, compile_macros: bool = False
) -> subprocess.Popen:
    return spawn_listening(
        path, log_path,
        lambda fd: [*DBT_COMMAND, "--serve", str(fd), str(path), json.dumps(ahead),
                    *(["--compile-macros"] if compile_macros else [])],
    )  # fmt: skip


def spawn_listening(
    path: Path, log_path: Path, command: Callable[[int], list[str]], cwd: Path | None = None
) -> subprocess.Popen:
    """Start `command(fd)` with a socket listening on `path` as file descriptor fd: bound
    here, so a command that comes while it starts waits in the backlog. Its output goes to
    the log (the build log: a build's own messages are in its standard streams)."""
    path.unlink(missing_ok=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener,
        log_path.open("a", encoding="utf-8") as log,
    ):
        listener.bind(str(path))
        listener.listen(1)
        return subprocess.Popen(
            command(listener.fileno()), cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
            stderr=log, pass_fds=[listener.fileno()],
        )  # fmt: skip


def started(home: Path) -> Path | None:
    """The socket of the dbt process waiting for this build: the one it started, if it
    still waits, else the one on standby, if any."""
    entry = _started.get(home.resolve())
    if entry and entry[0].poll() is None:
        return entry[1]
    return on_standby(home)


def stop(home: Path) -> None:
    """After the run: a process the run did not use is stopped."""
    _start_after_ingest.pop(home.resolve(), None)
    entry = _started.pop(home.resolve(), None)
    if entry is None:
        return
    process, path = entry
    stop_waiting(process, path)


def stop_waiting(process: subprocess.Popen, path: Path) -> None:
    """Stop a process started waiting on `path` (politely, then for good) and remove the
    socket's name, which it leaves behind when it took no command."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    path.unlink(missing_ok=True)


# ---- the waiting process ----------------------------------------------------------


def serve(
    listening: int, path: Path, ahead: dict | None = None, compile_macros: bool = False
) -> None:
    """Import dbt and load the manifest `ahead` asks for, with `compile_macros` its macros
    compiled too (a command that comes meanwhile waits in the socket's backlog), then run
    one command and exit."""
    import gc

    # a build run in the background starts with SIGINT ignored, and Dagster gives SIGTERM
    # SIGINT's handler during a run, so this process may inherit both ignored: `stop` and
    # a passed-on interrupt must reach it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    gc.disable()  # what dbt-core imports lives to the end of this process
    parent = os.getppid()
    listener = socket.socket(fileno=listening)
    import dbt.adapters.duckdb  # the adapter the build profile names
    import dbt.task.build  # noqa: F401  what `dbt build` runs
    from dbt.cli.main import cli

    if ahead:  # a file changed while dbt parses is a change too
        ahead["project_changed_at"] = project_changed_at(Path(ahead["cwd"]))
    manifest = _parse(ahead) if ahead else None
    if manifest is not None:
        compiled = _compile_macros(manifest) if compile_macros else 0
        gc.collect()  # what the parse left behind is not frozen with the manifest
    gc.freeze()
    gc.enable()
    conn = accept_one(listener, path, parent)
    if conn is None:
        return
    request, fds = receive_request(conn)
    take_over(request, fds)
    sys.argv = [DBT, *request["args"]]
    finished = accept(conn)
    try:
        if manifest is not None and _loaded_for(manifest, ahead, request):
            if compiled:
                print(f"dbt's macros compiled ahead ({compiled})", file=sys.stderr)
            code = _run_with(manifest, request["args"])
        else:
            code = cli()
    except SystemExit as exit_:
        code = exit_.code
    except BaseException:  # as the dbt command would: the traceback on stderr, exit 1
        import traceback

        traceback.print_exc()
        code = 1
    answer(conn, finished, code)


def _compile_macros(manifest) -> int:
    """Compile the Jinja of every macro of the manifest now. dbt compiles a macro when a
    model first calls it, once per process: the first models of a build waited for the
    materialisations' macros (ten million order lines: the first three 0.35-0.54 s each,
    0.11-0.18 s with the macros compiled). All of them, 1.2 s of CPU: worth it only in a
    process with time to spare (on standby); one started for a build compiles what it uses."""
    from dbt_common.clients.jinja import template_cache

    compiled = 0
    for macro in manifest.macros.values():
        with contextlib.suppress(Exception):  # as when a model calls it: its error then
            template_cache.get_node_template(macro)
            compiled += 1
    return compiled


def _parse(ahead: dict):
    """The manifest `dbt parse` makes with these arguments, environment and folder (read
    from the home's partial parse), or None if it failed: the command then parses itself.
    Nothing of the parse is shown but its errors; it does not open the warehouse."""
    from dbt.cli.main import dbtRunner

    before, folder = dict(os.environ), os.getcwd()
    try:
        os.environ.clear()
        os.environ.update(ahead["env"])
        os.chdir(ahead["cwd"])
        # no manifest.json: the build's command writes the home's, with the compiled SQL
        # (the floor and `make docs` read it); this one would replace it with a bare parse
        result = dbtRunner().invoke(["parse", "--quiet", "--no-write-json", *ahead["args"]])
        return result.result if result.success else None
    except Exception:  # as a failed parse: the command parses itself
        return None
    finally:
        os.environ.clear()
        os.environ.update(before)
        os.chdir(folder)


def _loaded_for(manifest, ahead: dict, request: dict) -> bool:
    """Whether the manifest loaded ahead is the one the command would load: the same folder,
    the parse's arguments among the command's, the same project files and target folder,
    the same values of the variables the project reads (dbt's own test for a partial
    parse). If not, says why in the build log (the command then parses as `dbt` does)."""
    args, wanted, env = request["args"], ahead["args"], request["env"]
    differ = [k for k in MANIFEST_ENV if env.get(k) != ahead["env"].get(k)]
    differ += [k for k, value in manifest.env_vars.items() if env.get(k) != value]
    if project_changed_at(Path(ahead["cwd"])) != ahead["project_changed_at"]:
        differ.append("project files")
    if request["cwd"] != ahead["cwd"]:
        differ.append("working folder")
    if not any(args[i : i + len(wanted)] == wanted for i in range(len(args))):
        differ.append("arguments")
    print("dbt's manifest loaded ahead " + (f"not used: {', '.join(differ)} differ"
          if differ else "used"), file=sys.stderr)  # fmt: skip
    return not differ


def project_changed_at(project: Path) -> float:
    """When a file dbt parses last changed: the models, macros, tests, seeds and
    dbt_project.yml (also what tells dbt_manifest that target/manifest.json is stale)."""
    newest = (project / "dbt_project.yml").stat().st_mtime
    for folder in ("models", "macros", "tests", "seeds"):
        for path in (project / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


def _run_with(manifest, args: list[str]) -> int:
    """Run the dbt command with the manifest loaded ahead; the `dbt` command's exit code
    (0 done, 1 a model or test failed, 2 dbt could not run)."""
    from dbt.cli.main import dbtRunner

    result = dbtRunner(manifest=manifest).invoke(args)
    if result.success:
        return 0
    if result.exception is None:
        return 1
    # dbt reported its own errors as events; a usage error only the command prints
    print(f"Error: {result.exception}", file=sys.stderr)
    return 2


# ---- handing a command to a waiting process (also build_standby.py's) ---------------


def accept_one(listener: socket.socket, path: Path, parent: int) -> socket.socket | None:
    """The one command's connection; None when the process that started this one is gone
    (nobody will come). The socket's name is removed either way: nobody else may come."""
    listener.settimeout(1.0)
    while True:
        try:
            conn, _ = listener.accept()
            break
        except TimeoutError:
            if os.getppid() != parent:
                path.unlink(missing_ok=True)
                return None
    path.unlink(missing_ok=True)
    conn.settimeout(None)
    return conn


def receive_request(conn: socket.socket) -> tuple[dict, list[int]]:
    """The command's request (args, env, cwd, ...) and its standard streams."""
    size = CODE.unpack(conn.recv(CODE.size, socket.MSG_WAITALL))[0]
    data, fds, _, _ = socket.recv_fds(conn, size, 3, socket.MSG_WAITALL)
    return json.loads(data), list(fds)


def take_over(request: dict, fds: list[int]) -> None:
    """Become the command: its standard streams, environment and working folder."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    sys.stdout.reconfigure(line_buffering=True, write_through=True)  # events stream out
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])


def accept(conn: socket.socket) -> threading.Event:
    """Tell the command its request is taken; its signals are raised here from now on
    until the returned event is set (`answer`)."""
    conn.sendall(ACCEPTED)
    finished = threading.Event()
    threading.Thread(target=_pass_on_signals, args=(conn, finished), daemon=True).start()
    return finished


def answer(conn: socket.socket, finished: threading.Event, code: object) -> None:
    """Send the command its exit code (as `sys.exit(code)` would make it)."""
    code = code if isinstance(code, int) else (0 if code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    finished.set()
    conn.sendall(CODE.pack(code))
    conn.close()


def hand_over(path: str | Path, args: list[str], what: str, **extra: object) -> int | None:
    """Hand `args`, this process's environment, working folder and standard streams to
    the process waiting on `path` and wait for its exit code (`what` names it if it stops
    before it answers); None when nobody took them: nothing listens there, or it refused
    (the caller then does the work itself)."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(str(path))
        request = {"args": args, "env": dict(os.environ), "cwd": os.getcwd(), **extra}
        data = json.dumps(request).encode()
        conn.sendall(CODE.pack(len(data)))
        socket.send_fds(conn, [data], [0, 1, 2])
        if conn.recv(1, socket.MSG_WAITALL) != ACCEPTED:
            raise OSError(f"{what} stopped before it took the command")
    except OSError:
        conn.close()
        return None
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda number, _frame: conn.sendall(bytes([number])))
    code = conn.recv(CODE.size, socket.MSG_WAITALL)
    if len(code) < CODE.size:
        print(f"{what} stopped before it finished (see the build log)", file=sys.stderr)
        return 1
    return CODE.unpack(code)[0]


def _pass_on_signals(conn: socket.socket, finished: threading.Event) -> None:
    """A signal number from the command is raised here (SIGINT stops dbt as it would stop
    the `dbt` command); the command gone while dbt runs, dbt is stopped."""
    while True:
        try:
            data = conn.recv(1)
        except OSError:
            data = b""
        if finished.is_set():
            return
        if not data:
            os.kill(os.getpid(), signal.SIGTERM)
            return
        os.kill(os.getpid(), data[0])


# ---- the command dagster-dbt runs ---------------------------------------------------


def command(args: list[str]) -> int:
    path = os.environ.get(SOCKET_ENV)
    code = hand_over(path, args, "dbt's process") if path else None
    if code is None:
        os.execv(DBT, [DBT, *args])  # dbt itself, as if nothing waited
    return code


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(
            int(sys.argv[2]), Path(sys.argv[3]), json.loads(sys.argv[4]),
            compile_macros=sys.argv[5:6] == ["--compile-macros"],
        )  # fmt: skip
    else:
        sys.exit(command(sys.argv[1:]))
