"""Errors for browsers: an HTML page in the site's style, with "did you mean" on a 404.

`errors.py` asks `app.state.error_page(request, error)` before answering problem+json; it
answers only a request that prefers HTML (`negotiation.prefers_html`), so programs keep the
one problem+json shape. A page not found under `/id/` suggests close entity names (difflib
over every entity's id and English labels, read once per data version); elsewhere, close
paths among the site's pages.
"""

import difflib
import threading
from typing import Any

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool

from jalinan.api import querying
from jalinan.api.caching import data_version
from jalinan.api.errors import ApiError
from jalinan.api.explorer.home import explorer_query
from jalinan.api.explorer.templating import NAVIGATION, render
from jalinan.api.negotiation import prefers_html
from jalinan.api.pages import local_href
from jalinan.graph import GraphStore
from jalinan.graph.namespaces import ID

SUGGESTIONS = 5
_names_lock = threading.Lock()
_names: dict[str, list[tuple[str, str, str]]] = {}  # data version -> [(name, href, shown)]


def entity_names(store: GraphStore) -> list[tuple[str, str, str]]:
    """(name, href, label shown) for every entity id and English label: a match on the id is
    shown by the entity's label. Kept for the current data version."""
    version = data_version(store)
    with _names_lock:
        if version is not None and version in _names:
            return _names[version]
    rows, _ = querying.rows(store, explorer_query("entity-names"))
    names: list[tuple[str, str, str]] = []
    for row in rows.rows:
        iri, label = row["entity"].value, row["label"].value
        href = local_href(iri)
        names.append((label, href, label))
        names.append((iri.removeprefix(ID).replace("-", " "), href, label))
    if version is not None:
        with _names_lock:
            _names.clear()
            _names[version] = names
    return names


def close_matches(asked: str, names: list[tuple[str, str, str]]) -> list[dict[str, str]]:
    """The names closest to `asked` (case-insensitive), best first, one per target."""
    by_key: dict[str, tuple[str, str]] = {}
    for name, href, shown in names:
        by_key.setdefault(name.lower(), (shown, href))
    found, seen = [], set()
    for key in difflib.get_close_matches(asked.lower(), list(by_key), n=SUGGESTIONS * 3, cutoff=0.55):
        shown, href = by_key[key]
        if href not in seen:
            seen.add(href)
            found.append({"label": shown, "href": href})
    return found[:SUGGESTIONS]


async def _suggestions(request: Request) -> list[dict[str, str]]:
    path = request.url.path
    if path.startswith("/id/"):
        asked = path.removeprefix("/id/").replace("-", " ").replace("/", " ")
        store = getattr(request.app.state, "store", None)
        if store is None:
            return []
        try:
            names = await run_in_threadpool(entity_names, store)
        except ApiError:
            return []  # the store cannot answer now: the page still says what was not found
        return close_matches(asked, names)
    pages = [(label, href, label) for label, href in NAVIGATION]
    pages += [(href.strip("/"), href, label) for label, href in NAVIGATION]
    return close_matches(path.strip("/"), pages)


async def error_page(request: Request, error: ApiError) -> Response | None:
    """An HTML page for a browser's request; None for a program (problem+json then)."""
    format_param = request.query_params.get("_format") or request.query_params.get("format")
    if not prefers_html(request.headers.get("accept"), format_param):
        return None
    context: dict[str, Any] = {"error": error, "suggestions": []}
    if error.status == 404:
        context["suggestions"] = await _suggestions(request)
    return render(request, "error.html", context, status_code=error.status, headers=error.headers)
