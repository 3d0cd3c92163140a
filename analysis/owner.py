"""One owner per store: every reader shares its connection, every write goes through its one thread.

DuckDB lets one process open a database file for writing, and while it does no other process can
open the file at all. So the process that opens a store becomes its *owner* for as long as it
holds it:

- it reads on cursors of its one connection (the dashboard's pages, in the same process);
- it writes on one write thread: ingest runs, analysis, uploads, corrections, topic refits and
  polling are submitted to it as functions and run one after another (datasette's
  ``execute_write_fn``), each committing its own transactions;
- it listens on 127.0.0.1 for work handed to it by other ``flankwatch`` commands. The address and
  a random token are in ``<store>.owner.json`` beside the store (readable by its user only); a
  command that finds the store held sends its job there, prints the job's output as it comes and
  exits with the job's status, exactly as if it had run the job itself.

Every command that writes becomes the owner when the store is free and hands its job over when it
is not, so ``flankwatch ingest`` and ``analyze`` succeed while ``flankwatch serve`` has the store, and
two commands started together both succeed. A command that owns the store finishes every job
handed to it before it lets go. Nothing is lost when any of these processes is killed: DuckDB's
write-ahead log keeps every committed transaction, and each file, batch and poll commits whole.

After each write the owner brings its in-memory rollups (analysis/queries.py) up to date for the
items that changed and counts a new *generation*; the dashboard compares generations to show new
items without a restart.
"""

from __future__ import annotations

import hmac
import json
import os
import queue
import re
import secrets
import socket
import socketserver
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TextIO

import duckdb

from analysis.store import Store, StoreError

PROTOCOL = 1
# How long a command waits for a busy store (no owner to hand its job to yet) before giving up.
DEFAULT_WAIT_S = 120.0


def owner_file(path: str | os.PathLike[str]) -> Path:
    """Where the owner of ``path`` says how to reach it."""
    path = Path(path)
    return path.with_name(path.name + ".owner.json")


class OwnerError(RuntimeError):
    """The store's owner cannot be reached or refused the work; the message says what to do."""


# -- the output of a job, wherever it runs ---------------------------------------------------------


class JobOutput:
    """Where a job prints: the terminal when it runs in its own command, the socket when handed over."""

    def line(self, text: str, *, err: bool = False) -> None:
        raise NotImplementedError

    def progress(self, done: int, total: int, text: str = "") -> None:
        """How far the job is; shown by the waiting command and on the dashboard."""

    @property
    def interactive(self) -> bool:
        return False


class TerminalOutput(JobOutput):
    def __init__(self, stdout: TextIO, stderr: TextIO):
        self.stdout, self.stderr = stdout, stderr

    def line(self, text: str, *, err: bool = False) -> None:
        print(text, file=self.stderr if err else self.stdout, flush=True)

    @property
    def interactive(self) -> bool:
        return bool(getattr(self.stderr, "isatty", lambda: False)())


class _Progressing(JobOutput):
    """Passes lines on and records the latest progress on the owner's status."""

    def __init__(self, inner: JobOutput, status: "_Status"):
        self.inner, self.status = inner, status

    def line(self, text: str, *, err: bool = False) -> None:
        self.inner.line(text, err=err)

    def progress(self, done: int, total: int, text: str = "") -> None:
        self.status.progress = (done, total, text)
        self.inner.progress(done, total, text)

    @property
    def interactive(self) -> bool:
        return self.inner.interactive


# A job is registered by name (analysis/jobs.py) so a command can hand it to another process as
# its name and a JSON payload: run(store, payload, out) -> exit status.
JobFunction = Callable[[Store, dict[str, Any], JobOutput], int]
JOBS: dict[str, JobFunction] = {}


def job(name: str) -> Callable[[JobFunction], JobFunction]:
    def register(function: JobFunction) -> JobFunction:
        JOBS[name] = function
        return function
    return register


# A job that needs the owner itself rather than one write: it reads on cursors and does slow work
# (fetching over the network) outside the write thread, then writes in short writes. It runs in
# the thread that received it: run(owner, payload, out) -> exit status.
OwnerJobFunction = Callable[["Owner", dict[str, Any], JobOutput], int]
OWNER_JOBS: dict[str, OwnerJobFunction] = {}


def owner_job(name: str) -> Callable[[OwnerJobFunction], OwnerJobFunction]:
    def register(function: OwnerJobFunction) -> OwnerJobFunction:
        OWNER_JOBS[name] = function
        return function
    return register


