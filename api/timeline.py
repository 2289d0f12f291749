"""The timeline (`GET /timeline`): visits, agreements and events on one axis, each dated to the
precision its date is known, with the quotes the dates rest on.

Programs get JSON here; a browser asking for the same URL gets the page
(`explorer/timeline_page.py`), built from the same `timeline_items`. The rows come from the
pipeline `queries/timeline/` (`page.rq` picks a page of dated items, newest first; `detail.rq`
gives their dates and quotes) through the one read path (`querying.reading`), so its
parameters are bound as terms and a name that stands for nothing is a 404 naming the parameter.

A date in the graph is a node (ARCHITECTURE.md, "Dates"): known to a day, a month or a year,
with the first and last instant it covers, or a bound that keeps only the end it knows ("by
2025-04-17": no earliest; "from 2024": no latest). Each item carries its dates as they are
(label, precision, the instants known, the bound), whether any was inferred (with the notes
saying how), and `span`: the earliest and latest instant it may cover, `null` where that end is
open. That is what a drawing needs: a month-wide band for a month, a point for a day, an open
end for a bound.
"""

import json
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from jalinan.api import paging, querying
from jalinan.api.caching import NOT_MODIFIED, cached
from jalinan.api.canned import lookup, request_values
from jalinan.api.dependencies import CatalogueDep, StoreDep
from jalinan.api.errors import unprocessable
from jalinan.api.friendly import refuse_unknown_or_repeated
from jalinan.api.logging import note_query
from jalinan.api.pages import local_href, short
from jalinan.api.reading import Reading
from jalinan.graph import GraphStore
from jalinan.graph.namespaces import ID, JL
from jalinan.queries.catalogue import CannedQuery, Page

QUERY_NAME = "timeline"
FILTERS = ("party", "topic", "kind")
KINDS = ("Visit", "Agreement", "AgreementCollection", "Event")
_START = {JL + "date", JL + "startDate"}
_END = JL + "endDate"

router = APIRouter(tags=["Timeline and charts"], responses=NOT_MODIFIED)


def _value(row: dict, key: str) -> str | None:
    return row[key].value if row.get(key) is not None else None


def _date(row: dict) -> dict[str, Any]:
    label = _value(row, "dayLabel") or short(row["day"].value)
    bound = next((word for word in ("by", "from") if label.startswith(word + " ")), None)
    return {
        "iri": row["day"].value,
        "label": label,
        "precision": _value(row, "precision"),
        "earliest": _value(row, "earliest"),
        "latest": _value(row, "latest"),
        "bound": bound,
        "basis": None,
        "notes": [],
        "sources": [],
    }


def _add_evidence(date: dict[str, Any], row: dict) -> None:
    basis, note = _value(row, "basis"), _value(row, "note")
    if basis == "inferred" or date["basis"] is None:
        date["basis"] = basis or date["basis"]
    if note and note not in date["notes"]:
        date["notes"].append(note)
    source, quote, public = _value(row, "source"), _value(row, "quote"), _value(row, "publicSource")
    if quote is not None and source is not None:
        entry = {"article": source, "href": local_href(source), "quote": quote}
    elif public is not None:
        entry = {"public_source": public, "href": local_href(public), "quote": None}
    else:
        return
    if entry not in date["sources"]:
        date["sources"].append(entry)


def _span(start: dict[str, Any] | None, end: dict[str, Any] | None) -> dict[str, str | None]:
    """The earliest and latest instant the item may cover; None where that end is open.

    The start's earliest (none for a "by" bound), and the end's latest, or the start's latest
    when there is no end date (none for a "from" bound).
    """
    first = start["earliest"] if start else None
    last_of = end if end is not None else start
    last = last_of["latest"] if last_of else None
    return {"from": first, "to": last}


def _begins(date: dict[str, Any]) -> str:
    return date["earliest"] or date["latest"] or ""


