"""Canned queries as forms, for browsers: `/queries` and `/queries/{name}`.

Programs asking for the same URLs get what they got before (`canned.py`: the list as JSON, a
query's answer as SPARQL JSON, CSV…). A browser gets, for the list, one card per query with
its rendered description; for one query, its title, its description (Markdown, rendered by
markdown-it-py with raw HTML off, so a header cannot inject markup), a form with one labelled
field per parameter (its example as a placeholder, a `kind` as a choice), the answer as a table
whose IRIs link to their pages by label, the SPARQL text with a link that opens it in the
editor, and links to the same answer as CSV, JSON, XML and TSV. The answer is read exactly as
`/queries/{name}` reads it (a pipeline through `querying.reading`, a single file bound by
`canned.bind_request`), so the table holds the rows of the downloads.
"""

import re
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from markdown_it import MarkdownIt
from pyoxigraph import NamedNode

from jalinan.api import paging
from jalinan.api.caching import cached
from jalinan.api.canned import lookup, request_values
from jalinan.api.dependencies import CatalogueDep, SettingsDep, StoreDep
from jalinan.api.explorer.lists import PAGE_FORMAT_PARAMETERS, humanise, read_page
from jalinan.api.explorer.routing import page_router
from jalinan.api.explorer.templating import render
from jalinan.api.pages import local_href, short
from jalinan.graph.namespaces import ARTICLE, JL
from jalinan.graph.results import SelectResult, Term
from jalinan.queries.catalogue import PAGE_PARAMETER, CannedQuery

router = page_router()
DOWNLOADS = (("CSV", "csv"), ("JSON", "json"), ("XML", "xml"), ("TSV", "tsv"))
GRAPH_DOWNLOADS = (("Turtle", "ttl"), ("JSON-LD", "jsonld"), ("N-Triples", "nt"))
_GRAPH_FORM = re.compile(r"^\s*(CONSTRUCT|DESCRIBE)\b", re.MULTILINE)
# Columns that name the thing in another column (`partyLabel` for `party`); the subject's
# label columns (`label`, `name`) name the query's first column.
_SUBJECT_LABELS = ("label", "name")


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False})


def markdown(text: str) -> str:
    """A query's description as HTML: Markdown, raw HTML escaped, unsafe links refused."""
    return _markdown().render(text)


def _card(query: CannedQuery) -> dict[str, Any]:
    return {
        "name": query.name,
        "title": query.title,
        "description": markdown(query.description),
        "parameters": query.parameters,
        "href": f"/queries/{query.name}",
    }


@router.get("/queries")
async def query_list(request: Request, catalogue: CatalogueDep) -> Response:
    cards = [_card(q) for q in catalogue.values() if not q.name.startswith("stats-")]
    return render(
        request,
        "queries.html",
        {"cards": cards},
        headers={"Link": '</queries?_format=json>; rel="alternate"; type="application/json"'},
    )


def _label_of(row: dict[str, Term], variable: str, first: str) -> str | None:
    """The label that names `row[variable]`: its `…Label` column, or the subject's label."""
    for key in (f"{variable}Label", *(_SUBJECT_LABELS if variable == first else ())):
        term = row.get(key)
        if term is not None:
            return term.value
    return None


def table(result: SelectResult) -> dict[str, Any]:
    """Rows as cells: an IRI linked by its label (from the label columns, which are then not
    shown on their own), an article by "article" and its id, anything else as its text."""
    variables = list(result.variables)
    first = variables[0] if variables else ""
    labels = {f"{v}Label" for v in variables} | ({*_SUBJECT_LABELS} if first else set())
    shown = [
        v
        for v in variables
        if not (v in labels and (v.removesuffix("Label") in variables or v in _SUBJECT_LABELS))
    ]
    rows = []
    for row in result.rows:
        cells = []
        for variable in shown:
            term = row.get(variable)
            if term is None:
                cells.append({"text": ""})
            elif isinstance(term, NamedNode):
                label = _label_of(row, variable, first)
                if term.value.startswith(ARTICLE):
                    label = label or f"article {short(term.value)}"
                if label is None and term.value.startswith(JL):  # a class or property: its name, readable
                    label = humanise(short(term.value))
                cells.append({"text": label or short(term.value), "href": local_href(term.value)})
            else:
                cells.append({"text": term.value})
        rows.append(cells)
    return {"variables": [humanise(v) for v in shown], "rows": rows}


@router.get("/queries/{name}")
async def query_form(
    name: str, request: Request, store: StoreDep, catalogue: CatalogueDep, settings: SettingsDep
) -> Response:
    query = lookup(catalogue, name)
    pairs = [
        (k, v)
        for k, v in parse_qsl(request.url.query, keep_blank_values=True)
        if k not in PAGE_FORMAT_PARAMETERS
    ]
    given = {k: v for k, v in request_values(query, pairs).items() if v.strip()}
    page = paging.requested_page(query, pairs)
    page_pairs = [(k, v) for k, v in pairs if k in paging.PAGE_PARAMETERS]
    missing = [p.name for p in query.parameters if p.required and p.name not in given]
    asked = [*given.items(), *page_pairs]

    async def produce() -> Response:
        result: dict[str, Any] | None = None
        has_next = more = False
        start: str | None = None
        graph = bool(_GRAPH_FORM.search(query.text))
        if not missing and not graph:
            rows, has_next, more, start = await run_in_threadpool(
                read_page, store, query, given, page, settings.max_rows
            )
            result = table(rows)
        texts = (
            [("page query", query.text), ("detail query", query.detail)]
            if query.detail
            else [("query", query.text)]
        )
        example = {p.name: p.example for p in query.parameters if p.example is not None}
        context = {
            "query": query,
            "description": markdown(query.description),
            "fields": [
                {"parameter": p, "value": given.get(p.name, ""), "id": f"param-{p.name}"}
                for p in query.parameters
            ],
            "missing": missing,
            "example": f"/queries/{name}?{urlencode(example)}" if example else None,
            "result": result,
            "texts": [
                {
                    "heading": heading,
                    "text": text,
                    "open": "/sparql?" + urlencode({"query": text, "format": "html"}),
                }
                for heading, text in texts
            ],
            "downloads": [
                (label, f"/queries/{name}?" + urlencode([*asked, ("_format", fmt)]))
                for label, fmt in (GRAPH_DOWNLOADS if graph else DOWNLOADS)
            ],
            "graph": graph,
            "truncated": settings.max_rows if result is not None and more else None,
            "next": paging.next_href(f"/queries/{name}", asked, page, start) if has_next else None,
            "previous": f"/queries/{name}?"
            + urlencode(
                [*[(k, v) for k, v in asked if k != PAGE_PARAMETER], (PAGE_PARAMETER, str(page.number - 1))]
            )
            if page.number > 1
            else None,
            # a list paged by rows (`people`) has no page numbers past its first (`_start`)
            "page": None if page.start is not None else page.number,
        }
        return render(request, "query.html", context)

    identity = ("page", "query", name, urlencode(sorted(asked)))
    return await cached(request, identity, produce)