# -- the owner --------------------------------------------------------------------------------------


@dataclass
class _Status:
    label: str | None = None
    started: float | None = None
    progress: tuple[int, int, str] | None = None


@dataclass
class Change:
    """What one generation of the store added: shown as "N new items" by the dashboard."""

    generation: int
    at: datetime
    label: str
    new_items: int


@dataclass
class _Write:
    function: Callable[[Store], Any]
    label: str
    future: Future = field(default_factory=Future)


_STOP = object()


class Owner:
    """The holder of one store file in this process (see the module docstring).

    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     owner = Owner(os.path.join(folder, "s.duckdb"), listen=False)
    ...     owner.open()
    ...     owner.write(lambda store: store.count_items(), label="count")
    ...     owner.stop()
    True
    0
    """

    def __init__(self, path: str | os.PathLike[str], *, listen: bool = True, command: str = "flankwatch"):
        self.path = Path(path).resolve()
        self.listen = listen
        self.command = command
        self.store: Store | None = None
        self.generation = 0
        self.new_items = 0           # items added since this owner opened the store
        self.changes: list[Change] = []
        self.waiting_for: str | None = None   # why the store is not open yet (another process holds it)
        self.failed: str | None = None        # why it never will be (a damaged file, a bad path)
        self._queue: queue.Queue = queue.Queue()
        self._status = _Status()
        self._writer: threading.Thread | None = None
        self._server: socketserver.ThreadingTCPServer | None = None
        self._token = secrets.token_hex(16)
        self._opened = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._after_write: list[Callable[[Store, datetime], None]] = []
        self.persistent = False      # started by `flankwatch serve`: the dashboard's caches never stop it
        self.rollups_built = False   # the dashboard's in-memory rollups exist on this connection
        self._inline_thread: threading.Thread | None = None
        self._handlers = 0
        self._handlers_done = threading.Event()
        self._handlers_done.set()

    # -- opening and letting go -----------------------------------------------------------------

    def open(self, *, write_thread: bool = True) -> bool:
        """Open the store now if no other process holds it; True when this owner has it.

        Without ``write_thread`` the caller is the writer: it runs writes with ``run_inline`` and
        finishes the queue with ``stop`` (a command, so Ctrl-C interrupts its own job at once).
        """
        with self._lock:
            if self.store is not None:
                return True
            try:
                store = Store.open(self.path)
            except StoreError as exc:
                if _is_lock_error(exc):
                    self.waiting_for = _holder_text(self.path, exc)
                    return False
                self.failed = str(exc)
                raise
            self.store = store
            self.waiting_for = None
            self._inline_thread = None if write_thread else threading.current_thread()
            if write_thread:
                self._writer = threading.Thread(target=self._write_loop, daemon=True,
                                                name=f"flankwatch-writer:{self.path.name}")
                self._writer.start()
            if self.listen:
                self._serve_jobs()
            self._opened.set()
            return True

    def open_in_background(self, *, interval: float = 1.0) -> None:
        """Keep trying to open the store until it is free (a command holding it finishes) or stop()."""
        try:
            if self.open():
                return
        except StoreError:
            return

        def keep_trying() -> None:
            while not self._stopping.wait(interval):
                try:
                    if self.open():
                        return
                except StoreError:
                    return
        threading.Thread(target=keep_trying, name="flankwatch-open", daemon=True).start()

    def wait_open(self, timeout: float | None = None) -> bool:
        return self._opened.wait(timeout)

    @property
    def is_open(self) -> bool:
        return self.store is not None

    def stop(self, *, timeout: float | None = None) -> None:
        """Stop taking work, finish what was accepted, then close the store and remove the owner file."""
        with self._lock:
            self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            owner_file(self.path).unlink(missing_ok=True)
        if self._writer is not None:
            self._queue.put(_STOP)
            self._writer.join(timeout)
            self._writer = None
        elif self.store is not None:
            self._queue.put(_STOP)
            self._write_loop()  # the caller is the writer: finish what others handed over
        self._handlers_done.wait(timeout if timeout is not None else 30)
        with self._lock:
            if self.store is not None:
                self.store.close()
                self.store = None

    # -- reading and writing --------------------------------------------------------------------

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of the owner's connection for reading (sees every committed write)."""
        if self.store is None:
            raise StoreError(self.waiting_for or self.failed or f"{self.path}: the store is not open")
        con = self.store.connection.cursor()
        try:
            yield con
        finally:
            con.close()

    def submit(self, function: Callable[[Store], Any], *, label: str) -> Future:
        """Queue a write; the future holds its result (or its exception) once the write thread ran it."""
        if self.store is None:
            raise StoreError(self.waiting_for or self.failed or f"{self.path}: the store is not open")
        if self._stopping.is_set():
            raise OwnerError(f"{self.path}: the store's owner is shutting down")
        write = _Write(function, label)
        with self._lock:  # never queued behind the stop mark
            if self._stopping.is_set():
                raise OwnerError(f"{self.path}: the store's owner is shutting down")
            self._queue.put(write)
        return write.future

    def run_inline(self, function: Callable[[Store], Any], *, label: str) -> Any:
        """Run a write in this thread (the owner was opened without a write thread)."""
        write = _Write(function, label)
        write.future.set_running_or_notify_cancel()
        self._execute(write)
        return write.future.result()

    def write(self, function: Callable[[Store], Any], *, label: str, timeout: float | None = None) -> Any:
        if self._writer is None and threading.current_thread() is self._inline_thread:
            return self.run_inline(function, label=label)  # a command that is its own writer
        return self.submit(function, label=label).result(timeout)

    def job_write(self, name: str, payload: dict[str, Any], out: JobOutput) -> Callable[[Store], int]:
        """A registered job as a write: ``function(store) -> exit status``, printing to ``out``."""
        function = JOBS[name]
        return lambda store: function(store, payload, _Progressing(out, self._status))

    def on_write(self, callback: Callable[[Store, datetime], None]) -> None:
        """Call ``callback(store, started)`` on the write thread after every write (e.g. to refresh rollups)."""
        self._after_write.append(callback)

    def status(self) -> dict[str, Any]:
        """What the owner is doing: shown by waiting commands and the dashboard."""
        status = self._status
        return {
            "pid": os.getpid(), "command": self.command, "open": self.is_open,
            "job": status.label, "running_s": None if status.started is None else time.monotonic() - status.started,
            "progress": list(status.progress) if status.progress else None,
            "queued": self._queue.qsize(), "generation": self.generation, "new_items": self.new_items,
        }

    def _write_loop(self) -> None:
        while True:
            write = self._queue.get()
            if write is _STOP:
                return
            if write.future.set_running_or_notify_cancel():
                self._execute(write)

    def _execute(self, write: _Write) -> None:
        started = datetime.now(timezone.utc) - timedelta(seconds=1)
        self._status.label, self._status.started, self._status.progress = write.label, time.monotonic(), None
        writer = Store(self.path, self.store.connection.cursor(), read_only=False)
        before = _fingerprint(writer)
        try:
            result = write.function(writer)
        except BaseException as exc:  # the caller gets it; the write thread goes on
            write.future.set_exception(exc)
            if not isinstance(exc, Exception) and self._writer is None:
                raise  # Ctrl-C in a command that is its own writer
        else:
            write.future.set_result(result)
        finally:
            try:
                after = _fingerprint(writer)
                if after != before:  # a write that changed nothing (a poll with no news) is no generation
                    for callback in self._after_write:
                        callback(writer, started)
                    self._record_change(write.label, max(0, after[0] - before[0]))
            except Exception:  # a refresh that fails must not stop the writer
                traceback.print_exc()
            writer.close()
            self._status.label, self._status.started, self._status.progress = None, None, None

    def _record_change(self, label: str, added: int) -> None:
        self.generation += 1
        self.new_items += added
        self.changes.append(Change(self.generation, datetime.now(timezone.utc), label, added))
        del self.changes[:-100]

    # -- work handed over by other processes ------------------------------------------------------

    def _serve_jobs(self) -> None:
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                owner._handler_started()
                try:
                    owner._handle(self.rfile, self.wfile)
                finally:
                    owner._handler_finished()

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler, bind_and_activate=True)
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, name="flankwatch-owner", daemon=True).start()
        _write_owner_file(self.path, {
            "protocol": PROTOCOL, "pid": os.getpid(), "port": server.server_address[1], "token": self._token,
            "command": self.command, "started_at": datetime.now(timezone.utc).isoformat(),
        })

    def _handler_started(self) -> None:
        with self._lock:
            self._handlers += 1
            self._handlers_done.clear()

    def _handler_finished(self) -> None:
        with self._lock:
            self._handlers -= 1
            if self._handlers == 0:
                self._handlers_done.set()

    def _handle(self, rfile, wfile) -> None:
        def send(message: dict[str, Any]) -> None:
            try:
                wfile.write((json.dumps(message) + "\n").encode("utf-8"))
                wfile.flush()
            except OSError:
                pass  # the waiting command went away; the job goes on

        try:
            request = json.loads(rfile.readline(1_000_000) or b"{}")
        except ValueError:
            send({"error": "not a Flankwatch request"})
            return
        if not isinstance(request, dict) or not hmac.compare_digest(str(request.get("token", "")), self._token):
            send({"error": "wrong token"})
            return
        if request.get("op") == "status":
            send({"status": self.status()})
            return
        from analysis import jobs as _registered  # noqa: F401  (the jobs register themselves)

        name = request.get("job")
        payload = dict(request.get("payload") or {})
        if name in OWNER_JOBS:
            if self._writer is None or self._stopping.is_set():
                send({"retry": True})  # a command that owns the store for one job: wait until it lets go
                return
            send({"accepted": True})
            try:
                code = OWNER_JOBS[name](self, payload, _SocketOutput(send))
            except Exception as exc:
                send({"line": f"error: {type(exc).__name__}: {exc}", "err": True})
                code = 1
            send({"exit": int(code)})
            return
        if name not in JOBS:
            send({"error": f"unknown job {name!r}"})
            return
        try:
            future = self.submit(self.job_write(name, payload, _SocketOutput(send)), label=_job_label(name, payload))
        except (StoreError, OwnerError):
            send({"retry": True})  # letting go: the command opens the store itself or finds the next owner
            return
        send({"accepted": True})
        try:
            code = future.result()
        except (StoreError, OwnerError) as exc:
            send({"line": f"error: {exc}", "err": True})
            code = 2
        except Exception as exc:
            send({"line": f"error: {type(exc).__name__}: {exc}", "err": True})
            code = 1
        send({"exit": int(code)})


