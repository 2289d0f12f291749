"""`/search?q=` for browsers: results grouped by kind, facets that narrow them, close names
when nothing is found. Programs asking for the same URL get the friendly JSON (`friendly.py`).

The results are the `search` pipeline's (`queries/search/`, read through `reading.read` like
every list, so the page and its JSON twin show the same entities in the same order); the facet
counts are `queries/search/facets.rq` with the same `VALUES` blocks filled. A facet is a plain
link (`?q=…&kind=Organization`), so it works without JavaScript and every view is a URL.
"""

from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool

from jalinan.api import paging, querying
from jalinan.api.caching import cached
from jalinan.api.dependencies import CatalogueDep, StoreDep
from jalinan.api.errors import unprocessable
from jalinan.api.explorer.ontology_doc import anchor_of, documentation
from jalinan.api.explorer.routing import page_router
from jalinan.api.explorer.templating import render
from jalinan.api.name_suggestions import close_matches, entity_names
from jalinan.api.pages import local_href
from jalinan.api.reading import fill_parameters
from jalinan.graph import GraphStore
from jalinan.graph.namespaces import CONCEPT, JL
from jalinan.graph.results import Term
from jalinan.queries.catalogue import CannedQuery, Page, ParameterError

router = page_router()
FACETS_QUERY = Path(str(files("jalinan.queries"))) / "search" / "facets.rq"
FILTERS = ("kind", "country")
# The kinds search shows, in its order (`page.rq`): the heading of each group, and the word for
# one of them where the ontology's label of its class is not what a reader says.
KINDS = {
    "Organization": ("Organisations", "organisation"),
    "Person": ("People", "person"),
    "Agreement": ("Agreements", "agreement"),
    "AgreementCollection": ("Sets of agreements", "set of agreements"),
    "Visit": ("Visits", "visit"),
    "Event": ("Events", "event"),
    "Topic": ("Topics", "topic"),
    "Sector": ("Sectors", "sector"),
    "Place": ("Places", "place"),
    "Post": ("Posts", "post"),
    "Project": ("Projects", "project"),
    "Statement": ("Statements", "statement"),
    "Investment": ("Investments", "investment"),
    "Statistic": ("Statistics", "statistic"),
    "SourceArticle": ("Articles", "article"),
}


@dataclass
class Result:
    label: str
    href: str | None
    kind: str
    context: list[str]
    exact: bool


@dataclass
class Group:
    kind: str
    heading: str
    results: list[Result] = field(default_factory=list)


def _value(row: dict[str, Term], key: str) -> str | None:
    term = row.get(key)
    return term.value if term is not None else None


def href_of(iri: str) -> str | None:
    """Where a result leads: an entity's page; a topic's agreements; a sector's companies; any
    other concept's entry in the ontology page (a concept IRI is not served here)."""
    if iri.startswith(CONCEPT + "topic/"):
        return "/queries/agreements-by-topic?" + urlencode({"topic": iri.rsplit("/", 1)[-1]})
    if iri.startswith(CONCEPT + "sector/"):
        return "/queries/companies?" + urlencode({"sector": iri.rsplit("/", 1)[-1]})
    if iri.startswith(CONCEPT):
        return "/ontology#" + anchor_of(iri)
    return local_href(iri)


# Where a concept's link leads, said in its context line (it leads to a list, not a page).
LEADS_TO = {"Topic": "its agreements", "Sector": "its companies"}


def type_label(iri: str | None, kind: str) -> str:
    """The class as a reader says it ("Ministry", "Memorandum of understanding")."""
    term = documentation().term("jl:" + iri.removeprefix(JL)) if iri and iri.startswith(JL) else None
    if term is not None and term.labels.get("en") and iri != JL + kind:
        return term.labels["en"]
    return KINDS.get(kind, (kind, kind))[1].capitalize()


def grouped(rows: list[dict[str, Term]]) -> list[Group]:
    """The page's entities, grouped by kind in the kinds' order, each group in the page's order
    (exact names first, then fewest typos, then by label). One entry per entity: its label, its
    class, country and parent as a context line, and the first quote that gives its class."""
    entries: dict[str, tuple[str, Result, set[str]]] = {}
    for row in rows:
        iri = row["entity"].value
        kind = (_value(row, "kind") or "").removeprefix(JL)
        if iri not in entries:
            label = _value(row, "label") or iri.rsplit("/", 1)[-1]
            result = Result(
                label=label[:1].upper() + label[1:] if iri.startswith(CONCEPT) else label,
                href=href_of(iri),
                kind=kind,
                context=[type_label(_value(row, "type"), kind)]
                + ([f"leads to {LEADS_TO[kind]}"] if kind in LEADS_TO else []),
                exact=_value(row, "exact") == "true",
            )
            entries[iri] = (kind, result, set())
        _, result, seen = entries[iri]
        result.exact = result.exact or _value(row, "exact") == "true"  # (one row per name found)
        for key, prefix in (("countryLabel", ""), ("parentLabel", "part of ")):
            text = _value(row, key)
            if text and key not in seen:
                seen.add(key)
                result.context.append(prefix + text)
    groups = {kind: Group(kind, heading) for kind, (heading, _) in KINDS.items()}
    for kind, result, _ in entries.values():
        groups.setdefault(kind, Group(kind, kind)).results.append(result)
    return [group for group in groups.values() if group.results]


