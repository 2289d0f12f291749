"""Friendly JSON routes for the common questions, shaped for programmers.

Each route picks a canned query, binds its parameters the same safe way as `/queries/{name}`,
and folds the rows into one object per thing with a list of its sources (article and quote).
The `query` field of the answer names the canned query URL that gives the same rows in SPARQL
JSON or CSV. A list answers one page of items (`_size`, `_page`, as the canned query pages:
one item per subject; `/people` folds a page of `_size` rows, placed by `_start`, so a person
whose rows run past a page's end is an item on the next page too), with `next`, the URL of
the next page when this one is full (null otherwise), also given as `Link: <…>; rel="next"`.
At most `max_rows` (1000) items are listed; when there were more, the answer says so in the
`X-Jalinan-Truncated` header (its value is the cap). Complete answers carry an `ETag` and are
kept in the result cache until the next write (`caching.py`).
"""

import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from jalinan.api import paging, querying
from jalinan.api.caching import NOT_MODIFIED, cached
from jalinan.api.canned import bind_request, lookup, request_values
from jalinan.api.dependencies import CatalogueDep, StoreDep
from jalinan.api.errors import unprocessable
from jalinan.api.limits import TRUNCATED_HEADER
from jalinan.api.logging import note_query
from jalinan.api.settings import Settings
from jalinan.graph.namespaces import ID
from jalinan.graph.results import SelectResult

router = APIRouter(tags=["Friendly JSON"], responses=NOT_MODIFIED)
_SOURCE_FIELDS = ("source", "quote")


def _plain(term: Any) -> Any:
    """A term as a plain JSON value: IRIs and literals as strings, numbers as numbers."""
    value = term.value
    datatype = getattr(getattr(term, "datatype", None), "value", "")
    if datatype.endswith(("#integer", "#int")):
        return int(value)
    if datatype.endswith(("#decimal", "#double", "#float")):
        return float(value)
    if datatype.endswith("#boolean"):
        return value == "true"
    return value


def fold(result: SelectResult, key: str) -> list[dict[str, Any]]:
    """One item per distinct `key`, its other columns (lists when they vary) and its sources."""
    items: dict[str, dict[str, Any]] = {}
    for row in result.rows:
        if key not in row:
            continue
        iri = row[key].value
        item = items.setdefault(
            iri, {"id": iri.removeprefix(ID) if iri.startswith(ID) else iri, "iri": iri, "sources": []}
        )
        for column in result.variables:
            if column in (key, *_SOURCE_FIELDS) or column not in row:
                continue
            value = _plain(row[column])
            if column not in item:
                item[column] = value
            elif item[column] != value:
                current = item[column] if isinstance(item[column], list) else [item[column]]
                if value not in current:
                    current.append(value)
                item[column] = current
        if "source" in row:
            source = {"article": row["source"].value, "quote": row["quote"].value if "quote" in row else None}
            if source not in item["sources"]:
                item["sources"].append(source)
    return list(items.values())


def refuse_unknown_or_repeated(request: Request, accepted: tuple[str, ...]) -> None:
    """422 naming the first parameter this route does not take, or takes once but got twice.

    FastAPI ignores unknown query parameters and keeps the last of repeated ones, so without
    this `/agreements?partyy=Mosti` answered every agreement as if unfiltered."""
    known = (*accepted, *paging.PAGE_PARAMETERS)
    seen: set[str] = set()
    for key, _ in request.query_params.multi_items():
        if key not in known:
            raise unprocessable(
                f"unknown parameter `{key}` for {request.url.path}; it takes {', '.join(known)}",
                parameter=key,
            )
        if key in seen:
            raise unprocessable(f"`{key}` is given more than once", parameter=key)
        seen.add(key)


def _page_pairs(request: Request) -> list[tuple[str, str]]:
    """The request's page parameters (`_size`, `_page`, `_start`), as given."""
    return [(k, v) for k, v in request.query_params.multi_items() if k in paging.PAGE_PARAMETERS]


