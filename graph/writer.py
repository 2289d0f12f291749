"""Writes in a process of their own, so that a long or greedy write can be stopped.

pyoxigraph cannot cancel an update, and a thread cannot be killed; the server used to run
writes in its own process, where a runaway `INSERT … WHERE` or a huge body held the write lock
(and every uncached read behind it) for as long as it liked. Here one writer process holds the
read-write store: each write is sent to it with a time limit, and a write that outlives it is
stopped by killing the process. RocksDB commits a transaction all at once, so a killed write
leaves the store as it was (the fault tests kill servers mid-write to prove it). The writer
then starts again. It also runs under a memory limit (`RLIMIT_DATA`), like the query workers,
and is cut off from the network (`sandbox.deny_network`), so a `LOAD` reaches nothing.

Triples and quads cross the pipe as N-Triples / N-Quads text: pickling pyoxigraph terms is
about thirty times slower than writing and parsing the text.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Iterable, Mapping
from multiprocessing.connection import Connection
from pathlib import Path

from pyoxigraph import DefaultGraph, Quad, RdfFormat, Triple, parse

from jalinan.graph import children
from jalinan.graph.errors import QueryError, StoreError
from jalinan.graph.sandbox import OutboundRefused, SandboxUnavailable, deny_network

DEFAULT_WRITE_TIMEOUT_S = 120.0
DEFAULT_WRITE_MEMORY = 4 * 1024**3
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
MAX_RESTART_PAUSE_S = 5.0


class WriteTimeout(StoreError):
    """The write ran past its time limit; it was stopped and nothing of it was written."""


class WriteOutOfMemory(StoreError):
    """The write needed more memory than the writer may use; nothing of it was written."""


def _lines(quads: Iterable[Quad]) -> str:
    return "".join(
        f"{q.subject} {q.predicate} {q.object}"
        + ("" if isinstance(q.graph_name, DefaultGraph) else f" {q.graph_name}")
        + " .\n"
        for q in quads
    )


def _triple_lines(triples: Iterable[Triple]) -> str:
    return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples)


def _parsed_triples(text: str) -> list[Triple]:
    return [quad.triple for quad in parse(text, format=RdfFormat.N_TRIPLES)]


def _picklable(exc: StoreError) -> StoreError:
    """The error itself if it survives pickling (to be raised as it is in the server), else a
    plain `StoreError` with its message."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return StoreError(f"{type(exc).__name__}: {exc}")
    return exc


def _writer_main(
    conn: Connection, path: str, read_only: bool, memory_limit: int | None, parent_pid: int
) -> None:
    """The writer: open the store read-write, then run each operation sent to it."""
    from jalinan.graph.oxigraph_store import open_store
    from jalinan.graph.pool import limit_memory

    children.die_with_parent(parent_pid)
    limit_memory(memory_limit)
    with contextlib.suppress(SandboxUnavailable):  # updates also run on an offline thread, which
        deny_network()  # refuses to run anything if it cannot be cut off (`sandbox.OfflineThread`)
    try:
        store = open_store(path, read_only=read_only)
    except Exception as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send("ready")
    while True:
        try:
            message = conn.recv()
        except (EOFError, KeyboardInterrupt):
            store.close()
            return
        if message is None:
            store.close()
            conn.send("closed")
            return
        operation, argument = message
        try:
            result: object = None
            if operation == "update":
                sparql_update, base_iri = argument
                store.update(sparql_update, base_iri=base_iri)
            elif operation == "replace_graphs":
                graphs, remove, add = argument
                triples = {name: _parsed_triples(text) for name, text in graphs.items()}
                store.replace_graphs(
                    triples,
                    remove=list(parse(remove, format=RdfFormat.N_QUADS)),
                    add=list(parse(add, format=RdfFormat.N_QUADS)),
                )
            elif operation == "add_quads":
                store.add_quads(parse(argument, format=RdfFormat.N_QUADS))
            elif operation == "checkpoint":
                store.flush()
                store.backup(argument)
            elif operation == "graph_names":
                result = store.graph_names()
            elif operation == "quad_count":
                result = store.quad_count()
            elif operation == "quads":
                result = _lines(store.quads(argument))
            else:
                raise StoreError(f"unknown operation {operation!r}")
            answer: tuple = ("ok", result)
        except QueryError as exc:
            answer = ("query_error", str(exc))
        except OutboundRefused as exc:
            answer = ("outbound", str(exc))
        except SandboxUnavailable as exc:
            answer = ("sandbox", str(exc))
        except StoreError as exc:  # MissingGraphError, ExistingGraphError…: raised as they are
            answer = ("raise", _picklable(exc))
        except MemoryError:
            answer = ("out_of_memory", "")
        except Exception as exc:
            answer = ("error", f"{type(exc).__name__}: {exc}")
        conn.send(answer)


