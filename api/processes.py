"""`jalinan serve --processes N`: N serving processes on one socket, the writer in their parent.

Why (issue 13, `bench/RESULTS.md`): a query run on a thread of the process that serves HTTP costs
about half the CPU per answer of one handed to a worker process, but a thread cannot be stopped,
so a lone server can run queries on threads only until the first runaway. Here the unit that is
stopped is a whole serving process:

* the parent opens the store (its one read-write opener, in the writer process of a
  `PooledStore` with no query workers), publishes a snapshot of it into `STORE.serving/`
  (`graph/publish.py`), binds the listening socket, and starts N serving processes that
  inherit that one socket (as uvicorn's own `--workers` do: a connection waits in the one
  queue until some process accepts it, so a process that stops accepting leaves no connection
  behind, which separate `SO_REUSEPORT` sockets would);
* each serving process is the whole app over a `ServingStore` (`graph/serving_store.py`): it
  reads the published snapshots, runs clients' queries on sandboxed threads
  (`graph/query_threads.py`; SERVICE and LOAD reach nothing there), and forwards writes to
  the parent, which writes once, publishes, and answers; every serving process reads that
  snapshot from its next request on;
* a query that overruns its time limit on a thread is answered 503 on time; its process then
  tells the parent, which starts a replacement at once, stops accepting connections, answers
  every request still coming on its open connections with `Connection: close`, and exits once
  they are closed (at most the keep-alive timeout, then the graceful shutdown's limit later),
  the runaway's thread with it;
* a serving process runs under a memory limit (`--worker-memory` plus `HEADROOM` for the app,
  as `RLIMIT_DATA`); one that dies of it, or of anything else, is replaced alone.

The parent says on stderr when a serving process is ready, retires, ends and is replaced, and
the access line of each request names the process that answered it (`process`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from jalinan.api.settings import Settings
from jalinan.graph import children
from jalinan.graph.errors import StoreError
from jalinan.graph.pool import PooledStore, limit_memory
from jalinan.graph.publish import publish

HEADROOM = 1024 * 1024**2  # data a serving process may use besides its queries' (the app, its caches)
THREADS_PER_PROCESS = 2  # query threads per serving process unless --query-threads says otherwise (one
# runaway then holds one of them until its process retires, not every query of that process)
BACKLOG = 2048  # connections the one listening socket queues for the serving processes
START_TIMEOUT_S = 120.0  # a serving process imports the app and opens a snapshot: seconds to be ready
_CONTEXT = multiprocessing.get_context("spawn")  # never fork a process holding RocksDB


def _say(message: str) -> None:
    print(f"jalinan: {message}", file=sys.stderr, flush=True)


@dataclass
class _Child:
    number: int
    process: BaseProcess
    conn: Connection
    started: float
    ready: threading.Event = field(default_factory=threading.Event)
    retiring: bool = False

    @property
    def pid(self) -> int | None:
        return self.process.pid


class Supervisor:
    """The parent: starts `count` serving processes, replaces each that retires or dies, and
    runs the writes they forward (one at a time, each published before it is answered)."""

    def __init__(self, settings: Settings, pooled: PooledStore, folder: Path, sock: socket.socket):
        self.settings = settings
        self.pooled = pooled
        self.folder = folder
        self.sock = sock
        self.count = settings.processes
        self.published: Any = _CONTEXT.RawValue("Q", 0)  # publications so far, read by every child
        self._children: dict[int, _Child] = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._numbers = itertools.count(1)
        self._stopping = threading.Event()

    # -- serving processes ---------------------------------------------------------------------
    def _start_child(self) -> _Child:
        parent_end, child_end = _CONTEXT.Pipe()
        number = next(self._numbers)
        arguments = (
            self.settings,
            self.sock,
            child_end,
            self.published,
            str(self.folder),
            number,
            os.getpid(),
        )
        # not a daemon: a daemonic process may not start processes, and its query workers are some
        process = _CONTEXT.Process(target=_child_main, args=arguments, name=f"jalinan-serving-{number}")
        try:
            children.start(process)  # from the long-lived thread: dies with this process
        finally:
            child_end.close()
        child = _Child(number, process, parent_end, time.monotonic())
        with self._lock:
            self._children[number] = child
        threading.Thread(
            target=self._serve_control, args=(child,), name=f"jalinan-control-{number}", daemon=True
        ).start()
        return child

    def serving(self) -> int:
        """How many serving processes accept connections now (ready, not retiring)."""
        with self._lock:
            return sum(1 for c in self._children.values() if c.ready.is_set() and not c.retiring)

    def _serve_control(self, child: _Child) -> None:
        """Read one child's messages: ready, retiring, and the writes it forwards."""
        while True:
            try:
                message = child.conn.recv()
            except (EOFError, OSError):
                return
            kind = message[0]
            if kind == "ready":
                with self._lock:
                    child.ready.set()
                    count = sum(1 for c in self._children.values() if c.ready.is_set() and not c.retiring)
                _say(f"serving process {child.number} (pid {child.pid}) ready; {count} serving")
            elif kind == "retiring":
                child.retiring = True
                if self._stopping.is_set():
                    continue
                fresh = self._start_child()
                _say(
                    f"serving process {child.number} (pid {child.pid}) retires ({message[1]}): it "
                    "takes no new connection, finishes its requests and exits; "
                    f"serving process {fresh.number} (pid {fresh.pid}) replaces it"
                )
            elif kind == "write":
                reply = self._write(message[1], message[2])
                try:
                    child.conn.send(reply)
                except (OSError, ValueError):
                    return

    def _write(self, operation: str, arguments: tuple[Any, ...]) -> tuple[str, object]:
        """Run a forwarded write on the store, publish the result, count the publication: only
        then is the write answered, so a read anywhere after the answer sees it."""
        from jalinan.graph.writer import _picklable

        try:
            with self._write_lock:
                if operation == "update":
                    sparql_update, base_iri = arguments
                    self.pooled.update(sparql_update, base_iri=base_iri)
                elif operation == "replace_graphs":
                    graphs, remove, add = arguments
                    self.pooled.replace_graphs(graphs, remove=remove, add=add)
                elif operation == "add_quads":
                    self.pooled.add_quads(arguments[0])
                else:
                    return ("error", f"unknown write {operation!r}")
                publish(self.pooled, self.folder)  # type: ignore[arg-type]
                self.published.value += 1
        except StoreError as exc:
            return ("raise", _picklable(exc))
        except Exception as exc:  # reported to the client's process, which raises StoreError
            return ("error", f"{type(exc).__name__}: {exc}")
        return ("ok", None)

    # -- the parent's life ---------------------------------------------------------------------
    def start(self) -> None:
        """Start the serving processes and wait until each is ready (`StoreError` if one cannot start)."""
        started = [self._start_child() for _ in range(self.count)]
        deadline = time.monotonic() + START_TIMEOUT_S
        for child in started:
            while not child.ready.wait(0.2):
                if not child.process.is_alive() or time.monotonic() > deadline:
                    raise StoreError(
                        f"serving process {child.number} did not start (exit code {child.process.exitcode}); "
                        "its reason is above"
                    )

    def run(self) -> None:
        """Until SIGTERM or SIGINT: replace each serving process that ends without having retired
        (its replacement started already if it did)."""
        pause = 0.0
        while not self._stopping.is_set():
            with self._lock:
                by_sentinel = {c.process.sentinel: c for c in self._children.values()}
            for sentinel in multiprocessing.connection.wait(list(by_sentinel), timeout=0.5):
                child = by_sentinel[sentinel]  # type: ignore[index]
                child.process.join()
                with self._lock:
                    self._children.pop(child.number, None)
                child.conn.close()
                code = child.process.exitcode
                if child.retiring:
                    _say(f"serving process {child.number} (pid {child.pid}) exited; {self.serving()} serving")
                    continue
                if self._stopping.is_set():
                    continue
                why = " (past its memory limit?)" if code in (-signal.SIGABRT, -signal.SIGKILL) else ""
                # one that dies young may die again at once: wait longer each time, never spin
                pause = min(2 * pause or 0.5, 10.0) if time.monotonic() - child.started < 10 else 0.0
                time.sleep(pause)
                fresh = self._start_child()
                _say(
                    f"serving process {child.number} (pid {child.pid}) ended with exit code {code}{why}; "
                    f"serving process {fresh.number} (pid {fresh.pid}) replaces it"
                )

    def stop(self) -> None:
        """Stop every serving process (SIGTERM: each finishes its requests), then kill stragglers."""
        self._stopping.set()
        with self._lock:
            running = list(self._children.values())
        for child in running:
            with contextlib.suppress(OSError):
                child.process.terminate()
        deadline = time.monotonic() + 10
        for child in running:
            child.process.join(max(0.1, deadline - time.monotonic()))
            if child.process.is_alive():
                child.process.kill()
                child.process.join(5)

    def request_stop(self, *_signal: object) -> None:
        self._stopping.set()


