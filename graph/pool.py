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

import asyncio
import contextlib
import io
import itertools
import multiprocessing
import os
import pickle
import queue
import shutil
import struct
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from pyoxigraph import Quad, QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Triple

from jalinan.graph.errors import QueryError, StoreError
from jalinan.graph.oxigraph_store import OxigraphStore
from jalinan.graph.results import AskResult, GraphResult, QueryResult, SelectResult
from jalinan.graph.sandbox import OutboundRefused, SandboxUnavailable, enter_worker_sandbox, outbound_failure

DEFAULT_TIMEOUT_S = 30.0


class QueryTimeout(StoreError):
    """The query ran past its time limit and was stopped."""


class StoreBusy(StoreError):
    """Every worker is busy and the waiting line is full; the client should retry later."""


class ResultTooLarge(StoreError):
    """The serialised result grew past the byte limit, so it was abandoned (add a LIMIT)."""


class _CappedBuffer(io.RawIOBase):
    """A write target that refuses to grow past `cap` bytes (pyoxigraph serialises into it)."""

    def __init__(self, cap: int | None):
        self.data = bytearray()
        self.cap = cap

    def writable(self) -> bool:
        return True

    def write(self, chunk: bytes) -> int:  # type: ignore[override]
        if self.cap is not None and len(self.data) + len(chunk) > self.cap:
            raise ResultTooLarge(f"the result is larger than {self.cap} bytes")
        self.data += chunk
        return len(chunk)


@dataclass(frozen=True)
class _Job:
    snapshot: str
    kind: str  # "rows" or "bytes"
    sparql: str
    default_graphs: Sequence[str] | None
    named_graphs: Sequence[str] | None
    results_media_type: str = ""
    graph_media_type: str = ""
    max_rows: int | None = None  # "rows": keep at most this many SELECT rows
    max_bytes: int | None = None  # "bytes": abandon a serialisation that grows past this
    base_iri: str | None = None  # resolves the query's relative IRIs (the endpoint's URL)


def _rows(opened: OxigraphStore, job: _Job) -> QueryResult:
    """Like `OxigraphStore.query`, but stops reading SELECT rows after `job.max_rows`."""
    if job.max_rows is None:
        return opened.query(job.sparql, default_graphs=job.default_graphs, named_graphs=job.named_graphs)
    result = opened.execute(job.sparql, job.default_graphs, job.named_graphs)
    if not isinstance(result, QuerySolutions):
        return AskResult(bool(result)) if isinstance(result, QueryBoolean) else GraphResult(list(result))
    names = [variable.value for variable in result.variables]
    rows = []
    for solution in itertools.islice(result, job.max_rows):
        rows.append({name: solution[name] for name in names if solution[name] is not None})
    return SelectResult(names, rows)


def _serialized(opened: OxigraphStore, job: _Job) -> tuple[str, bytes]:
    """Like `OxigraphStore.query_serialized`, but into a buffer capped at `job.max_bytes`."""
    result = opened.execute(job.sparql, job.default_graphs, job.named_graphs, job.base_iri)
    buffer = _CappedBuffer(job.max_bytes)
    if isinstance(result, QueryBoolean):
        form = "ASK"
        result.serialize(buffer, format=QueryResultsFormat.from_media_type(job.results_media_type))
    elif isinstance(result, QuerySolutions):
        form = "SELECT"
        result.serialize(buffer, format=QueryResultsFormat.from_media_type(job.results_media_type))
    else:
        form = "GRAPH"
        result.serialize(buffer, format=RdfFormat.from_media_type(job.graph_media_type))
    return form, bytes(buffer.data)


def _worker_main(conn: Connection, networked: bool = False) -> None:
    """A worker: open the snapshot a job names, run it, send back a picklable answer.

    Before it serves, the worker is cut off from the network (`sandbox.enter_worker_sandbox`),
    unless it is one of the `networked` workers kept for allowlisted SERVICE calls; if that
    fails it refuses every job instead of running it with network access."""
    from jalinan.graph.oxigraph_store import open_store

    refusal = enter_worker_sandbox(networked)
    opened: OxigraphStore | None = None
    opened_path = ""
    while True:
        try:
            job: _Job | None = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        if refusal is not None:
            conn.send(("sandbox", refusal))
            continue
        try:
            if job.snapshot != opened_path:
                if opened is not None:
                    opened.close()
                opened, opened_path = open_store(job.snapshot, read_only=True), job.snapshot
            answer: tuple = ("ok", _rows(opened, job) if job.kind == "rows" else _serialized(opened, job))
        except QueryError as exc:
            answer = ("query_error", str(exc))
        except ResultTooLarge as exc:
            answer = ("too_large", str(exc))
        except Exception as exc:  # reported to the parent, which raises StoreError
            if outbound_failure(exc, networked):  # one answer for every failed fetch (sandbox.py)
                answer = ("outbound", "")
            else:
                answer = ("error", f"{type(exc).__name__}: {exc}")
        conn.send(answer)


