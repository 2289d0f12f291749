"""The home page for browsers (`GET /`): what Jalinan is, a search box, headline counts and
entry points. Programs asking for `/` still get the redirect to `/queries` (app.py).

The counts come from the `stats-by-class` canned query (the per-class counts ingest writes
with the data, so reading them costs nothing at any size), summed over each headline class and
the classes under it in the ontology. The short lists (latest agreements and visits, the
most-connected organisations) are small queries of the explorer's own (`queries/`). The page is
cached with the data version like every read answer.
"""

from collections.abc import Callable
from functools import cache
from pathlib import Path

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from pyoxigraph import NamedNode

from jalinan.api import querying
from jalinan.api.caching import cached
from jalinan.api.dependencies import CatalogueDep, StoreDep
from jalinan.api.explorer.ontology_doc import descendants, topics
from jalinan.api.explorer.routing import page_router
from jalinan.api.explorer.templating import render
from jalinan.api.pages import local_href
from jalinan.graph import GraphStore
from jalinan.graph.namespaces import JL
from jalinan.queries.catalogue import CannedQuery, load_query

router = page_router()
LIST_LENGTH = 8  # items in each of the home page's lists (the LIMIT of its queries)
QUERIES = Path(__file__).resolve().parent / "queries"
# (what the reader sees, the ontology class counted with everything under it, where to go)
HEADLINES = [
    ("agreements", "jl:Agreement", "/agreements"),
    ("visits", "jl:Visit", "/visits"),
    ("organisations", "jl:Organization", "/organisations"),
    ("people", "jl:Person", "/people"),
    ("articles", "jl:SourceArticle", "/queries/stats-by-article"),
]


@cache
def explorer_query(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def headline_counts(store: GraphStore, stats_sparql: str) -> list[dict[str, object]]:
    rows, _ = querying.rows(store, stats_sparql)
    per_class = {row["class"].value: int(row["count"].value) for row in rows.rows}
    return [
        {"label": label, "count": sum(per_class.get(iri, 0) for iri in descendants(term)), "href": href}
        for label, term, href in HEADLINES
    ]


def _items(store: GraphStore, sparql: str, key: str, extra: Callable[[dict], str]) -> list[dict[str, str]]:
    """One entry per thing (the first row of each, as the query orders them)."""
    rows, _ = querying.rows(store, sparql)
    items: dict[str, dict[str, str]] = {}
    for row in rows.rows:
        href = local_href(row[key].value)
        label = row["label"].value if row.get("label") is not None else row[key].value.rsplit("/", 1)[-1]
        items.setdefault(href, {"href": href, "label": label, "extra": extra(row)})
    return list(items.values())


@cache
def _kind_query(name: str) -> CannedQuery:
    return load_query(QUERIES / f"{name}.rq")


def latest(store: GraphStore, *tops: str) -> list[dict[str, str]]:
    """The newest things of the classes `tops` (and under them), with their date's label; when
    fewer than a list's worth are dated, undated ones after them (with no date shown)."""
    kinds = {"top": [NamedNode(JL + top) for top in tops]}
    dated = _items(
        store,
        _kind_query("latest").bind(kinds),
        "item",
        lambda row: row["dateLabel"].value if row.get("dateLabel") else "",
    )
    if len(dated) >= LIST_LENGTH:
        return dated
    shown = {item["href"] for item in dated}
    others = _items(store, _kind_query("some").bind(kinds), "item", lambda row: "")
    return (dated + [item for item in others if item["href"] not in shown])[:LIST_LENGTH]


@router.get("/")
async def home(request: Request, store: StoreDep, catalogue: CatalogueDep) -> Response:
    stats = catalogue["stats-by-class"]

    async def produce() -> Response:
        counts = await run_in_threadpool(headline_counts, store, stats.text)
        agreements = await run_in_threadpool(latest, store, "Agreement", "AgreementCollection")
        visits = await run_in_threadpool(latest, store, "Visit")
        connected = await run_in_threadpool(
            _items,
            store,
            explorer_query("connected-organisations"),
            "organisation",
            lambda row: row["agreements"].value,
        )
        return render(
            request,
            "home.html",
            {
                "counts": counts,
                "latest": agreements,
                "visits": visits,
                "connected": connected,
                "topics": topics(),
            },
        )

    return await cached(request, ("page", "home"), produce)
