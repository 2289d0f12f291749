"""Client queries on sandboxed threads of the serving process (`jalinan serve --query-threads N`).

Why: handing a query to a worker process and its answer back costs more CPU than the query itself
for a light query (issue 13, `bench/RESULTS.md`: 1.1 ms of worker CPU per answer for a query
pyoxigraph runs in 0.7 ms in-process; the difference is the process hop: pipe writes, context
switches, a cold cache in each of four processes). A thread of the serving process runs it
with none of that, over one read-only handle on the pool's current checkpoint.

What still holds, and what does not:

* outbound requests: each thread cuts itself off from the network before it runs anything
  (`sandbox.deny_network(thread_only=True)`, the filter the update thread uses), so SERVICE and
  LOAD fail there as in a worker; a thread that cannot be cut off refuses every query, and the
  lane refuses to start at all when its first thread cannot;
* the time limit is answered on time: the event loop stops waiting and answers 503 while the
  query runs on (pyoxigraph releases the GIL);
* results never leave the thread that ran the query: it serialises them into bytes there;
* but a thread cannot be killed. So the first query that overruns *retires* the lane: from then
  on this process sends every client query to its worker processes (the default path, whose
  runaways are killed), and the one runaway thread runs until its query ends, with its CPU and
  memory. That is why the lane is a setting and not the default: a client (any client, with
  `timeout=0.5`) can turn it off, and one runaway per server lifetime is not stopped. A memory
  limit does not apply per thread either: a query past the server's memory ends the server.
"""

from __future__ import annotations

import contextlib
import ctypes
import queue
import sys
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from pyoxigraph import Store

from jalinan.graph.oxigraph_store import OxigraphStore
from jalinan.graph.sandbox import SandboxUnavailable, deny_network

T = TypeVar("T")

THREAD_NAME = b"jalinan-query"  # what `top -H`, `ps -L` and /proc/PID/task/*/comm show
_PR_SET_NAME = 15


def _name_this_thread() -> None:
    """Give the calling thread its name in the kernel too (Python's name stays in Python)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(_PR_SET_NAME, ctypes.c_char_p(THREAD_NAME), 0, 0, 0)


class QueryThreads:
    """`threads` sandboxed threads, each running jobs over a shared read-only handle per checkpoint.

    The pool gives each job the checkpoint it must read (`hold` it first, under the pool's
    snapshot lock, so that the checkpoint is not deleted meanwhile); `held()` says which
    checkpoints the lane still needs. The threads are daemons of their own, not a
    `ThreadPoolExecutor`'s, whose threads the interpreter joins at exit: a runaway query would
    keep the server from stopping until it ended."""

    def __init__(self, threads: int) -> None:
        self.size = threads
        self.retired: str | None = None  # why the lane runs nothing any more
        # called once, with why, when the lane retires: a serving child of `serve --processes`
        # then retires as a whole (`api/processes.py`); without it, the message below is printed
        self.on_retire: Callable[[str], None] | None = None
        self._lock = threading.Lock()
        self._held: Counter[str] = Counter()  # checkpoint → jobs reading or about to read it
        self._handles: dict[str, OxigraphStore] = {}  # one read-only handle per checkpoint
        self._jobs: queue.SimpleQueue[tuple[Future[Any], str, Callable[[], Any]] | None] = queue.SimpleQueue()
        self._refusals: list[str | None] = []
        ready = threading.Barrier(threads + 1)
        for number in range(threads):
            name = f"{THREAD_NAME.decode()}_{number}"
            threading.Thread(target=self._serve, args=(ready,), name=name, daemon=True).start()
        ready.wait()
        refusal = next((r for r in self._refusals if r is not None), None)
        if refusal is not None:  # never run a query where the network is reachable
            self.close()
            raise SandboxUnavailable(refusal)

    def _serve(self, ready: threading.Barrier) -> None:
        _name_this_thread()
        try:
            deny_network(thread_only=True)
            refusal = None
        except Exception as exc:  # SandboxUnavailable, or anything from ctypes: never run unsandboxed
            refusal = f"a query thread could not be cut off from the network: {exc}"
        self._refusals.append(refusal)
        ready.wait()
        if refusal is not None:
            return
        while (item := self._jobs.get()) is not None:
            future, snapshot, work = item
            if not future.set_running_or_notify_cancel():  # its request went away before it started
                self._let_go(snapshot)
                continue
            try:
                future.set_result(work())
            except BaseException as exc:
                future.set_exception(exc)

    @property
    def open(self) -> bool:
        return self.retired is None

    def hold(self, snapshot: str) -> None:
        """Count one more job on `snapshot` (the caller holds the pool's snapshot lock)."""
        with self._lock:
            self._held[snapshot] += 1

    def held(self) -> set[str]:
        with self._lock:
            return set(self._held)

    def submit(self, snapshot: str, work: Callable[[OxigraphStore], T]) -> Future[T]:
        """Run `work(store)` on a query thread over `snapshot` (held by the caller already)."""
        future: Future[T] = Future()
        self._jobs.put((future, snapshot, lambda: self._run(snapshot, work)))
        return future

    def _run(self, snapshot: str, work: Callable[[OxigraphStore], T]) -> T:
        try:
            return work(self._handle(snapshot))
        finally:
            self._let_go(snapshot)

    def _handle(self, snapshot: str) -> OxigraphStore:
        with self._lock:
            handle = self._handles.get(snapshot)
            if handle is None:  # a new checkpoint: opened once (50 ms), then shared by every thread
                handle = OxigraphStore(Store.read_only(snapshot), path=None, read_only=True)
                self._handles[snapshot] = handle
            return handle

    def _let_go(self, snapshot: str) -> None:
        with self._lock:
            self._held[snapshot] -= 1
            if self._held[snapshot] > 0:
                return
            del self._held[snapshot]
            # close handles on older checkpoints nobody reads (the newest stays open for the next job)
            newest = next(reversed(self._handles), None)
            for path in [p for p in self._handles if p != newest and p not in self._held]:
                del self._handles[path]  # the Store closes when the last reference goes

    def retire(self, why: str) -> None:
        """Run no more jobs here (a thread is stuck in a query that cannot be stopped)."""
        if self.retired is None:
            self.retired = why
            if self.on_retire is not None:
                self.on_retire(why)
                return
            print(
                f"jalinan: {why}; a thread cannot be stopped, so from now on every client query runs "
                "in a worker process (restart the server to free that thread and use query threads again)",
                file=sys.stderr,
                flush=True,
            )

    def close(self) -> None:
        """Stop the idle threads (a runaway's thread ends with its query, or with the process)."""
        for _ in range(self.size):
            self._jobs.put(None)
        with self._lock:
            self._handles.clear()
