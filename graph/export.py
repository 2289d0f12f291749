"""Ontology plus facts as one RDF/XML file, the form Protégé (and owlready2/HermiT) open."""

from pyoxigraph import BlankNode, NamedNode, RdfFormat, Triple, serialize

from jalinan.graph.namespaces import GENID, INFERRED_GRAPH, INGEST_STATE_GRAPH, NETWORK_SUMMARY_GRAPH
from jalinan.graph.results import GraphResult
from jalinan.graph.store import GraphStore

GRAPHS = "https://w3id.org/jalinan/graph/"

# The ontology and the facts: not ingest's bookkeeping (digests, counts, the lists' order and
# members, the network summary), whose terms OWL does not declare (the OWL 2 DL profile check
# counted 125 violations; after the lists' `rdf:value` and the summary's literals were added,
# 432), nor the inferred graph, which any OWL reasoner derives again from the rest.
_FACTS = f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER (?g NOT IN (<{INGEST_STATE_GRAPH}>, <{INFERRED_GRAPH}>, <{NETWORK_SUMMARY_GRAPH}>))
  FILTER (!STRSTARTS(STR(?g), "{GRAPHS}list-order/") && !STRSTARTS(STR(?g), "{GRAPHS}list-members/"))
}}"""


def _unskolemise(term):
    """Skolem IRIs of the stored ontology become blank nodes again, as OWL's RDF mapping wants."""
    if isinstance(term, NamedNode) and term.value.startswith(GENID):
        return BlankNode("genid" + term.value.removeprefix(GENID))
    return term


def ontology_with_facts_rdfxml(store: GraphStore) -> bytes:
    """The ontology and every graph of facts merged into one RDF/XML document (the ontology is
    itself one of the graphs)."""
    result = store.query(_FACTS)
    assert isinstance(result, GraphResult)
    triples = [Triple(_unskolemise(t.subject), t.predicate, _unskolemise(t.object)) for t in result.triples]
    return serialize(triples, format=RdfFormat.RDF_XML)
