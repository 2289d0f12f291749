"""`/sparql?inferred=false` on a real server: every kind of entailment is there with inferences
and gone without, and without them every query answers exactly what a store holding only the
asserted graphs answers (the same rows, as often), whether the query is narrowed by inserted
filters (`api/without_inferences.py`) or falls back to the list of asserted graphs."""

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Store, parse

from jalinan.api.without_inferences import asserted_only
from jalinan.graph import open_store
from jalinan.graph.namespaces import INFERRED_GRAPH
from tests.conftest import run_server
from tests.test_api_entailments import PREFIXES as ENTAILMENT_PREFIXES
from tests.test_api_entailments import build_entailment_store

PREFIXES = ENTAILMENT_PREFIXES + "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
INFERRED = f"<{INFERRED_GRAPH}>"
ENTITIES = "<https://w3id.org/jalinan/graph/entities>"


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Store, Store]:
    """The entailment store's folder, and in memory: its asserted graphs only; all its graphs."""
    folder = tmp_path_factory.mktemp("without-inferences")
    build_entailment_store(folder)
    asserted, everything = Store(), Store()
    with open_store(folder / "store") as store:
        everything.extend(store.quads())
    asserted.extend(q for q in everything if q.graph_name.value != INFERRED_GRAPH)
    return folder, asserted, everything


@pytest.fixture(scope="module")
def served(stores: tuple[Path, Store, Store]) -> Iterator[tuple[httpx.Client, Store]]:
    """A server over the entailment store, and an in-memory store of its asserted graphs only."""
    folder, asserted, _ = stores
    with (
        run_server(folder / "store", folder / "serve.log") as server,
        httpx.Client(base_url=server.base_url, timeout=120) as client,
    ):
        yield client, asserted


# Each kind of entailment: a query that finds something only through it.
ENTAILMENTS = {
    "superclass": "ASK { id:mosti a jl:Organization }",
    "reused vocabulary term": "ASK { id:mosti org:subOrganizationOf id:government-of-malaysia }",
    "inverse": "ASK { ?o jl:isPartyTo ?a }",
    "transitive chain": "ASK { id:mcmc org:transitiveSubOrganizationOf id:government-of-malaysia }",
}


@pytest.mark.parametrize("query", ENTAILMENTS.values(), ids=ENTAILMENTS.keys())
def test_each_kind_of_entailment_is_found_with_inferences_and_not_without(served, query):
    client, _ = served

    assert _ask(client, query) is True
    assert _ask(client, query, inferred="false") is False


# Queries whose answer without inferences is compared with the asserted store's. Most read
# something the inferred graph adds to; `fast` says whether the query is narrowed by filters
# (True) or goes to the list of asserted graphs (False: property paths, blank nodes).
SELECTS = {
    "every type": ("SELECT ?x ?c WHERE { ?x a ?c }", True),
    "multiplicity of a triple in several graphs": ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", True),
    "triples by predicate": ("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p", True),
    "select star join": ("SELECT * WHERE { ?o jl:isPartyTo ?a . ?a rdfs:label ?l }", True),
    "count distinct star": ("SELECT (COUNT(DISTINCT *) AS ?n) WHERE { ?x a ?c . ?x rdfs:label ?l }", True),
    "join": ("SELECT ?o ?a ?l WHERE { ?o jl:isPartyTo ?a . ?a rdfs:label ?l }", True),
    "join on a reused term": (
        "SELECT ?x ?l WHERE { ?x org:subOrganizationOf ?p . ?p a schema:Organization ; rdfs:label ?l }",
        True,
    ),
    "optional": (
        "SELECT ?x ?p ?c WHERE { ?x a jl:Ministry OPTIONAL { ?x org:subOrganizationOf ?p } "
        "OPTIONAL { ?x a ?c FILTER (?c != jl:Ministry) } }",
        True,
    ),
    "inverse path step": ("SELECT ?a ?o WHERE { ?a ^jl:isPartyTo ?o }", True),
    "subquery": (
        "SELECT ?x (COUNT(?c) AS ?n) WHERE { { SELECT DISTINCT ?x WHERE { ?x a jl:GovernmentBody } } "
        "?x a ?c } GROUP BY ?x",
        True,
    ),
    "exists and minus": (
        "SELECT ?x WHERE { ?x a ?c FILTER EXISTS { ?x a foaf:Agent } MINUS { ?x a jl:Ministry } }",
        True,
    ),
    "union, bind and values": (
        "SELECT ?x ?k WHERE { VALUES ?k { jl:Organization prov:Agent } { ?x a ?k } UNION "
        "{ ?x org:subOrganizationOf ?y BIND (jl:Organization AS ?k) } }",
        True,
    ),
    "graph variable": ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", True),
    "graph variable and default graph": (
        "SELECT ?g ?x WHERE { ?x a schema:Organization . GRAPH ?g { ?x a ?c } }",
        True,
    ),
    "the inferred graph by name": (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {INFERRED} {{ ?s ?p ?o }} }}",
        True,
    ),
    "FROM the inferred graph": (f"SELECT (COUNT(*) AS ?n) FROM {INFERRED} WHERE {{ ?s ?p ?o }}", True),
    "FROM and FROM NAMED": (
        f"SELECT ?g (COUNT(*) AS ?n) FROM {ENTITIES} FROM NAMED {INFERRED} FROM NAMED {ENTITIES} "
        "WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g",
        True,
    ),
    "transitive path": ("SELECT ?x ?y WHERE { ?x jl:locatedIn+ ?y }", False),
    "path sequence": ("SELECT ?x ?y WHERE { ?x org:subOrganizationOf/org:subOrganizationOf ?y }", False),
    "zero or more path": ("SELECT ?y WHERE { id:mcmc org:subOrganizationOf* ?y }", False),
    "blank node": ("SELECT ?x WHERE { ?x org:subOrganizationOf [ a schema:Organization ] }", False),
}


