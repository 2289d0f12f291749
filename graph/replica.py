"""A read replica: the query workers of `PooledStore`, over published snapshots, switching to a
newer one as soon as it is published.

A replica (`jalinan serve --read-only --store DIR`) writes nothing and holds no store lock: it
serves the snapshot that `DIR/current.json` names (`graph/snapshots.py`), and a thread polls that
pointer. When it names a newer snapshot, the replica takes a lease on it, checks that it opens,
and then switches in one step under the snapshot lock: new requests get the new snapshot and
its version; requests already running finish on the old one; idle workers close the old one at
once, busy ones when their query ends, and the old snapshot's lease is released when no worker
and no request holds it any more (then the publisher may prune it).

**One version per answer.** An answer may take several queries (a list page and its details).
`pinned()` fixes the snapshot for everything run in its context (a `contextvars` variable, which
follows the request into the threads it uses): the API pins one per request, so every query of
an answer reads the same snapshot, and `version` (the ETag's basis) names that snapshot.

As in `PooledStore`, the server process never opens the store for a query: workers do, each in
its own process under the network sandbox, each opening the snapshot that a job names. No
pyoxigraph result crosses a thread or a process boundary (workers answer with bytes or plain
values).
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, Quad, RdfFormat, Triple, parse

from jalinan.graph.errors import StoreError
from jalinan.graph.oxigraph_store import open_store
from jalinan.graph.pool import READ_DEFAULTS, PooledStore, _Job
from jalinan.graph.snapshots import POINTER, Lease, Snapshot, SnapshotMissing, read_pointer

DEFAULT_POLL_S = 1.0


class ReadOnlyReplica(StoreError):
    """A write was sent to a read replica, which serves published snapshots and writes nothing."""


class ReplicaStore(PooledStore):
    """`GraphStore` over the newest published snapshot in `folder` (see the module docstring)."""

    def __init__(self, folder: str | Path, *, poll_interval: float = DEFAULT_POLL_S, **reads: Any):
        """`reads`: the read side's options, as `PooledStore` takes them (`workers`, `reserved`,
        `max_waiting`, `timeout`, `max_rows`, `max_result_bytes`, `worker_memory`, `networked`,
        `spares`)."""
        self.folder = Path(folder)
        self.path = self.folder
        self.read_only = True
        self.poll_interval = poll_interval
        self._leases: dict[str, Lease] = {}  # snapshot path -> our lease on it
        self._pins: Counter[str] = Counter()  # snapshot path -> requests pinned to it now
        self._pinned: contextvars.ContextVar[Snapshot | None] = contextvars.ContextVar(
            f"jalinan-replica-{id(self)}", default=None
        )
        self._refused: set[str] = set()  # versions that did not open (said once each)
        self._pointer_stat: tuple[int, int, int] | None = None
        self._check_lock = threading.Lock()  # one check at a time (the watcher, or a test)
        first, lease = self._newest()
        self._current = first
        self._leases[str(first.store_path)] = lease
        self._snapshot = str(first.store_path)
        self._generation = self._snapshot_generation = 0  # the pool's checkpoint logic: always current
        try:
            self._start_workers(**{**READ_DEFAULTS, **reads})
        except BaseException:
            lease.release()
            raise
        self.switches = 0  # how many times a newer snapshot was taken (tests and logs read it)
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="jalinan-replica-watch", daemon=True)
        self._watcher.start()

    # -- which snapshot --------------------------------------------------------------------
    def _newest(self) -> tuple[Snapshot, Lease]:
        """The snapshot the pointer names, leased; read again if it was pruned meanwhile."""
        for _attempt in range(5):
            snapshot = read_pointer(self.folder)
            lease = Lease.take(snapshot)
            if lease is not None:
                return snapshot, lease
        raise SnapshotMissing(f"the snapshots {self.folder}/{POINTER} names keep disappearing")

    @property
    def snapshot(self) -> Snapshot:
        """The snapshot this context reads: the one pinned, else the newest taken."""
        return self._pinned.get() or self._current

    @property
    def version(self) -> str:
        """The version of the snapshot this context reads: the same on every replica serving it,
        so ETags agree across replicas behind one load balancer."""
        return self.snapshot.version

    @contextlib.contextmanager
    def pinned(self) -> Iterator[Snapshot]:
        """Read one snapshot for everything run in this context, even if a newer one is taken."""
        held = self._pinned.get()
        if held is not None:  # already pinned (a nested call)
            yield held
            return
        with self._snapshot_lock:
            snapshot = self._current
            self._pins[str(snapshot.store_path)] += 1
        token = self._pinned.set(snapshot)
        try:
            yield snapshot
        finally:
            self._pinned.reset(token)
            with self._snapshot_lock:
                path = str(snapshot.store_path)
                self._pins[path] -= 1
                if self._pins[path] <= 0:
                    del self._pins[path]
                stale = snapshot is not self._current
            if stale:
                self._forget_old_snapshots()

    def _assign_current(self, worker) -> bool:  # type: ignore[no-untyped-def]
        with self._snapshot_lock:
            worker.snapshot = str(self.snapshot.store_path)
        return True

    def _hold_for_thread(self) -> str | None:
        assert self._threads is not None
        with self._snapshot_lock:
            path = str(self.snapshot.store_path)
            self._threads.hold(path)
        return path

    def _snapshot_for(self, worker) -> str:  # type: ignore[no-untyped-def]
        self._assign_current(worker)
        return worker.snapshot

    def _forget_old_snapshots(self) -> None:
        """Release the lease on every snapshot no worker and no request holds (never delete:
        the snapshots are the publisher's, which prunes them once nobody holds a lease)."""
        with self._snapshot_lock:
            in_use = {w.snapshot for w in self._all} | {str(self._current.store_path)} | set(self._pins)
            in_use |= self._thread_snapshots()
            stale = [self._leases.pop(path) for path in list(self._leases) if path not in in_use]
        for lease in stale:
            lease.release()

    # -- watching for a newer snapshot -----------------------------------------------------
    def _watch(self) -> None:
        said = ""
        while not self._stop.wait(self.poll_interval):
            try:
                if self.check():
                    taken = f"jalinan: replica: now serving snapshot {self.version}"
                    print(taken, file=sys.stderr, flush=True)
                said = ""
            except Exception as exc:  # keep serving the snapshot we have, and say why (once)
                message = f"jalinan: replica: cannot take the newest snapshot: {exc}"
                if message != said:
                    print(message, file=sys.stderr, flush=True)
                said = message

    def check(self) -> bool:
        """Take the newest published snapshot if it is not the one served; whether it switched.
        Called by the watcher thread every `poll_interval` seconds (and by tests)."""
        with self._check_lock:
            return self._check()

    def _check(self) -> bool:
        try:
            stat = (self.folder / POINTER).stat()
        except FileNotFoundError:
            return False
        seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if seen == self._pointer_stat:
            return False
        newest, lease = self._newest()
        if newest.version == self._current.version or newest.version in self._refused:
            lease.release()
            self._pointer_stat = seen
            return False
        try:
            open_store(newest.store_path, read_only=True).close()  # it opens: nothing half copied
        except StoreError as exc:
            lease.release()
            self._refused.add(newest.version)
            raise StoreError(f"snapshot {newest.version} does not open ({exc}); still serving "
                             f"{self._current.version}") from exc  # fmt: skip
        with self._snapshot_lock:
            self._current = newest
            self._snapshot = str(newest.store_path)
            self._leases[self._snapshot] = lease
        self._pointer_stat = seen
        self.switches += 1
        self._release_idle()  # idle workers close the old snapshot now; then its lease goes
        return True

    # -- reads the pool sends to its writer elsewhere ----------------------------------------
    def quad_count(self) -> int:
        count = self._run(lambda snap: _Job(snap, "quad_count", "", None, None), None, True)
        assert isinstance(count, int)
        return count

    def quads(self, graph: str | None = None) -> Iterable[Quad]:
        """Read by a worker and serialised (never cut short: past the byte cap, `ResultTooLarge`)."""
        if graph is None:
            return list(parse(self.dump(RdfFormat.N_QUADS), format=RdfFormat.N_QUADS))
        name = NamedNode(graph)
        triples = parse(self.dump(RdfFormat.N_TRIPLES, graph=graph), format=RdfFormat.N_TRIPLES)
        return [Quad(t.subject, t.predicate, t.object, name) for t in triples]

    # -- writes: none ------------------------------------------------------------------------
    def _refuse(self) -> StoreError:
        return ReadOnlyReplica(
            f"this is a read replica of the snapshots in {self.folder}: it writes nothing; write to "
            "the writer's store and publish (`jalinan publish`)"
        )

    def update(self, sparql_update: str, *, base_iri: str | None = None) -> None:
        raise self._refuse()

    def replace_graphs(
        self,
        graphs: Mapping[str, Iterable[Triple]],
        *,
        remove: Iterable[Quad] = (),
        add: Iterable[Quad] = (),
        before_commit: object = None,
    ) -> None:
        raise self._refuse()

    def add_quads(self, quads: Iterable[Quad]) -> None:
        raise self._refuse()

    @property
    def writer_pid(self) -> int | None:
        return None

    def close(self) -> None:
        """Stop the watcher and every worker, and release every lease; a second call does nothing."""
        self._stop.set()
        if not self._stop_workers():
            return
        with self._snapshot_lock:
            leases = list(self._leases.values())
            self._leases.clear()
        for lease in leases:
            lease.release()
