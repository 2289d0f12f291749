"""Lists with facets for browsers: `/agreements`, `/visits`, `/organisations`, `/people`.

The same URLs answer programs with friendly JSON (`friendly.py`); a browser gets a page here
(`routing.page_router`). Each page is one list pipeline (`queries/<name>/`) read through the
one read path (`querying.reading`), so its rows are exactly those of its downloads:
`/queries/<name>?<the same filters and page>&_format=csv` (or `json`), which run the same
pipeline with the same values. Beside the list, the facet counts (`queries/facets/<name>.rq`,
plain SPARQL holding the list's `VALUES` blocks, bound the same way): each value links to the
list narrowed by it; every filter is a query parameter, so any view is a bookmarkable URL and
works without JavaScript. Pages are cached with the data version like every read answer.
"""

import asyncio
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool

from jalinan.api import paging, querying
from jalinan.api.caching import cached
from jalinan.api.canned import bind_request, lookup, request_values
from jalinan.api.dependencies import CatalogueDep, SettingsDep, StoreDep
from jalinan.api.errors import ApiError
from jalinan.api.explorer.routing import page_router
from jalinan.api.explorer.templating import period, render
from jalinan.api.pages import local_href, short
from jalinan.api.reading import FacetValue
from jalinan.graph import GraphStore
from jalinan.graph.namespaces import CONCEPT, ID, JL
from jalinan.graph.results import SelectResult, Term
from jalinan.queries.catalogue import (
    PAGE_PARAMETER,
    QUERIES_DIR,
    SIZE_PARAMETER,
    CannedQuery,
    Page,
    Parameter,
)

router = page_router()
FACETS_DIR = QUERIES_DIR / "facets"
SHOWN_VALUES = 8  # values of a facet shown at once; the rest behind "more"
MORE_VALUES = 60  # at most this many more (a party facet at 10,000 articles has hundreds)
# Parameters a page URL may carry besides the list's own: the page asks for HTML this way.
PAGE_FORMAT_PARAMETERS = ("format", "_format")
# The parameter that orders a list rather than narrowing it: kept by every link of the page
# (facets, pages, downloads), never shown as a filter, and not part of the facet counts.
SORT_PARAMETER = "sort"

Cell = dict[str, Any]  # {"text": str, "href": str | None, "list": [Cell]} for one table cell
Rows = list[dict[str, Term]]


def _text(row: dict[str, Term], key: str) -> str:
    term = row.get(key)
    return term.value if term is not None else ""


def _link(row: dict[str, Term], key: str, label_key: str) -> Cell:
    """A cell naming the thing in `row[key]` by its label, linked to its page."""
    term = row.get(key)
    if term is None:
        return {"text": ""}
    label = _text(row, label_key) or short(term.value)
    return {"text": label, "href": local_href(term.value)}


def humanise(local_name: str) -> str:
    """`MemorandumOfUnderstanding` → "Memorandum of understanding"; `in-force` → "In force"."""
    words: list[str] = []
    for char in local_name.replace("-", " "):
        if char.isupper() and words and words[-1] and words[-1][-1] != " ":
            words.append(" ")
        words.append(char)
    text = "".join(words).strip().lower()
    return text[:1].upper() + text[1:]


def _kind(row: dict[str, Term]) -> Cell:
    return {"text": humanise(short(_text(row, "type")))} if row.get("type") else {"text": ""}


def _distinct(rows: Rows, make: Callable[[dict[str, Term]], Cell]) -> Cell:
    """Every distinct value of a column over one subject's rows, as a list cell."""
    cells: list[Cell] = []
    for row in rows:
        cell = make(row)
        if cell["text"] and cell not in cells:
            cells.append(cell)
    return {"list": cells}


def _sources(rows: Rows) -> Cell:
    articles = {_text(row, "source") for row in rows if row.get("source") is not None}
    return {"text": str(len(articles))}


def _date(rows: Rows, key: str = "date") -> Cell:
    return {"text": period(_text(rows[0], key))} if rows[0].get(key) is not None else {"text": "not reported"}


