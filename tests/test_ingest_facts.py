"""The curated facts, ingested into a real on-disk store (and into each remote backend: the
read-only checks run on every backend), say what the articles say and no more."""

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from jalinan.cli import main
from jalinan.graph import SelectResult, open_store
from jalinan.graph.keys import match_key
from jalinan.graph.namespaces import DATE, DATES_GRAPH, INFERRED_GRAPH, INGEST_DIGEST, INGEST_STATE_GRAPH
from jalinan.ingest.articles import normalise_space
from jalinan.ingest.pipeline import default_facts_dir, graph_digest
from tests.backends import BACKENDS, BackendServers
from tests.support import ROOT, ingest_into, shared_articles, sorted_nquads

JL = "https://w3id.org/jalinan/ontology#"
ID = "https://w3id.org/jalinan/id/"
PREFIXES = """
PREFIX jl: <https://w3id.org/jalinan/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


@pytest.fixture(scope="module", params=BACKENDS)
def store_path(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, backend_servers: BackendServers
) -> Iterator[Path | str]:
    """The curated facts ingested into each backend: a fresh embedded store, or a remote server
    the session's ingest wrote (`tests/backends.py`), read with its credentials."""
    if request.param == "embedded":
        path = tmp_path_factory.mktemp("facts") / "store"
        ingest_into(path)
        yield path
        return
    backend = backend_servers.backend(request.param)
    with backend.environment():
        yield backend.location


def select(store_path: Path, sparql: str) -> SelectResult:
    with open_store(store_path, read_only=True) as store:
        result = store.query(PREFIXES + sparql)
    assert isinstance(result, SelectResult)
    return result


def values(result: SelectResult, name: str) -> set[str]:
    return {row[name].value for row in result.rows if name in row}


@pytest.mark.parametrize("name", ["Mosti", "MOSTI", "mosti", "Science, Technology and Innovation Ministry"])
def test_every_name_of_mosti_resolves_to_the_one_node(store_path, name):
    result = select(store_path, f'SELECT DISTINCT ?e WHERE {{ ?e jl:matchKey "{match_key(name)}" }}')
    assert values(result, "e") == {ID + "mosti"}


@pytest.mark.parametrize(
    ("name", "entity"),
    [
        ("Miti", "miti"),
        ("NDRC", "ndrc"),
        ("MDEC", "mdec"),
        ("Communications Ministry", "ministry-of-communications"),
    ],
)
def test_acronyms_and_aliases_used_in_the_articles_resolve_to_one_node(store_path, name, entity):
    result = select(store_path, f'SELECT DISTINCT ?e WHERE {{ ?e jl:matchKey "{match_key(name)}" }}')
    assert values(result, "e") == {ID + entity}