def _answer(status: str, payload: object) -> object:
    """A worker's reply as a result, or as the error it reports."""
    if status == "query_error":
        raise QueryError(payload)
    if status == "too_large":
        raise ResultTooLarge(payload)
    if status == "error":
        raise StoreError(payload)
    if status == "outbound":
        raise OutboundRefused("the query asked for remote data that this server does not fetch")
    if status == "sandbox":
        raise SandboxUnavailable(payload)
    return payload


# Replies up to this size are read on the event loop once the first byte is there (the worker is
# writing them at memory speed); larger ones are read in a thread, so the loop never waits long.
_READ_ON_LOOP = 256 * 1024


def _read_exactly(fd: int, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("the query worker closed its pipe")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


async def _receive(fd: int) -> tuple[str, object]:
    """One message from a worker's pipe, in `multiprocessing.connection`'s framing (a 4-byte
    big-endian length, or -1 and an 8-byte one, then the pickle), as `Connection.recv` reads it."""
    (size,) = struct.unpack("!i", _read_exactly(fd, 4))
    if size == -1:
        (size,) = struct.unpack("!Q", _read_exactly(fd, 8))
    data = (
        _read_exactly(fd, size) if size <= _READ_ON_LOOP else await asyncio.to_thread(_read_exactly, fd, size)
    )
    return pickle.loads(data)


class _Worker:
    _context = multiprocessing.get_context("spawn")  # never fork a process holding RocksDB

    def __init__(self, networked: bool = False) -> None:
        self.networked = networked
        self.conn, child = self._context.Pipe()
        self.process = self._context.Process(target=_worker_main, args=(child, networked), daemon=True)
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

    Two lanes: `workers` run any query; `reserved` more run only `trusted=True` queries (the
    server's own canned queries, whose cost is bounded by the data), so that clients' runaway
    SPARQL can fill the general lane without stopping canned queries, pages and friendly JSON.
    A trusted query takes a free general worker if there is one, else waits for a reserved one.
    """

    def __init__(
        self,
        store: OxigraphStore,
        *,
        workers: int = 4,
        reserved: int = 1,
        max_waiting: int = 64,
        timeout: float = DEFAULT_TIMEOUT_S,
        max_rows: int | None = None,
        max_result_bytes: int | None = None,
        networked: int = 0,
    ):
        if store.path is None:
            raise StoreError("a pooled store needs an on-disk store")
        self._store = store
        self.path = store.path
        self.read_only = store.read_only
        self.timeout = timeout
        self.max_rows = max_rows
        self.max_result_bytes = max_result_bytes
        self._max_waiting = max_waiting
        self._waiting = 0
        self._closed = False
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
        self._size = workers + reserved + networked
        self._networked = networked
        self._general = workers
        self._turns: asyncio.Semaphore | None = None  # queries awaiting a worker on the event loop
        self._all: list[_Worker] = []
        self._free: queue.Queue[_Worker] = queue.Queue()  # the general lane
        self._free_reserved: queue.Queue[_Worker] = queue.Queue()  # trusted queries only
        self._free_networked: queue.Queue[_Worker] = queue.Queue()  # allowlisted SERVICE only
        self._lane: dict[int, queue.Queue[_Worker]] = {}
        lanes = ((self._free, workers), (self._free_reserved, reserved), (self._free_networked, networked))
        for lane, count in lanes:
            for _ in range(count):
                worker = _Worker(networked=lane is self._free_networked)
                self._all.append(worker)
                self._lane[id(worker)] = lane
                lane.put(worker)

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
    def _take(self, deadline: float, limit: float, trusted: bool, networked: bool = False) -> _Worker:
        with self._lock:
            if self._closed:
                raise StoreError("the store is closed")
            if self._waiting >= self._max_waiting:
                raise StoreBusy(f"all {self._size} query workers are busy and {self._waiting} queries wait")
            self._waiting += 1
        try:
            if trusted:
                with contextlib.suppress(queue.Empty):
                    return self._free.get_nowait()
            lane = self._free_networked if networked else self._free_reserved if trusted else self._free
            return lane.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise QueryTimeout(f"no query worker became free within {limit:g} s") from None
        finally:
            with self._lock:
                self._waiting -= 1

    def _run(
        self,
        job_for: Callable[[str], _Job],
        timeout: float | None,
        trusted: bool = False,
        networked: bool = False,
    ) -> object:
        limit = self.timeout if timeout is None else min(timeout, self.timeout)
        deadline = time.monotonic() + limit
        if networked and not self._networked:
            raise OutboundRefused("no worker may reach the network on this server")
        worker: _Worker | None = self._take(deadline, limit, trusted and not networked, networked)
        assert worker is not None
        try:
            job: _Job = job_for(self._current_snapshot())
            worker.snapshot = job.snapshot
            worker.conn.send(job)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                worker.process.kill()  # at once; reaping it is left to `_replace`'s thread
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
                self._lane[id(worker)].put(worker)
        return _answer(status, payload)

    def _replace(self, dead: _Worker) -> None:
        """Start a replacement in the background, so the timed-out request answers at once."""
        lane = self._lane.pop(id(dead))

        def start() -> None:
            dead.kill()
            with self._lock:
                if self._closed:
                    return
            fresh = _Worker(networked=dead.networked)
            with self._lock:
                self._all = [w for w in self._all if w is not dead] + [fresh]
                self._lane[id(fresh)] = lane
                closed = self._closed
            if closed:
                fresh.stop()
                return
            lane.put(fresh)

        threading.Thread(target=start, daemon=True).start()

    # -- GraphStore: reads ---------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        trusted: bool = False,
    ) -> QueryResult:
        """Run a query in a worker; a SELECT keeps at most `max_rows` + 1 rows (so a caller
        capping at `max_rows` can tell that more were there)."""
        max_rows = None if self.max_rows is None else self.max_rows + 1
        return self._run(
            lambda snap: _Job(snap, "rows", sparql, default_graphs, named_graphs, max_rows=max_rows),
            timeout,
            trusted,
        )

    def query_serialized(
        self,
        sparql: str,
        results_format: QueryResultsFormat,
        graph_format: RdfFormat,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        trusted: bool = False,
        networked: bool = False,
        base_iri: str | None = None,
    ) -> tuple[str, bytes]:
        """Run a query in a worker and serialise it there; `ResultTooLarge` past `max_result_bytes`.

        `networked` sends it to the workers that keep their network (allowlisted SERVICE calls);
        every other query runs where no socket can be opened."""
        return self._run(
            lambda snap: _Job(
                snap,
                "bytes",
                sparql,
                default_graphs,
                named_graphs,
                results_format.media_type,
                graph_format.media_type,
                max_bytes=self.max_result_bytes,
                base_iri=base_iri,
            ),
            timeout,
            trusted,
            networked,
        )

    # -- the same from an event loop, without a thread ------------------------------------
    async def query_serialized_async(
        self,
        sparql: str,
        results_format: QueryResultsFormat,
        graph_format: RdfFormat,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        trusted: bool = False,
        networked: bool = False,
        base_iri: str | None = None,
    ) -> tuple[str, bytes]:
        """`query_serialized` for a caller on an event loop.

        When a worker is free and the checkpoint is current (the common case), the job is sent
        and its answer awaited on the loop itself: no thread, so no thread hand-offs per query
        (on a busy machine each costs a wait for a CPU). Otherwise (every worker busy, a write
        to checkpoint first) it runs `query_serialized` in a thread, waiting in line as ever.
        """
        job_for = lambda snap: _Job(  # noqa: E731
            snap,
            "bytes",
            sparql,
            default_graphs,
            named_graphs,
            results_format.media_type,
            graph_format.media_type,
            max_bytes=self.max_result_bytes,
            base_iri=base_iri,
        )
        if networked:  # the few workers kept for allowlisted SERVICE calls: their own line, in a thread
            return await asyncio.to_thread(self._run, job_for, timeout, trusted, True)  # type: ignore[return-value]
        limit = self.timeout if timeout is None else min(timeout, self.timeout)
        deadline = time.monotonic() + limit
        async with self._loop_turn(deadline, limit):
            return await self._query_on_loop(job_for, timeout, trusted, deadline, limit)

    @contextlib.asynccontextmanager
    async def _loop_turn(self, deadline: float, limit: float) -> AsyncIterator[None]:
        """Wait on the loop, not in a thread, for a turn among as many queries as there are
        general workers: within it a worker is free, unless trusted queries hold some. The same
        waiting line (`max_waiting`, then `StoreBusy`) and time limit apply as in `_take`."""
        if self._turns is None:
            self._turns = asyncio.Semaphore(self._general)
        if self._turns.locked():
            with self._lock:
                if self._waiting >= self._max_waiting:
                    raise StoreBusy(
                        f"all {self._size} query workers are busy and {self._waiting} queries wait"
                    )
                self._waiting += 1
            try:
                await asyncio.wait_for(self._turns.acquire(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                raise QueryTimeout(f"no query worker became free within {limit:g} s") from None
            finally:
                with self._lock:
                    self._waiting -= 1
        else:
            await self._turns.acquire()
        try:
            yield
        finally:
            self._turns.release()

    async def _query_on_loop(
        self,
        job_for: Callable[[str], _Job],
        timeout: float | None,
        trusted: bool,
        deadline: float,
        limit: float,
    ) -> tuple[str, bytes]:
        worker = self._take_free(trusted)
        checkpointed = self._snapshot_generation  # read before the path: both are set together,
        snapshot = self._snapshot  # the path first, so this path is at least that generation's
        if worker is not None and checkpointed != self._generation:
            self._lane[id(worker)].put(worker)  # a write to checkpoint first: the thread path does it
            worker = None
        remaining = max(0.0, deadline - time.monotonic())
        if worker is None:
            return await asyncio.to_thread(self._run, job_for, remaining, trusted)  # type: ignore[return-value]
        return await self._run_on_loop(worker, job_for(snapshot), remaining, limit)  # type: ignore[return-value]

    def _take_free(self, trusted: bool) -> _Worker | None:
        """A worker free right now (for a trusted query, from either lane), or None."""
        with self._lock:
            if self._closed:
                raise StoreError("the store is closed")
        lanes = (self._free, self._free_reserved) if trusted else (self._free,)
        for lane in lanes:
            with contextlib.suppress(queue.Empty):
                return lane.get_nowait()
        return None

    async def _run_on_loop(self, worker: _Worker, job: _Job, remaining: float, limit: float) -> object:
        loop = asyncio.get_running_loop()
        fd = worker.conn.fileno()
        ready: asyncio.Future[None] = loop.create_future()
        keep: _Worker | None = worker
        try:
            worker.snapshot = job.snapshot
            worker.conn.send(job)  # a few hundred bytes into an empty pipe: does not block
            loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
            try:
                await asyncio.wait_for(ready, remaining)
            finally:
                loop.remove_reader(fd)
                os.set_blocking(fd, True)  # uvloop made it non-blocking; the thread path needs it blocking
            status, payload = await _receive(fd)
        except TimeoutError:
            worker.process.kill()
            self._replace(worker)
            keep = None
            raise QueryTimeout(f"the query ran longer than {limit:g} s and was stopped") from None
        except (EOFError, OSError) as exc:
            worker.kill()
            self._replace(worker)
            keep = None
            raise StoreError(f"a query worker failed: {exc}") from exc
        except BaseException:  # cancelled mid-job: its answer must not reach the next job
            worker.process.kill()
            self._replace(worker)
            keep = None
            raise
        finally:
            if keep is not None:
                self._lane[id(keep)].put(keep)
        return _answer(status, payload)

    def graph_names(self) -> list[str]:
        return self._store.graph_names()

    def quads(self, graph: str | None = None) -> Iterable[Quad]:
        return self._store.quads(graph)

    def quad_count(self) -> int:
        return self._store.quad_count()

    def dump(self, rdf_format: RdfFormat, *, graph: str | None = None) -> bytes:
        return self._store.dump(rdf_format, graph=graph)

    # -- GraphStore: writes --------------------------------------------------------------
    def _wrote(self) -> None:
        self._generation += 1

    def update(self, sparql_update: str, *, base_iri: str | None = None) -> None:
        with self._write_lock:
            try:
                self._store.update(sparql_update, base_iri=base_iri)
            finally:
                self._wrote()

    def replace_graphs(
        self,
        graphs: Mapping[str, Iterable[Triple]],
        *,
        remove: Iterable[Quad] = (),
        add: Iterable[Quad] = (),
        before_commit: Callable[[], None] | None = None,
    ) -> None:
        with self._write_lock:
            try:
                self._store.replace_graphs(graphs, remove=remove, add=add, before_commit=before_commit)
            finally:
                self._wrote()

    def add_quads(self, quads: Iterable[Quad]) -> None:
        with self._write_lock:
            try:
                self._store.add_quads(quads)
            finally:
                self._wrote()

    @property
    def worker_pids(self) -> list[int]:
        """The worker processes' ids (tests check none outlives `close`)."""
        return [w.process.pid for w in self._all if w.process.pid is not None]

    def close(self) -> None:
        """Stop every worker and release the store; a second call does nothing."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = list(self._all)
        for worker in workers:
            worker.stop()
        shutil.rmtree(self._snapshots, ignore_errors=True)
        self._store.close()