@dataclass(frozen=True)
class Column:
    heading: str
    cell: Callable[[Rows], Cell]


@dataclass(frozen=True)
class ListView:
    """One list page: which pipeline, what its rows are about, its columns and facets."""

    path: str
    query: str  # the pipeline's name (`queries/<query>/`)
    key: str  # the subject variable
    title: str
    intro: str
    columns: list[Column]
    facets: list[tuple[str, str]] = field(default_factory=list)  # (parameter, heading)
    # the orders a reader may choose (the query's `sort` choices, each with its wording), the
    # first the default
    sorts: list[tuple[str, str]] = field(default_factory=list)
    # a facet whose values named here split the list between them (every agreement is one of
    # Agreement or AgreementCollection, never both), so that their counts sum to its length
    partition: tuple[str, tuple[str, ...]] | None = None
    labels: dict[tuple[str, str], str] = field(default_factory=dict)  # (facet, value) → wording

    def total(self, query: CannedQuery, counts: dict[str, list[FacetValue]]) -> int | None:
        """How many items the list holds (filters applied), from its partition's counts."""
        if self.partition is None or self.partition[0] not in counts:
            return None
        name, parts = self.partition
        parameter = next(p for p in query.parameters if p.name == name)
        return sum(v.count for v in counts[name] if facet_text(parameter, v.value) in parts)

    @property
    def facets_path(self) -> Path | None:
        path = FACETS_DIR / f"{self.query}.rq"
        return path if self.facets and path.exists() else None


def _first(key: str, label: str) -> Callable[[Rows], Cell]:
    return lambda rows: _link(rows[0], key, label)


def _count(key: str) -> Callable[[Rows], Cell]:
    """A number the detail query counted (the same on each of a subject's rows)."""
    return lambda rows: {"text": _text(rows[0], key) or "0"}


def _posts(rows: Rows) -> Cell:
    """The posts a person holds, one per role (the post's label): a role stated in several
    articles, or in several organisations (a ministry and its country), is one entry naming
    each organisation its label does not already name, and citing each article that states it
    ("Minister of Digital (Malaysia), Ministry of Digital [1] [2]")."""
    roles: dict[str, Cell] = {}
    for row in rows:
        if row.get("post") is None:
            continue
        link = _link(row, "post", "postLabel")
        role = roles.setdefault(link["text"].casefold(), {**link, "organisations": [], "cites": []})
        organisation = _text(row, "organisationLabel")
        if organisation and organisation not in link["text"] and organisation not in role["organisations"]:
            role["organisations"].append(organisation)
        source = row.get("postSource")
        href = local_href(source.value) if source is not None else None
        if href and all(cite["href"] != href for cite in role["cites"]):
            role["cites"].append({"text": f"[{len(role['cites']) + 1}]", "href": href})
    cells = []
    for role in roles.values():
        organisations = role.pop("organisations")
        if organisations:
            role["text"] += ", " + ", ".join(organisations)
        cells.append(role)
    return {"list": cells}


# the order control of a list ranked by name (its query's `sort` choices `a-z`, `z-a`)
BY_NAME = [("a-z", "By name, A–Z"), ("z-a", "By name, Z–A")]

