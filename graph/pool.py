"""Queries in worker processes, so that a runaway query can be stopped.

pyoxigraph has no query timeout or cancellation, and a thread cannot be killed. So reads run in
a small pool of worker processes, each with a read-only view of the store; a query that
outlives its time limit is answered with `QueryTimeout` and its worker is killed (freeing its
CPU and memory) and replaced, while the other workers keep serving everyone else.

Read-only opening of a store that another process writes is undefined behaviour in RocksDB, so
workers never open the live store: they open a checkpoint of it (`Store.backup`, hard links,
milliseconds), taken after each write. Every read therefore sees one committed state, and the
first read after an ingest or update sees the new one. While a write runs, reads keep being
served from the last checkpoint (they never wait for the write); a checkpoint no worker holds
any more is deleted, and idle workers let go of old ones as soon as a newer one exists.

A stopped worker's place is taken at once by one of `spares` workers started ahead (starting
one takes from half a second to a few on a busy machine, during which its lane would be a
worker short); a new spare is started in the background.

Each worker runs under a memory limit (`RLIMIT_DATA`): a query that needs more is stopped by
the allocator, its worker dies and is replaced, and the caller gets `QueryOutOfMemory`. A
worker that cannot be started (no file descriptors, no memory) is retried with backoff until
the pool is whole again.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import io
import itertools
import multiprocessing
import os
import pickle
import queue
import shutil
import signal
import struct
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pyoxigraph import (
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    parse,
)

from jalinan.graph import children
from jalinan.graph.errors import QueryError, StoreError
from jalinan.graph.fair_line import FairLine
from jalinan.graph.heap import HeapTrimmer, configured_step
from jalinan.graph.oxigraph_store import OxigraphStore, memory_copy
from jalinan.graph.query_threads import QueryThreads
from jalinan.graph.results import QueryResult, materialise
from jalinan.graph.sandbox import OutboundRefused, SandboxUnavailable, enter_worker_sandbox, outbound_failure
from jalinan.graph.writer import DEFAULT_WRITE_MEMORY, DEFAULT_WRITE_TIMEOUT_S, StoreWriter, WriteTimeout

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_WORKER_MEMORY = 2 * 1024**3  # bytes of data (heap and anonymous mappings) per worker
START_TIMEOUT_S = 60.0  # a spawned worker imports pyoxigraph; seconds before it counts as failed
RELEASE = "release"  # a message telling an idle worker to close its checkpoint
SPARE_WORKERS = 2  # started ahead, so that a worker stopped at its time limit is replaced at once
LINE_SHARES = 8  # the general lane's line holds this many clients' `max_waiting` (fair_line.py)
MAX_RESTART_PAUSE_S = 5.0  # the longest pause between attempts to start a worker again
CHECKPOINT_TIMEOUT_S = 60.0  # a checkpoint is hard links: milliseconds, unless the disk is stuck


class QueryTimeout(StoreError):
    """The query ran past its time limit and was stopped."""


class StoreBusy(StoreError):
    """Every worker is busy and the waiting line is full; the client should retry later."""


class QueryOutOfMemory(StoreError):
    """The query needed more memory than a worker may use, so its worker stopped."""


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
    kind: str  # "rows", "bytes", "dump", "graph_names", "has_graph" or "quad_count"
    sparql: str
    default_graphs: Sequence[str] | None
    named_graphs: Sequence[str] | None
    results_media_type: str = ""
    graph_media_type: str = ""
    max_rows: int | None = None  # "rows": keep at most this many SELECT rows
    max_bytes: int | None = None  # "bytes", "dump": abandon a serialisation that grows past this
    graph: str | None = None  # "dump": the named graph, or None for the whole dataset; "has_graph": the graph
    base_iri: str | None = None  # resolves the query's relative IRIs (the endpoint's URL)


def _rows(opened: OxigraphStore, job: _Job) -> QueryResult:
    """Like `OxigraphStore.query`, but stops reading SELECT rows after `job.max_rows`."""
    return materialise(opened.execute(job.sparql, job.default_graphs, job.named_graphs), job.max_rows)


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


def _dumped(opened: OxigraphStore, job: _Job) -> tuple[str, bytes]:
    """A graph (or, with no graph, the whole dataset) serialised into a capped buffer."""
    rdf_format = RdfFormat.from_media_type(job.graph_media_type)
    assert rdf_format is not None
    buffer = _CappedBuffer(job.max_bytes)
    if job.graph is not None:
        opened._store.dump(buffer, format=rdf_format, from_graph=NamedNode(job.graph))
    elif rdf_format.supports_datasets:
        opened._store.dump(buffer, format=rdf_format)
    else:  # the default graph is the union of all graphs
        union = opened.execute("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", None, None)
        union.serialize(buffer, format=rdf_format)  # type: ignore[union-attr]
    return "GRAPH", bytes(buffer.data)


def _graph_names(opened: OxigraphStore, job: _Job) -> list[str]:
    return opened.graph_names()


def limit_memory(memory_limit: int | None) -> None:
    """Cap the worker's data segment (heap and anonymous mappings, not the store's mapped files):
    past it an allocation fails and the process stops, instead of the machine swapping."""
    if memory_limit is None:
        return
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    limit = memory_limit if hard == resource.RLIM_INFINITY else min(memory_limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


_WORK: dict[str, Callable[[OxigraphStore, _Job], object]] = {
    "rows": _rows,
    "bytes": _serialized,
    "dump": _dumped,
    "graph_names": _graph_names,
    "has_graph": lambda opened, job: opened.has_graph(job.graph or ""),
    "quad_count": lambda opened, job: opened.quad_count(),
}


def _worker_main(
    conn: Connection, memory_limit: int | None, parent_pid: int, networked: bool = False
) -> None:
    """A worker: open the snapshot a job names, run it, send back a picklable answer.

    Before it serves, the worker is cut off from the network (`sandbox.enter_worker_sandbox`),
    unless it is one of the `networked` workers kept for allowlisted SERVICE calls; if that
    fails it refuses every job instead of running it with network access."""
    from jalinan.graph.oxigraph_store import open_store

    children.die_with_parent(parent_pid)
    limit_memory(memory_limit)
    refusal = enter_worker_sandbox(networked)
    trimmer = HeapTrimmer(configured_step())  # a heavy query's freed memory goes back (heap.py)
    conn.send("ready")
    opened: OxigraphStore | None = None
    opened_path = ""
    while True:
        try:
            job: _Job | str | None = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        if job == RELEASE:  # let go of an old checkpoint so that it can be deleted
            if opened is not None:
                opened.close()
            opened, opened_path = None, ""
            conn.send(RELEASE)
            continue
        assert isinstance(job, _Job)
        if refusal is not None:
            conn.send(("sandbox", refusal))
            continue
        try:
            if job.snapshot != opened_path:
                if opened is not None:
                    opened.close()
                opened, opened_path = open_store(job.snapshot, read_only=True), job.snapshot
        except Exception as exc:
            _send_whole(conn, ("error", f"{type(exc).__name__}: {exc}"))
            continue
        _send_whole(conn, _job_answer(opened, job, networked))
        trimmer.maybe_trim()


def _job_answer(opened: OxigraphStore, job: _Job, networked: bool = False) -> tuple[str, object]:
    """(status, payload): a job's result, or the error it met, as `_answer` reads it (the same
    for a worker process and a query thread)."""
    try:
        return ("ok", _WORK[job.kind](opened, job))
    except QueryError as exc:
        return ("query_error", str(exc))
    except ResultTooLarge as exc:
        return ("too_large", str(exc))
    except MemoryError:
        return ("out_of_memory", "")
    except Exception as exc:  # reported to the caller, which raises StoreError
        if outbound_failure(exc, networked):  # one answer for every failed fetch (sandbox.py)
            return ("outbound", "")
        return ("error", f"{type(exc).__name__}: {exc}")


# An answer up to this size leaves the worker in one write: header and pickle together, so the
# front end, woken by the first byte, finds the whole message in the pipe and takes it in one
# read. (`Connection.send` writes the 4-byte header and the pickle separately past 16 KiB, and
# the front end, woken by the header, then waited for the second write, which on a busy machine
# meant waiting for the worker to be scheduled again; a 100-row SELECT in JSON is ~24 KiB.)
_ONE_WRITE = 1 << 20


def _send_whole(conn: Connection, answer: object) -> None:
    """`conn.send(answer)`, framed as `Connection.recv` reads it, in one write when small."""
    data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    if len(data) > _ONE_WRITE:
        conn.send_bytes(data)
        return
    view = memoryview(struct.pack("!i", len(data)) + data)
    fd = conn.fileno()
    while view:
        view = view[os.write(fd, view) :]


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


# Replies up to this size are read on the event loop as they arrive (the worker is writing them
# at memory speed); the rest of a larger one is read in a thread, so the loop never waits long.
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


def _wake(ready: asyncio.Future[None]) -> None:
    if not ready.done():
        ready.set_result(None)


def _expire(ready: asyncio.Future[None]) -> None:
    if not ready.done():
        ready.set_exception(TimeoutError())


def _hand_to_loop(
    loop: asyncio.AbstractEventLoop, answer: asyncio.Future[Any], done: concurrent.futures.Future[Any]
) -> None:
    """From a query thread (or the loop, if the job was done already): settle `answer` on its
    loop with the thread's outcome, unless the time limit settled it first."""
    if not loop.is_closed():
        loop.call_soon_threadsafe(_settle, answer, done)


