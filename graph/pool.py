"""Queries in worker processes, so that a runaway query can be stopped.

pyoxigraph has no query timeout or cancellation, and a thread cannot be killed. So reads run in
a small pool of worker processes, each with a read-only view of the store; a query that
outlives its time limit is answered with `QueryTimeout` and its worker is killed (freeing its
CPU and memory) and replaced, while the other workers keep serving everyone else.

Read-only opening of a store that another process writes is undefined behaviour in RocksDB, so
workers never open the live store: they open a checkpoint of it (`Store.backup`, hard links,
milliseconds), taken after each write. Every read therefore sees one committed state, and the
first read after an ingest or update sees the new one.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import queue
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from pyoxigraph import Quad, QueryResultsFormat, RdfFormat, Triple

from jalinan.graph.errors import QueryError, StoreError
from jalinan.graph.oxigraph_store import OxigraphStore
from jalinan.graph.results import QueryResult

DEFAULT_TIMEOUT_S = 30.0


class QueryTimeout(StoreError):
    """The query ran past its time limit and was stopped."""


class StoreBusy(StoreError):
    """Every worker is busy and the waiting line is full; the client should retry later."""


@dataclass(frozen=True)
class _Job:
    snapshot: str
    kind: str  # "rows" or "bytes"
    sparql: str
    default_graphs: Sequence[str] | None
    named_graphs: Sequence[str] | None
    results_media_type: str = ""
    graph_media_type: str = ""


def _worker_main(conn: Connection) -> None:
    """A worker: open the snapshot a job names, run it, send back a picklable answer."""
    from jalinan.graph.oxigraph_store import open_store

    opened: OxigraphStore | None = None
    opened_path = ""
    while True:
        try:
            job: _Job | None = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        try:
            if job.snapshot != opened_path:
                if opened is not None:
                    opened.close()
                opened, opened_path = open_store(job.snapshot, read_only=True), job.snapshot
            if job.kind == "rows":
                answer: tuple = (
                    "ok",
                    opened.query(
                        job.sparql, default_graphs=job.default_graphs, named_graphs=job.named_graphs
                    ),
                )
            else:
                answer = (
                    "ok",
                    opened.query_serialized(
                        job.sparql,
                        QueryResultsFormat.from_media_type(job.results_media_type),
                        RdfFormat.from_media_type(job.graph_media_type),
                        default_graphs=job.default_graphs,
                        named_graphs=job.named_graphs,
                    ),
                )
        except QueryError as exc:
            answer = ("query_error", str(exc))
        except Exception as exc:  # reported to the parent, which raises StoreError
            answer = ("error", f"{type(exc).__name__}: {exc}")
        conn.send(answer)


class _Worker:
    _context = multiprocessing.get_context("spawn")  # never fork a process holding RocksDB

    def __init__(self) -> None:
        self.conn, child = self._context.Pipe()
        self.process = self._context.Process(target=_worker_main, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self.snapshot = ""

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.kill()


class PooledStore:
    """A `GraphStore` whose reads run in killable worker processes over checkpoints.

    Writes go to the one read-write store this process holds; each write makes the next read
    take a fresh checkpoint. `version` changes with every write (for HTTP caching).
    """

    def __init__(
        self,
        store: OxigraphStore,
        *,
        workers: int = 4,
        max_waiting: int = 64,
        timeout: float = DEFAULT_TIMEOUT_S,
    ):
        if store.path is None:
            raise StoreError("a pooled store needs an on-disk store")
        self._store = store
        self.path = store.path
        self.read_only = store.read_only
        self.timeout = timeout
        self._max_waiting = max_waiting
        self._waiting = 0
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._snapshots = Path(f"{store.path}.snapshots")
        shutil.rmtree(self._snapshots, ignore_errors=True)
        self._snapshots.mkdir(parents=True)
        self._counter = itertools.count(1)
        self._token = f"{os.getpid():x}{int(time.time()):x}"
        self._generation = 0
        self._snapshot_generation = -1
        self._snapshot = ""
        self._size = workers
        self._all: list[_Worker] = [_Worker() for _ in range(workers)]
        self._free: queue.Queue[_Worker] = queue.Queue()
        for worker in self._all:
            self._free.put(worker)

    # -- versions and snapshots ----------------------------------------------------------
    @property
    def version(self) -> str:
        """Changes whenever the data may have changed; stable otherwise (an ETag's basis)."""
        return f"{self._token}-{self._generation}"

    def _current_snapshot(self) -> str:
        with self._write_lock:
            if self._snapshot_generation != self._generation:
                target = self._snapshots / f"{self._generation}-{next(self._counter)}"
                self._store.flush()
                self._store.backup(target)
                self._snapshot, self._snapshot_generation = str(target), self._generation
                self._forget_old_snapshots()
            return self._snapshot

    def _forget_old_snapshots(self) -> None:
        in_use = {w.snapshot for w in self._all} | {self._snapshot}
        for path in self._snapshots.iterdir():
            if str(path) not in in_use:
                shutil.rmtree(path, ignore_errors=True)

    # -- running jobs --------------------------------------------------------------------
    def _run(self, job_for: Callable[[str], _Job], timeout: float | None) -> object:
        limit = self.timeout if timeout is None else min(timeout, self.timeout)
        deadline = time.monotonic() + limit
        with self._lock:
            if self._waiting >= self._max_waiting:
                raise StoreBusy(f"all {self._size} query workers are busy and {self._waiting} queries wait")
            self._waiting += 1
        try:
            worker = self._free.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise QueryTimeout(f"no query worker became free within {limit:g} s") from None
        finally:
            with self._lock:
                self._waiting -= 1
        job: _Job = job_for(self._current_snapshot())
        try:
            worker.snapshot = job.snapshot
            worker.conn.send(job)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                worker.kill()
                self._replace(worker)
                worker = None
                raise QueryTimeout(f"the query ran longer than {limit:g} s and was stopped")
            status, payload = worker.conn.recv()
        except (EOFError, OSError) as exc:
            if worker is not None:
                worker.kill()
                self._replace(worker)
                worker = None
            raise StoreError(f"a query worker failed: {exc}") from exc
        finally:
            if worker is not None:
                self._free.put(worker)
        if status == "query_error":
            raise QueryError(payload)
        if status == "error":
            raise StoreError(payload)
        return payload

    def _replace(self, dead: _Worker) -> None:
        """Start a replacement in the background, so the timed-out request answers at once."""

        def start() -> None:
            fresh = _Worker()
            with self._lock:
                self._all = [w for w in self._all if w is not dead] + [fresh]
            self._free.put(fresh)

        threading.Thread(target=start, daemon=True).start()

    # -- GraphStore: reads ---------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> QueryResult:
        return self._run(lambda snap: _Job(snap, "rows", sparql, default_graphs, named_graphs), timeout)

    def query_serialized(
        self,
        sparql: str,
        results_format: QueryResultsFormat,
        graph_format: RdfFormat,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> tuple[str, bytes]:
        return self._run(
            lambda snap: _Job(
                snap,
                "bytes",
                sparql,
                default_graphs,
                named_graphs,
                results_format.media_type,
                graph_format.media_type,
            ),
            timeout,
        )

    def graph_names(self) -> list[str]:
        return self._store.graph_names()

    def quads(self, graph: str | None = None) -> Iterable[Quad]:
        return self._store.quads(graph)

    def dump(self, rdf_format: RdfFormat, *, graph: str | None = None) -> bytes:
        return self._store.dump(rdf_format, graph=graph)

    # -- GraphStore: writes --------------------------------------------------------------
    def _wrote(self) -> None:
        self._generation += 1

    def update(self, sparql_update: str) -> None:
        with self._write_lock:
            try:
                self._store.update(sparql_update)
            finally:
                self._wrote()

    def replace_graphs(self, graphs: Mapping[str, Iterable[Triple]]) -> None:
        with self._write_lock:
            try:
                self._store.replace_graphs(graphs)
            finally:
                self._wrote()

    def add_quads(self, quads: Iterable[Quad]) -> None:
        with self._write_lock:
            try:
                self._store.add_quads(quads)
            finally:
                self._wrote()

    def close(self) -> None:
        for worker in list(self._all):
            worker.stop()
        shutil.rmtree(self._snapshots, ignore_errors=True)
        self._store.close()
