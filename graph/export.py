"""Ontology plus facts as one RDF/XML file, the form Protégé (and owlready2/HermiT) open."""

from pyoxigraph import BlankNode, NamedNode, RdfFormat, Triple, serialize

from jalinan.graph.namespaces import GENID
from jalinan.graph.results import GraphResult
from jalinan.graph.store import GraphStore

_UNION = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def _unskolemise(term):
    """Skolem IRIs of the stored ontology become blank nodes again, as OWL's RDF mapping wants."""
    if isinstance(term, NamedNode) and term.value.startswith(GENID):
        return BlankNode("genid" + term.value.removeprefix(GENID))
    return term


def ontology_with_facts_rdfxml(store: GraphStore) -> bytes:
    """Every graph merged into one RDF/XML document (the ontology is itself one of the graphs)."""
    result = store.query(_UNION)
    assert isinstance(result, GraphResult)
    triples = [Triple(_unskolemise(t.subject), t.predicate, _unskolemise(t.object)) for t in result.triples]
    return serialize(triples, format=RdfFormat.RDF_XML)