def _settle(answer: asyncio.Future[Any], done: concurrent.futures.Future[Any]) -> None:
    if answer.done():
        return
    if done.cancelled():
        answer.cancel()
    elif (error := done.exception()) is not None:
        answer.set_exception(error)
    else:
        answer.set_result(done.result())


async def _readable(fd: int) -> None:
    """Until the (non-blocking) pipe has more to read: the rest of a message being written."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    loop.add_reader(fd, _wake, ready)
    try:
        await ready
    finally:
        loop.remove_reader(fd)


def _read_some(fd: int, buffer: bytearray, start: int) -> int:
    """Read into `buffer` from `start`; the bytes read, -1 when none are there yet."""
    try:
        count = os.readv(fd, [memoryview(buffer)[start:]])
    except BlockingIOError:
        return -1
    if count == 0:
        raise EOFError("the query worker closed its pipe")
    return count


async def _receive(fd: int, buffer: bytearray) -> tuple[str, object]:
    """One message from a worker's non-blocking pipe, in `multiprocessing.connection`'s framing
    (a 4-byte big-endian length, or -1 and an 8-byte one, then the pickle), as `Connection.recv`
    reads it.

    A small answer (`_send_whole`: one write) is read into the worker's own `buffer`, allocated
    once, and unpickled from it in place: no 64 KiB allocation, slice or join per answer. A
    message not all there yet (the worker is still writing it) is waited for on the loop, never
    in a blocking read that would stop the loop; the rest of a large one is read in a thread."""
    filled = 0
    while filled < 12:
        count = _read_some(fd, buffer, filled)
        if count < 0:
            if filled >= 4 and struct.unpack_from("!i", buffer)[0] != -1:
                break
            await _readable(fd)
            continue
        filled += count
        if filled >= 4 and struct.unpack_from("!i", buffer)[0] != -1:
            break
    (size,) = struct.unpack_from("!i", buffer)
    start = 4
    if size == -1:
        (size,) = struct.unpack_from("!Q", buffer, 4)
        start = 12
    end = start + size
    if end <= len(buffer):
        while filled < end:
            count = _read_some(fd, buffer, filled)
            if count < 0:
                await _readable(fd)
            else:
                filled += count
        return pickle.loads(memoryview(buffer)[start:end])
    data = bytes(buffer[start:filled])
    remaining = size - len(data)
    if remaining <= _READ_ON_LOOP:
        rest = bytearray()
        while remaining:
            try:
                chunk = os.read(fd, remaining)
            except BlockingIOError:
                await _readable(fd)
                continue
            if not chunk:
                raise EOFError("the query worker closed its pipe")
            rest += chunk
            remaining -= len(chunk)
        data += rest
    else:
        os.set_blocking(fd, True)
        try:
            data += await asyncio.to_thread(_read_exactly, fd, remaining)
        finally:
            os.set_blocking(fd, False)
    return pickle.loads(data)


class _Worker:
    _context = multiprocessing.get_context("spawn")  # never fork a process holding RocksDB

    def __init__(self, memory_limit: int | None = None, networked: bool = False) -> None:
        self.networked = networked
        self.conn, child = self._context.Pipe()
        try:
            arguments = (child, memory_limit, os.getpid(), networked)
            self.process = self._context.Process(target=_worker_main, args=arguments, daemon=True)
            children.start(self.process)
        except BaseException:
            self.conn.close()
            raise
        finally:
            child.close()
        self.snapshot = ""
        self.buffer = bytearray(1 << 16)  # a small answer is read into this (`_receive`)
        self.nonblocking = False  # the event loop's path leaves its pipe non-blocking

    def blocking(self) -> Connection:
        """The pipe, blocking again for `Connection`'s own calls (the event loop's path leaves it
        non-blocking: setting it back after every answer cost two system calls each)."""
        if self.nonblocking:
            os.set_blocking(self.conn.fileno(), True)
            self.nonblocking = False
        return self.conn

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> None:
        """Wait for the worker's first message; `StoreError` (and the worker killed) if none comes."""
        try:
            if self.conn.poll(timeout) and self.conn.recv() == "ready":
                return
        except (EOFError, OSError):
            pass
        self.kill()
        raise StoreError(f"a query worker did not start (exit code {self.process.exitcode})")

    def release(self) -> bool:
        """Make an idle worker close its checkpoint; False if it did not answer (kill it)."""
        try:
            self.blocking().send(RELEASE)
            if self.conn.poll(5) and self.conn.recv() == RELEASE:
                self.snapshot = ""
                return True
        except (EOFError, OSError):
            pass
        return False

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.blocking().send(None)
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.kill()