def fold(reading: Reading) -> list[dict[str, Any]]:
    """One item per subject of the page, in the page's order, with its dates and their quotes.

    An item's start is its `jl:date`, else its `jl:startDate`; should the graph hold two for
    one item (two articles disagreeing), the newest is shown, as the page placed the item by
    it, and the others are listed in `other_dates`.
    """
    items: dict[str, dict[str, Any]] = {}
    found: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}  # item -> (property, day) -> date
    for row in reading.rows:
        iri = row["item"].value
        if iri not in items:
            items[iri] = {
                "id": iri.removeprefix(ID) if iri.startswith(ID) else iri,
                "iri": iri,
                "href": local_href(iri),
                "label": _value(row, "label") or short(iri),
                "kind": short(row["kind"].value),
                "type": short(row["type"].value),
                "status": _value(row, "status") or None,
            }
        key = (row["dateProperty"].value, row["day"].value)
        date = found.setdefault(iri, {}).setdefault(key, _date(row))
        _add_evidence(date, row)
    folded = []
    for iri, item in items.items():
        dates = found[iri]
        starts = [d for (p, _), d in dates.items() if p == JL + "date"]
        starts = starts or [d for (p, _), d in dates.items() if p in _START]
        ends = [d for (p, _), d in dates.items() if p == _END]
        starts.sort(key=_begins, reverse=True)
        ends.sort(key=_begins, reverse=True)
        item["start"] = starts[0] if starts else None
        item["end"] = ends[0] if ends else None
        shown = [d for d in (item["start"], item["end"]) if d is not None]
        item["inferred"] = any(d["basis"] == "inferred" for d in shown)
        item["span"] = _span(item["start"], item["end"])
        item["other_dates"] = [d["label"] for d in dates.values() if all(d is not s for s in shown)]
        folded.append(item)
    return folded


@dataclass(frozen=True)
class Timeline:
    """One page of the timeline: its items, whether a later page exists, what was asked."""

    items: list[dict[str, Any]]
    has_next: bool
    filters: dict[str, str]
    page: Page


def timeline_query(catalogue: dict[str, CannedQuery]) -> CannedQuery:
    return lookup(catalogue, QUERY_NAME)


def requested(
    request: Request, query: CannedQuery, accepted: tuple[str, ...] = FILTERS
) -> tuple[dict[str, str], Page]:
    """The filters and page a request asks for; 422 naming an unknown, repeated or bad one.
    A filter given empty (a form's blank field) is no filter."""
    refuse_unknown_or_repeated(request, accepted)
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k in FILTERS and v.strip()]
    values = request_values(query, pairs)
    page = paging.requested_page(query, list(request.query_params.multi_items()))
    return values, page


def timeline_items(store: GraphStore, query: CannedQuery, values: dict[str, str], page: Page) -> Timeline:
    """Run the timeline pipeline for these filters and page (from a worker thread)."""
    answer = querying.reading(store, query, values, page)
    return Timeline(fold(answer), answer.has_next, dict(values), page)


def next_href(request: Request, timeline: Timeline) -> str | None:
    if not timeline.has_next:
        return None
    return paging.next_href(request.url.path, list(request.query_params.multi_items()), timeline.page)


@router.get(
    "/timeline",
    summary="Visits, agreements and events on one axis, each at the precision its date is known",
    description=(
        "Dated items, newest first, a page at a time (`_size`, 50 unless asked; `_page`). Each "
        "has its `start` (and, for a visit, `end`) date as the graph holds it (label, precision "
        "`day`/`month`/`year`, `earliest` and `latest` instants, `bound` `by`/`from` when only one "
        "end is known), `basis` and `notes` when inferred, the quotes it rests on, and `span`: the "
        "earliest and latest instant it may cover (`null` = open). Examples: "
        "`/timeline?kind=Visit`, `/timeline?party=Mosti`, `/timeline?topic=digital-economy`."
    ),
)
async def timeline(
    request: Request,
    store: StoreDep,
    catalogue: CatalogueDep,
    party: Annotated[
        str | None,
        Query(description="an organisation, country or person tied to the item", examples=["Mosti"]),
    ] = None,
    topic: Annotated[
        str | None, Query(description="a topic (or a broader one)", examples=["digital-economy"])
    ] = None,
    kind: Annotated[str | None, Query(description=f"one of {', '.join(KINDS)}", examples=["Visit"])] = None,
) -> Response:
    query = timeline_query(catalogue)
    values, page = requested(request, query, (*FILTERS, "_format"))
    if request.query_params.get("_format", "json").strip().lower() != "json":
        raise unprocessable("`_format` must be json here (or html, for the page)", parameter="_format")
    note_query(
        request,
        "canned",
        json.dumps([QUERY_NAME, sorted(values.items()), page.number, page.size]),
        QUERY_NAME,
    )
    base = request.app.state.settings.base_url
    pairs = list(request.query_params.multi_items())

    async def produce() -> Response:
        answer = await run_in_threadpool(timeline_items, store, query, values, page)
        following = next_href(request, answer)
        headers = {"Link": paging.link_header(base + following)} if following else {}
        body = {
            "query": f"{base}/queries/{QUERY_NAME}" + (f"?{urlencode(pairs)}" if pairs else ""),
            "filters": answer.filters,
            "count": len(answer.items),
            "items": answer.items,
            "next": base + following if following else None,
        }
        return JSONResponse(body, headers=headers)

    identity = ("timeline", request.url.path, json.dumps(pairs))
    return await cached(request, identity, produce, vary="Accept")
