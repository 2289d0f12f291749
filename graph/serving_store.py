"""The store of one serving process of `jalinan serve --processes N` (`api/processes.py`).

Why: running clients' queries on threads of the process that serves HTTP costs about half the
CPU per answer of handing them to worker processes (`bench/RESULTS.md`, issue 13), but a thread
cannot be stopped. So several serving processes run queries on threads, and one whose query
overran retires as a whole and is replaced, while the store's one read-write opener (the
writer) stays in the parent.

A serving process reads what a read replica reads (`graph/replica.py`): the snapshots the parent
publishes into a folder (`graph/publish.py`), switching to a newer one atomically, its ETags
naming the snapshot. What it adds:

* writes are forwarded to the parent over the process's control pipe (`update`,
  `replace_graphs`, `add_quads`); the parent writes once, publishes a snapshot, bumps a counter
  in shared memory and only then answers; the forwarding process switches before it returns;
* every other serving process compares that counter with the one it last saw at the start of
  each request (`pinned`: one read of shared memory), and takes the newer snapshot first, so a
  read that starts after a write's answer sees the write, whichever process serves it;
* the query threads' lane retiring (a query overran its limit) calls `when_retiring`, which the
  serving process uses to stop accepting connections, finish its requests and exit.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pyoxigraph import Quad, Triple

from jalinan.graph.errors import StoreError
from jalinan.graph.replica import ReplicaStore
from jalinan.graph.snapshots import Snapshot

# Seconds a forwarded write may take beyond the write's own limit (the parent's checkpoint and
# its publication: milliseconds unless the disk is stuck).
PUBLISH_MARGIN_S = 60.0


class ServingStore(ReplicaStore):
    """A replica of the parent's published snapshots whose writes go to the parent (see above).

    `control`: this process's end of its pipe to the parent; `published`: the parent's count of
    publications (a `multiprocessing` shared value, read without a lock: one aligned word)."""

    def __init__(
        self,
        folder: str | Path,
        *,
        control: Connection,
        published: Any,
        write_timeout: float,
        **reads: Any,
    ):
        self._control = control
        self._control_lock = threading.Lock()  # one exchange with the parent at a time
        self._published = published
        self._seen = published.value  # read before the first snapshot: never behind it
        self._write_timeout = write_timeout
        self.when_retiring: Callable[[str], None] | None = None
        super().__init__(folder, **reads)
        self.read_only = False  # writes are taken (and forwarded)
        if self._threads is not None:
            self._threads.on_retire = self._retire

    # -- reads: never behind a write already answered -----------------------------------------
    def _catch_up(self) -> None:
        """Take the newest snapshot if the parent published since we last looked."""
        published = self._published.value
        if published == self._seen:
            return
        try:
            self.check()
        except StoreError as exc:  # keep serving the snapshot we have (the watcher retries)
            print(
                f"jalinan: serving process: cannot take the newest snapshot: {exc}",
                file=sys.stderr,
                flush=True,
            )
        self._seen = published

    @contextlib.contextmanager
    def pinned(self) -> Iterator[Snapshot]:
        if self._pinned.get() is None:
            self._catch_up()
        with super().pinned() as snapshot:
            yield snapshot

    # -- writes: to the parent, which holds the writer ------------------------------------------
    def _forward(self, operation: str, *arguments: object) -> None:
        with self._control_lock:
            try:
                self._control.send(("write", operation, arguments))
                if not self._control.poll(self._write_timeout + PUBLISH_MARGIN_S):
                    raise StoreError("the serving processes' parent did not answer the write in time")
                status, payload = self._control.recv()
            except (EOFError, OSError) as exc:
                raise StoreError(f"the serving processes' parent is gone: {exc}") from exc
        self._catch_up()  # this process reads its own write from its next request on
        if status == "raise":
            raise payload
        if status != "ok":
            raise StoreError(str(payload))

    def update(self, sparql_update: str, *, base_iri: str | None = None) -> None:
        self._forward("update", sparql_update, base_iri)

    def replace_graphs(
        self,
        graphs: Mapping[str, Iterable[Triple]],
        *,
        remove: Iterable[Quad] = (),
        add: Iterable[Quad] = (),
        before_commit: Callable[[], None] | None = None,  # type: ignore[override]
    ) -> None:
        if before_commit is not None:  # the write runs in another process: check before it starts
            before_commit()
        materialised = {name: list(triples) for name, triples in graphs.items()}
        self._forward("replace_graphs", materialised, list(remove), list(add))

    def add_quads(self, quads: Iterable[Quad]) -> None:
        self._forward("add_quads", list(quads))

    def tell_parent(self, message: tuple[object, ...]) -> None:
        """Send the parent a message that needs no answer (`ready`, `retiring`)."""
        with contextlib.suppress(OSError, ValueError), self._control_lock:
            self._control.send(message)

    # -- retiring -----------------------------------------------------------------------------
    def _retire(self, why: str) -> None:
        """The query threads' lane retired: tell the parent (it starts our replacement now), then
        let the serving process stop accepting and finish (`when_retiring`). Told from a thread:
        a write in progress holds the pipe, and this runs on the event loop."""

        threading.Thread(
            target=self.tell_parent, args=(("retiring", why),), name="jalinan-retiring", daemon=True
        ).start()
        if self.when_retiring is not None:
            self.when_retiring(why)