# The read side's options and their defaults, for a pool without its own (`ReplicaStore`).
READ_DEFAULTS: dict[str, object] = {
    "workers": 4,
    "reserved": 1,
    "max_waiting": 64,
    "timeout": DEFAULT_TIMEOUT_S,
    "max_rows": None,
    "max_result_bytes": None,
    "worker_memory": DEFAULT_WORKER_MEMORY,
    "networked": 0,
    "spares": SPARE_WORKERS,
    "threads": 0,
}


@dataclass
class _Held:
    """A general-lane turn held by a query on the loop; `defer()` keeps it past the query,
    returning what gives it back (called from the thread that readies a replacement worker)."""

    release_later: Callable[[], object]
    deferred: bool = False

    def defer(self) -> Callable[[], object]:
        self.deferred = True
        return self.release_later


def _deferred(held: _Held | None) -> Callable[[], object] | None:
    return held.defer() if held is not None else None


class PooledStore:
    """A `GraphStore` whose reads run in killable worker processes over checkpoints.

    Writes go to the writer process (`graph/writer.py`), which holds the one read-write store,
    each under `write_timeout` and the writer's memory limit; each write makes the next read
    take a fresh checkpoint. `version` changes with every write (for HTTP caching).

    Two lanes, each with its own workers and its own waiting line: `workers` run any query;
    `reserved` more run only `trusted=True` queries (the server's own canned queries, whose cost
    is bounded by the data). A trusted query takes a free general worker if there is one, else
    waits in the reserved line, so clients' runaway SPARQL can fill the general lane and its
    line (then 429) without delaying canned queries, pages and friendly JSON.
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
        worker_memory: int | None = DEFAULT_WORKER_MEMORY,
        write_timeout: float = DEFAULT_WRITE_TIMEOUT_S,
        write_memory: int | None = DEFAULT_WRITE_MEMORY,
        networked: int = 0,
        spares: int = SPARE_WORKERS,
        threads: int = 0,
    ):
        """`store` is handed over: it is closed here and reopened by the writer process."""
        if store.path is None:
            raise StoreError("a pooled store needs an on-disk store")
        self.path = store.path
        self.read_only = store.read_only
        self.write_timeout = write_timeout
        self._write_lock = threading.Lock()  # one write at a time; held for the write's duration
        self._snapshots = Path(f"{store.path}.snapshots")
        shutil.rmtree(self._snapshots, ignore_errors=True)
        self._snapshots.mkdir(parents=True)
        store.close()
        self._writer = StoreWriter(self.path, read_only=self.read_only, memory_limit=write_memory)
        self._counter = itertools.count(1)
        self._token = f"{os.getpid():x}{int(time.time()):x}"
        self._generation = 0
        self._snapshot_generation = -1
        self._snapshot = ""
        try:
            self._start_workers(
                workers=workers,
                reserved=reserved,
                max_waiting=max_waiting,
                timeout=timeout,
                max_rows=max_rows,
                max_result_bytes=max_result_bytes,
                worker_memory=worker_memory,
                networked=networked,
                spares=spares,
                threads=threads,
            )
        except BaseException:
            self._writer.close()
            raise
        with self._write_lock:
            self._take_snapshot()  # so that a read never waits for a write, even the first

    def _start_workers(
        self,
        *,
        workers: int,
        reserved: int,
        max_waiting: int,
        timeout: float,
        max_rows: int | None,
        max_result_bytes: int | None,
        worker_memory: int | None,
        networked: int,
        spares: int = 0,
        threads: int = 0,
    ) -> None:
        """The read side, shared with `ReplicaStore`: the lanes and their worker processes, and
        `spares` more started in the background, ready to take a stopped worker's place; with
        `threads`, the general lane's queries run on that many sandboxed threads of this process
        instead (`query_threads.py`), its workers taking over if one overruns."""
        self._threads: QueryThreads | None = None  # the general lane on threads (`threads`), if any
        self.timeout = timeout
        self.max_rows = max_rows
        self.max_result_bytes = max_result_bytes
        self.worker_memory = worker_memory
        self._max_waiting = max_waiting
        self._closed = False
        self._lock = threading.Lock()
        self._snapshot_lock = threading.Lock()  # the current checkpoint and who holds which
        self._size = workers + reserved + networked
        self._networked = networked
        self.restarts = 0  # workers started again after a failed start (tests and logs read it)
        self._general = workers
        # queries of the general lane under way at once: one per worker, or per query thread
        # when there are more threads than workers (a serving child of `serve --processes` runs
        # its clients' queries on threads and keeps one worker for after its lane retires)
        self._general_turns = max(workers, threads)
        self._turns: FairLine | None = None  # general-lane queries awaiting a worker on the event loop
        self._all: list[_Worker] = []
        self._free: queue.Queue[_Worker] = queue.Queue()  # the general lane
        self._free_reserved: queue.Queue[_Worker] = queue.Queue()  # trusted queries only
        self._free_networked: queue.Queue[_Worker] = queue.Queue()  # allowlisted SERVICE only
        self._lanes = (self._free, self._free_reserved, self._free_networked)
        self._waiting = {id(lane): 0 for lane in self._lanes}  # one waiting line per lane
        self._lane: dict[int, queue.Queue[_Worker]] = {}
        started: list[tuple[_Worker, queue.Queue[_Worker]]] = []
        try:
            for lane, count in zip(self._lanes, (workers, reserved, networked), strict=True):
                for _ in range(count):
                    started.append((_Worker(worker_memory, networked=lane is self._free_networked), lane))
            for worker, _lane in started:
                worker.wait_ready()
        except BaseException:
            for worker, _lane in started:
                worker.kill()
            raise
        for worker, lane in started:
            self._all.append(worker)
            self._lane[id(worker)] = lane
            lane.put(worker)
        if threads:
            self._threads = QueryThreads(threads)
        self._spares: queue.Queue[_Worker] = queue.Queue()  # started, in no lane yet
        self._spare_count = spares
        self._spare_lock = threading.Lock()  # one thread starts spares at a time
        if spares:
            threading.Thread(target=self._top_up_spares, daemon=True).start()

    # -- versions and snapshots ----------------------------------------------------------
    def backup(self, target: str | Path) -> None:
        """A checkpoint of the store as it is now in `target` (taken by the writer, which holds
        the store; hard links: milliseconds), for `publish.publish` (`serve --processes`)."""
        self._writer.call("checkpoint", str(target), timeout=CHECKPOINT_TIMEOUT_S, what="checkpoint")

    @property
    def version(self) -> str:
        """Changes whenever the data may have changed; stable otherwise (an ETag's basis)."""
        return f"{self._token}-{self._generation}"

    def _take_snapshot(self) -> None:
        """A checkpoint of the store as it is now (the write lock held; the snapshot lock only
        to publish it, so reads meanwhile take the last one without waiting)."""
        generation = self._generation
        target = self._snapshots / f"{generation}-{next(self._counter)}"
        self._writer.call("checkpoint", str(target), timeout=CHECKPOINT_TIMEOUT_S, what="checkpoint")
        with self._snapshot_lock:
            self._snapshot, self._snapshot_generation = str(target), generation

    def _snapshot_for(self, worker: _Worker) -> str:
        """The newest checkpoint, recorded as held by `worker` before anything may delete it.

        Each write takes a checkpoint when it ends; if that failed (a stopped write), the first
        read after it takes one. While a write runs, reads get the last one at once instead of
        waiting for the write to finish.
        """
        stale = False
        if self._snapshot_generation != self._generation and self._write_lock.acquire(blocking=False):
            try:
                if self._snapshot_generation != self._generation:
                    self._take_snapshot()
                    stale = True
            finally:
                self._write_lock.release()
        with self._snapshot_lock:
            worker.snapshot = self._snapshot
        if stale:
            self._release_idle()
        return worker.snapshot

    def _assign_current(self, worker: _Worker) -> bool:
        """Record the current checkpoint as held by `worker`, unless a write made it stale (then
        False: `_snapshot_for`, on a thread, takes a new one)."""
        with self._snapshot_lock:  # recorded as held before anything may delete it
            if self._snapshot_generation != self._generation:
                return False
            worker.snapshot = self._snapshot
            return True

    def _thread_snapshots(self) -> set[str]:
        """The checkpoints the query threads read or are about to read."""
        return self._threads.held() if self._threads is not None else set()

    def _hold_for_thread(self) -> str | None:
        """The current checkpoint, held for a query thread before anything may delete it; None
        when a write made it stale (the worker path, on a thread, takes a new one)."""
        assert self._threads is not None
        with self._snapshot_lock:
            if self._snapshot_generation != self._generation:
                return None
            self._threads.hold(self._snapshot)
            return self._snapshot

    def _release_idle(self) -> None:
        """Make idle workers close checkpoints older than the current one, then delete those."""
        for lane in self._lanes:
            idle: list[_Worker] = []
            with contextlib.suppress(queue.Empty):
                while True:
                    idle.append(lane.get_nowait())
            for worker in idle:
                self._give_back(worker)
        self._forget_old_snapshots()

    def _give_back(self, worker: _Worker) -> None:
        """Return a worker to its lane, first making it close an old checkpoint it holds."""
        if worker.snapshot and worker.snapshot != self._snapshot and not worker.release():
            worker.process.kill()
            self._replace(worker)
            return
        self._lane[id(worker)].put(worker)

    def _forget_old_snapshots(self) -> None:
        with self._snapshot_lock:
            in_use = {w.snapshot for w in self._all} | {self._snapshot} | self._thread_snapshots()
            for path in self._snapshots.iterdir():
                if str(path) not in in_use:
                    shutil.rmtree(path, ignore_errors=True)

    # -- running jobs --------------------------------------------------------------------
    def _take(self, deadline: float, limit: float, trusted: bool, networked: bool = False) -> _Worker:
        if trusted:
            with contextlib.suppress(queue.Empty):
                return self._free.get_nowait()
        lane = self._free_networked if networked else self._free_reserved if trusted else self._free
        with self._lock:
            if self._closed:
                raise StoreError("the store is closed")
            if self._waiting[id(lane)] >= self._max_waiting:
                which = "federation" if networked else "reserved" if trusted else "general"
                waiting = self._waiting[id(lane)]
                raise StoreBusy(f"all query workers of the {which} lane are busy and {waiting} queries wait")
            self._waiting[id(lane)] += 1
        try:
            return lane.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise QueryTimeout(f"no query worker became free within {limit:g} s") from None
        finally:
            with self._lock:
                self._waiting[id(lane)] -= 1

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
            job: _Job = job_for(self._snapshot_for(worker))
            worker.blocking().send(job)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                worker.process.kill()  # at once; reaping it is left to `_replace`'s thread
                self._replace(worker)
                worker = None
                raise QueryTimeout(f"the query ran longer than {limit:g} s and was stopped")
            status, payload = worker.conn.recv()
        except (EOFError, OSError) as exc:
            if worker is None:
                raise StoreError(f"a query worker failed: {exc}") from exc
            dead, worker = worker, None
            raise self._died(dead) from exc
        finally:
            if worker is not None:
                self._give_back(worker)
        if worker is not None and worker.snapshot != self._snapshot:
            self._forget_old_snapshots()
        if status == "out_of_memory":
            raise QueryOutOfMemory(self._out_of_memory())
        return _answer(status, payload)

    def _died(self, dead: _Worker, then: Callable[[], object] | None = None) -> StoreError:
        """Replace a worker that stopped mid-job; the error to raise (its memory limit, or not)."""
        dead.process.join(timeout=1)
        exitcode = dead.process.exitcode
        dead.kill()
        self._replace(dead, then)
        if self.worker_memory is not None and exitcode in (-signal.SIGABRT, -signal.SIGKILL):
            return QueryOutOfMemory(self._out_of_memory())
        return StoreError(f"a query worker failed (exit code {exitcode})")

    def _out_of_memory(self) -> str:
        limit = "its limit" if self.worker_memory is None else f"the {self.worker_memory // 2**20} MiB"
        return f"the query needed more than {limit} of memory a query worker may use and was stopped"

    def _replace(self, dead: _Worker, then: Callable[[], object] | None = None) -> None:
        """Put a spare worker in the dead one's place at once (and `then()` now), starting a new
        spare in the background; with no spare ready, start a replacement in the background, so
        the timed-out request answers at once, and `then()` once it is in its lane (or the pool
        closed). The caller's turn in the general lane is given back by `then()`: with a spare,
        a runaway stopped at its time limit costs no one a wait for a process to start.

        A start that fails (no file descriptors or memory left, a worker that dies before it is
        ready) is retried with a growing pause, until the pool is whole again or closed.
        """
        lane = self._lane.pop(id(dead))
        if not dead.networked:
            with contextlib.suppress(queue.Empty):
                spare = self._spares.get_nowait()
                with self._lock:  # the spare is in `_all` already
                    self._all = [w for w in self._all if w is not dead]
                    self._lane[id(spare)] = lane
                lane.put(spare)  # (if the pool closed meanwhile, closing stopped the spare)
                if then is not None:
                    then()
                threading.Thread(target=self._top_up_spares, args=(dead,), daemon=True).start()
                return

        def start() -> None:
            dead.kill()
            fresh = self._start_worker(dead.networked)
            if fresh is None:
                return
            with self._lock:
                self._all = [w for w in self._all if w is not dead] + [fresh]
                self._lane[id(fresh)] = lane
                closed = self._closed
            if closed:
                fresh.stop()
            else:
                lane.put(fresh)
            if then is not None:
                then()

        threading.Thread(target=start, daemon=True).start()

    def _start_worker(self, networked: bool) -> _Worker | None:
        """A started, ready worker, retrying with a growing pause; None if the pool closed."""
        pause = 0.1
        while True:
            with self._lock:
                if self._closed:
                    return None
            try:
                fresh = _Worker(self.worker_memory, networked=networked)
                fresh.wait_ready()
                return fresh
            except Exception as exc:
                self.restarts += 1
                print(f"jalinan: a query worker failed to start ({exc}); retrying in {pause:g} s",
                      file=sys.stderr, flush=True)  # fmt: skip
                time.sleep(pause)
                pause = min(pause * 2, MAX_RESTART_PAUSE_S)

    def _top_up_spares(self, dead: _Worker | None = None) -> None:
        """Reap a worker a spare replaced, then start spares until there are `spares` again."""
        with self._lock:
            if dead is not None:
                self._all = [w for w in self._all if w is not dead]
        if dead is not None:
            dead.kill()
        with self._spare_lock:
            while self._spares.qsize() < self._spare_count:
                fresh = self._start_worker(networked=False)
                if fresh is None:
                    return
                with self._lock:
                    closed = self._closed
                    if not closed:
                        self._all.append(fresh)
                if closed:
                    fresh.stop()
                    return
                self._spares.put(fresh)

    @property
    def spares_ready(self) -> int:
        """How many spare workers are started and waiting to take a stopped worker's place."""
        return self._spares.qsize()

    @property
    def pool_size(self) -> int:
        """How many workers are alive now (equal to the configured size when the pool is whole)."""
        with self._lock:
            return sum(1 for w in self._all if id(w) in self._lane and w.process.is_alive())

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

    def graph_names(self, *, timeout: float | None = None) -> list[str]:
        """The named graphs of the newest checkpoint (read by a worker: never waits for a write)."""
        names = self._run(lambda snap: _Job(snap, "graph_names", "", None, None), timeout, True)
        assert isinstance(names, list)
        return names

    def has_graph(self, name: str, *, timeout: float | None = None) -> bool:
        """Whether the newest checkpoint holds this named graph (read by a worker)."""
        found = self._run(lambda snap: _Job(snap, "has_graph", "", None, None, graph=name), timeout, True)
        assert isinstance(found, bool)
        return found

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
        client: str | None = None,
    ) -> tuple[str, bytes]:
        """`query_serialized` for a caller on an event loop.

        When a worker is free and the checkpoint is current (the common case), the job is sent
        and its answer awaited on the loop itself: no thread, so no thread hand-offs per query
        (on a busy machine each costs a wait for a CPU). Otherwise (every worker busy, a write
        to checkpoint first) it runs `query_serialized` in a thread, waiting in line as ever.
        `client` (any key naming who asks: the HTTP front end gives the peer's address) is what
        the general lane's line is fair between.
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
        if trusted:  # the server's own queries: a free worker of either lane, else the reserved line
            return await self._query_on_loop(job_for, timeout, trusted, deadline, limit)
        async with self._loop_turn(deadline, limit, client or "", sparql) as held:
            if self._threads is not None and self._threads.open:
                snapshot = self._hold_for_thread()
                if snapshot is not None:
                    return await self._query_on_thread(job_for(snapshot), deadline, limit)
            return await self._query_on_loop(job_for, timeout, trusted, deadline, limit, held)

    async def _query_on_thread(self, job: _Job, deadline: float, limit: float) -> tuple[str, bytes]:
        """Run `job` on a query thread (`query_threads.py`); at the time limit answer
        `QueryTimeout` at once and retire the lane, since the thread cannot be stopped."""
        assert self._threads is not None
        loop = asyncio.get_running_loop()
        # The answer reaches the loop as one callback scheduled by the thread, and the time limit
        # is one timer handle: `wait_for(wrap_future(...))` chained two more futures, a partial
        # and four callbacks per query, on the loop that serves every request of the process.
        answer: asyncio.Future[tuple[str, object]] = loop.create_future()
        future = self._threads.submit(job.snapshot, lambda opened: _job_answer(opened, job))
        future.add_done_callback(lambda done: _hand_to_loop(loop, answer, done))
        timer = loop.call_later(max(0.0, deadline - time.monotonic()), _expire, answer)
        try:
            status, payload = await answer
        except TimeoutError:
            self._threads.retire(f"a query ran past its {limit:g} s limit on a query thread")
            raise QueryTimeout(f"the query ran longer than {limit:g} s and was abandoned") from None
        except BaseException:  # its request went away: a job not yet started never runs
            future.cancel()
            raise
        finally:
            timer.cancel()
        if status == "out_of_memory":
            raise QueryOutOfMemory(self._out_of_memory())
        return _answer(status, payload)  # type: ignore[return-value]

    @contextlib.asynccontextmanager
    async def _loop_turn(
        self, deadline: float, limit: float, client: str, sparql: str
    ) -> AsyncIterator[_Held]:
        """Wait on the loop, not in a thread, for a turn among as many queries as there are
        general workers: within it a worker is free, unless trusted queries hold some. The
        line is fair by worker time (`fair_line.py`): queries expected to be light (by their
        text's past runs, else their client's) go first and always have a turn of their own;
        among the rest the client that has used the least goes first; a full line refuses the
        heaviest (`StoreBusy`).

        A query that cost its worker (stopped at the time limit, or dead) gives its turn back
        only when the replacement is ready: otherwise the next in line would get a turn with no
        worker behind it, and wait again, first come first served, for the next one."""
        if self._turns is None:
            self._turns = FairLine(
                self._general_turns,
                self._max_waiting * LINE_SHARES,
                per_client=self._max_waiting,
                refusal=self._line_full,
            )
        line = self._turns
        try:
            turn = await line.acquire(client, max(0.0, deadline - time.monotonic()), sparql)
        except TimeoutError:
            raise QueryTimeout(f"no query worker became free within {limit:g} s") from None
        loop = asyncio.get_running_loop()
        # a query deferred its turn because it cost its worker: stopped, dead or abandoned
        held = _Held(release_later=lambda: loop.call_soon_threadsafe(line.release, turn, False))
        finished = False  # (for the line's estimate of what this text and client cost)
        try:
            yield held
            finished = True
        except (QueryTimeout, QueryOutOfMemory, ResultTooLarge):
            raise  # stopped: it takes at least the time it held its turn
        except Exception:
            finished = True  # answered with an error of its own (its text, a graph it names)
            raise
        finally:
            if not held.deferred:
                line.release(turn, finished)

    @staticmethod
    def _line_full(waiting: int) -> StoreBusy:
        return StoreBusy(
            f"all query workers of the general lane are busy and the waiting line has no place for "
            f"this query: {waiting} wait that are this client's own, or expected to be no heavier "
            "and from clients that have used no less"
        )

    async def _query_on_loop(
        self,
        job_for: Callable[[str], _Job],
        timeout: float | None,
        trusted: bool,
        deadline: float,
        limit: float,
        held: _Held | None = None,
    ) -> tuple[str, bytes]:
        worker = self._take_free(trusted)
        if worker is not None and not self._assign_current(worker):
            self._give_back(worker)  # a write to checkpoint first: the thread path does it
            worker = None
        remaining = max(0.0, deadline - time.monotonic())
        if worker is None:
            return await asyncio.to_thread(self._run, job_for, remaining, trusted)  # type: ignore[return-value]
        return await self._run_on_loop(worker, job_for(worker.snapshot), remaining, limit, held)  # type: ignore[return-value]

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

    async def _run_on_loop(
        self, worker: _Worker, job: _Job, remaining: float, limit: float, held: _Held | None = None
    ) -> object:
        loop = asyncio.get_running_loop()
        fd = worker.conn.fileno()
        ready: asyncio.Future[None] = loop.create_future()
        keep: _Worker | None = worker
        try:
            _send_whole(worker.conn, job)  # a few hundred bytes into an empty pipe: does not block
            if not worker.nonblocking:  # left so between answers (`_Worker.blocking`)
                os.set_blocking(fd, False)
                worker.nonblocking = True
            # the answer's first bytes, or the time limit: one timer handle, no task per query
            loop.add_reader(fd, _wake, ready)
            timer = loop.call_later(remaining, _expire, ready)
            try:
                await ready
            finally:
                timer.cancel()
                loop.remove_reader(fd)
            status, payload = await _receive(fd, worker.buffer)
        except TimeoutError:
            worker.process.kill()
            self._replace(worker, _deferred(held))
            keep = None
            raise QueryTimeout(f"the query ran longer than {limit:g} s and was stopped") from None
        except (EOFError, OSError) as exc:
            keep = None
            raise self._died(worker, _deferred(held)) from exc
        except BaseException:  # cancelled mid-job: its answer must not reach the next job
            worker.process.kill()
            self._replace(worker, _deferred(held))
            keep = None
            raise
        finally:
            if keep is not None:
                self._give_back(keep)
        if status == "out_of_memory":
            raise QueryOutOfMemory(self._out_of_memory())
        return _answer(status, payload)

    def quads(self, graph: str | None = None) -> Iterable[Quad]:
        text = self._writer.call("quads", graph, timeout=self.write_timeout, what="read")
        return list(parse(str(text), format=RdfFormat.N_QUADS))

    def quad_count(self) -> int:
        count = self._writer.call("quad_count", timeout=self.write_timeout, what="count")
        assert isinstance(count, int)
        return count

    def dump(
        self,
        rdf_format: RdfFormat,
        *,
        graph: str | None = None,
        timeout: float | None = None,
        trusted: bool = False,
    ) -> bytes:
        """Serialise a graph or the whole dataset in a worker, under the time and size limits."""
        _form, data = self._run(
            lambda snap: _Job(
                snap, "dump", "", None, None, graph_media_type=rdf_format.media_type,
                max_bytes=self.max_result_bytes, graph=graph,
            ),
            timeout,
            trusted,
        )  # fmt: skip
        return data

    # -- GraphStore: writes --------------------------------------------------------------
    def _wrote(self) -> None:
        self._generation += 1

    @contextlib.contextmanager
    def _writing(self) -> Iterator[float]:
        """Hold the write lock (waiting at most `write_timeout`); yields the time left."""
        deadline = time.monotonic() + self.write_timeout
        if not self._write_lock.acquire(timeout=self.write_timeout):
            raise WriteTimeout(f"another write held the store for more than {self.write_timeout:g} s")
        checkpointed = False
        try:
            yield max(0.1, deadline - time.monotonic())
        finally:
            self._wrote()
            if self._writer.alive:  # the next read sees this write, even if another one starts
                with contextlib.suppress(StoreError):
                    self._take_snapshot()
                    checkpointed = True
            self._write_lock.release()
            if not self._writer.alive:  # a stopped write: start the writer again meanwhile
                threading.Thread(target=self._restart_writer, daemon=True).start()
        if checkpointed:
            self._release_idle()

    def _restart_writer(self) -> None:
        """Start the writer again, holding the write lock (reads use the last checkpoint)."""
        with self._write_lock:
            if not self._closed:
                with contextlib.suppress(StoreError):  # the next write tries again
                    self._writer.ensure_started()

    def update(self, sparql_update: str, *, base_iri: str | None = None) -> None:
        with self._writing() as left:
            self._writer.update(sparql_update, base_iri=base_iri, timeout=left)

    def replace_graphs(
        self,
        graphs: Mapping[str, Iterable[Triple]],
        *,
        remove: Iterable[Quad] = (),
        add: Iterable[Quad] = (),
        before_commit: Callable[[], None] | None = None,
    ) -> None:
        if before_commit is not None:  # the write runs in another process: check before it starts
            before_commit()
        with self._writing() as left:
            self._writer.replace_graphs(graphs, remove, add, timeout=left)

    def scratch_copy(self) -> contextlib.AbstractContextManager[OxigraphStore]:
        """A copy of every quad in memory (`GraphStore.scratch_copy`)."""
        return memory_copy(self)

    def add_quads(self, quads: Iterable[Quad]) -> None:
        with self._writing() as left:
            self._writer.add_quads(quads, timeout=left)

    @property
    def worker_pids(self) -> list[int]:
        """The worker processes' ids (tests check none outlives `close`)."""
        return [w.process.pid for w in self._all if w.process.pid is not None]

    @property
    def writer_pid(self) -> int | None:
        return self._writer.pid

    def _stop_workers(self) -> bool:
        """Mark the pool closed and stop every worker; False if it was closed already."""
        with self._lock:
            if self._closed:
                return False
            self._closed = True
            workers = list(self._all)
        if self._threads is not None:
            self._threads.close()
        for worker in workers:
            worker.stop()
        return True

    def close(self) -> None:
        """Stop every worker and release the store; a second call does nothing."""
        if not self._stop_workers():
            return
        with self._write_lock:
            self._writer.close()
        shutil.rmtree(self._snapshots, ignore_errors=True)