VIEWS = [
    ListView(
        "/agreements",
        "agreements",
        "agreement",
        "Agreements",
        "Memoranda of understanding, letters of intent, joint statements and other agreements "
        "between Malaysian and Chinese bodies, newest first unless you choose another order. Each "
        "links to its page with the quotes that report it.",
        [
            Column("Agreement", _first("agreement", "label")),
            Column("Kind", lambda rows: _kind(rows[0])),
            Column("Status", lambda rows: {"text": humanise(_text(rows[0], "status"))}),
            Column("Date", _date),
            Column("Articles", _sources),
        ],
        [
            ("topic", "Topic"),
            ("year", "Year"),
            ("status", "Status"),
            ("kind", "Kind"),
            ("side", "Side"),
            ("party", "Party"),
        ],
        [("newest", "Newest first"), ("oldest", "Oldest first"), ("a-z", "By name, A–Z")],
        ("kind", ("Agreement", "AgreementCollection")),
        {("kind", "Agreement"): "Agreement (any kind)"},
    ),
    ListView(
        "/visits",
        "visits",
        "visit",
        "Visits",
        "State, official and working visits between Malaysia and China: who travelled, who hosted, "
        "and when, earliest first unless you choose another order.",
        [
            Column("Visit", _first("visit", "label")),
            Column("Visitor", lambda rows: _distinct(rows, lambda r: _link(r, "visitor", "visitorLabel"))),
            Column(
                "Host country",
                lambda rows: _distinct(rows, lambda r: _link(r, "hostCountry", "hostCountryLabel")),
            ),
            Column("Date", lambda rows: _date(rows, "startDate" if rows[0].get("startDate") else "date")),
            Column("Status", lambda rows: {"text": humanise(short(_text(rows[0], "status")))}),
        ],
        [("visitor", "Visitor"), ("country", "Host country"), ("year", "Year")],
        [("oldest", "Earliest first"), ("newest", "Newest first")],
    ),
    ListView(
        "/organisations",
        "organisations",
        "organisation",
        "Organisations",
        "Ministries, agencies, companies, universities and other bodies named in the articles, by name.",
        [
            Column("Organisation", _first("organisation", "label")),
            Column("Kind", lambda rows: _kind(rows[0])),
            Column("Country", _first("country", "countryLabel")),
        ],
        [("country", "Country"), ("kind", "Kind"), ("sector", "Sector")],
        BY_NAME,
    ),
    ListView(
        "/people",
        "people-summary",
        "person",
        "People",
        "Ministers, officials and others named in the articles, by name: the posts they hold, and "
        "how many agreements they signed, exchanged or witnessed and visits they made. Each "
        "person's page gives every fact with its quote.",
        [
            Column("Person", _first("person", "name")),
            Column("Posts", _posts),
            Column("Signed", _count("signed")),
            Column("Exchanged", _count("exchanged")),
            Column("Witnessed", _count("witnessed")),
            Column("Visits", _count("visits")),
        ],
        sorts=[*BY_NAME, ("signed", "Most agreements signed")],
    ),
]


def facet_text(parameter: Parameter, value: Term) -> str:
    """What a facet value is as the parameter's text: an entity's id, a concept's name, a
    class's local name, a year's digits (each read back as the same value)."""
    text = value.value
    if parameter.type == "entity" and text.startswith(ID):
        return text.removeprefix(ID)
    if parameter.type == "concept" and text.startswith(f"{CONCEPT}{parameter.scheme}/"):
        return text.removeprefix(f"{CONCEPT}{parameter.scheme}/")
    if parameter.type == "kind" and text.startswith(JL):
        return text.removeprefix(JL)
    return text


def _href(path: str, pairs: list[tuple[str, str]]) -> str:
    return path + (f"?{urlencode(pairs)}" if pairs else "")


