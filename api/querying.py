"""Every store call the API makes, behind one small module.

Each function takes SPARQL (or data) and returns bytes or plain rows, fully materialised in the
thread that ran it (pyoxigraph aborts the process if a result is touched from another thread).
With `jalinan serve` the store is a `PooledStore`: reads run in worker processes that are killed
when a query outlives its time limit. Store errors become API refusals here, never a 500:
a bad query is the client's mistake (400), and so is an update dropping a missing graph (404)
or creating one that exists (409) without SILENT; a query or write stopped at its time or memory
limit, or a result past the size limit, is a 503; a full waiting line is a 429 with `Retry-After`.

`timeout` is the request's own limit in seconds (None: the server's); `trusted` marks the
server's own canned queries, which may use the workers reserved for them.
"""

import asyncio
import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, QueryResultsFormat, RdfFormat, Triple

from jalinan.api.errors import (
    ApiError,
    bad_request,
    conflict,
    not_found,
    service_unavailable,
    too_many_requests,
    unprocessable,
)
from jalinan.api.name_suggestions import close_matches, concept_names, entity_names
from jalinan.api.reading import FacetValue, Reading, read, read_async
from jalinan.api.reading import facet_counts as read_facets
from jalinan.api.settings import RETRY_AFTER_S
from jalinan.graph import ExistingGraphError, GraphStore, MissingGraphError, QueryError, StoreError
from jalinan.graph.outside_writes import mark_written_outside_ingest
from jalinan.graph.pool import QueryOutOfMemory, QueryTimeout, ResultTooLarge, StoreBusy
from jalinan.graph.results import GraphResult, SelectResult
from jalinan.graph.sandbox import OutboundRefused, SandboxUnavailable
from jalinan.graph.writer import WriteOutOfMemory, WriteTimeout
from jalinan.queries.catalogue import CannedQuery, Page, ParameterError

OUTBOUND_REFUSED = (
    "the {what} asks for data from another server (SERVICE or LOAD), and this server fetches none; "
    "only a query's `SERVICE <IRI>` to an endpoint on the server's allowlist (--service-allow), "
    "written in full and without escapes, may reach the network"
)


def _refusal(exc: StoreError, parameter: str = "query") -> ApiError:
    """The API's answer to a store error."""
    if isinstance(exc, OutboundRefused):  # one answer, whatever the address and what listens there
        what = "update" if parameter == "update" else "query"
        return bad_request(OUTBOUND_REFUSED.format(what=what), parameter=parameter)
    if isinstance(exc, SandboxUnavailable):
        return service_unavailable("Sandbox Unavailable", str(exc))
    if isinstance(exc, QueryError):
        what = "update" if parameter == "update" else "query"
        return bad_request(f"the {what} is not valid SPARQL: {exc}", parameter=parameter)
    if isinstance(exc, MissingGraphError):  # SPARQL 1.1 Update §3.2: an error unless SILENT
        return not_found(f"{exc}; add SILENT to ignore a missing graph", parameter=parameter)
    if isinstance(exc, ExistingGraphError):
        return conflict(f"{exc}; add SILENT to ignore a graph that exists", parameter=parameter)
    if isinstance(exc, QueryTimeout):
        return service_unavailable(
            "Query Timeout",
            f"{exc}; simplify the query or add a LIMIT (the server's limit is set by --query-timeout, "
            "a lower one by the `timeout` parameter)",
            retry_after=RETRY_AFTER_S,
        )
    if isinstance(exc, WriteTimeout):
        detail = f"{exc} (the server's write limit is set by --write-timeout)"
        return service_unavailable("Write Timeout", detail, retry_after=RETRY_AFTER_S)
    if isinstance(exc, WriteOutOfMemory):
        return service_unavailable("Memory Limit", f"{exc} (set by --write-memory); split the write")
    if isinstance(exc, QueryOutOfMemory):
        return service_unavailable(
            "Memory Limit", f"{exc}; simplify the query or add a LIMIT (set by --worker-memory)"
        )
    if isinstance(exc, StoreBusy):
        return too_many_requests(f"{exc}; retry in {RETRY_AFTER_S} s", RETRY_AFTER_S)
    if isinstance(exc, ResultTooLarge):
        return service_unavailable(
            "Result Too Large", f"{exc} and was abandoned; add a LIMIT or page with OFFSET"
        )
    return service_unavailable("Store Unavailable", f"the store could not answer: {exc}")


