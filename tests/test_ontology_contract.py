"""Every term ARCHITECTURE.md promises is defined in the ontology, as the kind it promises.

ARCHITECTURE.md's "Ontology terms" section is the contract between the ontology, the curated
facts and the queries; this test reads it, so a term added there and not here (or renamed
here) fails the build with its name.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, SKOS, Graph, URIRef
from rdflib.collection import Collection

from jalinan.ontology.build import CONCEPT_BASE, JL, load_ontology_graph

ARCHITECTURE = Path(__file__).resolve().parents[1] / "ARCHITECTURE.md"
PREFIXES = {
    "jl": JL,
    "time": "http://www.w3.org/2006/time#",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
}
BUILT_IN = ("rdfs:", "rdf:", "owl:", "xsd:")


def _section(title: str, end: str) -> str:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    start = text.index(title)
    return text[start : text.index(end, start + len(title))]


CLASSES_TEXT = _section("Classes (top-level", "Object properties (")
OBJECT_TEXT = _section("Object properties (", "Datatype properties:")
DATATYPE_TEXT = _section("Datatype properties:", "Annotation properties:")
ANNOTATION_TEXT = _section("Annotation properties:", "SKOS schemes")
SCHEMES_TEXT = ARCHITECTURE.read_text(encoding="utf-8").split("SKOS schemes (", 1)[1]


def _iri(name: str) -> URIRef:
    prefix, _, local = name.rpartition(":")
    return URIRef(PREFIXES[prefix or "jl"] + local)


def _names(text: str, pattern: str) -> list[str]:
    """Backticked names in ``text`` that match ``pattern`` and are not built-in terms."""
    names = re.findall(r"`([^`\s]+)`", text)
    return sorted({n for n in names if re.fullmatch(pattern, n) and not n.startswith(BUILT_IN)})


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology_graph()


CLASS_NAMES = _names(CLASSES_TEXT, r"([a-z]+:)?[A-Z]\w*")
INDIVIDUAL_NAMES = _names(CLASSES_TEXT, r"time:unit\w+")
OBJECT_NAMES = _names(OBJECT_TEXT, r"([a-z]+:)?[a-z]\w*")
DATATYPE_NAMES = _names(DATATYPE_TEXT, r"[a-z]\w*")
ANNOTATION_NAMES = _names(ANNOTATION_TEXT, r"([a-z]+:)?[a-z]\w*")
INVERSES = re.findall(r"`(\w+)` \([^()]*?inverse `(\w+)`\)", OBJECT_TEXT)


def test_contract_was_read() -> None:
    assert len(CLASS_NAMES) >= 45 and len(OBJECT_NAMES) >= 50 and len(INVERSES) >= 15
    assert len(DATATYPE_NAMES) >= 12 and len(ANNOTATION_NAMES) >= 5


@pytest.mark.parametrize(
    ("name", "kind"),
    [(n, OWL.Class) for n in CLASS_NAMES]
    + [(n, OWL.ObjectProperty) for n in OBJECT_NAMES]
    + [(n, OWL.DatatypeProperty) for n in DATATYPE_NAMES]
    + [(n, OWL.AnnotationProperty) for n in ANNOTATION_NAMES],
)
def test_contract_term_is_defined(ontology: Graph, name: str, kind: URIRef) -> None:
    assert (_iri(name), RDF.type, kind) in ontology, f"{name} is not declared {kind.n3()}"


@pytest.mark.parametrize("name", INDIVIDUAL_NAMES)
def test_time_units_are_individuals(ontology: Graph, name: str) -> None:
    assert (_iri(name), RDF.type, _iri("time:TemporalUnit")) in ontology


@pytest.mark.parametrize(("prop", "inverse"), INVERSES)
def test_contract_inverse_is_declared(ontology: Graph, prop: str, inverse: str) -> None:
    p, q = _iri(prop), _iri(inverse)
    assert (p, OWL.inverseOf, q) in ontology or (q, OWL.inverseOf, p) in ontology


def test_top_level_classes_are_pairwise_disjoint(ontology: Graph) -> None:
    listed = re.search(r"pairwise disjoint: ([^)]*)\)", CLASSES_TEXT)
    assert listed is not None
    wanted = {_iri(n.strip()) for n in listed.group(1).replace("\n", " ").split(",")}
    groups = [
        set(Collection(ontology, ontology.value(axiom, OWL.members)))
        for axiom in ontology.subjects(RDF.type, OWL.AllDisjointClasses)
    ]
    assert any(wanted <= group for group in groups), "no owl:AllDisjointClasses with all of them"


def _concept_contract() -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """(scheme, concept) pairs and (concept, relation, other) links listed in the contract."""
    concepts: list[tuple[str, str]] = []
    links: list[tuple[str, str, str]] = []
    for bullet in re.split(r"\n- ", SCHEMES_TEXT):
        head = re.match(r"`([a-z-]+)`[^:`]*:(.*)", bullet, re.DOTALL)
        if head is None:
            continue  # "`topic`, `sector`, `measure`: see …" names schemes, not concepts
        scheme, rest = head.groups()
        relation = parent = last = None
        for token in re.finditer(r"`([^`]+)`|\((narrower|broader)\b:?|\)", rest):
            if token.group(2):
                relation, parent = token.group(2), last
            elif token.group(0) == ")":
                relation = None
            elif re.fullmatch(r"[a-z0-9-]+", token.group(1)):
                name = f"{scheme}/{token.group(1)}"
                concepts.append((scheme, name))
                if relation and parent:
                    links.append((parent, relation, name))
                else:
                    last = name
            else:
                break  # "see `ontology/jalinan.ttl`": no concepts on this line
    return sorted(set(concepts)), sorted(set(links))


CONCEPTS, CONCEPT_LINKS = _concept_contract()


def test_concept_contract_was_read() -> None:
    assert len(CONCEPTS) >= 68 and len(CONCEPT_LINKS) >= 15


@pytest.mark.parametrize(("scheme", "concept"), CONCEPTS)
def test_contract_concept_is_defined(ontology: Graph, scheme: str, concept: str) -> None:
    iri = URIRef(CONCEPT_BASE + concept)
    assert (iri, RDF.type, SKOS.Concept) in ontology, f"{concept} missing"
    assert (iri, SKOS.inScheme, URIRef(CONCEPT_BASE + scheme)) in ontology


@pytest.mark.parametrize(("concept", "relation", "other"), CONCEPT_LINKS)
def test_contract_concept_hierarchy(ontology: Graph, concept: str, relation: str, other: str) -> None:
    assert (URIRef(CONCEPT_BASE + concept), SKOS[relation], URIRef(CONCEPT_BASE + other)) in ontology
