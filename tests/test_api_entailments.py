"""Through `/sparql` on a real server, a query sees what the ontology entails: superclasses,
reused vocabularies (ORG, schema.org, FOAF, PROV), declared inverses and transitive chains;
`inferred=false` gives exactly the asserted triples."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import RdfFormat, parse

from jalinan.graph import open_store
from jalinan.graph.namespaces import INFERRED_GRAPH
from jalinan.ingest.pipeline import build_corpus, default_facts_dir, write_corpus
from tests.conftest import run_server
from tests.test_entailments import MCMC_UNDER_MINISTRY

PREFIXES = """PREFIX jl: <https://w3id.org/jalinan/ontology#>
PREFIX id: <https://w3id.org/jalinan/id/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


def build_entailment_store(folder: Path) -> set[str]:
    """A store at `folder / "store"` over the curated facts plus one link (MCMC under the
    Communications Ministry, so that a sub-organisation chain is two deep); the asserted
    triples it was built from."""
    facts = folder / "facts"
    shutil.copytree(default_facts_dir(), facts)
    article = next((facts / "articles").glob("*0cc1c77dfdf8eb02.yaml"))
    article.write_text(article.read_text(encoding="utf-8") + MCMC_UNDER_MINISTRY, encoding="utf-8")
    corpus = build_corpus(facts)
    with open_store(folder / "store") as store:
        write_corpus(store, corpus)
        return {str(q.triple) for q in store.quads() if q.graph_name.value != INFERRED_GRAPH}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, set[str]]]:
    """A server over the entailment store, and the asserted triples it was built from."""
    folder = tmp_path_factory.mktemp("entailments")
    asserted = build_entailment_store(folder)
    with (
        run_server(folder / "store", folder / "serve.log") as server,
        httpx.Client(base_url=server.base_url, timeout=60) as client,
    ):
        yield client, asserted


def _select(client: httpx.Client, query: str, **params: str) -> list[dict[str, str]]:
    answer = client.get("/sparql", params={"query": PREFIXES + query, **params})
    assert answer.status_code == 200, answer.text
    return [{k: v["value"] for k, v in row.items()} for row in answer.json()["results"]["bindings"]]


def _values(client: httpx.Client, query: str, **params: str) -> set[str]:
    rows = _select(client, query, **params)
    return {value.removeprefix("https://w3id.org/jalinan/id/") for row in rows for value in row.values()}


def test_a_superclass_finds_ministries_and_agencies(served):
    client, _ = served

    organisations = _values(client, "SELECT ?x WHERE { ?x a jl:Organization }")
    bodies = _values(client, "SELECT ?x WHERE { ?x a jl:GovernmentBody }")

    assert {"mosti", "miti", "mcmc", "ndrc"} <= organisations
    assert {"mosti", "mcmc"} <= bodies
    assert _values(client, "SELECT ?x WHERE { ?x a jl:Organization }", inferred="false") == set()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT ?x WHERE { ?x a schema:Organization }", {"mosti", "mcmc"}),
        ("SELECT ?x WHERE { ?x a org:Organization }", {"mosti", "mcmc"}),
        ("SELECT ?x WHERE { ?x a foaf:Person }", {"anwar-ibrahim", "xi-jinping"}),
        ("SELECT ?x WHERE { ?x a prov:Agent }", {"anwar-ibrahim", "mosti"}),
        ("SELECT ?x WHERE { ?x org:subOrganizationOf id:government-of-malaysia }", {"mosti", "miti"}),
        ("SELECT ?x WHERE { id:government-of-malaysia schema:subOrganization ?x }", {"mosti", "miti"}),
    ],
)
def test_a_reused_vocabulary_term_finds_what_jalinan_terms_specialise(served, query, expected):
    client, _ = served

    assert expected <= _values(client, query)


def test_a_declared_inverse_answers_from_the_other_side(served):
    client, _ = served

    forwards = _select(client, "SELECT ?a ?o WHERE { ?a jl:hasParty ?o }")
    backwards = _select(client, "SELECT ?a ?o WHERE { ?o jl:isPartyTo ?a }")

    assert forwards and sorted(map(sorted, map(dict.items, forwards))) == sorted(
        map(sorted, map(dict.items, backwards))
    )


def test_transitive_chains_reach_every_level(served):
    client, _ = served

    places = _values(client, "SELECT ?place WHERE { id:exchange-106 jl:locatedIn ?place }")
    above_mcmc = _values(client, "SELECT ?o WHERE { id:mcmc org:transitiveSubOrganizationOf ?o }")
    under_government = _values(
        client, "SELECT ?o WHERE { ?o org:transitiveSubOrganizationOf id:government-of-malaysia }"
    )

    assert {"kuala-lumpur", "malaysia"} <= places
    assert above_mcmc == {"ministry-of-communications", "government-of-malaysia"}
    assert {"mcmc", "mosti", "ministry-of-communications"} <= under_government


def test_leaving_inferences_out_gives_the_asserted_graph_exactly(served):
    client, asserted = served
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"

    without = client.get("/sparql", params={"query": query, "inferred": "false", "format": "nt"})
    with_inferences = client.get("/sparql", params={"query": query, "format": "nt"})

    assert without.status_code == with_inferences.status_code == 200
    without_triples = {str(t) for t in parse(without.content, format=RdfFormat.N_TRIPLES)}
    with_triples = {str(t) for t in parse(with_inferences.content, format=RdfFormat.N_TRIPLES)}
    assert without_triples == asserted
    assert with_triples > asserted


def test_the_union_never_returns_an_asserted_triple_again_as_inferred(served):
    client, _ = served

    rows = _select(
        client,
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} "
        f"GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != <{INFERRED_GRAPH}>) }}",
    )

    assert rows == [{"n": "0"}]


def test_an_inferred_value_other_than_true_or_false_is_a_400_naming_it(served):
    client, _ = served

    answer = client.get("/sparql", params={"query": "ASK {}", "inferred": "no"})

    assert answer.status_code == 400
    assert answer.json()["parameter"] == "inferred"