def test_the_readme_query_lists_exactly_the_mosti_mou(store_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    query = re.search(r"```sparql\n(.*?)```", readme, re.S).group(1)
    result = select(store_path, query)
    assert values(result, "agreement") == {ID + "mou-mosti-sti-people-exchange"}
    assert all(row["article"].value == ID + "article/420124348f4a3cdc" for row in result.rows)


def test_planned_agreements_are_never_reported_as_signed(store_path):
    result = select(
        store_path,
        """
        SELECT ?agreement ?status WHERE {
          VALUES ?top { jl:Agreement jl:AgreementCollection }
          ?agreement a/rdfs:subClassOf* ?top ; jl:hasStatus ?status .
        }""",
    )
    by_agreement: dict[str, set[str]] = {}
    for row in result.rows:
        by_agreement.setdefault(row["agreement"].value, set()).add(row["status"].value.rsplit("/", 1)[-1])
    planned = {a for a, s in by_agreement.items() if s & {"planned", "announced"}}
    assert planned, "the articles report planned MoUs (content production, cybersecurity)"
    assert all(by_agreement[a] <= {"planned", "announced"} for a in planned), by_agreement
    signed = select(
        store_path,
        """
        SELECT DISTINCT ?agreement WHERE {
          ?agreement jl:hasStatus/skos:broader* <https://w3id.org/jalinan/concept/agreement-status/signed> .
        }""",
    )
    assert not (values(signed, "agreement") & planned)


ADVERTISED_OR_NAVIGATION = [
    "Qlik",
    "CTC Global",
    "Dell",
    "Planview",
    "SIRIM",
    "HashiCorp",
    "IBM",
    "Red Hat",
    "Selangor Journal",
    "PriceCatcher",
    "Trinity Audio",
]


@pytest.mark.parametrize("name", ADVERTISED_OR_NAVIGATION)
def test_no_advertised_company_or_site_boilerplate_is_in_the_graph(store_path, name):
    result = select(
        store_path,
        f"""
        SELECT ?s ?o WHERE {{
          ?s ?p ?o .
          FILTER (isLiteral(?o) && CONTAINS(LCASE(STR(?o)), "{name.lower()}"))
          FILTER NOT EXISTS {{ ?s a jl:SourceArticle }}
        }}""",
    )
    assert result.rows == []


# Triples that are names, lookup keys or provenance bookkeeping rather than facts about ties.
NOT_FACTS = {
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    JL + "acronym",
    JL + "matchKey",
    JL + "listPosition",  # a node's place in a list, ranked at ingest (ingest/list_order.py)
    JL + "searchToken",  # a word of a name, for search (graph/keys.py)
    JL + "shortNameToken",  # a word of a short name, ranked for search (graph/keys.py)
}


def test_every_fact_has_a_source_article_and_a_quote(store_path):
    result = select(
        store_path,
        """
        SELECT ?g ?s ?p ?o WHERE {
          GRAPH ?g { ?s ?p ?o }
          # (the graphs Jalinan writes: a server's own, such as Virtuoso's virtrdf:, are not facts)
          FILTER (STRSTARTS(STR(?g), "https://w3id.org/jalinan/"))
          # (background facts rest on a public source instead: see test_facts_dates_and_ties.py;
          # the inferred graph's triples rest on the quoted triples the ontology entails them from;
          # a remote store's data-version marker is bookkeeping, as the ingest state is)
          FILTER (?g NOT IN (<https://w3id.org/jalinan/ontology>, <https://w3id.org/jalinan/graph/ingest-state>,
                             <https://w3id.org/jalinan/graph/background>, <https://w3id.org/jalinan/graph/inferred>,
                             <https://w3id.org/jalinan/graph/data-version>))
          # (nor the lists' order ranked at ingest: positions, and which concept's list is which;
          # nor the members of each list by value, listed from them: ingest/list_members.py)
          FILTER (!STRSTARTS(STR(?g), "https://w3id.org/jalinan/graph/list-order/"))
          FILTER (!STRSTARTS(STR(?g), "https://w3id.org/jalinan/graph/list-members/"))
          # (nor the network summary: each node's neighbours and first ties, counted at ingest)
          FILTER (?g != <https://w3id.org/jalinan/graph/network-summary>)
          FILTER NOT EXISTS { GRAPH ?g { ?s a jl:EvidenceQuote } }
          FILTER NOT EXISTS { GRAPH ?g { ?s a <http://www.w3.org/2006/time#Instant> } }
          # (an article's own graph describes it; written without a FILTER inside NOT EXISTS that
          # reads ?g, which Virtuoso 7 refuses, SQ200 "No column")
          FILTER (?s != ?g || NOT EXISTS { ?s a jl:SourceArticle })
          FILTER NOT EXISTS {
            GRAPH ?g {
              ?e jl:claimSubject ?s ; jl:claimPredicate ?p ; jl:claimObject ?o ;
                 jl:quote ?quote ; prov:wasQuotedFrom ?article .
            }
            ?article a jl:SourceArticle .
          }
        }""",
    )
    unsupported = [
        (row["s"].value, row["p"].value, row["o"].value)
        for row in result.rows
        if row["p"].value not in NOT_FACTS
    ]
    assert unsupported == []


def test_every_quote_occurs_verbatim_in_its_article(store_path):
    articles = shared_articles()
    result = select(
        store_path,
        """
        SELECT DISTINCT ?quote ?file WHERE {
          ?e a jl:EvidenceQuote ; jl:quote ?quote ; prov:wasQuotedFrom ?article .
          ?article jl:sourceFile ?file .
        }""",
    )
    assert len(result.rows) > 50
    texts = {f: normalise_space((articles / f).read_text(encoding="utf-8")) for f in values(result, "file")}
    missing = [
        (row["file"].value, row["quote"].value)
        for row in result.rows
        if normalise_space(row["quote"].value) not in texts[row["file"].value]
    ]
    assert missing == []


def test_each_article_has_its_own_named_graph_and_metadata(store_path):
    files = sorted(p.stem for p in (default_facts_dir() / "articles").glob("*.yaml"))
    result = select(
        store_path, "SELECT ?g ?sha WHERE { GRAPH ?g { ?g a jl:SourceArticle ; jl:sha256 ?sha } }"
    )
    graphs = {row["g"].value.rsplit("/", 1)[-1] for row in result.rows}
    assert graphs == {stem.split("_", 1)[1] for stem in files}
    assert all(re.fullmatch(r"[0-9a-f]{64}", row["sha"].value) for row in result.rows)


def test_ingesting_twice_gives_identical_quads(tmp_path):
    path = tmp_path / "store"
    ingest_into(path)
    with open_store(path) as store:
        first = sorted_nquads(store)
    ingest_into(path)
    with open_store(path) as store:
        assert sorted_nquads(store) == first


def test_one_changed_article_reingested_alone_gives_the_same_quads_as_a_full_ingest(tmp_path):
    facts = tmp_path / "facts"
    shutil.copytree(default_facts_dir(), facts, ignore=shutil.ignore_patterns("__*"))
    article = facts / "articles" / "003_420124348f4a3cdc.yaml"
    store, reference = tmp_path / "store", tmp_path / "reference"
    ingest_into(store, facts)
    changed = (
        article.read_text(encoding="utf-8")
        .replace("label: Ministry of Science", "label: Ministry of Science", 1)
        .replace("documentCount: 14", "documentCount: 15", 1)
    )
    assert changed != article.read_text(encoding="utf-8")
    article.write_text(changed, encoding="utf-8")

    assert main(["ingest", "--store", str(store), str(article)]) == 0
    ingest_into(reference, facts)

    with open_store(store) as one, open_store(reference) as full:
        assert sorted_nquads(one) == sorted_nquads(full)


def test_one_article_reingested_alone_with_a_new_date_gives_the_same_quads_as_a_full_ingest(tmp_path):
    """Re-ingesting one article looks up only its own dates; a date new to the store must still
    join the dates graph, with the digest of the graph's whole new content. (Alone, ingest adds
    dates but never removes one, so the old date stays: the one difference from a full ingest.)"""
    facts = tmp_path / "facts"
    shutil.copytree(default_facts_dir(), facts, ignore=shutil.ignore_patterns("__*"))
    article = facts / "articles" / "002_39e3ab31b4f62a31.yaml"
    store, reference = tmp_path / "store", tmp_path / "reference"
    ingest_into(store, facts)
    with open_store(store) as opened:
        assert not [q for q in opened.quads() if "2031-02-03" in str(q)]
    # (a date no other fact uses: the Smart City Expo's month)
    old = 'date: {value: "2025-09"'
    assert old in article.read_text(encoding="utf-8")
    article.write_text(
        article.read_text(encoding="utf-8").replace(old, 'date: {value: "2031-02-03"', 1), encoding="utf-8"
    )

    assert main(["ingest", "--store", str(store), str(article)]) == 0
    ingest_into(reference, facts)

    with open_store(store) as one, open_store(reference) as full:
        alone, whole = set(sorted_nquads(one)), set(sorted_nquads(full))
        dates = [q.triple for q in one.quads(DATES_GRAPH)]
    digest = f'<{DATES_GRAPH}> <{INGEST_DIGEST}> "{graph_digest(dates)}" <{INGEST_STATE_GRAPH}>'
    old_date = f"<{DATE}2025-09> "
    # the old date node stays, and so do its entailments, moving the inferred graph's digest
    inferred_digest = [q for q in alone - whole if q.startswith(f"<{INFERRED_GRAPH}> <{INGEST_DIGEST}>")]
    assert len(inferred_digest) == 1
    assert {q for q in alone - whole if not q.startswith(old_date)} == {digest, *inferred_digest}
    old_date_quads = [q for q in alone - whole if q.startswith(old_date)]
    assert len([q for q in old_date_quads if not q.endswith(f"<{INFERRED_GRAPH}>")]) == 5  # the old date node
    assert [q for q in whole - alone if f"<{INGEST_DIGEST}>" not in q] == []
    assert any(str(t.subject) == f"<{DATE}2031-02-03>" for t in dates)


def test_reingesting_one_article_that_mentions_an_unknown_id_changes_nothing(tmp_path, capsys):
    facts = tmp_path / "facts"
    shutil.copytree(default_facts_dir(), facts, ignore=shutil.ignore_patterns("__*"))
    store = tmp_path / "store"
    ingest_into(store, facts)
    with open_store(store) as opened:
        before = sorted_nquads(opened)
    article = facts / "articles" / "003_420124348f4a3cdc.yaml"
    article.write_text(
        article.read_text(encoding="utf-8").replace("[mosti]", "[mostii]", 1), encoding="utf-8"
    )

    assert main(["ingest", "--store", str(store), str(article)]) == 2

    assert "unknown entity reference 'mostii'" in capsys.readouterr().err
    with open_store(store) as opened:
        assert sorted_nquads(opened) == before


def test_editing_a_shared_entity_reingests_cleanly(tmp_path):
    facts = tmp_path / "facts"
    shutil.copytree(default_facts_dir(), facts, ignore=shutil.ignore_patterns("__*"))
    store, reference = tmp_path / "store", tmp_path / "reference"
    ingest_into(store, facts)
    entities = facts / "entities.yaml"
    text = entities.read_text(encoding="utf-8")
    assert "  label: China\n" in text
    entities.write_text(
        text.replace("  label: China\n", "  label: People's Republic of China\n", 1), encoding="utf-8"
    )

    ingest_into(store, facts)
    ingest_into(reference, facts)

    with open_store(store) as updated, open_store(reference) as fresh:
        assert sorted_nquads(updated) == sorted_nquads(fresh)
