"""Entity IRIs dereference (`https://w3id.org/jalinan/id/{id}` is served at `/id/{id}`).

RDF clients get Turtle, JSON-LD, N-Triples or RDF/XML, by content negotiation, from the canned
query `describe`; browsers get the explorer's page (`explorer/entity_page.py`, a route that
matches only requests preferring HTML, registered before this one). Both answer a page of the
entity's statements (`_page`, `_size`, as the canned queries page):
a busy organisation is the party of thousands of agreements, and one answer holding them all
took a second to compute and was too long to read. A full page links to the next one
(`Link: <…>; rel="next"`). The path is checked against the id
pattern before anything runs, so `..` or encoded slashes can never reach a file or a query:
they are simply not found. Answers carry an `ETag` and are kept in the result cache until the
next write (`caching.py`).
"""

import json
import re

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pyoxigraph import NamedNode, RdfFormat, Triple, serialize

from jalinan.api import pages, paging, querying
from jalinan.api.caching import NOT_MODIFIED, cached
from jalinan.api.dependencies import CatalogueDep, StoreDep
from jalinan.api.errors import not_found
from jalinan.api.logging import note_query
from jalinan.api.negotiation import DEFAULT_GRAPH_FORMAT, GRAPH_FORMATS, media_type, negotiate
from jalinan.graph.namespaces import ID, JL, ONTOLOGY_GRAPH
from jalinan.queries.catalogue import CannedQuery, Page

router = APIRouter(tags=["Linked Data"], responses=NOT_MODIFIED)
_ID_PATH = re.compile(r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)*$")
ENTITY_FORMATS = [RdfFormat.TURTLE, RdfFormat.JSON_LD, RdfFormat.N_TRIPLES, RdfFormat.RDF_XML]


# An evidence quote's links to the statement it supports: not statements about the entity.
_CLAIM_LINKS = frozenset({NamedNode(JL + "claimSubject"), NamedNode(JL + "claimObject")})


def _bound(query: CannedQuery, iri: str, page: Page) -> str:
    return query.bind_page(query.bind({tuple(query.parameters[0].variables): [(NamedNode(iri), None)]}), page)


def statements_in(triples: list[Triple], iri: str) -> int:
    """How many of the entity's statements a page of its description holds: the triples with
    the entity at one end, less the quotes' links to it (each statement is one such triple)."""
    node = NamedNode(iri)
    return sum(
        1 for t in triples if (t.subject == node or t.object == node) and t.predicate not in _CLAIM_LINKS
    )


@router.get(
    "/id/{entity_path:path}",
    summary="Dereference an entity IRI",
    description="HTML for browsers; Turtle, JSON-LD, N-Triples or RDF/XML by Accept or `_format`. "
    "A page of the entity's statements (100 on the HTML page, 50 as RDF unless `_size` says; `_page` "
    'picks the page); a full page links to the next with `Link: <…>; rel="next"`. '
    "Example: `/id/mosti`.",
)
async def entity(entity_path: str, request: Request, store: StoreDep, catalogue: CatalogueDep) -> Response:
    if not _ID_PATH.match(entity_path):
        raise not_found(f"no entity /id/{entity_path}")
    iri = ID + entity_path
    choice = negotiate(
        request.headers.get("accept"),
        request.query_params.get("_format"),
        results=[],
        graphs=ENTITY_FORMATS,
        parameter="_format",
    )
    evidence_href = pages.evidence_query_href(entity_path)
    links = (
        f'<{evidence_href}>; rel="alternate"; type="application/json", '
        f'</id/{entity_path}?_format=ttl>; rel="alternate"; type="text/turtle"'
    )
    headers = {"Vary": "Accept", "Link": links}
    pairs = list(request.query_params.multi_items())
    query = catalogue["describe"]
    page = paging.requested_page(query, pairs)
    assert query.paging is not None, f"{query.path} answers pages"

    def link_next() -> str:
        href = paging.next_href(request.url.path, pairs, page)
        headers["Link"] += ", " + paging.link_header(href)
        return href

    # Only an empty first page says that the entity does not exist; a later one is past the end.
    first_page = page.number == 1
    sparql = _bound(query, iri, page)
    rdf_format = choice.graph or DEFAULT_GRAPH_FORMAT
    note_query(request, "canned", sparql, "describe")

    async def data() -> Response:
        triples = await run_in_threadpool(querying.triples, store, sparql)
        if not triples and first_page:
            raise not_found(f"no entity {iri}")
        if paging.is_full(query, page, statements_in(triples, iri)):
            link_next()
        prefixes = {
            "jl": "https://w3id.org/jalinan/ontology#",
            "id": ID,
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "prov": "http://www.w3.org/ns/prov#",
            "skos": "http://www.w3.org/2004/02/skos/core#",
        }
        body = serialize(
            triples, format=rdf_format, prefixes=prefixes if rdf_format == RdfFormat.TURTLE else None
        )
        return Response(body, media_type=media_type(rdf_format), headers=headers)

    # the next link repeats the parameters as given, so they are part of the answer
    identity = (
        "entity",
        entity_path,
        rdf_format.media_type,
        str(page.number),
        str(page.size),
        json.dumps(pairs),
    )
    return await cached(request, identity, data, sparql=sparql)


@router.get(
    "/ontology", summary="The ontology", description="Turtle (default) or RDF/XML by Accept or `_format`."
)
async def ontology(request: Request, store: StoreDep) -> Response:
    choice = negotiate(
        request.headers.get("accept"),
        request.query_params.get("_format"),
        results=[],
        graphs=[
            RdfFormat.TURTLE,
            RdfFormat.RDF_XML,
            *[f for f in GRAPH_FORMATS if f not in (RdfFormat.TURTLE, RdfFormat.RDF_XML)],
        ],
        parameter="_format",
    )
    rdf_format = choice.graph or DEFAULT_GRAPH_FORMAT

    async def produce() -> Response:
        if not await run_in_threadpool(querying.has_graph, store, ONTOLOGY_GRAPH):
            raise not_found("the ontology is not loaded: run `jalinan ingest`")
        data = await run_in_threadpool(querying.dump, store, rdf_format, ONTOLOGY_GRAPH, trusted=True)
        return Response(data, media_type=media_type(rdf_format), headers={"Vary": "Accept"})

    return await cached(request, ("ontology", rdf_format.media_type), produce)