class StoreWriter:
    """The writer process, and the calls that send it work under a time limit."""

    _context = multiprocessing.get_context("spawn")

    def __init__(
        self, path: str | Path, *, read_only: bool = False, memory_limit: int | None = DEFAULT_WRITE_MEMORY
    ):
        self.path = str(path)
        self.read_only = read_only
        self.memory_limit = memory_limit
        self.restarts = 0
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._start()

    # -- the process ---------------------------------------------------------------------
    def _start(self) -> None:
        conn, child = self._context.Pipe()
        try:
            process = self._context.Process(
                target=_writer_main,
                args=(child, self.path, self.read_only, self.memory_limit, os.getpid()),
                daemon=True,
            )
            children.start(process)
        except BaseException:
            conn.close()
            raise
        finally:
            child.close()
        try:
            if conn.poll(START_TIMEOUT_S):
                first = conn.recv()
                if first == "ready":
                    self._process, self._conn = process, conn
                    return
                raise StoreError(f"the store writer could not open the store: {first[1]}")
            raise StoreError("the store writer did not start in time")
        except (EOFError, OSError) as exc:
            code = process.exitcode
            raise StoreError(f"the store writer stopped while starting (exit code {code})") from exc
        except BaseException:
            process.kill()
            process.join(STOP_TIMEOUT_S)
            conn.close()
            raise

    def _restart(self) -> None:
        """Kill the writer (if alive) and start another, retrying with a growing pause."""
        self._kill()
        pause = 0.1
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                self._start()
                return
            except Exception as exc:
                self.restarts += 1
                if time.monotonic() > deadline:
                    raise StoreError(f"the store writer could not be started again: {exc}") from exc
                print(f"jalinan: the store writer failed to start ({exc}); retrying in {pause:g} s",
                      file=sys.stderr, flush=True)  # fmt: skip
                time.sleep(pause)
                pause = min(pause * 2, MAX_RESTART_PAUSE_S)

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(STOP_TIMEOUT_S)  # RocksDB's lock is released when it has exited
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn = None, None

    @property
    def alive(self) -> bool:
        return self._conn is not None

    def ensure_started(self) -> None:
        """Start the writer again if a stopped write killed it."""
        if self._conn is None:
            self._restart()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    # -- calls ---------------------------------------------------------------------------
    def call(self, operation: str, argument: object = None, *, timeout: float, what: str = "write") -> object:
        """Run one operation; past `timeout` seconds it is stopped (the writer killed and restarted)."""
        self.ensure_started()
        assert self._conn is not None and self._process is not None
        try:
            self._conn.send((operation, argument))
            if not self._conn.poll(timeout):
                self._kill()  # started again by the next call, or by `ensure_started`
                raise WriteTimeout(
                    f"the {what} ran longer than {timeout:g} s and was stopped; nothing was written"
                )
            status, payload = self._conn.recv()
        except (EOFError, OSError) as exc:
            process = self._process
            if process is not None:
                process.join(1)
            exitcode = None if process is None else process.exitcode
            self._kill()
            if self.memory_limit is not None and exitcode in (-signal.SIGABRT, -signal.SIGKILL):
                raise WriteOutOfMemory(self._out_of_memory(what)) from exc
            raise StoreError(f"the store writer failed (exit code {exitcode})") from exc
        if status == "query_error":
            raise QueryError(payload)
        if status == "out_of_memory":
            self._kill()  # its heap may be left in pieces: start afresh
            raise WriteOutOfMemory(self._out_of_memory(what))
        if status == "outbound":
            raise OutboundRefused(payload)
        if status == "sandbox":
            raise SandboxUnavailable(payload)
        if status == "raise":
            raise payload
        if status == "error":
            raise StoreError(payload)
        return payload

    def _out_of_memory(self, what: str) -> str:
        limit = "its limit" if self.memory_limit is None else f"the {self.memory_limit // 2**20} MiB"
        return f"the {what} needed more than {limit} of memory the writer may use; nothing was written"

    def update(self, sparql_update: str, *, base_iri: str | None = None, timeout: float) -> None:
        self.call("update", (sparql_update, base_iri), timeout=timeout)

    def replace_graphs(
        self,
        graphs: Mapping[str, Iterable[Triple]],
        remove: Iterable[Quad],
        add: Iterable[Quad],
        *,
        timeout: float,
    ) -> None:
        texts = {name: _triple_lines(triples) for name, triples in graphs.items()}
        self.call("replace_graphs", (texts, _lines(remove), _lines(add)), timeout=timeout)

    def add_quads(self, quads: Iterable[Quad], *, timeout: float) -> None:
        self.call("add_quads", _lines(quads), timeout=timeout)

    def close(self) -> None:
        """Stop the writer, letting it flush and close the store; kill it if it does not."""
        if self._conn is not None and self._process is not None:
            try:
                self._conn.send(None)
                if self._conn.poll(STOP_TIMEOUT_S):
                    self._conn.recv()
                self._process.join(STOP_TIMEOUT_S)
            except (EOFError, OSError):
                pass
        self._kill()
