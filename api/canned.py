"""Canned queries: `GET /queries` lists them, `GET /queries/{name}?param=…` runs one.

Parameters are bound by the catalogue as pyoxigraph terms in the query's VALUES blocks, never
pasted into the text. System parameters start with `_` (`_format`, `_timeout`, `_size`,
`_page`) so they can never clash with a query's own; an unknown, repeated, missing or
malformed parameter is a 422 naming it. A list query answers one page of subjects and links
to the next (`paging.py`); `people` pages by rows instead, placed by `_start`.
"""

import json
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pyoxigraph import QueryResultsFormat, QuerySolutions, parse_query_results

from jalinan.api import openapi, paging, querying, reading
from jalinan.api.caching import NOT_MODIFIED, cached, query_identity
from jalinan.api.dependencies import CatalogueDep, SettingsDep, StoreDep
from jalinan.api.errors import not_acceptable, not_found, unprocessable
from jalinan.api.limits import request_timeout
from jalinan.api.logging import note_query
from jalinan.api.negotiation import DEFAULT_GRAPH_FORMAT, DEFAULT_RESULTS_FORMAT, media_type, negotiate
from jalinan.queries.catalogue import CannedQuery, Page, ParameterError

router = APIRouter(prefix="/queries", tags=["Canned queries"])


def describe(query: CannedQuery, base: str) -> dict[str, object]:
    """A canned query as JSON: what it answers, its parameters, and an example URL."""
    example = {p.name: p.example for p in query.parameters if p.example is not None}
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "url": f"{base}/queries/{query.name}",
        "example": f"{base}/queries/{query.name}" + (f"?{urlencode(example)}" if example else ""),
        **(
            {
                "page": {
                    "counts": list(query.paging.counts),
                    # `rows`: `size` rows a page, which `_start` places (`people`); else subjects
                    "by": "rows" if query.paging.by_rows else "subjects",
                    "size": query.paging.size,
                    "max": query.paging.max_size,
                    "order": query.paging.order,
                }
            }
            if query.paging
            else {}
        ),
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "required": p.required,
                "description": p.description,
                "example": p.example,
                **({"choices": p.choices} if p.choices else {}),
                **({"scheme": p.scheme} if p.scheme else {}),
            }
            for p in query.parameters
        ],
        "sparql": query.text,
    }


def lookup(catalogue: dict[str, CannedQuery], name: str) -> CannedQuery:
    query = catalogue.get(name)
    if query is None:
        raise not_found(f"no canned query named {name!r}; GET /queries lists them")
    return query


def request_values(query: CannedQuery, pairs: list[tuple[str, str]]) -> dict[str, str]:
    """The request's values of the query's own parameters; 422 naming an unknown or repeated one."""
    known = {p.name for p in query.parameters}
    values: dict[str, str] = {}
    for key, value in pairs:
        if key.startswith("_"):
            continue
        if key not in known:
            hint = f"; it takes {', '.join(sorted(known))}" if known else "; it takes none"
            raise unprocessable(f"unknown parameter `{key}` for {query.name}{hint}", parameter=key)
        if key in values:
            raise unprocessable(f"`{key}` is given more than once", parameter=key)
        values[key] = value
    return values


def bind_request(query: CannedQuery, pairs: list[tuple[str, str]], page: Page | None = None) -> str:
    """The query text with the request's parameters bound; 422 naming any bad parameter.

    `page`: which page of a list query (None: the first, at its default size)."""
    values = request_values(query, pairs)
    try:
        return query.bind_parameters(values, page)
    except ParameterError as exc:
        raise unprocessable(exc.message, parameter=exc.parameter) from exc


@router.get("", summary="List the canned queries", description="JSON (browsers get an HTML page).")
def list_queries(request: Request, catalogue: CatalogueDep, settings: SettingsDep) -> Response:
    base = settings.base_url  # configured, never the Host header
    items = [describe(q, base) for q in catalogue.values() if not q.name.startswith("stats-")]
    # JSON (the list itself, not SPARQL results; `application/json` maps to the JSON entry);
    # browsers get the explorer's page (`explorer/query_pages.py`) before this route
    negotiate(
        request.headers.get("accept"),
        request.query_params.get("_format"),
        results=[DEFAULT_RESULTS_FORMAT],
        graphs=[],
        parameter="_format",
    )
    return JSONResponse({"queries": items}, headers={"Vary": "Accept"})


