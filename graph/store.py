"""The interface every store backend offers to `ingest` and `api`."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from pyoxigraph import Quad, QueryResultsFormat, RdfFormat, Triple

from jalinan.graph.results import QueryResult


class GraphStore(Protocol):
    """A quad store that answers SPARQL and replaces named graphs atomically.

    Implemented by `OxigraphStore` (embedded, on disk) and `PooledStore` (the same store, its
    reads in killable worker processes). A remote SPARQL 1.1 backend would implement the same
    methods with the SPARQL Protocol and the Graph Store Protocol: every method takes and
    returns plain values (SPARQL text, graph IRIs, pyoxigraph terms, bytes), never a handle that
    only an embedded store could give, so callers never need to know which backend they hold.
    """

    read_only: bool
    path: Path | None  # the store's folder on this machine; None for a remote backend

    @property
    def version(self) -> str | None:
        """A data version: the same while the content is unchanged, new after every write made
        through this object; None when the backend cannot tell (then nothing is cached)."""
        ...

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        trusted: bool = False,
    ) -> QueryResult:
        """Run a query and return its fully materialised result.

        With no `default_graphs`, the default graph is the union of all graphs. `timeout` (s)
        lowers the backend's time limit where it can enforce one; `trusted` marks the server's
        own queries (canned pipelines), which may use capacity kept for them.
        """
        ...

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
        base_iri: str | None = None,
    ) -> tuple[str, bytes]:
        """Run a query and serialise its result in the same thread.

        Relative IRIs in the query resolve against `base_iri` (None: they are an error).

        Returns the query form ("SELECT", "ASK" or "GRAPH") and the bytes, in
        `results_format` for SELECT/ASK and `graph_format` for CONSTRUCT/DESCRIBE.
        """
        ...

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
        base_iri: str | None = None,
        client: str | None = None,
    ) -> tuple[str, bytes]:
        """`query_serialized` for a caller on an event loop, which it never blocks: the HTTP
        front end awaits its SPARQL answers this way."""
        ...

    def update(self, sparql_update: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL 1.1 Update in one transaction, relative IRIs resolved against `base_iri`."""
        ...

    def replace_graphs(
        self,
        graphs: Mapping[str, Iterable[Triple]],
        *,
        remove: Iterable[Quad] = (),
        add: Iterable[Quad] = (),
        before_commit: Callable[[], None] | None = None,
    ) -> None:
        """Replace the content of each named graph, and remove then add single quads (a small
        change to a large graph), all in one transaction. `before_commit` is called once the
        write is ready and may raise to abandon it; a backend that cannot stage a write calls
        it before writing anything."""
        ...

    def add_quads(self, quads: Iterable[Quad]) -> None:
        """Add quads in one transaction."""
        ...

    def scratch_copy(self) -> AbstractContextManager["GraphStore"]:
        """A private, writable copy of what the store holds now, discarded on leaving: a
        series of writes that read one another's results is worked out on it, then written
        here in one transaction (`graph/staging.py`). Nothing written to it reaches the store."""
        ...

    def graph_names(self) -> list[str]:
        """The IRIs of all named graphs."""
        ...

    def has_graph(self, name: str) -> bool:
        """Whether the store holds this named graph: one look-up, where listing every graph
        name (one an article) takes seconds on a large store."""
        ...

    def quads(self, graph: str | None = None) -> Iterable[Quad]:
        """All quads, or those of one named graph."""
        ...

    def quad_count(self) -> int:
        """How many quads the store holds, counted by the store (not by listing them)."""
        ...

    def dump(
        self,
        rdf_format: RdfFormat,
        *,
        graph: str | None = None,
        timeout: float | None = None,
        trusted: bool = False,
    ) -> bytes:
        """Serialise the whole dataset (a quad format) or one graph (any format); `timeout` and
        `trusted` as for `query` (a backend that cannot enforce a limit ignores it)."""
        ...

    def close(self) -> None:
        """Release the store (and its lock)."""
        ...
