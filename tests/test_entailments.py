"""The inferred graph: what it holds agrees with an independent OWL 2 RL reasoner (owlrl), holds
nothing already asserted, and is the same after `jalinan ingest FILE` as after a full ingest."""

import shutil
from pathlib import Path

import owlrl
import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Triple
from rdflib import BNode as RdfBNode
from rdflib import Graph as RdfGraph
from rdflib import Literal as RdfLiteral
from rdflib import URIRef

from jalinan.graph import open_store
from jalinan.graph.namespaces import (
    GENID,
    INFERRED_GRAPH,
    INGEST_DIGEST,
    INGEST_STATE_GRAPH,
    ONTOLOGY_GRAPH,
    OWL,
    RDF,
    RDFS,
)
from jalinan.ingest.entailments import rules_from_ontology
from jalinan.ingest.pipeline import build_corpus, default_facts_dir, ingest, ingest_articles

# The schema axioms of the rules Jalinan materialises (see ingest/entailments.py); owlrl gets
# these and every fact, so that what it derives beyond them is what those rules allow.
_SUPPORTED_AXIOMS = {
    RDFS + "subClassOf",
    OWL + "equivalentClass",
    RDFS + "subPropertyOf",
    OWL + "equivalentProperty",
    OWL + "inverseOf",
}
_SUPPORTED_KINDS = {OWL + "TransitiveProperty", OWL + "SymmetricProperty"}
_SCHEMA_NAMESPACES = (RDF, RDFS, OWL)


def _rdflib(term):
    if isinstance(term, NamedNode):
        return URIRef(term.value)
    if isinstance(term, BlankNode):
        return RdfBNode(term.value)
    assert isinstance(term, Literal)
    if term.language:
        return RdfLiteral(term.value, lang=term.language)
    return RdfLiteral(term.value, datatype=URIRef(term.datatype.value))


def _schema_term(value: str) -> bool:
    return value.startswith(_SCHEMA_NAMESPACES)


def _kept_for_owlrl(t: Triple, annotation_properties: set[str]) -> bool:
    """Facts, plus only the supported schema axioms (annotation properties' hierarchies have no
    meaning in OWL 2 DL, and Jalinan leaves them out on purpose)."""
    if any(isinstance(x, NamedNode) and x.value.startswith(GENID) for x in (t.subject, t.object)):
        return False  # class expressions (restrictions, unions): not in the supported rules
    p = t.predicate.value
    if p == RDF + "type":
        return not _schema_term(t.object.value) or t.object.value in _SUPPORTED_KINDS
    if p in _SUPPORTED_AXIOMS:
        return t.subject.value not in annotation_properties
    return not _schema_term(p)


def _owlrl_entailments(graphs: dict[str, list[Triple]]) -> set[tuple]:
    ontology = graphs[ONTOLOGY_GRAPH]
    annotation_properties = {
        t.subject.value
        for t in ontology
        if t.predicate.value == RDF + "type" and t.object.value == OWL + "AnnotationProperty"
    }
    graph = RdfGraph()
    for triples in graphs.values():
        for t in triples:
            if _kept_for_owlrl(t, annotation_properties):
                graph.add((_rdflib(t.subject), _rdflib(t.predicate), _rdflib(t.object)))
    asserted = set(graph)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return {
        (s, p, o)
        for s, p, o in set(graph) - asserted
        if not isinstance(s, RdfLiteral)
        and (not _schema_term(str(p)) or (str(p) == RDF + "type" and not _schema_term(str(o))))
    }


def test_inferred_triples_equal_owlrl_for_the_supported_rules():
    corpus = build_corpus(check_shapes=False)
    graphs = {name: triples for name, triples in corpus.graphs.items() if name != INFERRED_GRAPH}
    rules = rules_from_ontology(graphs[ONTOLOGY_GRAPH])
    inferred = rules.materialise(graphs.values())
    ours = {(_rdflib(t.subject), _rdflib(t.predicate), _rdflib(t.object)) for t in inferred}

    theirs = _owlrl_entailments(graphs)

    assert sorted(ours - theirs) == []
    assert sorted(theirs - ours) == []


