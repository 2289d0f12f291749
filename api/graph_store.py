"""SPARQL 1.1 Graph Store HTTP Protocol at `/store` (`?graph=IRI` or `?default`).

GET reads a graph; PUT replaces it with the body, POST merges the body into it, DELETE drops
it (writes need the token). The default graph is the union of all named graphs, as at
`/sparql`, so it is read-only here: write to a named graph. Ingest's bookkeeping graph
(digests and counts) is written only by `jalinan ingest`: writes to it are 403.
"""

from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pyoxigraph import NamedNode, RdfFormat, Triple, parse

from jalinan.api import openapi, querying
from jalinan.api.dependencies import READ_ONLY_REASON, SettingsDep, StoreDep, check_write_access
from jalinan.api.errors import bad_request, forbidden, method_not_allowed, not_found, unsupported_media_type
from jalinan.api.negotiation import DEFAULT_GRAPH_FORMAT, GRAPH_FORMATS, media_type, negotiate
from jalinan.api.xml_guard import refuse_doctype
from jalinan.graph.namespaces import INGEST_STATE_GRAPH

router = APIRouter(prefix="/store", tags=["Graph Store Protocol"])


def _target(request: Request) -> str | None:
    """The named graph's IRI, or None for `?default`; 400 unless exactly one is given."""
    pairs = parse_qsl(request.url.query, keep_blank_values=True)
    graphs = [value for key, value in pairs if key == "graph"]
    default = any(key == "default" for key, _ in pairs)
    if len(graphs) + int(default) != 1:
        raise bad_request("name one graph: `?graph=IRI` or `?default`", parameter="graph")
    if default:
        return None
    try:
        return NamedNode(graphs[0]).value
    except ValueError as exc:
        raise bad_request(f"{graphs[0]!r} is not an IRI", parameter="graph") from exc


def _format_param(request: Request) -> str | None:
    pairs = parse_qsl(request.url.query, keep_blank_values=True)
    return next((value for key, value in pairs if key in ("format", "_format")), None)


async def _body_triples(request: Request) -> list[Triple]:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    rdf_format = RdfFormat.from_media_type(media) if media else None
    if rdf_format is None or (rdf_format.supports_datasets and rdf_format != RdfFormat.JSON_LD):
        offered = ", ".join(f.media_type for f in GRAPH_FORMATS if not f.supports_datasets)
        raise unsupported_media_type(
            f"send a graph as one of: {offered}, application/ld+json (not {media or 'nothing'})"
        )
    body = await request.body()  # its size is held to --max-write-body (413) by `limits.BodyLimit`
    if rdf_format == RdfFormat.RDF_XML and body.strip():
        refuse_doctype(body)
    try:
        return [quad.triple for quad in parse(body, format=rdf_format, without_named_graphs=True)]
    except SyntaxError as exc:
        raise bad_request(f"the body is not valid {rdf_format.name}: {exc}") from exc
    except ValueError as exc:
        raise bad_request(f"the body is not valid {rdf_format.name}: {exc}") from exc
    except MemoryError as exc:  # pyoxigraph's cap on one token (16 MiB), not the server's memory
        if "buffer maximal size" not in str(exc):
            raise
        raise bad_request(f"the body holds a term or line too long to parse: {exc}") from exc


async def _writable_target(request: Request, store: StoreDep, settings: SettingsDep) -> tuple[str, bool]:
    if settings.read_only:  # no graph may be written here: the method, not the client, is refused
        raise method_not_allowed(request.method, ["GET", "HEAD"], READ_ONLY_REASON)
    check_write_access(request, settings)
    graph = _target(request)
    if graph is None:
        raise method_not_allowed(
            request.method, ["GET"], "the default graph is the union of all named graphs; write to ?graph=IRI"
        )
    if graph == INGEST_STATE_GRAPH:
        raise forbidden(
            f"{graph} is ingest's bookkeeping (digests and counts), written only by `jalinan ingest`"
        )
    exists = await run_in_threadpool(querying.has_graph, store, graph)
    return graph, exists


@router.get(
    "",
    summary="Read a graph",
    description="`?graph=IRI` for a named graph, `?default` for the union.",
    response_class=Response,
    responses=openapi.graph_responses(),
    openapi_extra=openapi.graph_store_read(),
)
async def read_graph(request: Request, store: StoreDep) -> Response:
    graph = _target(request)
    choice = negotiate(
        request.headers.get("accept"), _format_param(request), results=[], graphs=GRAPH_FORMATS
    )
    rdf_format = choice.graph or DEFAULT_GRAPH_FORMAT
    if graph is not None and not await run_in_threadpool(querying.has_graph, store, graph):
        raise not_found(f"no graph {graph}", parameter="graph")
    data = await run_in_threadpool(querying.dump, store, rdf_format, graph)
    return Response(data, media_type=media_type(rdf_format), headers={"Vary": "Accept"})


_WRITTEN = {201: {"description": "the graph was created"}, 204: {"description": "the graph was changed"}}


@router.put(
    "",
    summary="Replace a graph (write token)",
    status_code=204,
    response_class=Response,
    responses=_WRITTEN,
    openapi_extra=openapi.graph_store_write(),
)
async def put_graph(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    graph, exists = await _writable_target(request, store, settings)
    data = await _body_triples(request)
    await run_in_threadpool(querying.replace_graph, store, graph, data)
    return Response(status_code=204 if exists else 201)


@router.post(
    "",
    summary="Add to a graph (write token)",
    status_code=204,
    response_class=Response,
    responses=_WRITTEN,
    openapi_extra=openapi.graph_store_write(),
)
async def post_graph(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    graph, exists = await _writable_target(request, store, settings)
    data = await _body_triples(request)
    if data:
        await run_in_threadpool(querying.add_to_graph, store, graph, data)
    elif not exists:
        await run_in_threadpool(querying.replace_graph, store, graph, [])
    return Response(status_code=204 if exists else 201)


@router.delete(
    "",
    summary="Drop a graph (write token)",
    status_code=204,
    response_class=Response,
    openapi_extra={"parameters": openapi.graph_store_parameters()},
)
async def delete_graph(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    graph, exists = await _writable_target(request, store, settings)
    if not exists:
        raise not_found(f"no graph {graph}", parameter="graph")
    await run_in_threadpool(querying.drop_graph, store, graph)
    return Response(status_code=204)
