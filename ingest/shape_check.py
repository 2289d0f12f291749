"""Check the built graph against the SHACL shapes with pyshacl, the field's standard validator.

pyshacl works on an rdflib graph. At 10,000 articles (2 million triples) serialising the built
triples and re-parsing them with rdflib's N-Triples parser took a third of the whole ingest, so
the graph is built straight from the terms instead, and only from the triples the shapes can
read: their paths, their `sh:targetSubjectsOf`/`sh:targetObjectsOf` predicates, `rdf:type` and
`rdfs:subClassOf` (for `sh:targetClass` and `sh:class`). Leaving out the rest (labels, match
keys, the other claim fields…) cannot change a verdict, because no shape looks at it; a test
keeps the set honest by checking that every predicate the shapes name is kept.
"""

from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Triple
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import RDF, RDFS, SH

from jalinan.ingest.vocabulary import ontology_graph

SHAPES = Path(str(files("jalinan.ingest.shapes") / "jalinan-shapes.ttl"))


@cache
def _shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def predicates_read_by_shapes(shapes: Graph) -> frozenset[str]:
    """Every predicate a shape can follow or target, plus what class membership needs."""
    read = {str(RDF.type), str(RDFS.subClassOf)}
    for link in (SH.path, SH.inversePath, SH.targetSubjectsOf, SH.targetObjectsOf):
        read |= {str(term) for term in shapes.objects(None, link) if isinstance(term, URIRef)}
    return frozenset(read)


class _TermConverter:
    """pyoxigraph terms to rdflib terms, reusing one rdflib object per IRI (most recur)."""

    def __init__(self) -> None:
        self._iris: dict[str, URIRef] = {}
        self._datatypes: dict[str, URIRef] = {}

    def __call__(self, term: NamedNode | BlankNode | Literal) -> URIRef | BNode | RdfLiteral:
        if isinstance(term, NamedNode):
            iri = self._iris.get(term.value)
            if iri is None:
                iri = self._iris[term.value] = URIRef(term.value)
            return iri
        if isinstance(term, Literal):
            if term.language:
                return RdfLiteral(term.value, lang=term.language)
            datatype = self._datatypes.get(term.datatype.value)
            if datatype is None:
                datatype = self._datatypes[term.datatype.value] = URIRef(term.datatype.value)
            return RdfLiteral(term.value, datatype=datatype)
        return BNode(term.value)


def data_graph(graphs: Mapping[str, Iterable[Triple]], ontology_ttl: Path, read: frozenset[str]) -> Graph:
    """The union of `graphs` and the ontology, limited to the predicates in `read`."""
    data = Graph()
    ontology = ontology_graph(ontology_ttl)
    data.addN((s, p, o, data) for s, p, o in ontology if str(p) in read)
    convert = _TermConverter()
    data.addN(
        (convert(t.subject), convert(t.predicate), convert(t.object), data)
        for triples in graphs.values()
        for t in triples
        if t.predicate.value in read
    )
    return data


def shape_violations(graphs: Mapping[str, Iterable[Triple]], ontology_ttl: Path) -> list[str]:
    """Validate the union of `graphs` plus the ontology; return one readable line per violation."""
    import pyshacl  # imported here: it is slow to import and only ingest needs it

    shapes = _shapes()
    data = data_graph(graphs, ontology_ttl, predicates_read_by_shapes(shapes))
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, advanced=False, allow_warnings=True, inplace=True
    )
    return [] if conforms else violation_lines(report)


def violation_lines(report: Graph) -> list[str]:
    """One readable line per result of a SHACL validation report: focus node, path, message."""
    lines = []
    for result in report.subjects(predicate=SH.focusNode):
        focus = report.value(result, SH.focusNode)
        message = report.value(result, SH.resultMessage)
        path = report.value(result, SH.resultPath)
        where = f" ({path})" if path is not None and not isinstance(path, type(result)) else ""
        lines.append(f"{focus}{where}: {message}")
    return sorted(set(lines))