def listening_socket(settings: Settings) -> socket.socket:
    """The one socket every serving process accepts from (inherited, not `SO_REUSEPORT`)."""
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.create_server((settings.host, settings.port), family=family, backlog=BACKLOG)
    sock.set_inheritable(True)
    return sock


def serve_processes(settings: Settings, pooled: PooledStore, banner: str) -> int:
    """Publish, bind, start the serving processes and supervise them until stopped."""
    folder = Path(f"{pooled.path}.serving")
    shutil.rmtree(folder, ignore_errors=True)
    try:
        publish(pooled, folder)  # type: ignore[arg-type]
        sock = listening_socket(settings)
    except (StoreError, OSError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        print(f"jalinan serve: {exc}", file=sys.stderr)
        return 3
    supervisor = Supervisor(settings, pooled, folder, sock)
    previous = {sig: signal.signal(sig, supervisor.request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        try:
            supervisor.start()
        except StoreError as exc:
            print(f"jalinan serve: {exc}", file=sys.stderr)
            return 3
        print(banner, flush=True)
        supervisor.run()
    finally:
        supervisor.stop()
        sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


# -- in a serving process ----------------------------------------------------------------------
def child_read_options(settings: Settings) -> dict[str, Any]:
    """A serving process's read side: clients' queries on its threads; one general worker
    process (for after its lane retires, while it finishes) and one reserved for canned queries,
    no spares (a retiring process is replaced whole)."""
    from jalinan.api.server import read_options

    return {
        **read_options(settings),
        "workers": 1,
        "reserved": 1,
        "spares": 0,
        "threads": settings.query_threads or THREADS_PER_PROCESS,
    }


def _stop_accepting(server: Any, linger: float) -> None:
    """Retire a uvicorn server: no new connection, `Connection: close` on every answer still
    given, and shut down (finishing what runs) once its connections are closed or `linger`
    seconds passed, whichever comes first. On the event loop."""
    for listening in server.servers:
        listening.close()
    close = (b"connection", b"close")
    server.config.encoded_headers = [*server.config.encoded_headers, close]  # re-read every second
    server.server_state.default_headers = [*server.server_state.default_headers, close]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + linger

    def check() -> None:
        if not server.server_state.connections or loop.time() >= deadline:
            server.should_exit = True
        else:
            loop.call_later(0.1, check)

    loop.call_later(0.1, check)


def _child_main(
    settings: Settings,
    sock: socket.socket,
    control: Connection,
    published: Any,
    folder: str,
    number: int,
    parent_pid: int,
) -> None:
    """A serving process: the whole app over a `ServingStore`, on the inherited socket."""
    import uvicorn

    from jalinan.api import logging as access_log
    from jalinan.api.app import create_app
    from jalinan.api.server import uvicorn_config
    from jalinan.graph.serving_store import ServingStore

    children.die_with_parent(parent_pid)
    with contextlib.suppress(ValueError, OSError):  # (a limit the system refuses: none)
        limit_memory(settings.worker_memory + HEADROOM)
    try:
        store = ServingStore(
            folder,
            control=control,
            published=published,
            write_timeout=settings.write_timeout,
            poll_interval=settings.poll_interval,
            **child_read_options(settings),
        )
    except Exception as exc:
        print(f"jalinan serve: serving process {number} cannot start: {exc}", file=sys.stderr, flush=True)
        os._exit(3)
    app = create_app(settings, store, close_store=True)
    access_log.configure()
    access_log.served_by(os.getpid())
    config = uvicorn_config(app, settings)
    config.timeout_graceful_shutdown = int(settings.query_timeout) + 5
    server = uvicorn.Server(config)

    def retiring(why: str) -> None:
        _stop_accepting(server, settings.keep_alive_timeout + 1.0)

    store.when_retiring = retiring
    store.tell_parent(("ready", os.getpid()))
    try:
        server.run(sockets=[sock])
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)  # a runaway's thread, which nothing can stop, ends with the process
