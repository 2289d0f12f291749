"""Errors for browsers: an HTML page in the site's style, with "did you mean" on a 404.

`errors.py` asks `app.state.error_page(request, error)` before answering problem+json; it
answers only a request that prefers HTML (`negotiation.prefers_html`), so programs keep the
one problem+json shape. A page not found under `/id/` suggests close entity names (difflib
over every entity's id and English labels, read once per data version); elsewhere, close
paths among the site's pages.
"""

import difflib
import threading
from collections.abc import Iterable
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
MAX_ASKED = 120  # characters of the path compared: a long path is not a typo of a name
_names_lock = threading.Lock()
# Names by their first letter: [(lower-cased name, label shown, href)]. A name is only compared
# with names of the same first letter and a similar length (difflib over all 200,000 names of
# a large corpus took 0.5-5 s per page not found).
Names = dict[str, list[tuple[str, str, str]]]
_names: dict[str, Names] = {}  # data version -> its names


def index_names(names: Iterable[tuple[str, str, str]]) -> Names:
    """(name, label shown, href) triples, indexed for `close_matches`."""
    index: Names = {}
    for name, shown, href in names:
        key = name.lower()
        if key:
            index.setdefault(key[0], []).append((key, shown, href))
    return index


def entity_names(store: GraphStore) -> Names:
    """Every entity's English labels and id, each shown by the label: kept per data version."""
    version = data_version(store)
    with _names_lock:
        if version is not None and version in _names:
            return _names[version]
    rows, _ = querying.rows(store, explorer_query("entity-names"))
    names = []
    for row in rows.rows:
        iri, label = row["entity"].value, row["label"].value
        names.append((label, label, local_href(iri)))
        names.append((iri.removeprefix(ID).replace("-", " "), label, local_href(iri)))
    index = index_names(names)
    if version is not None:
        with _names_lock:
            _names.clear()
            _names[version] = index
    return index


def close_matches(asked: str, names: Names) -> list[dict[str, str]]:
    """The names closest to `asked` (case-insensitive), best first, one per target."""
    asked = asked.lower().strip()[:MAX_ASKED]
    if not asked:
        return []
    slack = max(3, len(asked) // 3)
    candidates: dict[str, tuple[str, str]] = {}
    for key, shown, href in names.get(asked[0], []):
        if abs(len(key) - len(asked)) <= slack:
            candidates.setdefault(key, (shown, href))
    found, seen = [], set()
    for key in difflib.get_close_matches(asked, list(candidates), n=SUGGESTIONS * 3, cutoff=0.55):
        shown, href = candidates[key]
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
        return await run_in_threadpool(close_matches, asked, names)
    pages = [(label, label, href) for label, href in NAVIGATION]
    pages += [(href.strip("/"), label, href) for label, href in NAVIGATION]
    return close_matches(path.strip("/"), index_names(pages))


async def error_page(request: Request, error: ApiError) -> Response | None:
    """An HTML page for a browser's request; None for a program (problem+json then)."""
    format_param = request.query_params.get("_format") or request.query_params.get("format")
    if not prefers_html(request.headers.get("accept"), format_param):
        return None
    context: dict[str, Any] = {"error": error, "suggestions": []}
    if error.status == 404:
        context["suggestions"] = await _suggestions(request)
    return render(request, "error.html", context, status_code=error.status, headers=error.headers)