def facet_counts(
    store: GraphStore, query: CannedQuery, values: dict[str, str | None]
) -> dict[str, list[dict[str, Any]]]:
    """Per facet (kind, country), each value found among all the results with how many
    distinct entities have it; kinds in the kinds' order, countries most first."""
    sparql, _ = fill_parameters(store, FACETS_QUERY.read_text(encoding="utf-8"), query, values)
    result, _ = querying.rows(store, sparql)
    kinds: dict[str, set[str]] = {}
    countries: dict[str, set[str]] = {}
    country_labels: dict[str, str] = {}
    for row in result.rows:
        entity = row["entity"].value
        kinds.setdefault(row["itsKind"].value.removeprefix(JL), set()).add(entity)
        country = _value(row, "itsCountry")
        if country:
            countries.setdefault(country, set()).add(entity)
            country_labels.setdefault(country, _value(row, "itsCountryLabel") or country.rsplit("/", 1)[-1])
    order = list(KINDS)
    return {
        "kind": [
            {"value": name, "label": KINDS.get(name, (name,))[0], "count": len(kinds[name])}
            for name in sorted(kinds, key=lambda name: order.index(name) if name in order else len(order))
        ],
        "country": [
            {"value": iri.rsplit("/", 1)[-1], "label": country_labels[iri], "count": len(countries[iri])}
            for iri in sorted(countries, key=lambda iri: (-len(countries[iri]), country_labels[iri]))
        ],
    }


def link(q: str, chosen: dict[str, str | None], **changes: str | None) -> str:
    """This search's URL with some filters (or the page) changed; None removes one."""
    pairs = {"q": q, **chosen, **changes}
    return "/search?" + urlencode([(k, v) for k, v in pairs.items() if v])


def _requested(request: Request, query: CannedQuery) -> tuple[str, dict[str, str | None], Page]:
    """The text, the filters and the page asked for; 422 naming a repeated parameter."""
    seen: set[str] = set()
    for key, _ in request.query_params.multi_items():
        if key in ("q", *FILTERS) and key in seen:
            raise unprocessable(f"`{key}` is given more than once", parameter=key)
        seen.add(key)
    params = request.query_params
    chosen = {name: (params.get(name) or "").strip() or None for name in FILTERS}
    pairs = [(k, v) for k, v in params.multi_items() if k in paging.PAGE_PARAMETERS]
    return (params.get("q") or "").strip(), chosen, paging.requested_page(query, pairs)


@router.get("/search")
async def search_page(request: Request, store: StoreDep, catalogue: CatalogueDep) -> Response:
    query = catalogue["search"]
    q, chosen, page = _requested(request, query)
    if q:  # a text that cannot be searched (too long, no word) is a 422 before anything runs
        try:
            query.parameters[0].binding(q)
        except ParameterError as exc:
            raise unprocessable(exc.message, parameter=exc.parameter) from exc
    values = {"q": q, **chosen}

    async def produce() -> Response:
        context: dict[str, Any] = {"q": q, "chosen": chosen, "groups": [], "facets": {}, "suggestions": []}
        if q:
            answer = await run_in_threadpool(querying.reading, store, query, values, page)
            context["groups"] = grouped(answer.rows)
            context["facets"] = await run_in_threadpool(facet_counts, store, query, values)
            if not answer.rows:
                names = await run_in_threadpool(entity_names, store)
                context["suggestions"] = close_matches(q, names)
            number = page.number or 1
            context["previous"] = link(q, chosen, _page=str(number - 1)) if number > 1 else None
            context["next"] = link(q, chosen, _page=str(number + 1)) if answer.has_next else None
            context["first"] = (number - 1) * (page.size or 0) + 1
            context["shown"] = len({row["entity"].value for row in answer.rows})
        context["link"] = lambda **changes: link(q, chosen, **changes)
        context["kinds"] = KINDS
        return render(request, "search.html", context)

    identity = (
        "page",
        "search",
        q,
        chosen["kind"] or "",
        chosen["country"] or "",
        str(page.number),
        str(page.size),
    )
    return await cached(request, identity, produce)
