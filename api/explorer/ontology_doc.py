"""The ontology's documentation, read from `ontology/jalinan.ttl` with rdflib.

One `Term` per class and property (Jalinan's own first, then the terms it reuses and declares),
and one `Scheme` per SKOS concept scheme, each with what a reader needs: labels in English,
Malay and Chinese, the definition, domain and range (a union read as "A or B"), super- and
sub-terms, and the inverse. Parsed once per process: the file changes only with a release.
"""

from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef
from rdflib.collection import Collection
from rdflib.term import BNode, Node

from jalinan.graph.namespaces import CONCEPT, JL, ONTOLOGY

LANGUAGES = ("en", "ms", "zh")
KINDS = [
    (OWL.Class, "Classes"),
    (OWL.ObjectProperty, "Object properties"),
    (OWL.DatatypeProperty, "Datatype properties"),
    (OWL.AnnotationProperty, "Annotation properties"),
]
PREFIXES = {
    JL: "jl",
    "http://www.w3.org/ns/org#": "org",
    "http://www.w3.org/ns/prov#": "prov",
    "http://xmlns.com/foaf/0.1/": "foaf",
    "https://schema.org/": "schema",
    "http://www.w3.org/2006/time#": "time",
    "http://www.w3.org/2004/02/skos/core#": "skos",
    "http://purl.org/dc/terms/": "dcterms",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs",
    "http://www.w3.org/2001/XMLSchema#": "xsd",
    "http://www.w3.org/2002/07/owl#": "owl",
    "http://purl.org/vocab/vann/": "vann",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf",
}


@dataclass(frozen=True)
class Ref:
    """A link to a term: its prefixed name, and an anchor on this page when it is documented here."""

    name: str
    iri: str
    anchor: str | None


@dataclass
class Term:
    iri: str
    name: str  # prefixed, e.g. jl:Agreement
    anchor: str
    kind: str
    labels: dict[str, str]
    definition: str
    parents: list[Ref] = field(default_factory=list)
    children: list[Ref] = field(default_factory=list)
    domain: list[list[Ref]] = field(default_factory=list)  # each a union: "A or B"
    range: list[list[Ref]] = field(default_factory=list)
    inverse: list[Ref] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)

    @property
    def own(self) -> bool:
        return self.iri.startswith(JL)


@dataclass
class Concept:
    iri: str
    anchor: str
    labels: dict[str, str]
    alt_labels: list[str]
    definition: str
    broader: list[Ref]


@dataclass
class Scheme:
    iri: str
    anchor: str
    label: str
    concepts: list[Concept]


@dataclass
class Documentation:
    title: str
    description: str
    version: str
    sections: list[tuple[str, list[Term]]]
    schemes: list[Scheme]

    def term(self, name: str) -> Term | None:
        return next((t for _, terms in self.sections for t in terms if t.name == name), None)


def prefixed(iri: str) -> str:
    for namespace, prefix in PREFIXES.items():
        if iri.startswith(namespace) and "/" not in iri[len(namespace) :]:
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def anchor_of(iri: str) -> str:
    return prefixed(iri).replace(":", "-").replace("/", "-")


def _literal(graph: Graph, node: Node, predicate: URIRef, language: str) -> str:
    for value in graph.objects(node, predicate):
        if getattr(value, "language", None) == language:
            return str(value)
    return ""


def ttl_path() -> str:
    return str(files("jalinan.ontology") / "jalinan.ttl")