def _facets(
    view: ListView,
    query: CannedQuery,
    values: dict[str, str],
    counts: dict[str, list[FacetValue]],
    page_pairs: list[tuple[str, str]],
) -> list[dict[str, Any]]:
    """Each facet: its values with counts and the link that narrows the list by each, and the
    chosen value with the link that removes it. Choosing a value goes back to the first page."""
    size = [(k, v) for k, v in page_pairs if k == SIZE_PARAMETER]
    parameters = {p.name: p for p in query.parameters}
    total = view.total(query, counts)
    shown = []
    for name, heading in view.facets:
        parameter = parameters.get(name)
        if parameter is None:  # not (yet) a parameter of the list's query
            continue
        others = [(k, v) for k, v in values.items() if k != name]  # the order chosen among them
        entries = []
        for item in counts.get(name, []):
            text = facet_text(parameter, item.value)
            if parameter.choices and text not in parameter.choices:
                continue  # a class the filter does not take (it would answer 422)
            if parameter.type == "kind" and item.count == total and values.get(name) != text:
                continue  # a class every listed item is (a superclass of them all): narrows nothing
            label = (
                view.labels.get((name, text))
                or item.label
                or (humanise(text) if parameter.type == "kind" else text)
            )
            label = label[:1].upper() + label[1:]  # concept labels are lower case ("digital economy")
            entries.append(
                {
                    "label": label,
                    "count": item.count,
                    "href": _href(view.path, [*others, (name, text), *size]),
                    "chosen": values.get(name) == text,
                }
            )
        chosen = values.get(name)
        chosen_label = next((e["label"] for e in entries if e["chosen"]), chosen)
        shown.append(
            {
                "name": name,
                "heading": heading,
                "values": entries[:SHOWN_VALUES],
                "more": entries[SHOWN_VALUES : SHOWN_VALUES + MORE_VALUES],
                "hidden": max(0, len(entries) - SHOWN_VALUES - MORE_VALUES),
                "chosen": chosen,
                "chosen_label": chosen_label,
                "remove": _href(view.path, [*others, *size]),
                "type": parameter.type,
                "description": parameter.description,
                "others": others,
            }
        )
    return shown


def _sorts(view: ListView, chosen: str | None, keep: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The order control: each order, a link to the same list (filters and page size kept,
    back to page 1) in that order, and whether it is the one shown."""
    current = (chosen or (view.sorts[0][0] if view.sorts else "")).casefold()
    return [
        {
            "label": label,
            "href": _href(view.path, [*keep, (SORT_PARAMETER, value)]),
            "chosen": value == current,
        }
        for value, label in view.sorts
    ]


def read_page(
    store: GraphStore, query: CannedQuery, values: dict[str, str], page: Page, max_rows: int
) -> tuple[SelectResult, bool, bool, str | None]:
    """One page of a list query, as `/queries/{name}` reads it (so its downloads hold the same
    rows): a pipeline through the runner, a single file bound as the canned route binds it.
    Returns the rows, whether a next page exists, whether rows past `max_rows` were cut (a
    single file answering everything at once), and the next page's `_start` (a list paged by
    rows). Call from a worker thread."""
    if query.is_pipeline:
        answer = querying.reading(store, query, values, page)
        return SelectResult(answer.variables, answer.rows), answer.has_next, False, answer.next_start
    rows, more = querying.rows(store, bind_request(query, list(values.items()), page), max_rows=max_rows)
    counted = paging.subjects_in_rows(rows, query.paging.counts) if query.paging else 0
    return rows, not more and paging.is_full(query, page, counted), more, None


class FacetMemo:
    """Facet counts by (data version, list, filters): every page of one filtered list shares
    them, so paging on costs only the page (counting a long list takes seconds at 10,000
    articles, `bench/RESULTS.md`). Kept for one data version, at most `size` filter sets."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[str, str, str], dict[str, list[FacetValue]]] = OrderedDict()
        self.lock = threading.Lock()  # worker threads read and fill it

    def counts(
        self, store: GraphStore, query: CannedQuery, path: Path, values: dict[str, str]
    ) -> dict[str, list[FacetValue]]:
        """The counts (from the memo, or read now; call from a worker thread)."""
        version = store.version
        key = (version or "", query.name, json.dumps(sorted(values.items())))
        with self.lock:
            if version is not None and key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        counts = querying.facet_counts(store, query, path, values)
        with self.lock:
            if version is not None and store.version == version:
                for old in [k for k in self.entries if k[0] != version]:  # older versions': never asked again
                    del self.entries[old]
                self.entries[key] = counts
                while len(self.entries) > self.size:
                    self.entries.popitem(last=False)
        return counts


FACET_MEMO = FacetMemo()


def _items(view: ListView, rows: Rows) -> list[list[Cell]]:
    grouped: dict[str, Rows] = {}
    for row in rows:
        if row.get(view.key) is not None:
            grouped.setdefault(row[view.key].value, []).append(row)
    return [[column.cell(subject_rows) for column in view.columns] for subject_rows in grouped.values()]