def _network(networked: bool) -> dict[str, Any]:
    """`networked=True` only when asked: only the pool (with an allowlist) has a networked lane."""
    return {"networked": True} if networked else {}


def serialized(
    store: GraphStore,
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
    """Run a query; ("SELECT" | "ASK" | "GRAPH", its bytes in the format for that form).

    `networked`: run it in the federation lane, whose workers keep their network (only for a
    query `service_guard.needs_network` accepted); every other query runs without network."""
    try:
        return store.query_serialized(
            sparql,
            results_format,
            graph_format,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            timeout=timeout,
            trusted=trusted,
            base_iri=base_iri,
            **_network(networked),
        )
    except StoreError as exc:
        raise _refusal(exc) from exc


async def serialized_async(
    store: GraphStore,
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
    """`serialized` for a caller on the event loop: the store awaits its answer there (the pool
    its worker's pipe, with no thread per query; a plain store runs the query in a thread).
    `client` names who asks (the peer's address): the pool's waiting line is fair between them."""
    try:
        return await store.query_serialized_async(
            sparql,
            results_format,
            graph_format,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            timeout=timeout,
            trusted=trusted,
            base_iri=base_iri,
            client=client,
            **_network(networked),
        )
    except StoreError as exc:
        raise _refusal(exc) from exc


def rows(
    store: GraphStore, sparql: str, *, max_rows: int | None = None, timeout: float | None = None
) -> tuple[SelectResult, bool]:
    """Run a trusted SELECT (pages, friendly JSON): its first `max_rows` rows, and whether
    there were more."""
    try:
        result = store.query(sparql, timeout=timeout, trusted=True)
    except StoreError as exc:
        raise _refusal(exc) from exc
    assert isinstance(result, SelectResult), "canned queries used for rows are SELECT queries"
    if max_rows is not None and len(result.rows) > max_rows:
        return SelectResult(result.variables, result.rows[:max_rows]), True
    return result, False


def triples(store: GraphStore, sparql: str, *, timeout: float | None = None) -> list[Triple]:
    """Run a trusted CONSTRUCT or DESCRIBE and return its triples."""
    try:
        result = store.query(sparql, timeout=timeout, trusted=True)
    except StoreError as exc:
        raise _refusal(exc) from exc
    assert isinstance(result, GraphResult)
    return result.triples


def reading(
    store: GraphStore,
    query: CannedQuery,
    values: Mapping[str, str | None],
    page: Page,
    *,
    timeout: float | None = None,
) -> Reading:
    """Run a list pipeline (`reading.read`); 422 naming a bad parameter, 404 naming a parameter
    whose text names nothing (with the closest known names), store errors as above."""
    with _list_refusals():
        answer = read(store, query, values, page, timeout=timeout)
    if answer.unmatched:
        name, text = next(iter(answer.unmatched.items()))
        raise not_found(_unknown_name(store, query, name, text), parameter=name)
    return answer


def facet_counts(
    store: GraphStore,
    query: CannedQuery,
    facets_path: Path,
    values: Mapping[str, str | None],
    *,
    timeout: float | None = None,
) -> dict[str, list[FacetValue]]:
    """A list's facet counts under the same filters (`reading.facet_counts`); errors as `reading`."""
    with _list_refusals():
        return read_facets(store, query, facets_path, values, timeout=timeout)


async def reading_async(
    store: GraphStore,
    query: CannedQuery,
    values: Mapping[str, str | None],
    page: Page,
    *,
    timeout: float | None = None,
) -> Reading:
    """`reading` for a caller on the event loop (`reading.read_async`: each query awaited, no
    thread per request); only a 404's suggestions are looked up in a thread."""
    with _list_refusals():
        answer = await read_async(store, query, values, page, timeout=timeout)
    if answer.unmatched:
        name, text = next(iter(answer.unmatched.items()))
        raise not_found(await asyncio.to_thread(_unknown_name, store, query, name, text), parameter=name)
    return answer


@contextlib.contextmanager
def _list_refusals() -> Iterator[None]:
    """A list's errors as the client's statuses: 422 naming a bad parameter, store errors as
    `_refusal` says (one place for `reading`, `reading_async` and `facet_counts`)."""
    try:
        yield
    except ParameterError as exc:
        raise unprocessable(exc.message, parameter=exc.parameter) from exc
    except StoreError as exc:
        raise _refusal(exc) from exc


def _unknown_name(store: GraphStore, query: CannedQuery, name: str, text: str) -> str:
    """What a 404 says of a name that stands for nothing, with the closest known names (an empty
    answer would read as "no agreements", which is not what the data says)."""
    parameter = next(p for p in query.parameters if p.name == name)
    closest: list[str] = []
    with contextlib.suppress(StoreError):  # the 404 still names the parameter and the text
        if parameter.type == "entity":
            closest = [m["label"] for m in close_matches(text, entity_names(store))]
        elif parameter.type == "concept" and parameter.scheme:
            closest = [m["label"] for m in close_matches(text, concept_names(store, parameter.scheme))]
    detail = f"`{name}`: nothing in the graph is named {text!r}"
    return detail + (f"; the closest names: {', '.join(closest)}" if closest else "")


def _written_outside_ingest(store: GraphStore) -> None:
    """Before any write through the API: the next `jalinan ingest` must check every graph's
    content rather than trust the digests it recorded (`graph/outside_writes.py`)."""
    mark_written_outside_ingest(store.path)


def update(store: GraphStore, sparql_update: str, *, base_iri: str | None = None) -> None:
    _written_outside_ingest(store)
    try:
        store.update(sparql_update, base_iri=base_iri)
    except StoreError as exc:
        raise _refusal(exc, "update") from exc


def has_graph(store: GraphStore, name: str) -> bool:
    return store.has_graph(name)


def dump(
    store: GraphStore,
    rdf_format: RdfFormat,
    graph: str | None,
    *,
    timeout: float | None = None,
    trusted: bool = False,
) -> bytes:
    """One named graph, or (graph None) the default graph, which is the union of all graphs.

    With a pooled store the dump runs in a worker, under the time limit and `max_result_bytes`.
    """
    try:
        return store.dump(rdf_format, graph=graph, timeout=timeout, trusted=trusted)
    except StoreError as exc:
        raise _refusal(exc, "graph") from exc


def replace_graph(store: GraphStore, graph: str, data: Iterable[Triple]) -> None:
    _written_outside_ingest(store)
    try:
        store.replace_graphs({graph: list(data)})
    except StoreError as exc:
        raise _refusal(exc, "body") from exc


def add_to_graph(store: GraphStore, graph: str, data: Iterable[Triple]) -> None:
    """Merge triples into a graph in one transaction.

    Built as INSERT DATA from pyoxigraph term objects, whose `str()` is an escaped N-Triples
    term (the same technique `replace_graphs` uses), so no text from the body is spliced in.
    """
    body = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in data)
    update(store, f"INSERT DATA {{ GRAPH {NamedNode(graph)} {{\n{body}\n}} }}")


def drop_graph(store: GraphStore, graph: str) -> None:
    update(store, f"DROP GRAPH {NamedNode(graph)}")
