"""The embedded backend: pyoxigraph on disk (RocksDB).

Two facts of pyoxigraph 0.5 shape this module: a result iterator must be consumed in the thread
that ran the query, so every method here materialises or serialises before returning; and only
one process may open a store read-write, so opening failures are turned into errors that say so.
"""

import asyncio
import io
import itertools
import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pyoxigraph import (
    BlankNode,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
)

from jalinan.graph.errors import (
    ExistingGraphError,
    MissingGraphError,
    QueryError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreNotFoundError,
)
from jalinan.graph.packed import PackedGraph
from jalinan.graph.results import GraphResult, QueryResult, materialise
from jalinan.graph.sandbox import offline_update

# Above this many triples, filling an empty on-disk store goes through the bulk loader (about 4×
# faster than one transaction at 2 million triples, and without holding the whole transaction
# in memory); below it the transactional path is fast enough and simpler.
BULK_LOAD_THRESHOLD = 100_000
# One `bulk_extend` call holds much of what it is given in memory while it sorts it into index
# files: measured (bench/RESULTS.md, "Full-ingest memory"), one call with 3.3 million quads
# raised peak RSS by 2 GB, calls of 100,000 by 70 MB, for about a fifth more CPU time (5 s).
BULK_LOAD_CHUNK = 100_000


