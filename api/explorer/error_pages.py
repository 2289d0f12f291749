"""Errors for browsers: an HTML page in the site's style, with "did you mean" on a 404.

`errors.py` asks `app.state.error_page(request, error)` before answering problem+json; it
answers only a request that prefers HTML (`negotiation.prefers_html`), so programs keep the
one problem+json shape. A page not found under `/id/` suggests close entity names (difflib
over every entity's id and English labels, read once per data version); elsewhere, close
paths among the site's pages.
"""

from typing import Any

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool

from jalinan.api.errors import ApiError
from jalinan.api.explorer.templating import NAVIGATION, render
from jalinan.api.name_suggestions import close_matches, entity_names, index_names
from jalinan.api.negotiation import prefers_html
from jalinan.graph import StoreError


async def _suggestions(request: Request) -> list[dict[str, str]]:
    path = request.url.path
    if path.startswith("/id/"):
        asked = path.removeprefix("/id/").replace("-", " ").replace("/", " ")
        store = getattr(request.app.state, "store", None)
        if store is None:
            return []
        try:
            names = await run_in_threadpool(entity_names, store)
        except (ApiError, StoreError):
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
