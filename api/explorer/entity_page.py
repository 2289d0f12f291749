"""`/id/{id}` for browsers: an entity's page that reads like a summary, every fact with its quote.

First a summary (kind, names in English, Malay and Chinese, country, parent organisation, posts
held, a one-line description, how many agreements it is party to); then its facts grouped by
relation, outgoing and incoming, each other end linked by its label and each fact with its
evidence: the verbatim quote with the article's headline, publisher and date, linking to the
article's page. Facts drawn across articles (the ties graph), dates inferred from the text and
ties the ontology entails are marked as inferred, with the quotes they rest on. Agreements get
their parties by side, the people on them with their posts, status and date with their quotes;
visits and events the agreements concluded and the people met (`entity_layouts.py`).

The reads are `queries/entity-page/*.rq` (`entity_reads.py`); the page links to each, runnable
in `/sparql`, and to the same data as Turtle and JSON-LD. Programs asking for the same URL get
RDF from `linked_data.py`, as before. A page holds `_size` statements (50 unless asked; the JSON
twin 100), with `next page` and `first page` links and `Link: <…>; rel="next"` when full; an
entity with no statement and no name is a 404 (the error page suggests close names).
"""

import re
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool

from jalinan.api import paging
from jalinan.api.caching import cached
from jalinan.api.dependencies import CatalogueDep, StoreDep
from jalinan.api.errors import not_found
from jalinan.api.explorer import entity_layouts
from jalinan.api.explorer.entity_reads import FOLDER, PageRows, is_empty, read_page
from jalinan.api.explorer.entity_view import Labels, by_evidence, evidence_of, sections
from jalinan.api.explorer.routing import page_router
from jalinan.api.explorer.templating import render, templates
from jalinan.api.pages import evidence_query_href
from jalinan.graph.namespaces import ID

router = page_router()
templates.env.filters["by_evidence"] = by_evidence
_ID_PATH = re.compile(r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)*$")
PIPELINE = "entity-page"
TEMPLATES = {"agreement": "entity_agreement.html", "visit": "entity_visit.html", None: "entity.html"}
# A browser's page holds 50 statements unless asked (`/queries/entity-page`, the JSON twin, 100):
# the busiest party at 10,000 articles reads, shapes and renders half as much (38 -> 24 ms CPU
# in process for its reads and shaping), and an entity of a few dozen facts still fits one page.
HTML_SIZE = (paging.SIZE_PARAMETER, "50")
READS = {  # section → (what it reads, its file)
    "summary": ("the summary", "summary.rq"),
    "statements": ("its own statements", "page.rq"),
    "incoming": ("the statements about it", "incoming.rq"),
    "entailed": ("the ties the ontology entails from it", "entailed.rq"),
    "entailed-incoming": ("the ties the ontology entails to it", "entailed-incoming.rq"),
    "agreement": ("the parties by side and the posts of the people", "agreement.rq"),
    "visit": ("the agreements concluded and the people met", "visit.rq"),
}


def sparql_href(text: str) -> str:
    return "/sparql?" + urlencode({"format": "html", "query": text})


def context(iri: str, entity_path: str, rows: PageRows) -> dict[str, Any]:
    """What the templates show, from the page's rows."""
    labels = Labels(rows.labels)
    facts = evidence_of(rows.details, labels)
    entity_layouts.add_chains(facts, rows.chains, labels)
    groups = sections(iri, rows.statements, facts, labels)
    summary = entity_layouts.summary(iri, rows.summary, labels, groups)
    layout = entity_layouts.layout(rows.summary)
    special: dict[str, Any] = {}
    if layout == "agreement":
        special = entity_layouts.agreement(groups, rows.kind_rows, labels)
    elif layout == "visit":
        special = entity_layouts.visit(iri, groups, rows.kind_rows, facts, labels)
    shown = set(special.get("sections_used", ()))
    queries = [
        {"label": READS[name][0], "file": f"queries/entity-page/{READS[name][1]}", "href": sparql_href(text)}
        for name, text in rows.sparql.items()
    ]
    return {
        "iri": iri,
        "entity_path": entity_path,
        "summary": summary,
        "sections": [s for s in groups if s.key not in shown],
        "special": special,
        "layout": layout,
        "queries": queries,
        "statements_href": "/queries/entity-page?" + urlencode({"id": iri}),
        "evidence_href": evidence_query_href(entity_path),
        "folder": FOLDER.name,
    }


@router.get("/id/{entity_path:path}")
async def entity(entity_path: str, request: Request, store: StoreDep, catalogue: CatalogueDep) -> Response:
    if not _ID_PATH.match(entity_path):
        raise not_found(f"no entity /id/{entity_path}")
    iri = ID + entity_path
    pipeline = catalogue[PIPELINE]
    pairs = list(request.query_params.multi_items())
    asked = pairs if any(key == paging.SIZE_PARAMETER for key, _ in pairs) else [*pairs, HTML_SIZE]
    page = paging.requested_page(pipeline, asked)

    async def produce() -> Response:
        rows = await run_in_threadpool(read_page, store, pipeline, iri, page, entity_layouts.layout)
        if is_empty(rows) and page.number == 1:
            raise not_found(f"no entity {iri}")
        links = [
            f'<{evidence_query_href(entity_path)}>; rel="alternate"; type="application/json"',
            f'</id/{entity_path}?_format=ttl>; rel="alternate"; type="text/turtle"',
        ]
        next_href = None
        if rows.has_next:
            next_href = paging.next_href(request.url.path, pairs, page)
            links.append(paging.link_header(next_href))
        page_context = context(iri, entity_path, rows)
        page_context.update({"number": page.number, "next_href": next_href})
        template = TEMPLATES[page_context["layout"]]
        return render(request, template, page_context, headers={"Link": ", ".join(links)})

    identity = ("page", "entity", entity_path, str(page.number), str(page.size))
    return await cached(request, identity, produce)