def _page_route(view: ListView) -> None:
    @router.get(view.path, name=f"list_page_{view.query}")
    async def list_page(
        request: Request, store: StoreDep, catalogue: CatalogueDep, settings: SettingsDep
    ) -> Response:
        query = lookup(catalogue, view.query)
        pairs = [(k, v) for k, v in request.query_params.multi_items() if k not in PAGE_FORMAT_PARAMETERS]
        page = paging.requested_page(query, pairs)
        values = {k: v for k, v in request_values(query, pairs).items() if v.strip()}
        page_pairs = [(k, v) for k, v in pairs if k in paging.PAGE_PARAMETERS]
        names = [p.name for p in query.parameters]
        filters = [(k, values[k]) for k in names if k in values and k != SORT_PARAMETER]
        order = [(SORT_PARAMETER, values[SORT_PARAMETER])] if SORT_PARAMETER in values else []
        narrowing = {k: v for k, v in values.items() if k != SORT_PARAMETER}  # what the counts depend on

        async def produce() -> Response:
            # the page and its facet counts are independent: read both at once (two workers)
            facets_failed: str | None = None
            reading = run_in_threadpool(read_page, store, query, values, page, settings.max_rows)
            if view.facets_path is None or not query.is_pipeline:  # facets bind as the pipeline binds
                (rows, has_next, _, _), counts = await reading, {}
            else:
                read_out, counted = await asyncio.gather(
                    reading,
                    run_in_threadpool(FACET_MEMO.counts, store, query, view.facets_path, narrowing),
                    return_exceptions=True,
                )
                if isinstance(read_out, BaseException):
                    raise read_out
                rows, has_next, _, _ = read_out
                # counts that could not be read in time (a long list on a busy server) leave the
                # list itself readable, saying so; any other failure is the page's
                if isinstance(counted, ApiError) and counted.status == 503:
                    counts, facets_failed = {}, counted.detail
                elif isinstance(counted, BaseException):
                    raise counted
                else:
                    counts = counted
            size = [(k, v) for k, v in page_pairs if k == SIZE_PARAMETER]
            here = [*filters, *order, *size]
            number = page.number
            twin = [*here, *([(PAGE_PARAMETER, str(number))] if number > 1 else [])]
            facets = _facets(view, query, values, counts, page_pairs)
            chosen = {facet["name"]: facet["chosen_label"] for facet in facets if facet["chosen"]}
            context = {
                "view": view,
                "query": query,
                "filters": [
                    {
                        "name": k,
                        "value": chosen.get(k) or v,
                        "remove": _href(view.path, [p for p in here if p[0] != k]),
                    }
                    for k, v in filters
                ],
                "facets": facets,
                "facets_failed": facets_failed,
                "items": _items(view, rows.rows),
                "page": number,
                "size": page.size,
                "first": page.offset + 1,
                "total": view.total(query, counts),
                "previous": _href(view.path, [*here, (PAGE_PARAMETER, str(number - 1))])
                if number > 1
                else None,
                "next": _href(view.path, [*here, (PAGE_PARAMETER, str(number + 1))]) if has_next else None,
                "csv": _href(f"/queries/{view.query}", [*twin, ("_format", "csv")]),
                "json": _href(f"/queries/{view.query}", [*twin, ("_format", "json")]),
                "sparql": f"/queries/{view.query}",
                "clear": _href(view.path, order),
                "sorts": _sorts(view, values.get(SORT_PARAMETER), [*filters, *size]),
            }
            # a page without its counts is not kept: the next request tries them again
            return render(
                request,
                "list.html",
                context,
                headers={"Cache-Control": "no-store"} if facets_failed else None,
            )

        identity = ("page", "list", view.path, json.dumps([sorted(values.items()), page.number, page.size]))
        return await cached(request, identity, produce)


for _view in VIEWS:
    _page_route(_view)