async def _answer(
    request: Request,
    store: StoreDep,
    catalogue: CatalogueDep,
    name: str,
    params: dict[str, str | None],
    key: str,
    accepted: tuple[str, ...],
) -> Response:
    refuse_unknown_or_repeated(request, accepted)
    given = {k: v for k, v in params.items() if v is not None}
    query = lookup(catalogue, name)
    page_pairs = _page_pairs(request)
    page = paging.requested_page(query, page_pairs)
    settings: Settings = request.app.state.settings
    base = settings.base_url  # configured, never the Host header
    asked = list(given.items()) + page_pairs
    link = f"{base}/queries/{name}" + (f"?{urlencode(asked)}" if asked else "")
    # the next page of this route keeps its own parameter names (`from`, not `from_`)
    route_pairs = [(k, v) for k, v in request.query_params.multi_items()]
    sparql: str | None = None
    if query.is_pipeline:
        values = request_values(query, list(given.items()))
        note_query(
            request, "canned", json.dumps([name, sorted(values.items()), page.number, page.size]), name
        )
    else:
        sparql = bind_request(query, list(given.items()), page)
        note_query(request, "canned", sparql, name)

    async def produce() -> Response:
        headers = {}
        following, start = None, None
        if sparql is None:  # a list pipeline: the runner says whether a next page exists (and where)
            answer = await querying.reading_async(store, query, values, page)
            result, more, has_next = SelectResult(answer.variables, answer.rows), False, answer.has_next
            start = answer.next_start
        else:
            # rows, not items, are capped in the worker; fold, then cap the items at the same number
            result, more = await run_in_threadpool(
                querying.rows, store, sparql, max_rows=settings.max_rows * 20
            )
            counted = paging.subjects_in_rows(result, query.paging.counts) if query.paging else 0
            has_next = not more and paging.is_full(query, page, counted)
        items = fold(result, key)
        if more or len(items) > settings.max_rows:
            items = items[: settings.max_rows]
            headers[TRUNCATED_HEADER] = str(settings.max_rows)
        if has_next:
            following = base + paging.next_href(request.url.path, route_pairs, page, start)
            headers["Link"] = paging.link_header(following)
        return JSONResponse(
            {"query": link, "count": len(items), "items": items, "next": following}, headers=headers
        )

    # the body names `link` and `next` (this host, the parameters as given): they are the identity
    identity = ("friendly", link, key, request.url.path, json.dumps(route_pairs))
    return await cached(request, identity, produce, sparql=sparql, vary=None)


# What one filter alone has always answered (each its own canned query, kept for the clients
# that read it); any other filter, or several together, read the explorer's agreements list
# (`queries/agreements/`), which takes them all at once.
_ALONE = {"party": "agreements-by-party", "topic": "agreements-by-topic", "status": "agreements-by-status"}
_LIST_FILTERS = ("party", "side", "kind", "topic", "status", "year")


@router.get(
    "/agreements",
    summary="Agreements by party, side, kind, topic, status and year together, or by visit or dates",
    description="Examples: `/agreements?party=Mosti` (the agreements that involve Mosti: as a party, "
    "involved, or through its sub-organisations; a country through its government bodies; "
    "`&direct=true`: only as a party), `/agreements?topic=digital-economy`, "
    "`/agreements?status=signed`, `/agreements?topic=digital-economy&year=2025&status=signed` "
    "(any of party, side, kind, topic, status and year together, as the agreements list "
    "`/queries/agreements` takes them; with others, `party` needs `direct=true`: only as a party), "
    "`/agreements?visit=visit-li-premier-malaysia`, `/agreements?from=2025-04&to=2025-04` "
    "(`visit` and `from`/`to` each alone). Without a filter: all agreements.",
)
async def agreements(
    request: Request,
    store: StoreDep,
    catalogue: CatalogueDep,
    party: Annotated[
        str | None, Query(description="a party's id, IRI, label, alias or acronym", examples=["Mosti"])
    ] = None,
    side: Annotated[
        str | None, Query(description="a country: agreements with a party on its side", examples=["China"])
    ] = None,
    kind: Annotated[
        str | None,
        Query(description="a class of agreement (or a narrower one)", examples=["MemorandumOfUnderstanding"]),
    ] = None,
    topic: Annotated[
        str | None, Query(description="a topic name or label", examples=["digital-economy"])
    ] = None,
    status: Annotated[str | None, Query(description="an agreement status", examples=["signed"])] = None,
    year: Annotated[str | None, Query(description="dated within this year (YYYY)", examples=["2025"])] = None,
    visit: Annotated[
        str | None, Query(description="a visit's id or label", examples=["visit-li-premier-malaysia"])
    ] = None,
    from_: Annotated[
        str | None, Query(alias="from", description="YYYY, YYYY-MM or YYYY-MM-DD", examples=["2025-04"])
    ] = None,
    to: Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD", examples=["2025-12"])] = None,
    sort: Annotated[
        str | None,
        Query(
            description="the order with party, side, kind, topic, status and year (or none): "
            "`newest` first (the default), `oldest` first, or `a-z` by label",
            examples=["a-z"],
        ),
    ] = None,
    direct: Annotated[
        str | None,
        Query(
            description="with `party`: `true` for only the agreements it is itself a party to "
            "(default `false`: also those it is involved in, and those of its sub-organisations "
            "or, for a country, of its government bodies); needed to combine `party` with others",
            examples=["true"],
        ),
    ] = None,
) -> dict[str, Any]:
    listed = {"party": party, "side": side, "kind": kind, "topic": topic, "status": status, "year": year}
    accepted = (*listed, "visit", "from", "to", "direct", "sort")
    refuse_unknown_or_repeated(request, accepted)
    if direct is not None and party is None:
        raise unprocessable("`direct` goes with `party` (the agreements of one party)", parameter="direct")
    chosen = [name for name, value in listed.items() if value is not None]
    alone = (["visit"] if visit is not None else []) + (
        ["from" if from_ is not None else "to"] if from_ is not None or to is not None else []
    )
    if alone and len(chosen) + len(alone) > 1:
        second = [*chosen, *alone][1]
        raise unprocessable(
            "`visit` and `from`/`to` each filter alone; party, side, kind, topic, status and year "
            f"go together (not {', '.join([*chosen, *alone])})",
            parameter=second,
        )
    if sort is not None and alone:
        raise unprocessable(
            "`sort` orders the list of party, side, kind, topic, status and year; "
            f"`{alone[0]}` lists in its own order",
            parameter="sort",
        )
    if visit is not None:
        return await _answer(
            request, store, catalogue, "agreements-by-visit", {"visit": visit}, "agreement", accepted
        )
    if from_ is not None or to is not None:
        return await _answer(
            request, store, catalogue, "agreements-between", {"from": from_, "to": to}, "agreement", accepted
        )
    if len(chosen) == 1 and chosen[0] in _ALONE and sort is None:
        name = chosen[0]
        params = {name: listed[name]} | ({"direct": direct} if name == "party" else {})
        return await _answer(request, store, catalogue, _ALONE[name], params, "agreement", accepted)
    if party is not None and (direct or "").casefold() != "true":
        raise unprocessable(
            "`party` with other filters takes only the agreements it is itself a party to: add "
            "`direct=true` (alone, `party` also answers those it is involved in or its "
            "sub-organisations are party to)",
            parameter="party",
        )
    return await _answer(
        request, store, catalogue, "agreements", {**listed, "sort": sort}, "agreement", accepted
    )