@pytest.mark.parametrize(("query", "fast"), SELECTS.values(), ids=SELECTS.keys())
def test_without_inferences_a_select_answers_as_the_asserted_graphs_do(served, query, fast):
    client, asserted = served

    without = _select(client, query, inferred="false")

    assert without == _select_on(asserted, query)
    assert (asserted_only(PREFIXES + query, INFERRED_GRAPH) is not None) is fast


def test_without_inferences_an_ask_answers_as_the_asserted_graphs_do(served):
    client, asserted = served
    query = "ASK { id:mosti a prov:Agent }"

    expected = asserted.query(PREFIXES + query, use_default_graph_as_union=True)

    assert _ask(client, query, inferred="false") is bool(expected) is False
    assert _ask(client, query) is True


def test_without_inferences_a_construct_gives_the_asserted_triples(served):
    client, asserted = served
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o . ?s a ?c }"

    answer = client.get("/sparql", params={"query": query, "inferred": "false", "format": "nt"})

    assert answer.status_code == 200, answer.text
    expected = asserted.query(query, use_default_graph_as_union=True)
    assert {str(t) for t in parse(answer.content, format=RdfFormat.N_TRIPLES)} == {str(t) for t in expected}


def test_a_query_with_its_own_dataset_answers_differently_with_and_without_inferences(served):
    """The answer cache must not give one for the other: the same text, two datasets."""
    client, asserted = served
    query = f"SELECT (COUNT(*) AS ?n) FROM {INFERRED} WHERE {{ ?s ?p ?o }}"

    with_inferences = _select(client, query)
    without = _select(client, query, inferred="false")

    assert without == _select_on(asserted, query) != with_inferences


def test_a_named_dataset_without_inferences_leaves_the_inferred_graph_out(served):
    client, _ = served
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    both = _select(client, query, inferred="false", **{"default-graph-uri": [INFERRED_GRAPH, ENTITIES[1:-1]]})
    entities = _select(client, query, **{"default-graph-uri": ENTITIES[1:-1]})

    assert both == entities


def test_a_query_that_cannot_be_narrowed_is_still_answered_exactly(served):
    """`SERVICE` in a string, a `\\u` escape and `DESCRIBE` go to the list of graphs."""
    client, asserted = served
    queries = [
        'SELECT ?x WHERE { ?x a ?c FILTER (?c != "service") }',
        'SELECT ?x WHERE { ?x a ?c FILTER (STR(?c) = "https://w3id.org/jalinan/ontology#Minis\\u0074ry") }',
    ]
    for query in queries:
        assert asserted_only(PREFIXES + query, INFERRED_GRAPH) is None
        assert _select(client, query, inferred="false") == _select_on(asserted, query)
    described = client.get(
        "/sparql", params={"query": PREFIXES + "DESCRIBE id:mcmc", "inferred": "false", "format": "nt"}
    )
    assert described.status_code == 200
    assert "transitiveSubOrganizationOf" not in described.text