@router.get(
    "/{name}",
    summary="Run a canned query",
    description="Parameters as in `GET /queries`. SPARQL JSON by default; `_format=csv` (or xml, tsv) or "
    "Accept for others; `_timeout=` seconds lowers the time limit. "
    "Example: `/queries/agreements-by-party?party=Mosti`. List queries answer a page of subjects "
    "(`_size`, `_page`; see `page` in `GET /queries`) and link to the next page with "
    '`Link: <…>; rel="next"`. Answers carry an `ETag` that changes '
    "with every write; `If-None-Match` with it gives 304.",
    response_class=Response,
    responses={**NOT_MODIFIED, **openapi.canned_responses()},
    openapi_extra=openapi.canned_query(),
)
async def run_query(
    name: str, request: Request, store: StoreDep, catalogue: CatalogueDep, settings: SettingsDep
) -> Response:
    query = lookup(catalogue, name)
    pairs = parse_qsl(request.url.query, keep_blank_values=True)
    page = paging.requested_page(query, pairs)
    timeout = request_timeout([v for k, v in pairs if k == "_timeout"], settings, canned=True)
    choice = negotiate(
        request.headers.get("accept"), request.query_params.get("_format"), parameter="_format"
    )
    results_format = choice.results or (
        DEFAULT_RESULTS_FORMAT if choice.html or choice.graph is None else None
    )
    if query.is_pipeline:
        return await _run_pipeline(request, store, query, pairs, page, timeout, results_format)
    sparql = bind_request(query, pairs, page)
    note_query(request, "canned", sparql, name)

    async def produce() -> Response:
        # A page is read as JSON, whose subjects are counted for the next link, then given in
        # the format asked for (pyoxigraph cannot read CSV back, so it is not the source).
        paged = query.paging is not None and results_format is not None
        form, data = await querying.serialized_async(
            store,
            sparql,
            QueryResultsFormat.JSON if paged else results_format or DEFAULT_RESULTS_FORMAT,
            choice.graph or DEFAULT_GRAPH_FORMAT,
            timeout=timeout,
            trusted=True,
        )
        headers = {"Vary": "Accept"}
        if paged and form == "SELECT" and query.paging is not None and results_format is not None:
            subjects = paging.subjects_in(data, QueryResultsFormat.JSON, query.paging.counts)
            if paging.is_full(query, page, subjects):
                headers["Link"] = paging.link_header(paging.next_href(request.url.path, pairs, page))
            if results_format != QueryResultsFormat.JSON:
                solutions = parse_query_results(data, QueryResultsFormat.JSON)
                assert isinstance(solutions, QuerySolutions)
                data = solutions.serialize(format=results_format)
        if form == "GRAPH":
            if choice.graph is None:
                raise not_acceptable("this query answers in an RDF format (Turtle, JSON-LD, …)")
            if query.paging is not None and paging.graph_may_be_full(page, data, choice.graph):
                headers["Link"] = paging.link_header(paging.next_href(request.url.path, pairs, page))
            return Response(data, media_type=media_type(choice.graph), headers=headers)
        if results_format is None:
            raise not_acceptable(
                "this query answers SPARQL results: JSON, XML, CSV or TSV", parameter="_format"
            )
        return Response(data, media_type=media_type(results_format), headers=headers)

    # The answer's `Link` repeats the path and the parameters as given (`party=MOSTI` and
    # `party=Mosti` bind the same text), so they are part of what the answer is, not only the text.
    identity = (
        "canned",
        request.url.path,
        json.dumps(pairs),
        *query_identity(sparql, results_format, choice.graph),
    )
    return await cached(request, identity, produce, sparql=sparql)


async def _run_pipeline(
    request: Request,
    store: StoreDep,
    query: CannedQuery,
    pairs: list[tuple[str, str]],
    page: Page,
    timeout: float | None,
    results_format: QueryResultsFormat | None,
) -> Response:
    """A list query (a pipeline): the runner's rows, in the format negotiated, with a next link."""
    values = request_values(query, pairs)
    if results_format is None:
        raise not_acceptable("this query answers SPARQL results: JSON, XML, CSV or TSV", parameter="_format")
    # the identity of the answer: the query, its parameters as given and the page
    identity_text = json.dumps([query.name, sorted(values.items()), page.number, page.size])
    note_query(request, "canned", identity_text, query.name)

    async def produce() -> Response:
        answer = await querying.reading_async(store, query, values, page, timeout=timeout)
        headers = {"Vary": "Accept"}
        if answer.has_next:
            headers["Link"] = paging.link_header(
                paging.next_href(request.url.path, pairs, page, answer.next_start)
            )
        body = reading.serialize(answer, results_format)
        return Response(body, media_type=media_type(results_format), headers=headers)

    # as the single-file route: the answer's `Link` repeats the path and the parameters as given
    identity = (
        "canned",
        request.url.path,
        json.dumps(pairs),
        *query_identity(identity_text, results_format, None),
    )
    return await cached(request, identity, produce)
