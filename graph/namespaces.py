"""The IRIs Jalinan mints, in one place (see ARCHITECTURE.md)."""

ONTOLOGY = "https://w3id.org/jalinan/ontology"
JL = ONTOLOGY + "#"
ID = "https://w3id.org/jalinan/id/"
ARTICLE = ID + "article/"
DATE = ID + "date/"
EVIDENCE = ID + "evidence/"
CONCEPT = "https://w3id.org/jalinan/concept/"
ENTITIES_GRAPH = "https://w3id.org/jalinan/graph/entities"
ONTOLOGY_GRAPH = ONTOLOGY
# Ties across articles: facts inferred from quotes of several articles (ingest/facts/ties.yaml),
# kept apart so that a query can leave every cross-article inference out.
TIES_GRAPH = "https://w3id.org/jalinan/graph/ties"
# Background facts: what no article states but a reader needs to connect them (a ministry split
# in two), each resting on a public source named on its evidence (ingest/facts/background.yaml).
BACKGROUND_GRAPH = "https://w3id.org/jalinan/graph/background"
# Date nodes are described once, here: Oxigraph's union default graph returns a triple once per
# graph holding it, so describing a shared date in every article graph would repeat rows.
DATES_GRAPH = "https://w3id.org/jalinan/graph/dates"
# Match keys of the ontology's SKOS concepts (labels and aliases, lower-cased), for lookups.
CONCEPT_KEYS_GRAPH = "https://w3id.org/jalinan/graph/concept-keys"
# What the ontology entails from every other graph (hierarchies, inverses, transitive chains),
# materialised by ingest (`ingest/entailments.py`); only what no other graph asserts, so the
# union default graph returns each triple once. Leave it out to read only what was asserted.
INFERRED_GRAPH = "https://w3id.org/jalinan/graph/inferred"
# each node's neighbours and first ties in the network view, counted at ingest (bookkeeping)
NETWORK_SUMMARY_GRAPH = "https://w3id.org/jalinan/graph/network-summary"
# Ingest's bookkeeping: the digest of each graph's content as last written (not facts).
INGEST_STATE_GRAPH = "https://w3id.org/jalinan/graph/ingest-state"
INGEST_DIGEST = "https://w3id.org/jalinan/ingest#digest"
# Ingest's counts (nodes per class, triples and quotes per article), kept in the ingest-state
# graph with the digests, written with the data so that `stats-by-class` and `stats-by-article`
# read them instead of aggregating every quad. Bookkeeping, not facts: their nodes are outside
# `/id/`, and kept off entity pages and search.
INGEST = "https://w3id.org/jalinan/ingest#"
STATISTIC = "https://w3id.org/jalinan/ingest/statistics/"
# Blank nodes of the ontology (OWL class expressions) are skolemised when stored (RDF 1.1 §3.5),
# so that ingesting twice gives identical quads; exports for OWL tools turn them back.
GENID = ONTOLOGY + "/.well-known/genid/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
TIME = "http://www.w3.org/2006/time#"


def entity_iri(entity_id: str) -> str:
    return ID + entity_id


def article_iri(article_id: str) -> str:
    return ARTICLE + article_id


def concept_iri(scheme: str, name: str) -> str:
    return f"{CONCEPT}{scheme}/{name}"
