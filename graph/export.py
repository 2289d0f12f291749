"""Ontology plus facts as one RDF/XML file, the form Protégé (and owlready2/HermiT) open."""

from jalinan.graph.results import GraphResult
from jalinan.graph.store import GraphStore
from pyoxigraph import RdfFormat, serialize

_UNION = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def ontology_with_facts_rdfxml(store: GraphStore) -> bytes:
    """Every graph merged into one RDF/XML document (the ontology is itself one of the graphs)."""
    result = store.query(_UNION)
    assert isinstance(result, GraphResult)
    return serialize(result.triples, format=RdfFormat.RDF_XML)
