"""SPARQL 1.1 Protocol: `/sparql` (queries, and updates when writes are on), `/query`, `/update`.

Requests are parsed here by hand, not by FastAPI's form parsing, because the protocol has rules
that generic parsing hides: a repeated `query` is an error, `default-graph-uri` and
`named-graph-uri` repeat, a body must decode in its declared charset, and the media type decides
what the body is. The default graph is the union of all graphs unless `default-graph-uri` says
otherwise; `inferred=false` leaves out the graph of entailments ingest materialises.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, TypeVar
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from pyoxigraph import NamedNode

from jalinan.api import openapi, querying
from jalinan.api.caching import NOT_MODIFIED, cached, query_identity
from jalinan.api.dependencies import SettingsDep, StoreDep, check_write_access
from jalinan.api.errors import (
    bad_request,
    method_not_allowed,
    not_acceptable,
    unsupported_media_type,
)
from jalinan.api.limits import TIMEOUT_PARAMETERS, check_length, request_timeout
from jalinan.api.logging import note_query
from jalinan.api.negotiation import (
    DEFAULT_GRAPH_FORMAT,
    DEFAULT_RESULTS_FORMAT,
    GRAPH_FORMATS,
    media_type,
    negotiate,
)
from jalinan.api.query_dataset import may_name_a_dataset, own_dataset
from jalinan.api.service_description import service_description
from jalinan.api.service_guard import needs_network
from jalinan.api.settings import Settings
from jalinan.api.update_dataset import DatasetConflict, with_dataset
from jalinan.api.without_inferences import dataset_without_inferences
from jalinan.graph import GraphStore

router = APIRouter(tags=["SPARQL Protocol"])
T = TypeVar("T")

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


@dataclass
class ProtocolRequest:
    """What a protocol request asks, whatever its method and media type."""

    query: str | None = None
    update: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    using_graphs: list[str] = field(default_factory=list)
    using_named_graphs: list[str] = field(default_factory=list)
    format: str | None = None
    timeout: list[str] = field(default_factory=list)
    inferred: bool = True


def _decode(data: bytes, charset: str, what: str) -> str:
    """The body as text. The protocol's bodies are UTF-8 (§2.1.2, §2.2.2): any other declared
    charset is a 400, as the W3C protocol tests expect (a UTF-16 body is not read as such)."""
    if charset.replace("-", "").replace("_", "") != "utf8":
        raise bad_request(f"the {what} must be UTF-8 (SPARQL 1.1 Protocol), not charset={charset}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_request(f"the {what} is not valid UTF-8: {exc.reason} at byte {exc.start}") from exc


def query_pairs(text: str, charset: str, what: str) -> list[tuple[str, str]]:
    """A query string's (or form body's) pairs, or 400 naming `what` when it is not `charset`."""
    try:
        return parse_qsl(text, keep_blank_values=True, encoding=charset, errors="strict")
    except UnicodeDecodeError as exc:
        raise bad_request(f"the {what} is not valid {charset} once percent-decoded") from exc
    except ValueError as exc:
        raise bad_request(f"the {what} is not well-formed: {exc}") from exc


def _single(pairs: list[tuple[str, str]], name: str) -> str | None:
    values = [value for key, value in pairs if key == name]
    if len(values) > 1:
        raise bad_request(f"`{name}` is given {len(values)} times; give it once", parameter=name)
    return values[0] if values else None


def _first(pairs: list[tuple[str, str]], name: str) -> str | None:
    """The first value of a parameter (SPARQLWrapper sends `format` more than once)."""
    return next((value for key, value in pairs if key == name), None)


def _iris(pairs: list[tuple[str, str]], name: str) -> list[str]:
    iris = [value for key, value in pairs if key == name]
    for iri in iris:
        try:
            NamedNode(iri)
        except ValueError as exc:
            raise bad_request(f"`{name}` {iri!r} is not an IRI", parameter=name) from exc
    return iris


def _inferred(pairs: list[tuple[str, str]]) -> bool:
    """`inferred=false` asks for the asserted triples only (default `true`)."""
    value = _single(pairs, "inferred")
    if value is None or value.strip().lower() == "true":
        return True
    if value.strip().lower() == "false":
        return False
    raise bad_request(f"`inferred` must be true or false, not {value!r}", parameter="inferred")


def _content_type(request: Request) -> tuple[str, str]:
    """(media type, charset) of the body; UTF-8 when no charset is given."""
    header = request.headers.get("content-type", "")
    fields = [part.strip() for part in header.split(";")]
    charset = "utf-8"
    for param in fields[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower() or "utf-8"
    return fields[0].lower(), charset


async def parse_request(request: Request) -> ProtocolRequest:
    """Read the operation and its dataset from the URL and, for a POST, from the body."""
    return await parse_from_pairs(request, query_pairs(request.url.query, "utf-8", "query string"))


async def parse_from_pairs(request: Request, url_pairs: list[tuple[str, str]]) -> ProtocolRequest:
    """`parse_request` with the URL's pairs already read (`/sparql`'s front end reads them to
    choose whether it answers the request)."""
    body_pairs: list[tuple[str, str]] = []
    operation: dict[str, str | None] = {"query": None, "update": None}
    if request.method == "POST":
        media, charset = _content_type(request)
        body = await request.body()
        if media == FORM:
            body_pairs = await _off_the_loop_if_large(
                len(body), lambda: query_pairs(_decode(body, charset, "form body"), "utf-8", "form body")
            )
            operation["query"] = _single(body_pairs, "query")
            operation["update"] = _single(body_pairs, "update")
        elif media == SPARQL_QUERY:
            operation["query"] = _decode(body, charset, "query")
        elif media == SPARQL_UPDATE:
            operation["update"] = _decode(body, charset, "update")
        else:
            raise unsupported_media_type(
                f"a POST body must be {FORM}, {SPARQL_QUERY} or {SPARQL_UPDATE}, not {media or 'unlabelled'}"
            )
        for name in ("query", "update"):
            if _single(url_pairs, name) is not None:
                raise bad_request(f"with POST, send `{name}` in the body, not in the URL", parameter=name)
    else:
        operation["query"] = _single(url_pairs, "query")
        if _single(url_pairs, "update") is not None:
            raise bad_request("an update must be sent with POST", parameter="update")
    if operation["query"] is not None and operation["update"] is not None:
        raise bad_request("send either `query` or `update`, not both")
    pairs = url_pairs + body_pairs
    return ProtocolRequest(
        query=operation["query"],
        update=operation["update"],
        default_graphs=_iris(pairs, "default-graph-uri"),
        named_graphs=_iris(pairs, "named-graph-uri"),
        using_graphs=_iris(pairs, "using-graph-uri"),
        using_named_graphs=_iris(pairs, "using-named-graph-uri"),
        format=_first(pairs, "format") or _first(pairs, "_format"),
        timeout=[value for key, value in pairs if key in TIMEOUT_PARAMETERS],
        inferred=_inferred(pairs),
    )


ParsedDep = Annotated[ProtocolRequest, Depends(parse_request)]

# Below this many bytes, percent-decoding a form takes well under a millisecond: not worth a
# thread hop. Above it (up to the 1 MiB body limit) it runs in a thread, off the event loop.
LARGE_BODY = 16 * 1024


async def _off_the_loop_if_large(size: int, work: Callable[[], T]) -> T:
    return await run_in_threadpool(work) if size > LARGE_BODY else work()


def endpoint_iri(settings: Settings, path: str) -> str:
    """The endpoint's own URL, the base against which a query's or update's relative IRIs
    resolve (SPARQL 1.1 Protocol: the service may choose; this is what `oxigraph serve` does).
    Built from the server's configured address, never from the request's Host header."""
    return settings.base_url.rstrip("/") + path


async def answer_query(
    request: Request,
    parsed: ProtocolRequest,
    store: StoreDep,
    settings: SettingsDep,
    endpoint: str = "/sparql",
) -> Response:
    """Run a query and answer in the negotiated format (406 if the query's form has none)."""
    assert parsed.query is not None
    check_length(parsed.query, "query", settings)
    timeout = request_timeout(parsed.timeout, settings)
    note_query(request, "query", parsed.query)
    choice = negotiate(request.headers.get("accept"), parsed.format)
    if choice.results is None and choice.graph is None:
        raise not_acceptable("ask for SPARQL results (JSON, XML, CSV, TSV) or an RDF format, not HTML")
    base = endpoint_iri(settings, endpoint)
    query = parsed.query
    default_graphs, named_graphs = parsed.default_graphs or None, parsed.named_graphs or None
    if not parsed.inferred:  # the same dataset, less the inferred graph
        query, default_graphs, named_graphs = await dataset_without_inferences(
            store, query, default_graphs, named_graphs
        )
    elif default_graphs is None and named_graphs is None and may_name_a_dataset(query):
        own = await run_in_threadpool(own_dataset, query)  # the union would override its FROM
        if own is not None:
            default_graphs, named_graphs = own
    networked = needs_network(query, settings.service_allow)  # the text the engine will read

    async def produce() -> Response:
        form, data = await querying.serialized_async(
            store,
            query,
            choice.results or DEFAULT_RESULTS_FORMAT,
            choice.graph or DEFAULT_GRAPH_FORMAT,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            timeout=timeout,
            networked=networked,
            base_iri=base,
            client=request.client.host if request.client else None,
        )
        if form == "GRAPH":
            if choice.graph is None:
                raise not_acceptable(
                    "a CONSTRUCT or DESCRIBE answers in an RDF format: Turtle, N-Triples, "
                    "RDF/XML, JSON-LD, TriG or N-Quads"
                )
            content_type = media_type(choice.graph)
        else:
            if choice.results is None:
                raise not_acceptable("a SELECT or ASK answers in SPARQL results: JSON, XML, CSV or TSV")
            content_type = media_type(choice.results)
        return Response(data, media_type=content_type, headers={"Vary": "Accept"})

    identity = query_identity(query, choice.results, choice.graph, default_graphs or [], named_graphs or [])
    return await cached(request, identity, produce, sparql=query, coalesce=False)


def _run_update(store: GraphStore, parsed: ProtocolRequest, base: str) -> None:
    """Apply the protocol's dataset to an update and run it, in a worker thread."""
    assert parsed.update is not None
    try:
        text = with_dataset(parsed.update, parsed.using_graphs, parsed.using_named_graphs)
    except DatasetConflict as exc:
        parameter = "using-graph-uri" if parsed.using_graphs else "using-named-graph-uri"
        raise bad_request(str(exc), parameter=parameter) from exc
    querying.update(store, text, base_iri=base)


async def answer_update(
    request: Request,
    parsed: ProtocolRequest,
    store: StoreDep,
    settings: SettingsDep,
    endpoint: str = "/sparql",
) -> Response:
    assert parsed.update is not None
    check_write_access(request, settings)
    check_length(parsed.update, "update", settings)
    note_query(request, "update", parsed.update)
    await run_in_threadpool(_run_update, store, parsed, endpoint_iri(settings, endpoint))
    return Response(status_code=204)


def _describe_service(
    request: Request, parsed: ProtocolRequest, settings: SettingsDep, endpoint: str
) -> Response:
    choice = negotiate(request.headers.get("accept"), parsed.format, results=[], graphs=GRAPH_FORMATS)
    rdf_format = choice.graph or DEFAULT_GRAPH_FORMAT
    data = service_description(settings.base_url + endpoint, settings.writes_enabled, rdf_format)
    return Response(data, media_type=media_type(rdf_format), headers={"Vary": "Accept"})


SPARQL_DOC = """SPARQL 1.1 Protocol endpoint. GET or POST (form-encoded, `application/sparql-query`,
or, with the write token, `application/sparql-update`). The default graph is the **union of all
graphs**, the entailments ingest materialises included (superclasses, inverses, transitive
chains, reused vocabularies); `inferred=false` leaves those out, for the asserted triples only.
`default-graph-uri` / `named-graph-uri` (repeatable) narrow the dataset. Results by
content negotiation or `format=` (`json`, `xml`, `csv`, `tsv`, `ttl`, `nt`, `rdfxml`, `jsonld`,
`trig`, `nquads`). A GET without `query` returns the service description.
`timeout=` (seconds) lowers the server's query time limit for this request; a query stopped at
its limit is a 503. The server makes no outbound request for a query or update: `SERVICE` and
`LOAD` fail with one 400, except a query's `SERVICE <IRI>` to an endpoint on the server's
allowlist (`--service-allow`), written in full.
Query answers carry an `ETag` that changes with every write: `If-None-Match` with it gives a GET
304 (a POST 412).

Example: `/sparql?query=SELECT * WHERE { ?s a <https://w3id.org/jalinan/ontology#Ministry> }`"""


_QUERY_RESPONSES = {**NOT_MODIFIED, **openapi.query_results_responses()}
_UPDATED = {204: {"description": "the update was applied"}}


@router.get(
    "/sparql",
    summary="SPARQL query (GET)",
    description=SPARQL_DOC,
    response_class=Response,
    responses=_QUERY_RESPONSES,
    openapi_extra=openapi.sparql_get(),
    operation_id="sparql_get",
)
@router.post(
    "/sparql",
    summary="SPARQL query or update (POST)",
    description=SPARQL_DOC,
    response_class=Response,
    responses={**_QUERY_RESPONSES, **_UPDATED},
    openapi_extra=openapi.sparql_post(),
    operation_id="sparql_post",
)
async def sparql(request: Request, parsed: ParsedDep, store: StoreDep, settings: SettingsDep) -> Response:
    if parsed.update is not None:
        return await answer_update(request, parsed, store, settings)
    if parsed.query is None:
        return _describe_service(request, parsed, settings, "/sparql")
    return await answer_query(request, parsed, store, settings, "/sparql")


@router.get(
    "/query",
    summary="SPARQL query only (GET)",
    description=SPARQL_DOC,
    response_class=Response,
    responses=_QUERY_RESPONSES,
    openapi_extra=openapi.sparql_get(),
    operation_id="query_get",
)
@router.post(
    "/query",
    summary="SPARQL query only (POST)",
    description=SPARQL_DOC,
    response_class=Response,
    responses=_QUERY_RESPONSES,
    openapi_extra=openapi.sparql_post(updates=False),
    operation_id="query_post",
)
async def query(request: Request, parsed: ParsedDep, store: StoreDep, settings: SettingsDep) -> Response:
    if parsed.update is not None:
        raise bad_request("this endpoint answers queries; send updates to /update", parameter="update")
    if parsed.query is None:
        return _describe_service(request, parsed, settings, "/query")
    return await answer_query(request, parsed, store, settings, "/query")


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
@router.api_route("/query", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
async def other_methods(request: Request) -> Response:
    """405 naming both methods (GET and POST are declared as two routes, each of which alone
    would name only itself in `Allow`)."""
    raise method_not_allowed(request.method, ["GET", "POST"])


@router.post(
    "/update",
    summary="SPARQL update (needs the write token)",
    description="SPARQL 1.1 Update, form-encoded (`update=`) or `application/sparql-update`, with "
    "`Authorization: Bearer <token>`. Answers 204 on success.",
    status_code=204,
    response_class=Response,
    responses=_UPDATED,
    openapi_extra=openapi.sparql_post(queries=False),
    operation_id="update_post",
)
async def update(request: Request, parsed: ParsedDep, store: StoreDep, settings: SettingsDep) -> Response:
    if parsed.query is not None:
        raise bad_request("this endpoint runs updates; send queries to /query or /sparql", parameter="query")
    if parsed.update is None:
        check_write_access(request, settings)
        raise bad_request("no `update` given", parameter="update")
    return await answer_update(request, parsed, store, settings, "/update")
