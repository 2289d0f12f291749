"""The SPARQL 1.1 Service Description, built from terms (it is a document about the server,
not data a user would query)."""

from pyoxigraph import BlankNode, NamedNode, RdfFormat, Triple, serialize

from jalinan.api.negotiation import GRAPH_FORMATS, RESULTS_FORMATS

SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCTERMS_DESCRIPTION = NamedNode("http://purl.org/dc/terms/description")


def sd(name: str) -> NamedNode:
    return NamedNode(SD + name)


def service_description(endpoint: str, writes_enabled: bool, rdf_format: RdfFormat) -> bytes:
    from pyoxigraph import Literal

    service = BlankNode("service")
    dataset = BlankNode("dataset")
    default_graph = BlankNode("defaultGraph")
    triples = [
        Triple(service, RDF_TYPE, sd("Service")),
        Triple(service, sd("endpoint"), NamedNode(endpoint)),
        Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        Triple(service, sd("defaultDataset"), dataset),
        Triple(dataset, RDF_TYPE, sd("Dataset")),
        Triple(dataset, sd("defaultGraph"), default_graph),
        Triple(default_graph, RDF_TYPE, sd("Graph")),
        Triple(
            default_graph,
            DCTERMS_DESCRIPTION,
            Literal(
                "The union of all named graphs: one per source article, the shared entities, the ontology.",
                language="en",
            ),
        ),
    ]
    if writes_enabled:
        triples.append(Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    for fmt in [*RESULTS_FORMATS, *GRAPH_FORMATS]:
        triples.append(Triple(service, sd("resultFormat"), NamedNode(fmt.iri)))
    return serialize(
        triples,
        format=rdf_format,
        prefixes={"sd": SD, "dcterms": "http://purl.org/dc/terms/"}
        if rdf_format == RdfFormat.TURTLE
        else None,
    )