def open_store(path: str | Path, *, read_only: bool = False) -> "OxigraphStore":
    """Open (creating if needed, unless read-only) the on-disk store at `path`."""
    path = Path(path)
    if read_only and not (path / "CURRENT").exists():
        raise StoreNotFoundError(f"no store at {path}: run `jalinan ingest --store {path}` first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        inner = Store.read_only(str(path)) if read_only else Store(str(path))
    except (OSError, RuntimeError) as exc:  # RocksDB reports corruption as RuntimeError
        message = str(exc)
        if "lock" in message.lower():
            raise StoreLockedError(
                f"the store at {path} is open in another process (a running `jalinan serve` "
                f"or `jalinan ingest`?); stop it or use another --store"
            ) from exc
        raise StoreCorruptError(f"cannot open the store at {path}: {message}") from exc
    return OxigraphStore(inner, path=path, read_only=read_only)


def open_memory_store() -> "OxigraphStore":
    """A store in memory, for a few derived quads read by SPARQL (nothing on disk)."""
    return OxigraphStore(Store())


@contextmanager
def memory_copy(store: Any) -> Iterator["OxigraphStore"]:
    """Every quad (and named graph) of a `GraphStore`, copied into a store in memory: the
    scratch copy of a backend that has no cheaper one (a remote server, the pool)."""
    copy = open_memory_store()
    copy._store.extend(store.quads())
    for name in store.graph_names():
        copy._store.add_graph(NamedNode(name))
    yield copy


class OxigraphStore:
    """`GraphStore` over a pyoxigraph `Store`."""

    def __init__(self, inner: Store, *, path: Path | None = None, read_only: bool = False):
        self._store = inner
        self.path = path
        self.read_only = read_only
        self._preload: _Preload | None = None

    @property
    def version(self) -> str | None:
        """None: another process (`jalinan ingest`) may write this store behind our back, so
        its content has no version this handle could vouch for (`PooledStore` has one)."""
        return None

    # -- reading -------------------------------------------------------------------------
    def execute(
        self,
        sparql: str,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QuerySolutions | QueryBoolean | Iterable[Triple]:
        """pyoxigraph's own result, for a caller that streams it (the pool's workers cap rows and
        bytes while reading). It must be consumed in this thread: pyoxigraph aborts otherwise.
        Relative IRIs resolve against `base_iri` (None: they are a syntax error)."""
        options: dict[str, object] = {"base_iri": base_iri}
        if default_graphs is None:
            options["use_default_graph_as_union"] = True
        else:
            options["default_graph"] = [NamedNode(iri) for iri in default_graphs]
        if named_graphs is not None:
            options["named_graphs"] = [NamedNode(iri) for iri in named_graphs]
        try:
            return self._store.query(sparql, **options)
        except SyntaxError as exc:
            raise QueryError(str(exc)) from exc
        except (ValueError, TypeError) as exc:
            raise QueryError(str(exc)) from exc
        except OSError as exc:
            raise StoreError(str(exc)) from exc

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        trusted: bool = False,
    ) -> QueryResult:
        """Run a query in this thread. `timeout` and `trusted` are accepted for the interface's
        sake: a time limit cannot be enforced in-process (`PooledStore` enforces it), and
        there is no reserved lane to use."""
        return materialise(self.execute(sparql, default_graphs, named_graphs))

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
        result = self.execute(sparql, default_graphs, named_graphs, base_iri)
        if isinstance(result, QueryBoolean):
            return "ASK", result.serialize(format=results_format)
        if isinstance(result, QuerySolutions):
            return "SELECT", result.serialize(format=results_format)
        return "GRAPH", result.serialize(format=graph_format)

    async def query_serialized_async(
        self,
        sparql: str,
        results_format: QueryResultsFormat,
        graph_format: RdfFormat,
        *,
        client: str | None = None,  # who asks: only a pool's fair line uses it
        **options: Any,
    ) -> tuple[str, bytes]:
        """`query_serialized` for a caller on an event loop: in a thread, which it needs (the
        query runs in this process, unbounded)."""
        return await asyncio.to_thread(self.query_serialized, sparql, results_format, graph_format, **options)

    def graph_names(self) -> list[str]:
        return sorted(graph.value for graph in self._store.named_graphs())

    def has_graph(self, name: str) -> bool:
        return self._store.contains_named_graph(NamedNode(name))

    def quad_count(self) -> int:
        # Counted in Rust: 0.7 s at 2.1 million quads, where listing them as Python objects
        # took most of a two-minute `jalinan stats`.
        return len(self._store)

    def quads(self, graph: str | None = None) -> Iterable[Quad]:
        graph_name = NamedNode(graph) if graph is not None else None
        return list(self._store.quads_for_pattern(None, None, None, graph_name))

    def dump(
        self,
        rdf_format: RdfFormat,
        *,
        graph: str | None = None,
        timeout: float | None = None,
        trusted: bool = False,
    ) -> bytes:
        """(`timeout` and `trusted` as for `query`: not enforced in-process.)"""
        if graph is not None:
            return self._store.dump(format=rdf_format, from_graph=NamedNode(graph))
        if rdf_format.supports_datasets:
            return self._store.dump(format=rdf_format)
        union = self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        assert isinstance(union, GraphResult)
        from pyoxigraph import serialize

        return serialize(union.triples, format=rdf_format)

    # -- writing -------------------------------------------------------------------------
    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store at {self.path} is open read-only")

    def update(self, sparql_update: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL Update on the process's offline thread (`sandbox.offline_update`): this
        process keeps its network, but `LOAD <…>` or `SERVICE <…>` in an update must not reach
        anything, so the kernel refuses that thread any socket. Such an update fails with
        `OutboundRefused`, whatever the address and whether anything listens there. Relative IRIs
        resolve against `base_iri` (the endpoint's own URL for the SPARQL Protocol)."""
        self._writable()
        try:
            offline_update(self._store, sparql_update, base_iri=base_iri)
        except SyntaxError as exc:
            raise QueryError(str(exc)) from exc
        except (ValueError, TypeError) as exc:
            raise QueryError(str(exc)) from exc
        except OSError as exc:
            raise StoreError(str(exc)) from exc
        except RuntimeError as exc:  # how pyoxigraph reports a graph that must (not) exist
            message = str(exc)
            if message.endswith("does not exist"):
                raise MissingGraphError(message) from exc
            if message.endswith("already exists"):
                raise ExistingGraphError(message) from exc
            raise StoreError(message) from exc

    def replace_graphs(
        self,
        graphs: Mapping[str, Iterable[Triple]],
        *,
        remove: Iterable[Quad] = (),
        add: Iterable[Quad] = (),
        before_commit: Callable[[], None] | None = None,
    ) -> None:
        """Replace graphs in one transaction: readers see all old or all new content.

        `before_commit`, when given, is called once the write is ready to become visible and
        may raise to abandon it (nothing is then written): ingest passes the end of its shape
        check, so that a first bulk load is staged while the check runs instead of after it.
        On the transactional paths it is called before anything is written.

        New graphs go in with `Store.extend` (one transaction, fastest); when any graph already
        exists, the drop and the insert go together in one SPARQL Update, which Oxigraph also
        applies as one transaction. Terms are pyoxigraph objects whose `str()` is a correctly
        escaped N-Triples term, so no raw text is ever spliced into the update. A large write
        into an empty store (a first ingest, an import) goes through the bulk loader instead,
        still all or nothing (`_load_into_empty`).
        """
        self._writable()
        # a packed graph stays packed: the bulk loader reads its lines (the other paths parse it)
        materialised = {
            name: triples if isinstance(triples, PackedGraph) else list(triples)
            for name, triples in graphs.items()
        }
        removed, added = list(remove), list(add)
        size = sum(len(triples) for triples in materialised.values())
        if size >= BULK_LOAD_THRESHOLD and not removed and self.path is not None and self._is_empty():
            self._load_into_empty(materialised, added, before_commit)
            return
        self.abandon_preload()
        if before_commit is not None:
            before_commit()
        existing = [name for name in materialised if self._store.contains_named_graph(NamedNode(name))]
        if not existing and not removed:
            self._store.extend(
                [
                    *(
                        Quad(t.subject, t.predicate, t.object, NamedNode(name))
                        for name, triples in materialised.items()
                        for t in triples
                    ),
                    *added,
                ]
            )
            for name, triples in materialised.items():
                if not triples:
                    self._store.add_graph(NamedNode(name))
            return
        self._store.update(self._replacement(materialised, set(existing), removed, added))

    def _replacement(
        self,
        graphs: Mapping[str, Iterable[Triple]],
        existing: set[str],
        removed: list[Quad],
        added: list[Quad],
    ) -> str:
        """The one SPARQL Update that gives each of `graphs` exactly its new triples (an empty
        one is dropped), then deletes `removed` and inserts `added`.

        A graph that exists already gets only what differs from what it holds (`DELETE DATA` of
        the old triples it loses, `INSERT DATA` of the new ones), not a drop and a full insert:
        re-ingesting a whole folder rewrites every derived graph (the lists' order, the member
        and agreement lists, the counts, the network summary: 1.8 million triples at 10,000
        articles), of which one changed article moves a few hundred triples. Oxigraph holds a
        transaction in memory, so the full rewrite took minutes and gigabytes (see
        bench/RESULTS.md); the difference is read from the store in a second. A graph whose
        lost triples hold a blank node is dropped and inserted whole instead (`DELETE DATA`
        may not name a blank node, and a stored blank node never equals a new one anyway).
        """
        drops: list[str] = []
        deletes: list[Quad] = []
        inserts: list[Quad] = []
        for name, triples in graphs.items():
            graph = NamedNode(name)
            new = {Quad(t.subject, t.predicate, t.object, graph) for t in triples}
            if name not in existing or not new:
                if name in existing:
                    drops.append(f"DROP SILENT GRAPH {graph}")
                inserts.extend(new)
                continue
            old = set(self._store.quads_for_pattern(None, None, None, graph))
            lost = old - new
            if any(_has_blank_node(q) for q in lost):
                drops.append(f"DROP SILENT GRAPH {graph}")
                inserts.extend(new)
            else:
                deletes.extend(lost)
                inserts.extend(new - old)
        # (a replaced graph ends with its new triples and `added`'s, whatever `removed` says)
        removed = [
            q for q in removed if not (isinstance(q.graph_name, NamedNode) and q.graph_name.value in graphs)
        ]
        parts = drops
        if deletes or removed:
            parts.append(f"DELETE DATA {{\n{quad_block([*deletes, *removed])}\n}}")
        parts.append(f"INSERT DATA {{\n{quad_block([*inserts, *added])}\n}}")
        return " ;\n".join(parts)

    def begin_first_load(self) -> bool:
        """Get ready to load graphs before the write is known whole (`preload`), and say
        whether this store can: only an empty store on disk, which a first write fills through
        the bulk loader (`_load_into_empty`).

        A first full ingest builds its article graphs long before it has derived the rest
        (counts, lists, the inferred graph, the network summary); loading them as they are
        built, in a background thread (the loader works in Rust, without the GIL), uses the
        core that translating leaves idle and takes the larger part of the bulk load off the
        end of the ingest. Nothing becomes visible sooner: the write that follows
        (`replace_graphs`) takes the staging folder over only if it writes these very graphs
        (the same objects), and still replaces the store with it in one rename; any other
        write, `abandon_preload` or `close` discards it.
        """
        if self.path is None or self.read_only or self._preload is not None or not self._is_empty():
            return False
        self._preload = _Preload(self._staging_path())
        return True

    def preload(self, graphs: Mapping[str, PackedGraph]) -> None:
        """Hand graphs to the load `begin_first_load` got ready; it begins once they add up to
        `BULK_LOAD_THRESHOLD` triples (a smaller write is one transaction, loaded at once)."""
        if self._preload is None:
            raise StoreError("no first load was begun (begin_first_load)")
        self._preload.add(graphs)

    def abandon_preload(self) -> None:
        """Stop a load begun by `preload` and delete its staging folder (nothing to do if none)."""
        preload, self._preload = self._preload, None
        if preload is not None:
            preload.abandon()

    def _staging_path(self) -> Path:
        """Where a first load is built before it replaces the store by one rename (beside it,
        on the same file system)."""
        assert self.path is not None
        return self.path.with_name(f".{self.path.name}.loading")

    def _is_empty(self) -> bool:
        no_quads = next(iter(self._store.quads_for_pattern(None, None, None, None)), None) is None
        return no_quads and next(iter(self._store.named_graphs()), None) is None

    def _load_into_empty(
        self,
        graphs: Mapping[str, list[Triple] | PackedGraph],
        added: list[Quad],
        before_commit: Callable[[], None] | None = None,
    ) -> None:
        """Fill this empty store with the bulk loader, all or nothing.

        `Store.bulk_extend` is not transactional, so it writes a staging store beside this one;
        only when that is complete (and `before_commit` has returned) is the (empty) store
        replaced by it with one directory rename. A crash or a raising `before_commit` before
        the rename leaves the empty store (the staging folder is removed, or else the next load
        removes it); after it, the whole new content.
        """
        assert self.path is not None
        staging = self._staging_path()
        preload, self._preload = self._preload, None
        loaded: Mapping[str, PackedGraph] = {}
        if preload is not None and all(graphs.get(name) is packed for name, packed in preload.graphs.items()):
            loaded = preload.graphs  # (already in the staging folder, or being loaded there)
        elif preload is not None:
            preload.abandon()
            preload = None
        if preload is None:
            shutil.rmtree(staging, ignore_errors=True)
        fresh: Store | None = None
        try:
            rest = {n: g for n, g in graphs.items() if isinstance(g, PackedGraph) and n not in loaded}
            if preload is not None:
                preload.add(rest)  # (in the same loader call: see `_bulk_load_packed`)
                fresh = preload.finish()
            else:
                fresh = Store(str(staging))
                _bulk_load_packed(fresh, rest.items())
            quads = itertools.chain(
                (
                    Quad(t.subject, t.predicate, t.object, graph)
                    for name, triples in graphs.items()
                    if not isinstance(triples, PackedGraph)
                    for graph in (NamedNode(name),)  # one term per graph, not one per quad
                    for t in triples
                ),
                added,
            )
            while chunk := list(itertools.islice(quads, BULK_LOAD_CHUNK)):
                fresh.bulk_extend(chunk)  # memory bounded by the chunk (see BULK_LOAD_CHUNK)
            for name, triples in graphs.items():
                if not triples:
                    fresh.add_graph(NamedNode(name))
            fresh.flush()
            # the loader's calls leave many small index files: compacted, reads cost half
            # (10,000 articles: 97 files, agreements-between p95 49.9 ms; compacted in 5.5 s,
            # 36 files and 23.0 ms). It overlaps the shape check, which `before_commit` awaits.
            fresh.optimize()
            if before_commit is not None:
                before_commit()
        except BaseException:
            if preload is not None:
                preload.abandon()
            del fresh
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if preload is not None:
            preload.store = None
        del fresh  # closes RocksDB (and releases its lock) before the rename
        self._store = None  # type: ignore[assignment]  # the same for the empty store
        shutil.rmtree(self.path)
        os.rename(staging, self.path)
        self._store = Store(str(self.path))

    def remove_graphs(self, names: Iterable[str]) -> None:
        """Remove named graphs in one transaction."""
        self._writable()
        statements = [f"DROP SILENT GRAPH {NamedNode(name)}" for name in names]
        if statements:
            self._store.update(" ;\n".join(statements))

    def add_quads(self, quads: Iterable[Quad]) -> None:
        """Add quads in one transaction (Graph Store Protocol POST merges this way)."""
        self._writable()
        try:
            self._store.extend(quads)
        except OSError as exc:
            raise StoreError(str(exc)) from exc

    @contextmanager
    def scratch_copy(self) -> Iterator["OxigraphStore"]:
        """A writable copy (`GraphStore.scratch_copy`): on disk, a RocksDB checkpoint beside the
        store (hard links of its immutable files, whatever the store's size; with the opening,
        0.1–0.2 s at 10,000 articles on the shared machine), its own store, deleted on leaving; in
        memory, a copy of every quad. A copy left by a crash is deleted by the next one: only
        the process holding the store read-write makes them."""
        if self.path is None:
            with memory_copy(self) as copy:
                yield copy
            return
        self._writable()
        prefix = f".{self.path.name}.scratch-"
        for stale in self.path.parent.glob(prefix + "*"):
            shutil.rmtree(stale, ignore_errors=True)
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=self.path.parent))
        try:
            self._store.backup(str(folder / "store"))
            copy = OxigraphStore(Store(str(folder / "store")), path=folder / "store")
            try:
                yield copy
            finally:
                copy._store = None  # type: ignore[assignment]  # closed unflushed: it is deleted
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def backup(self, target: str | Path) -> None:
        """A consistent checkpoint of the store in `target` (hard links: cheap)."""
        self._store.backup(str(target))

    def flush(self) -> None:
        if not self.read_only:
            self._store.flush()

    def close(self) -> None:
        """Drop the handle so that RocksDB releases its lock (and any load `preload` began)."""
        self.abandon_preload()
        if self._store is not None:
            self.flush()
            del self._store
            self._store = None  # type: ignore[assignment]

    def __enter__(self) -> "OxigraphStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Preload:
    """Packed graphs bulk-loaded into a staging store by a background thread as they are
    handed over (`OxigraphStore.preload`), once they are many enough to be worth it."""

    def __init__(self, staging: Path):
        self.staging = staging
        self.graphs: dict[str, PackedGraph] = {}
        self.store: Store | None = None
        self._size = 0  # triples handed over before the load began
        self._feed: queue.SimpleQueue[tuple[str, PackedGraph] | None] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def add(self, graphs: Mapping[str, PackedGraph]) -> None:
        for name, packed in graphs.items():
            self.graphs[name] = packed
            self._feed.put((name, packed))
            self._size += len(packed)
        if self._thread is None and self._size >= BULK_LOAD_THRESHOLD:
            self._begin()

    def _begin(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)  # (left by a crash)
        self.store = Store(str(self.staging))
        self._thread = threading.Thread(target=self._run, name="first-load", daemon=True)
        self._thread.start()

    def _handed_over(self) -> Iterator[tuple[str, PackedGraph]]:
        while (item := self._feed.get()) is not None:
            yield item

    def _run(self) -> None:
        try:
            assert self.store is not None
            _bulk_load_packed(self.store, self._handed_over(), stop=self._stop)
        except BaseException as exc:  # raised by `finish`, in the writing thread
            self._error = exc

    def finish(self) -> Store:
        """Load what is left, wait for the load and give its store; raise what failed it."""
        if self._thread is None:
            self._begin()
        assert self._thread is not None and self.store is not None
        self._feed.put(None)
        self._thread.join()
        if self._error is not None:
            raise StoreError(f"the first load failed: {self._error}") from self._error
        return self.store

    def abandon(self) -> None:
        """Stop the loader at its next read, close the staging store and delete it."""
        if self._thread is None:
            return  # nothing was written
        self._stop.set()
        self._feed.put(None)
        self._thread.join()
        self._error = None  # (its traceback holds the loader's frames, and so the store)
        self.store = None  # closes RocksDB before its folder goes
        shutil.rmtree(self.staging, ignore_errors=True)


def _bulk_load_packed(
    store: Store, graphs: Iterable[tuple[str, PackedGraph]], *, stop: threading.Event | None = None
) -> None:
    """Bulk-load packed graphs (name, graph) in one loader call, reading them as one N-Quads
    document (`PiecesReader`): the loader parses the text itself, so no Python object is made
    per quad, and it sorts what it reads into index files a million quads at a time, handing
    them all to RocksDB at the end of the call.

    One call, not one per 100,000 quads as before: each call's files land on RocksDB's first
    level over the whole key range (Oxigraph's keys are hashes), and RocksDB compacted them
    into the rest of the store in the background after every few calls, rewriting it each
    time: 60 % of the loader's CPU at 8.5 million quads (`bench/loader_scaling_bench.py`).
    Once loaded, the store is compacted once (`Store.optimize`, by the caller). `stop`, once
    set, ends the load with an error at its next read (the caller deletes the store).
    """
    texts = (packed.nquads(NamedNode(name)) for name, packed in graphs)
    # leniently: the lines are pyoxigraph's own serialisation of terms it validated when they
    # were made (see graph/packed.py), so checking their IRIs again finds nothing (10 % of the
    # loader's CPU at 1,000 articles)
    store.bulk_load(input=PiecesReader(texts, stop), format=RdfFormat.N_QUADS, lenient=True)


class LoadStopped(Exception):
    """Raised by `PiecesReader` into the loader when its load is to stop."""


class PiecesReader(io.RawIOBase):
    """Pieces of text as one binary file, for `Store.bulk_load` to read as it reads a file:
    each piece is made when the loader reaches it (a packed graph's N-Quads), so one piece at
    most is held here; reading waits for the next piece when `pieces` does (a first load's
    graphs arrive as ingest builds them). Once `stop` is set, the next read raises
    `LoadStopped`, which ends the loader's call with an error."""

    def __init__(self, pieces: Iterable[bytes], stop: threading.Event | None = None):
        super().__init__()
        self._pieces = iter(pieces)
        self._stop = stop
        self._text = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._text:
            piece = next(self._pieces, None)  # (may wait for a first load's next graph)
            if self._stop is not None and self._stop.is_set():
                raise LoadStopped("the load was stopped")
            if piece is None:
                return 0
            self._text = memoryview(piece)
        size = min(len(buffer), len(self._text))
        buffer[:size] = self._text[:size]
        self._text = self._text[size:]
        return size


def _has_blank_node(quad: Quad) -> bool:
    return isinstance(quad.subject, BlankNode) or isinstance(quad.object, BlankNode)


def quad_block(quads: Iterable[Quad]) -> str:
    """Quads as the body of `INSERT DATA`/`DELETE DATA`, from their escaped `str()` terms."""
    return "\n".join(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in quads)
