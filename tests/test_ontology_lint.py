"""The OOPS!-style lint rules: each ``ontology/checks/*-violation.rq`` must return no rows.

Rules are discovered by a glob, so adding a rule is adding a file. The planted-fault tests
show that the rules can fail: each breaks a copy of the ontology in one way and expects the
matching rule to name the broken term. Every rule runs on rdflib and on Oxigraph (the
project's store), because the two engines differ where SPARQL scoping is subtle.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef

from jalinan.ontology.build import CHECKS_DIR, JL, ONTOLOGY_IRI, load_ontology_graph

RULES = sorted(CHECKS_DIR.glob("*-violation.rq"))
jl = Namespace(JL)
DCTERMS = Namespace("http://purl.org/dc/terms/")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")  # rdflib's XSD warns when pytest inspects it
ONTOLOGY = URIRef(ONTOLOGY_IRI)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology_graph()


ENGINES = ("rdflib", "oxigraph")


def run_rule(graph: Graph, rule: Path, engine: str) -> list[str]:
    """The rule's rows on ``engine``, each as one line of N-Triples-style terms."""
    query = rule.read_text(encoding="utf-8")
    if engine == "rdflib":
        rows = graph.query(query)
        return ["  ".join(v.n3() if v is not None else "-" for v in row) for row in rows]
    store = pyoxigraph.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    solutions = store.query(query)
    return ["  ".join(str(v) if v is not None else "-" for v in row) for row in solutions]


def test_rules_are_discovered() -> None:
    names = {rule.stem for rule in RULES}
    for pitfall in ("p04", "p08", "p11", "p13", "p22", "p32", "p34", "p35", "p38", "p41"):
        assert any(name.startswith(pitfall) for name in names), f"no rule for OOPS! {pitfall}"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.stem)
def test_rule_says_what_it_checks(rule: Path) -> None:
    header = rule.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("# ") and (
        "OOPS!" in header or "not an OOPS!" in header or "pitfall" in header
    ), f"{rule.name}: header comment"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.stem)
def test_ontology_passes_rule(ontology: Graph, rule: Path, engine: str) -> None:
    rows = run_rule(ontology, rule, engine)
    header = rule.read_text(encoding="utf-8").splitlines()[0].lstrip("# ")
    assert not rows, f"{rule.stem} ({header}) violated by:\n  " + "\n  ".join(rows)


def _remove(*triple: object) -> Callable[[Graph], None]:
    def mutate(graph: Graph) -> None:
        assert (triple in graph) or any(graph.triples(triple)), f"nothing to remove: {triple}"
        graph.remove(triple)

    return mutate


def _add(*triples: tuple[object, object, object]) -> Callable[[Graph], None]:
    def mutate(graph: Graph) -> None:
        for triple in triples:
            graph.add(triple)

    return mutate


_LONELY = (
    (jl.Lonely, RDF.type, OWL.Class),
    (jl.Lonely, RDFS.label, Literal("Lonely", lang="en")),
    (jl.Lonely, SKOS.definition, Literal("A class nothing refers to.", lang="en")),
    (jl.Lonely, RDFS.isDefinedBy, ONTOLOGY),
)

PLANTED_FAULTS: list[tuple[str, Callable[[Graph], None], str]] = [
    ("p04-unconnected-term", _add(*_LONELY), "ontology#Lonely"),
    (
        "p08-missing-label",
        _remove(jl.Agreement, RDFS.label, Literal("Agreement", lang="en")),
        "ontology#Agreement",
    ),
    ("p08-missing-label", _add((jl.Visit, RDFS.label, Literal("Trip", lang="en"))), "ontology#Visit"),
    ("p08-missing-definition", _remove(jl.signatory, SKOS.definition, None), "ontology#signatory"),
    ("p11-missing-domain-or-range", _remove(jl.builder, RDFS.range, None), "ontology#builder"),
    ("p13-missing-inverse", _remove(jl.visitor, OWL.inverseOf, jl.madeVisit), "ontology#madeVisit"),
    ("p22-naming-convention", _add((jl.bad_class, RDF.type, OWL.Class)), "ontology#bad_class"),
    ("p22-naming-convention", _add((jl.HasThing, RDF.type, OWL.ObjectProperty)), "ontology#HasThing"),
    (
        "p32-duplicate-class-label",
        _add((jl.Summit, RDFS.label, Literal("meeting", lang="en"))),
        "ontology#Summit",
    ),
    ("p34-untyped-class", _add((jl.Ministry, RDFS.subClassOf, jl.Department)), "ontology#Department"),
    ("p35-untyped-property", _add((jl.Ministry, jl.undeclared, Literal("x"))), "ontology#undeclared"),
    ("p38-missing-ontology-declaration", _remove(ONTOLOGY, RDF.type, OWL.Ontology), "owl#Ontology"),
    ("p41-missing-license", _remove(ONTOLOGY, DCTERMS.license, None), "no dcterms:license"),
    (
        "owl2-datatype",
        _add((ONTOLOGY, DCTERMS.modified, Literal("2026-11-21", datatype=XSD_DATE))),
        "XMLSchema#date",
    ),
    ("owl2-property-kind", _add((jl.hasParty, RDFS.subPropertyOf, DCTERMS.description)), "ontology#hasParty"),
    ("is-defined-by", _remove(jl.Project, RDFS.isDefinedBy, None), "ontology#Project"),
    (
        "skos-concept",
        _remove(URIRef("https://w3id.org/jalinan/concept/topic/tourism"), SKOS.definition, None),
        "tourism",
    ),
    (
        "skos-hierarchy",
        _remove(URIRef("https://w3id.org/jalinan/concept/agreement-status/signed"), SKOS.narrower, None),
        "exchanged",
    ),
    (
        "skos-duplicate-preflabel",
        _add(
            (
                URIRef("https://w3id.org/jalinan/concept/topic/trade"),
                SKOS.prefLabel,
                Literal("Investment", lang="en"),
            )
        ),
        "investment@en",
    ),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("rule_name", "mutate", "expected"),
    PLANTED_FAULTS,
    ids=[f"{name}:{expected}" for name, _, expected in PLANTED_FAULTS],
)
def test_rule_catches_planted_fault(
    ontology: Graph, rule_name: str, mutate: Callable[[Graph], None], expected: str, engine: str
) -> None:
    broken = Graph()
    for prefix, namespace in ontology.namespaces():
        broken.bind(prefix, namespace)
    broken += ontology
    mutate(broken)
    rows = run_rule(broken, CHECKS_DIR / f"{rule_name}-violation.rq", engine)
    assert any(expected in row for row in rows), f"{rule_name} missed {expected}: {rows}"
