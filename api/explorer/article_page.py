"""`/id/article/{id}` for browsers: a source article and every fact drawn from it, by quote.

Where an entity page lists `source: 39e3…`, the reader lands here: the article's headline (or
label), publisher, date and cited agencies, then each verbatim quote as a blockquote with the
facts it supports beneath it, each end linked by its label. Programs asking for the same URL
get RDF from the entity route, as before. The order of the quotes in the text is not in the
graph (only the quotes are), so quotes are listed by the first fact they support.
"""

import re
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from pyoxigraph import NamedNode

from jalinan.api import querying
from jalinan.api.caching import cached
from jalinan.api.dependencies import StoreDep
from jalinan.api.errors import not_found
from jalinan.api.explorer.routing import page_router
from jalinan.api.explorer.templating import render
from jalinan.api.limits import TRUNCATED_HEADER
from jalinan.api.pages import local_href, short
from jalinan.graph import GraphStore
from jalinan.graph.namespaces import ARTICLE, RDF
from jalinan.graph.results import SelectResult
from jalinan.queries.catalogue import CannedQuery, load_query

router = page_router()
QUERIES = Path(__file__).resolve().parent / "queries"
_ARTICLE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@cache
def _query(name: str) -> CannedQuery:
    return load_query(QUERIES / f"{name}.rq")


def _bound(name: str, iri: str) -> str:
    return _query(name).bind({("article", "articleKey"): [(NamedNode(iri), None)]})


def _text(row: dict, key: str) -> str | None:
    return row[key].value if row.get(key) is not None else None


def _end(row: dict, key: str, label_key: str) -> dict[str, str | None]:
    """One end of a fact: its label, and a link when it is an IRI."""
    term = row[key]
    if isinstance(term, NamedNode):
        return {"label": _text(row, label_key) or short(term.value), "href": local_href(term.value)}
    return {"label": term.value, "href": None}


def facts_by_quote(rows: SelectResult) -> list[dict[str, Any]]:
    """One entry per quote, with the facts it supports, in the order of their first fact."""
    quotes: dict[str, dict[str, Any]] = {}
    for row in rows.rows:
        entry = quotes.setdefault(
            row["quote"].value, {"quote": row["quote"].value, "facts": [], "notes": set()}
        )
        predicate = row["predicate"].value
        relation = "is a" if predicate == RDF + "type" else _text(row, "predicateLabel") or short(predicate)
        fact = {"subject": _end(row, "subject", "subjectLabel"), "relation": relation}
        fact["object"] = _end(row, "object", "objectLabel")
        if fact not in entry["facts"]:
            entry["facts"].append(fact)
        basis, note = _text(row, "dateBasis"), _text(row, "inferenceNote")
        if basis or note:
            entry["notes"].add(", ".join(part for part in (basis and f"date {basis}", note) if part))
    return [{**entry, "notes": sorted(entry["notes"])} for entry in quotes.values()]


def about(rows: SelectResult) -> dict[str, Any]:
    first = rows.rows[0]
    cited = {
        row["cited"].value: {"label": _text(row, "citedLabel") or short(row["cited"].value),
                             "href": local_href(row["cited"].value)}
        for row in rows.rows
        if row.get("cited") is not None
    }  # fmt: skip
    publisher = None
    if first.get("publisher") is not None:
        publisher = _end(first, "publisher", "publisherLabel")
    return {
        "title": _text(first, "headline") or _text(first, "label") or short(first["article"].value),
        "headline": _text(first, "headline"),
        "publisher": publisher,
        "date": _text(first, "dateLabel"),
        "cited": list(cited.values()),
        "source_file": _text(first, "sourceFile"),
    }


def _read(store: GraphStore, iri: str, max_rows: int) -> tuple[SelectResult, SelectResult, bool]:
    head, _ = querying.rows(store, _bound("article-about", iri))
    facts, more = querying.rows(store, _bound("article-facts", iri), max_rows=max_rows)
    return head, facts, more


@router.get("/id/article/{article_id}")
async def article(article_id: str, request: Request, store: StoreDep) -> Response:
    if not _ARTICLE_ID.match(article_id):
        raise not_found(f"no article /id/article/{article_id}")
    iri = ARTICLE + article_id
    max_rows: int = request.app.state.settings.max_rows

    async def produce() -> Response:
        head, facts, more = await run_in_threadpool(_read, store, iri, max_rows)
        if not head.rows:
            raise not_found(f"no article {iri}")
        links = f'</id/article/{article_id}?_format=ttl>; rel="alternate"; type="text/turtle"'
        headers: dict[str, str] = {"Link": links}
        if more:
            headers[TRUNCATED_HEADER] = str(max_rows)
        context = {"article": about(head), "iri": iri, "quotes": facts_by_quote(facts), "truncated": more}
        return render(request, "article.html", context, headers=headers)

    return await cached(request, ("page", "article", article_id), produce)