def _select(client: httpx.Client, query: str, **params: str | list[str]) -> tuple[list[str], Counter]:
    answer = client.get("/sparql", params={"query": PREFIXES + query, **params})
    assert answer.status_code == 200, answer.text
    return _rows(answer.json())


def _select_on(store: Store, query: str) -> tuple[list[str], Counter]:
    own_dataset = " FROM " in query  # the union default graph would override its FROM
    solutions = store.query(PREFIXES + query, use_default_graph_as_union=not own_dataset)
    assert isinstance(solutions, QuerySolutions)
    return _rows(json.loads(solutions.serialize(format=QueryResultsFormat.JSON)))


def _rows(results: dict) -> tuple[list[str], Counter]:
    """The columns and the rows as a multiset (order aside, every row as often as it comes)."""
    rows = Counter(
        tuple(sorted((k, v["type"], v["value"]) for k, v in row.items()))
        for row in results["results"]["bindings"]
    )
    return results["head"]["vars"], rows


def _ask(client: httpx.Client, query: str, **params: str) -> bool:
    answer = client.get("/sparql", params={"query": PREFIXES + query, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()["boolean"]


CANNED = sorted((Path(__file__).parent.parent / "queries").rglob("*.rq"))


def test_every_canned_query_narrowed_answers_as_the_asserted_graphs_do(stores):
    """The narrowing on real queries (OPTIONAL, EXISTS, subqueries, GRAPH, aggregates): each
    canned query the parser takes, narrowed and run over all graphs, answers what it answers
    unchanged over the asserted graphs; the ones declined are those the docs list. SAMPLE is
    made MIN and GROUP_CONCAT's values compared as sorted characters: both are free to pick or
    order values differently on two runs of the same query."""
    _, asserted, everything = stores
    narrowed_count = 0
    for path in CANNED:
        text = re.sub(r"\bSAMPLE\(", "MIN(", path.read_text(encoding="utf-8"), flags=re.IGNORECASE)
        narrowed = asserted_only(text, INFERRED_GRAPH)
        if narrowed is None:
            assert _has_property_path(text), path
            continue
        narrowed_count += 1
        assert narrowed.default_graphs is None, path
        expected = asserted.query(text, use_default_graph_as_union=True)
        got = everything.query(narrowed.query, use_default_graph_as_union=True)
        assert _answer(got) == _answer(expected), path
    assert narrowed_count >= len(CANNED) // 2


def _has_property_path(text: str) -> bool:
    """`|`, `/`, or `*`, `+`, `?` after a predicate, once comments, strings and IRIs are out."""
    bare = re.sub(r'#[^\n]*|"[^"\n]*"|<[^<>\s]*>', " ", text)
    return re.search(r"[|/]|[\w>)][*+?]\s", bare) is not None


def _answer(result: object) -> object:
    if isinstance(result, QuerySolutions):
        results = json.loads(result.serialize(format=QueryResultsFormat.JSON))
        for row in results["results"]["bindings"]:
            for value in row.values():
                value["value"] = "".join(sorted(value["value"]))  # GROUP_CONCAT's order aside
        return _rows(results)
    if isinstance(result, QueryBoolean):
        return bool(result)
    return Counter(str(t) for t in result)  # type: ignore[attr-defined]


# With inferences (the default) the union default graph is asked of pyoxigraph, and that request
# overrides a query's own FROM: `api/query_dataset.py` hands the query's dataset over instead.


def test_a_query_with_its_own_from_reads_only_the_graphs_it_names(served, stores):
    client, _ = served
    _, _, everything = stores
    query = f"SELECT ?s ?p ?o FROM {ENTITIES} WHERE {{ ?s ?p ?o }}"

    answer = _select(client, query)

    assert answer == _select_on(everything, query)
    assert answer != _select(client, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")


def test_a_query_with_only_from_named_has_an_empty_default_graph(served):
    client, _ = served
    default = f"SELECT (COUNT(*) AS ?n) FROM NAMED {ENTITIES} WHERE {{ ?s ?p ?o }}"
    named = f"SELECT DISTINCT ?g FROM NAMED {ENTITIES} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"

    assert _select(client, default)[1] == Counter({(("n", "literal", "0"),): 1})
    assert _select(client, named)[1] == Counter({(("g", "uri", ENTITIES[1:-1]),): 1})


def test_the_word_from_in_a_string_keeps_the_union(served, stores):
    client, _ = served
    _, _, everything = stores
    query = 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER (?o != "from") }'

    assert _select(client, query) == _select_on(everything, query)
