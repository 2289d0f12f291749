"""`using-graph-uri` / `using-named-graph-uri`: the update's WHERE clauses read the dataset they
name, whatever the update's text holds around them (run here on an in-memory pyoxigraph store)."""

import pytest
from pyoxigraph import NamedNode, Quad, Store

from jalinan.api.update_dataset import DatasetConflict, with_dataset

G1, G2, OUT = "http://example.org/g1", "http://example.org/g2", "http://example.org/out"
P = "http://example.org/p"


def store_with_two_graphs() -> Store:
    store = Store()
    for graph, subject in ((G1, "http://example.org/a"), (G2, "http://example.org/b")):
        store.add(Quad(NamedNode(subject), NamedNode(P), NamedNode(graph), NamedNode(graph)))
    return store


def subjects_in(store: Store, graph: str) -> set[str]:
    return {q.subject.value for q in store.quads_for_pattern(None, None, None, NamedNode(graph))}


def test_using_graph_uri_makes_the_where_clause_read_that_graph() -> None:
    store = store_with_two_graphs()
    update = f"INSERT {{ GRAPH <{OUT}> {{ ?s <{P}> 1 }} }} WHERE {{ ?s <{P}> ?o }}"
    store.update(with_dataset(update, [G1], []))
    assert subjects_in(store, OUT) == {"http://example.org/a"}


def test_using_named_graph_uri_limits_graph_patterns() -> None:
    store = store_with_two_graphs()
    update = f"INSERT {{ GRAPH <{OUT}> {{ ?s <{P}> 1 }} }} WHERE {{ GRAPH ?g {{ ?s <{P}> ?o }} }}"
    store.update(with_dataset(update, [], [G2]))
    assert subjects_in(store, OUT) == {"http://example.org/b"}


def test_delete_where_reads_only_the_given_graph() -> None:
    store = store_with_two_graphs()
    store.update(with_dataset(f"DELETE WHERE {{ GRAPH ?g {{ ?s <{P}> ?o }} }}", [], [G1]))
    assert subjects_in(store, G1) == set() and subjects_in(store, G2) == {"http://example.org/b"}


def test_braces_and_where_inside_strings_iris_and_comments_are_not_clauses() -> None:
    store = store_with_two_graphs()
    update = (
        f'INSERT {{ GRAPH <{OUT}> {{ ?s <{P}> "}} WHERE {{" }} }} # WHERE {{ \n'
        f"WHERE {{ ?s <{P}> ?o FILTER(?o != <http://example.org/x#WHERE>) }}"
    )
    store.update(with_dataset(update, [G2], []))
    assert subjects_in(store, OUT) == {"http://example.org/b"}


def test_an_escaped_quote_does_not_end_a_string_for_the_scanner_either() -> None:
    store = store_with_two_graphs()
    update = rf'INSERT {{ GRAPH <{OUT}> {{ ?s <{P}> "\u0022 }} WHERE {{" }} }} WHERE {{ ?s <{P}> ?o }}'
    store.update(with_dataset(update, [G1], []))
    assert subjects_in(store, OUT) == {"http://example.org/a"}


def test_every_operation_of_a_request_gets_the_dataset() -> None:
    store = store_with_two_graphs()
    one = f"INSERT {{ GRAPH <{OUT}> {{ ?s <{P}> 1 }} }} WHERE {{ ?s <{P}> ?o }}"
    two = f"INSERT {{ GRAPH <{OUT}> {{ ?s <{P}> 2 }} }} WHERE {{ ?s <{P}> ?o }}"
    store.update(with_dataset(f"{one} ;\n{two}", [G2], []))
    assert {str(q.object.value) for q in store.quads_for_pattern(None, None, None, NamedNode(OUT))} == {
        "1",
        "2",
    }
    assert subjects_in(store, OUT) == {"http://example.org/b"}


@pytest.mark.parametrize(
    "update",
    [
        f"WITH <{G1}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
        f"DELETE {{ ?s ?p ?o }} USING <{G1}> WHERE {{ ?s ?p ?o }}",
        f"DELETE {{ ?s ?p ?o }} using named <{G1}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    ],
)
def test_an_update_with_its_own_dataset_conflicts_with_the_parameters(update: str) -> None:
    with pytest.raises(DatasetConflict):
        with_dataset(update, [G2], [])


def test_without_parameters_the_update_is_unchanged() -> None:
    update = f"WITH <{G1}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}"
    assert with_dataset(update, [], []) == update