class _SocketOutput(JobOutput):
    def __init__(self, send: Callable[[dict[str, Any]], None]):
        self.send = send
        self._last = 0.0

    def line(self, text: str, *, err: bool = False) -> None:
        self.send({"line": text, "err": err})

    def progress(self, done: int, total: int, text: str = "") -> None:
        now = time.monotonic()
        if now - self._last >= 0.5 or done >= total:
            self._last = now
            self.send({"progress": [done, total, text]})


def _fingerprint(store: Store) -> tuple:
    """Cheap evidence of what a write changed: items first (their count is the "new items")."""
    return store.connection.execute(
        """SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM analysed), (SELECT max(analysed_at) FROM analysed),
                  (SELECT count(*) FROM corrections), (SELECT max(fitted_at) FROM topics),
                  (SELECT max(created_at) FROM models), (SELECT count(*) FROM models WHERE active)""").fetchone()


def _job_label(name: str, payload: dict[str, Any]) -> str:
    if name == "ingest":
        paths = payload.get("paths") or []
        return f"ingest of {len(paths)} path{'s' if len(paths) != 1 else ''}"
    return name


def _is_lock_error(exc: StoreError) -> bool:
    cause = exc.__cause__
    return isinstance(cause, duckdb.IOException) and "lock" in str(cause).lower()