@router.get("/visits", summary="A timeline of visits", description="Example: `/visits?visitor=Anwar`.")
async def visits(
    request: Request,
    store: StoreDep,
    catalogue: CatalogueDep,
    visitor: Annotated[
        str | None, Query(description="the visitor's id, name or alias", examples=["Anwar"])
    ] = None,
    country: Annotated[str | None, Query(description="the host country", examples=["Malaysia"])] = None,
) -> dict[str, Any]:
    return await _answer(
        request,
        store,
        catalogue,
        "visits",
        {"visitor": visitor, "country": country},
        "visit",
        ("visitor", "country"),
    )


@router.get("/people", summary="People, their posts, and what they signed, witnessed or visited")
async def people(
    request: Request,
    store: StoreDep,
    catalogue: CatalogueDep,
    person: Annotated[
        str | None, Query(description="one person's id, name or alias", examples=["Gobind"])
    ] = None,
) -> dict[str, Any]:
    return await _answer(request, store, catalogue, "people", {"person": person}, "person", ("person",))


@router.get(
    "/organisations",
    summary="Organisations by country and kind",
    description="Example (Chinese government bodies): `/organisations?country=China&kind=GovernmentBody`.",
)
async def organisations(
    request: Request,
    store: StoreDep,
    catalogue: CatalogueDep,
    country: Annotated[str | None, Query(description="a country's id or name", examples=["China"])] = None,
    kind: Annotated[
        str | None, Query(description="a class such as Ministry or Company", examples=["GovernmentBody"])
    ] = None,
) -> dict[str, Any]:
    return await _answer(
        request,
        store,
        catalogue,
        "organisations",
        {"country": country, "kind": kind},
        "organisation",
        ("country", "kind"),
    )


@router.get(
    "/search",
    summary="Find entities by name, alias or acronym",
    description="Every word of `q` must be in a name (label, alias, acronym or headline, in "
    "English, Malay or Chinese), in any case, accents optional, small typos forgiven; exact names "
    "first. Examples: `/search?q=ministry`, `/search?q=science ministry&kind=Organization`, "
    "`/search?q=Mosty`. Each item names its `kind`, `country` and `parent` where it has them.",
)
async def search(
    request: Request,
    store: StoreDep,
    catalogue: CatalogueDep,
    q: Annotated[str, Query(description="words of a name", examples=["ministry"])],
    kind: Annotated[
        str | None, Query(description="only entities of this kind (a class)", examples=["Organization"])
    ] = None,
    country: Annotated[
        str | None, Query(description="only entities of this country", examples=["malaysia"])
    ] = None,
) -> dict[str, Any]:
    return await _answer(
        request,
        store,
        catalogue,
        "search",
        {"q": q, "kind": kind, "country": country},
        "entity",
        ("q", "kind", "country"),
    )
