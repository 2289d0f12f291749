"""Every store call the API makes, behind one small module.

Each function takes SPARQL (or data) and returns bytes or plain rows, fully materialised in the
thread that ran it (pyoxigraph aborts the process if a result is touched from another thread).
A later step can move these calls into worker processes with timeouts without touching routes.
Store errors become API refusals here: a bad query is the client's mistake (400), never a 500.
"""

from collections.abc import Iterable, Sequence

from pyoxigraph import NamedNode, QueryResultsFormat, RdfFormat, Triple

from jalinan.api.errors import bad_request
from jalinan.graph import GraphStore, QueryError
from jalinan.graph.results import GraphResult, SelectResult


def serialized(
    store: GraphStore,
    sparql: str,
    results_format: QueryResultsFormat,
    graph_format: RdfFormat,
    *,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
) -> tuple[str, bytes]:
    """Run a query; ("SELECT" | "ASK" | "GRAPH", its bytes in the format for that form)."""
    try:
        return store.query_serialized(
            sparql, results_format, graph_format, default_graphs=default_graphs, named_graphs=named_graphs
        )
    except QueryError as exc:
        raise bad_request(f"the query is not valid SPARQL: {exc}", parameter="query") from exc


def rows(store: GraphStore, sparql: str) -> SelectResult:
    """Run a SELECT and return its rows (for pages and the friendly JSON routes)."""
    try:
        result = store.query(sparql)
    except QueryError as exc:
        raise bad_request(f"the query is not valid SPARQL: {exc}") from exc
    assert isinstance(result, SelectResult), "canned queries used for rows are SELECT queries"
    return result


def triples(store: GraphStore, sparql: str) -> list[Triple]:
    """Run a CONSTRUCT or DESCRIBE and return its triples."""
    result = store.query(sparql)
    assert isinstance(result, GraphResult)
    return result.triples


def update(store: GraphStore, sparql_update: str) -> None:
    try:
        store.update(sparql_update)
    except QueryError as exc:
        raise bad_request(f"the update is not valid SPARQL: {exc}", parameter="update") from exc


def graph_names(store: GraphStore) -> list[str]:
    return store.graph_names()


def dump(store: GraphStore, rdf_format: RdfFormat, graph: str | None) -> bytes:
    """One named graph, or (graph None) the default graph, which is the union of all graphs."""
    return store.dump(rdf_format, graph=graph)


def replace_graph(store: GraphStore, graph: str, data: Iterable[Triple]) -> None:
    store.replace_graphs({graph: list(data)})


def add_to_graph(store: GraphStore, graph: str, data: Iterable[Triple]) -> None:
    """Merge triples into a graph in one transaction.

    Built as INSERT DATA from pyoxigraph term objects, whose `str()` is an escaped N-Triples
    term (the same technique `replace_graphs` uses), so no text from the body is spliced in.
    """
    body = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in data)
    store.update(f"INSERT DATA {{ GRAPH {NamedNode(graph)} {{\n{body}\n}} }}")


def drop_graph(store: GraphStore, graph: str) -> None:
    store.update(f"DROP GRAPH {NamedNode(graph)}")