def _holder_text(path: Path, exc: StoreError) -> str:
    info = read_owner_file(path)
    if info is not None:
        return f"{path}: {info.get('command', 'another Flankwatch process')} (PID {info.get('pid')}) is writing to it"
    found = re.search(r"lock is held in (.*?) \(PID (\d+)\)", str(exc.__cause__))
    holder = f"PID {found.group(2)}, {found.group(1)}" if found else str(exc.__cause__)
    return f"{path}: another process holds the store ({holder})"


def _write_owner_file(path: Path, info: dict[str, Any]) -> None:
    target = owner_file(path)
    temporary = target.with_name(target.name + f".{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(info, handle)
    os.replace(temporary, target)


def read_owner_file(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The owner's address and token, or None when there is none (or it is stale or unreadable)."""
    try:
        info = json.loads(owner_file(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or info.get("protocol") != PROTOCOL or not _alive(info.get("pid")):
        return None
    return info


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- the command side ---------------------------------------------------------------------------------


def _request(info: dict[str, Any], message: dict[str, Any], *, timeout: float | None) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", int(info["port"])), timeout=5)
    connection.settimeout(timeout)
    connection.sendall((json.dumps({"token": info["token"], **message}) + "\n").encode("utf-8"))
    return connection


def owner_status(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """What the store's owner in another process is doing, or None when there is none to ask."""
    info = read_owner_file(path)
    if info is None:
        return None
    try:
        with _request(info, {"op": "status"}, timeout=2) as connection:
            reply = json.loads(connection.makefile("rb").readline() or b"{}")
    except (OSError, ValueError):
        return None
    status = reply.get("status") if isinstance(reply, dict) else None
    return status if isinstance(status, dict) else None


def hand_over(path: str | os.PathLike[str], name: str, payload: dict[str, Any], out: JobOutput) -> int | None:
    """Send a job to the owner in another process and relay its output; None when there is no owner."""
    info = read_owner_file(path)
    if info is None:
        return None
    try:
        connection = _request(info, {"job": name, "payload": payload}, timeout=None)
    except OSError:
        return None  # it just let go; the caller tries to open the store itself
    accepted = False
    with connection, connection.makefile("rb") as replies:
        while True:
            try:
                raw = replies.readline()
            except OSError:
                if not accepted:
                    return None  # dropped while it let go, before it took the job: try again
                break
            if not raw:
                if not accepted:
                    return None
                break
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            if message.get("accepted"):
                accepted = True
            elif "line" in message:
                out.line(str(message["line"]), err=bool(message.get("err")))
            elif "progress" in message:
                done, total, text = message["progress"]
                out.progress(int(done), int(total), str(text))
            elif "exit" in message:
                return int(message["exit"])
            elif message.get("retry"):
                return None
            elif "error" in message:
                raise OwnerError(f"{path}: the store's owner (PID {info.get('pid')}) refused the job: {message['error']}")
    raise OwnerError(f"{path}: the store's owner (PID {info.get('pid')}) stopped before the job finished; "
                     "whatever it committed is kept: run the command again to finish")


def run(path: str | os.PathLike[str], name: str, payload: dict[str, Any], out: JobOutput, *,
        handover_payload: dict[str, Any] | None = None, wait: float = DEFAULT_WAIT_S,
        command: str = "flankwatch") -> int:
    """Run a job on the store: as its owner when it is free, else through the owner that holds it.

    While this command owns the store it takes jobs from others too, and finishes them before it
    lets go. When another process holds the store without an owner to hand the job to (an older
    Flankwatch, or one just letting go), it waits up to ``wait`` seconds for it.
    ``handover_payload`` is the payload as another process must see it (absolute paths).
    """
    deadline = time.monotonic() + wait
    announced = False
    while True:
        owner = Owner(path, command=command)
        if owner.open(write_thread=False):
            try:
                if name in OWNER_JOBS:
                    return OWNER_JOBS[name](owner, payload, out)
                return owner.run_inline(owner.job_write(name, payload, out), label=_job_label(name, payload))
            finally:
                owner.stop()
        code = hand_over(path, name, handover_payload if handover_payload is not None else payload, out)
        if code is not None:
            return code
        if time.monotonic() >= deadline:
            raise OwnerError(f"{owner.waiting_for} and takes no work from other commands; waited {wait:g} s "
                             "(--wait). Stop that process, or pass another --db.")
        if not announced:
            out.line(f"waiting: {owner.waiting_for}", err=True)
            announced = True
        time.sleep(0.25)


# -- this process's owners (the dashboard's) -----------------------------------------------------------

_OWNERS: dict[Path, Owner] = {}
_OWNERS_LOCK = threading.Lock()


def attach(path: str | os.PathLike[str], *, command: str = "flankwatch serve", persistent: bool = False) -> Owner:
    """This process's owner of ``path``, opening it (now, or as soon as it is free) the first time.

    A ``persistent`` owner (the one `flankwatch serve` starts) is stopped only by ``detach(force=True)``.
    """
    key = Path(path).resolve()
    with _OWNERS_LOCK:
        owner = _OWNERS.get(key)
        if owner is None or owner._stopping.is_set():
            owner = Owner(key, command=command)
            _OWNERS[key] = owner
            owner.open_in_background()
        owner.persistent = owner.persistent or persistent
        return owner


def detach(path: str | os.PathLike[str], *, force: bool = False) -> None:
    """Stop this process's owner of ``path`` (finishing accepted work) and forget it; a persistent one only with ``force``."""
    with _OWNERS_LOCK:
        owner = _OWNERS.get(Path(path).resolve())
        if owner is None or (owner.persistent and not force):
            return
        del _OWNERS[Path(path).resolve()]
    owner.stop()
