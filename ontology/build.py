"""Generate ``jalinan.owl`` (RDF/XML) from ``jalinan.ttl``, the one hand-edited source.

Why RDF/XML at all: Protégé opens it straight from the repository, and owlready2 (our HermiT
bridge) reads RDF/XML but not Turtle. Why committed: so that nobody needs Python to look at
the ontology. ``tests/test_ontology_export.py`` fails when the two files say different things.

Run with ``make ontology`` or ``python -m jalinan.ontology.build``.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from rdflib import OWL, RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, Node, URIRef

HERE = Path(__file__).resolve().parent
ONTOLOGY_TTL = HERE / "jalinan.ttl"
ONTOLOGY_OWL = HERE / "jalinan.owl"
CHECKS_DIR = HERE / "checks"

ONTOLOGY_IRI = "https://w3id.org/jalinan/ontology"
JL = ONTOLOGY_IRI + "#"
CONCEPT_BASE = "https://w3id.org/jalinan/concept/"

_NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")

# An XML comment may not contain "--", so the command is spelled without options.
GENERATED_HEADER = (
    "<!--\n"
    "  GENERATED FILE: DO NOT EDIT.\n"
    "  Generated from ontology/jalinan.ttl, the one hand-edited source, by\n"
    "  `make ontology` (python -m jalinan.ontology.build). Edit the Turtle and regenerate;\n"
    "  tests/test_ontology_export.py fails when this file is out of date.\n"
    "-->\n"
)


def load_ontology_graph(path: Path = ONTOLOGY_TTL) -> Graph:
    """Parse the Turtle source into a fresh graph (prefixes bound as written in the file)."""
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


# Namespaces that may appear as XML element names (predicates and element types).
XML_PREFIXES: dict[str, str] = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "jl": JL,
    "dcterms": "http://purl.org/dc/terms/",
    "vann": "http://purl.org/vocab/vann/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "time": "http://www.w3.org/2006/time#",
}

# Which rdf:type becomes the element name, and the order of the file's sections.
_SECTIONS: list[tuple[URIRef, str]] = [
    (OWL.Ontology, "Ontology"),
    (OWL.AnnotationProperty, "Annotation properties"),
    (OWL.ObjectProperty, "Object properties"),
    (OWL.DatatypeProperty, "Datatype properties"),
    (OWL.Class, "Classes"),
    (OWL.NamedIndividual, "Individuals"),
    (SKOS.ConceptScheme, "Concept schemes"),
    (SKOS.Concept, "Concepts"),
    (OWL.AllDisjointClasses, "General axioms"),
]
_INDENT = "  "


class _RdfXmlWriter:
    """A small deterministic RDF/XML writer in the style of the OWL API's output.

    rdflib's pretty-xml serialiser walks subjects in hash order and nests named resources
    inside one another, so its output changes from run to run and is hard to read. This one
    writes one element per named resource, grouped by kind and sorted by IRI, properties
    sorted, blank nodes (class expressions, lists) inline. The graph must have no blank node
    used twice, which holds for a hand-written ontology.
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.used_prefixes: set[str] = {"rdf"}
        for node in set(graph.objects()):
            if isinstance(node, BNode) and len(set(graph.subjects(None, node))) > 1:
                raise ValueError(f"blank node {node!r} is used more than once")

    def qname(self, iri: URIRef) -> str:
        """Return prefix:local for an element name, or fail on an unknown namespace."""
        for prefix, namespace in XML_PREFIXES.items():
            local = str(iri)[len(namespace) :]
            if str(iri).startswith(namespace) and local and _NCNAME.fullmatch(local):
                self.used_prefixes.add(prefix)
                return f"{prefix}:{local}"
        raise ValueError(f"no XML prefix for {iri}; add its namespace to XML_PREFIXES")

    def element_type(self, node: Node) -> URIRef | None:
        types = set(self.graph.objects(node, RDF.type))
        for kind, _ in _SECTIONS:
            if kind in types:
                return kind
        return min(types) if types else None

    def node(self, node: Node, depth: int) -> list[str]:
        """Lines for one resource: its typed element and sorted property elements."""
        pad = _INDENT * depth
        kind = self.element_type(node)
        tag = self.qname(kind) if kind is not None else "rdf:Description"
        about = f" rdf:about={quoteattr(str(node))}" if isinstance(node, URIRef) else ""
        children = [
            self.property(p, o, depth + 1)
            for p, o in self.graph.predicate_objects(node)
            if not (p == RDF.type and o == kind)
        ]
        if not children:
            return [f"{pad}<{tag}{about}/>"]
        body = [line for chunk in sorted(children) for line in chunk.split("\n")]
        return [f"{pad}<{tag}{about}>", *body, f"{pad}</{tag}>"]

    def property(self, predicate: URIRef, obj: Node, depth: int) -> str:
        pad = _INDENT * depth
        tag = self.qname(predicate)
        if isinstance(obj, Literal):
            attr = ""
            if obj.language:
                attr = f" xml:lang={quoteattr(obj.language)}"
            elif obj.datatype is not None:
                attr = f" rdf:datatype={quoteattr(str(obj.datatype))}"
            return f"{pad}<{tag}{attr}>{escape(str(obj))}</{tag}>"
        if isinstance(obj, URIRef):
            return f"{pad}<{tag} rdf:resource={quoteattr(str(obj))}/>"
        members = self.list_members(obj)
        if members is not None:
            inner = [
                line
                for member in members
                for line in (
                    [f"{pad}{_INDENT}<rdf:Description rdf:about={quoteattr(str(member))}/>"]
                    if isinstance(member, URIRef)
                    else self.node(member, depth + 1)
                )
            ]
            lines = [f'{pad}<{tag} rdf:parseType="Collection">', *inner, f"{pad}</{tag}>"]
            return "\n".join(lines)
        lines = [f"{pad}<{tag}>", *self.node(obj, depth + 1), f"{pad}</{tag}>"]
        return "\n".join(lines)

    def list_members(self, node: Node) -> list[Node] | None:
        """The members of an RDF list that holds nothing but rdf:first/rdf:rest, else None."""
        members: list[Node] = []
        while node != RDF.nil:
            if not isinstance(node, BNode):
                return None
            if set(self.graph.predicates(node)) != {RDF.first, RDF.rest}:
                return None
            members.append(self.graph.value(node, RDF.first))
            node = self.graph.value(node, RDF.rest)
        return members or None

    def render(self) -> str:
        top: dict[URIRef | None, list[Node]] = {}
        for subject in set(self.graph.subjects()):
            if isinstance(subject, BNode) and (None, None, subject) in self.graph:
                continue  # written inline where it is used
            kind = self.element_type(subject)
            section = kind if kind in dict(_SECTIONS) else None
            top.setdefault(section, []).append(subject)
        body: list[str] = []
        for kind, title in [*_SECTIONS, (None, "Other resources")]:
            subjects = top.get(kind, [])
            if not subjects:
                continue
            body += ["", f"{_INDENT}<!-- {title} -->", ""]
            rendered = sorted(("\n".join(self.node(s, 1)), str(s)) for s in subjects)
            if all(isinstance(s, URIRef) for s in subjects):
                rendered.sort(key=lambda pair: pair[1])
            for text, _ in rendered:
                body += [*text.split("\n"), ""]
        namespaces = [
            f"{_INDENT}xmlns:{prefix}={quoteattr(XML_PREFIXES[prefix])}"
            for prefix in sorted(self.used_prefixes)
        ]
        return "\n".join(
            [
                '<?xml version="1.0" encoding="utf-8"?>',
                GENERATED_HEADER.rstrip("\n"),
                "<rdf:RDF",
                *namespaces,
                f"{_INDENT}xml:base={quoteattr(ONTOLOGY_IRI)}>",
                *body,
                "</rdf:RDF>",
                "",
            ]
        )


def render_rdfxml(graph: Graph) -> str:
    """Serialise ``graph`` as deterministic, readable RDF/XML with the generated-file header."""
    return _RdfXmlWriter(graph).render()


def build(source: Path = ONTOLOGY_TTL, target: Path = ONTOLOGY_OWL) -> Path:
    """Write the RDF/XML export of ``source`` to ``target`` and return ``target``."""
    target.write_text(render_rdfxml(load_ontology_graph(source)), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ONTOLOGY_TTL)
    parser.add_argument("--target", type=Path, default=ONTOLOGY_OWL)
    args = parser.parse_args(argv)
    print(f"wrote {build(args.source, args.target)}")


if __name__ == "__main__":
    main()