# A chain link no curated article asserts (article 003 already reads MCMC as under the
# Communications Ministry): Bank Negara Malaysia under the Finance Ministry, added in a test only.
BANK_UNDER_FINANCE = (
    "\n- about: bank-negara-malaysia\n"
    '  quote: "The relevant authorities are the Communications Ministry, the Malaysian '
    'Communications and Multimedia Commission, and Bank Negara Malaysia."\n'
    "  subOrganizationOf: ministry-of-finance-malaysia\n"
)
MCMC_UNDER_MINISTRY = (
    "\n- about: mcmc\n"
    '  quote: "The relevant authorities are the Communications Ministry, the Malaysian '
    'Communications and Multimedia Commission, and Bank Negara Malaysia."\n'
    "  subOrganizationOf: ministry-of-communications\n"
)


def _inferred_state(store) -> tuple[list[str], str | None]:
    quads = sorted(str(q.triple) for q in store.quads(INFERRED_GRAPH))
    digests = [
        q.object.value
        for q in store.quads(INGEST_STATE_GRAPH)
        if q.predicate.value == INGEST_DIGEST and q.subject.value == INFERRED_GRAPH
    ]
    return quads, (digests[0] if len(digests) == 1 else None)


def _full_ingest_state(tmp_path: Path, facts: Path, name: str) -> tuple[list[str], str | None]:
    with open_store(tmp_path / name) as store:
        ingest(store, facts)
        return _inferred_state(store)


@pytest.fixture()
def facts_copy(tmp_path: Path) -> Path:
    facts = tmp_path / "facts"
    shutil.copytree(default_facts_dir(), facts)
    return facts


def test_ingest_file_keeps_the_inferred_graph_as_a_full_ingest_writes_it(tmp_path: Path, facts_copy: Path):
    """Adding a link to a sub-organisation chain in one article, then taking it away, by
    `jalinan ingest FILE`, leaves the inferred graph (and its digest) as a full ingest of the
    same facts writes it: the chain's new closure, the inverses and super-properties appear and
    go."""
    article = next((facts_copy / "articles").glob("*0cc1c77dfdf8eb02.yaml"))
    original = article.read_text(encoding="utf-8")
    with open_store(tmp_path / "incremental") as store:
        ingest(store, facts_copy)
        before = _inferred_state(store)

        article.write_text(original + BANK_UNDER_FINANCE, encoding="utf-8")
        ingest_articles(store, [article])
        with_link = _inferred_state(store)
        expected_with_link = _full_ingest_state(tmp_path, facts_copy, "full-with-link")

        article.write_text(original, encoding="utf-8")
        ingest_articles(store, [article])
        without_link = _inferred_state(store)

    assert with_link == expected_with_link
    assert without_link == before
    chain = (
        "<https://w3id.org/jalinan/id/bank-negara-malaysia> "
        "<http://www.w3.org/ns/org#transitiveSubOrganizationOf> "
        "<https://w3id.org/jalinan/id/government-of-malaysia>"
    )
    assert chain in with_link[0] and chain not in before[0]
    assert before[1] is not None and with_link[1] != before[1]


def test_a_full_ingest_of_an_edited_folder_moves_the_inferred_graph_to_what_a_fresh_one_writes(
    tmp_path: Path, facts_copy: Path
):
    """The folder ingested again after one article gained, then lost, a chain link: the
    inferred graph is moved by what changed, and equals a fresh store's."""
    article = next((facts_copy / "articles").glob("*0cc1c77dfdf8eb02.yaml"))
    original = article.read_text(encoding="utf-8")
    with open_store(tmp_path / "again") as store:
        ingest(store, facts_copy)
        before = _inferred_state(store)
        article.write_text(original + BANK_UNDER_FINANCE, encoding="utf-8")
        ingest(store, facts_copy)
        with_link = _inferred_state(store)
        expected_with_link = _full_ingest_state(tmp_path, facts_copy, "fresh-with-link")
        article.write_text(original, encoding="utf-8")
        ingest(store, facts_copy)
        without_link = _inferred_state(store)

    assert with_link == expected_with_link != before
    assert without_link == before