@cache
def documentation() -> Documentation:
    """The whole page's content (cached: the file is part of the installed package)."""
    graph = Graph()
    graph.parse(ttl_path(), format="turtle")
    documented: dict[str, str] = {}
    for kind, _ in KINDS:
        for node in graph.subjects(RDF.type, kind):
            if isinstance(node, URIRef):
                documented[str(node)] = anchor_of(str(node))

    def ref(node: Node) -> Ref:
        return Ref(prefixed(str(node)), str(node), documented.get(str(node)))

    def unions(node: Node, predicate: URIRef) -> list[list[Ref]]:
        found = []
        for value in graph.objects(node, predicate):
            if isinstance(value, BNode):
                members = graph.value(value, OWL.unionOf)
                if members is not None:
                    found.append([ref(m) for m in Collection(graph, members)])
            else:
                found.append([ref(value)])
        return found

    sections = []
    for kind, heading in KINDS:
        parent_property = RDFS.subClassOf if kind == OWL.Class else RDFS.subPropertyOf
        terms = []
        for iri in sorted(
            (str(n) for n in graph.subjects(RDF.type, kind) if isinstance(n, URIRef)),
            key=lambda i: (not i.startswith(JL), prefixed(i).lower()),
        ):
            node = URIRef(iri)
            inverse = [*graph.objects(node, OWL.inverseOf), *graph.subjects(OWL.inverseOf, node)]
            terms.append(
                Term(
                    iri=iri,
                    name=prefixed(iri),
                    anchor=documented[iri],
                    kind=heading,
                    labels={lang: _literal(graph, node, RDFS.label, lang) for lang in LANGUAGES},
                    definition=_literal(graph, node, SKOS.definition, "en"),
                    parents=sorted(
                        (ref(p) for p in graph.objects(node, parent_property) if isinstance(p, URIRef)),
                        key=lambda r: r.name,
                    ),
                    children=sorted(
                        (ref(c) for c in graph.subjects(parent_property, node) if isinstance(c, URIRef)),
                        key=lambda r: r.name,
                    ),
                    domain=unions(node, RDFS.domain),
                    range=unions(node, RDFS.range),
                    inverse=sorted({ref(i) for i in inverse if isinstance(i, URIRef)}, key=lambda r: r.name),
                    characteristics=[
                        name
                        for name, marker in (
                            ("transitive", OWL.TransitiveProperty),
                            ("functional", OWL.FunctionalProperty),
                            ("symmetric", OWL.SymmetricProperty),
                        )
                        if (node, RDF.type, marker) in graph
                    ],
                )
            )
        sections.append((heading, terms))
    return Documentation(
        title=_literal(graph, URIRef(ONTOLOGY), URIRef("http://purl.org/dc/terms/title"), "en"),
        description=_literal(graph, URIRef(ONTOLOGY), URIRef("http://purl.org/dc/terms/description"), "en"),
        version=str(graph.value(URIRef(ONTOLOGY), OWL.versionInfo) or ""),
        sections=sections,
        schemes=_schemes(graph),
    )


def _schemes(graph: Graph) -> list[Scheme]:
    schemes = []
    for scheme in sorted(str(s) for s in graph.subjects(RDF.type, SKOS.ConceptScheme)):
        if not scheme.startswith(CONCEPT):
            continue
        concepts = []
        for concept in sorted(str(c) for c in graph.subjects(SKOS.inScheme, URIRef(scheme))):
            node = URIRef(concept)
            concepts.append(
                Concept(
                    iri=concept,
                    anchor="concept-" + concept.removeprefix(CONCEPT).replace("/", "-"),
                    labels={lang: _literal(graph, node, SKOS.prefLabel, lang) for lang in LANGUAGES},
                    alt_labels=sorted(str(a) for a in graph.objects(node, SKOS.altLabel)),
                    definition=_literal(graph, node, SKOS.definition, "en"),
                    broader=[
                        Ref(
                            _literal(graph, URIRef(b), SKOS.prefLabel, "en") or b.removeprefix(CONCEPT),
                            b,
                            "concept-" + b.removeprefix(CONCEPT).replace("/", "-"),
                        )
                        for b in sorted(str(b) for b in graph.objects(node, SKOS.broader))
                    ],
                )
            )
        label = _literal(graph, URIRef(scheme), SKOS.prefLabel, "en") or _literal(
            graph, URIRef(scheme), RDFS.label, "en"
        )
        schemes.append(
            Scheme(
                scheme,
                "scheme-" + scheme.removeprefix(CONCEPT),
                label or scheme.removeprefix(CONCEPT),
                concepts,
            )
        )
    return schemes


def topics() -> list[Concept]:
    """The topic concepts (for the home page's entry points)."""
    for scheme in documentation().schemes:
        if scheme.iri == CONCEPT + "topic":
            return scheme.concepts
    return []


def descendants(name: str) -> set[str]:
    """The IRIs of a class and every class under it (`jl:Agreement` → Agreement, MoU, …)."""
    documentation_ = documentation()
    found: set[str] = set()
    todo = [name]
    while todo:
        term = documentation_.term(todo.pop())
        if term is None or term.iri in found:
            continue
        found.add(term.iri)
        todo.extend(child.name for child in term.children)
    return found
