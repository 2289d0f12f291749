"""What the ontology declares, read once, so validation can name unknown terms precisely."""

from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from jalinan.graph.namespaces import CONCEPT, JL, TIME

TIME_INSTANT = TIME + "Instant"


def ontology_source() -> Path:
    """The hand-edited Turtle source of the ontology, as installed with the package."""
    return Path(str(files("jalinan.ontology") / "jalinan.ttl"))


@dataclass
class Vocabulary:
    """Classes, properties and concepts of the ontology, with what validation needs of each."""

    classes: set[str] = field(default_factory=set)
    ancestors: dict[str, set[str]] = field(default_factory=dict)
    object_properties: dict[str, list[str]] = field(default_factory=dict)  # iri -> range classes
    datatype_properties: dict[str, str | None] = field(default_factory=dict)  # iri -> datatype
    annotation_properties: set[str] = field(default_factory=set)
    domains: dict[str, list[str]] = field(default_factory=dict)
    concepts: dict[str, set[str]] = field(default_factory=dict)  # iri -> its classes

    def is_a(self, types: set[str], wanted: list[str]) -> bool:
        """Whether a node with these asserted types belongs to one of the wanted classes."""
        if not wanted:
            return True
        closure: set[str] = set()
        for type_iri in types:
            closure |= self.ancestors.get(type_iri, {type_iri})
        return any(want in closure for want in wanted)

    def is_date_property(self, iri: str) -> bool:
        return self.object_properties.get(iri) == [TIME_INSTANT]


def _class_list(graph: Graph, node: URIRef | None) -> list[str]:
    """A named class, or the members of an owl:unionOf, as IRIs."""
    if node is None:
        return []
    if isinstance(node, URIRef):
        return [str(node)]
    union = graph.value(node, OWL.unionOf)
    if union is not None:
        return [str(member) for member in Collection(graph, union) if isinstance(member, URIRef)]
    return []


@lru_cache(maxsize=4)
def ontology_graph(source: Path) -> Graph:
    """The ontology's Turtle source parsed once per process (callers only read it)."""
    return Graph().parse(source, format="turtle")


def load_vocabulary(source: Path | None = None) -> Vocabulary:
    """Read the ontology's Turtle source into a `Vocabulary`."""
    graph = ontology_graph(source or ontology_source())
    vocabulary = Vocabulary()
    vocabulary.classes = {str(c) for c in graph.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    for cls in vocabulary.classes:
        seen = {cls}
        frontier = [URIRef(cls)]
        while frontier:
            current = frontier.pop()
            for parent in graph.objects(current, RDFS.subClassOf):
                if isinstance(parent, URIRef) and str(parent) not in seen:
                    seen.add(str(parent))
                    frontier.append(parent)
        vocabulary.ancestors[cls] = seen
    for prop in graph.subjects(RDF.type, OWL.ObjectProperty):
        if isinstance(prop, URIRef):
            vocabulary.object_properties[str(prop)] = _class_list(graph, graph.value(prop, RDFS.range))
            vocabulary.domains[str(prop)] = _class_list(graph, graph.value(prop, RDFS.domain))
    for prop in graph.subjects(RDF.type, OWL.DatatypeProperty):
        if isinstance(prop, URIRef):
            datatype = graph.value(prop, RDFS.range)
            vocabulary.datatype_properties[str(prop)] = (
                str(datatype) if isinstance(datatype, URIRef) else None
            )
            vocabulary.domains[str(prop)] = _class_list(graph, graph.value(prop, RDFS.domain))
    vocabulary.annotation_properties = {
        str(p) for p in graph.subjects(RDF.type, OWL.AnnotationProperty) if isinstance(p, URIRef)
    }
    for concept in graph.subjects(RDF.type, SKOS.Concept):
        if isinstance(concept, URIRef) and str(concept).startswith(CONCEPT):
            vocabulary.concepts[str(concept)] = {
                str(t) for t in graph.objects(concept, RDF.type) if isinstance(t, URIRef)
            }
    return vocabulary


def jl(local_name: str) -> str:
    return JL + local_name
