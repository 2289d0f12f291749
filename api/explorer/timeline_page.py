"""`/timeline` for browsers: the dated items as a list anyone can read, drawn on one axis when
scripts run.

The server renders the list (newest first, each item with its date as precisely as it is
known, whether it was inferred and how, its first quote and a link to its page), so the page
works without JavaScript. Each list entry carries what a drawing needs in `data-` attributes;
`static/timeline.js` reads them and draws the same items with vis-timeline (vendored), one lane
per kind. The data come from `api/timeline.py` (`timeline_items`), the same function the JSON
at this URL is made from.
"""

from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool

from jalinan.api.caching import cached
from jalinan.api.dependencies import CatalogueDep, StoreDep
from jalinan.api.explorer.assets import vendor_url
from jalinan.api.explorer.ontology_doc import documentation, topics
from jalinan.api.explorer.routing import page_router
from jalinan.api.explorer.templating import period, render
from jalinan.api.timeline import (
    FILTERS,
    KINDS,
    Timeline,
    next_href,
    requested,
    timeline_items,
    timeline_query,
)

router = page_router()
KIND_NAMES = {
    "Visit": "visit",
    "Agreement": "agreement",
    "AgreementCollection": "documents exchanged together",
    "Event": "event",
}


def type_name(local_name: str) -> str | None:
    """The English label of an ontology class ("joint statement", "state visit"), lower-cased."""
    term = documentation().term("jl:" + local_name)
    label = term.labels.get("en") if term else None
    return label.lower() if label else None


def date_text(date: dict[str, Any] | None, role: str = "") -> str:
    """A date as a reader says it: "16 April 2025", "April 2025", "by 17 April 2025", "2024 or
    later"; `role` "start"/"end" words the bounds of a visit's start and end."""
    if date is None:
        return ""
    plain = period(date["label"].split(" ", 1)[-1] if date["bound"] else date["label"])
    if date["bound"] == "by":
        return f"began by {plain}" if role == "start" else f"by {plain}"
    if date["bound"] == "from":
        return f"ended on or after {plain}" if role == "end" else f"{plain} or later"
    return plain


def when(item: dict[str, Any]) -> str:
    """An item's date or dates in words."""
    start, end = item["start"], item["end"]
    if end is None:
        return date_text(start)
    if start["bound"] or end["bound"]:
        return f"{date_text(start, 'start')}; {date_text(end, 'end')}"
    if start["label"] == end["label"]:
        return date_text(start)
    return f"{date_text(start)} – {date_text(end)}"


def _quotes(item: dict[str, Any]) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    for date in (item["start"], item["end"]):
        for source in date["sources"] if date else []:
            if source not in seen:
                seen.append(source)
    return seen


def _notes(item: dict[str, Any]) -> list[str]:
    notes: list[str] = []
    for date in (item["start"], item["end"]):
        for note in date["notes"] if date else []:
            if note not in notes:
                notes.append(note)
    return notes


def view(item: dict[str, Any]) -> dict[str, Any]:
    """What the template shows of an item (the JSON item, plus words and drawing attributes)."""
    start, end = item["start"], item["end"]
    last = end or start
    return {
        **item,
        "kind_name": type_name(item["type"]) or KIND_NAMES.get(item["kind"], item["kind"]),
        "when": when(item),
        "quotes": _quotes(item),
        "notes": _notes(item),
        "datetime": (start["earliest"] or start["latest"] or "")[:10],
        "draw": {
            # the anchors: the instants known at each side; the bounds say which side is open
            "start": start["earliest"] or start["latest"] or "",
            "end": (last["latest"] or last["earliest"] or "") if last else "",
            "open-start": "true" if start["bound"] == "by" else "false",
            "open-end": "true" if last["bound"] == "from" else "false",
            "precision": start["precision"] or "",
        },
    }


def _kept(request: Request) -> list[tuple[str, str]]:
    """The request's filters and page size as given (not its page number or format)."""
    dropped = ("_page", "format", "_format")
    return [(k, v) for k, v in request.query_params.multi_items() if k not in dropped]


def _page_links(request: Request, timeline: Timeline) -> dict[str, str | None]:
    pairs = _kept(request)
    newer = None
    if timeline.page.number > 1:
        back = [*pairs, ("_page", str(timeline.page.number - 1))] if timeline.page.number > 2 else pairs
        newer = request.url.path + (f"?{urlencode(back)}" if back else "")
    return {"older": next_href(request, timeline), "newer": newer}


@router.get("/timeline")
async def timeline_page(request: Request, store: StoreDep, catalogue: CatalogueDep) -> Response:
    query = timeline_query(catalogue)
    values, page = requested(request, query, (*FILTERS, "format", "_format"))

    async def produce() -> Response:
        answer = await run_in_threadpool(timeline_items, store, query, values, page)
        context = {
            "items": [view(item) for item in answer.items],
            "filters": {name: request.query_params.get(name, "") for name in FILTERS},
            "kinds": [(kind, KIND_NAMES[kind]) for kind in KINDS],
            "topics": sorted(
                ((c.iri.rsplit("/", 1)[-1], c.labels.get("en", c.iri)) for c in topics()), key=lambda t: t[1]
            ),
            "links": _page_links(request, answer),
            "page": answer.page,
            "json_href": request.url.path + "?" + urlencode([*_kept(request), ("_format", "json")]),
            "vendor": {
                "js": vendor_url("vis-timeline", "vis-timeline-graph2d.min.js"),
                "css": vendor_url("vis-timeline", "vis-timeline-graph2d.min.css"),
            },
        }
        return render(request, "timeline.html", context)

    return await cached(request, ("page", "timeline", str(request.url.query)), produce)
