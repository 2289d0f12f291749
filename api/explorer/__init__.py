"""The explorer: Jalinan in a browser, for people who do not write SPARQL.

Server-rendered pages (Jinja2) at the same URLs as the data; a program asking for the same
URL gets what it got before (`routing.py`). Assets are served from `api/static/`, the
third-party ones vendored under `api/static/vendor/` with a manifest of versions, licences
and checksums (`assets.py`); no page loads anything from another host.
"""

from fastapi import FastAPI

from jalinan.api.explorer import (
    article_page,
    assets,
    charts_page,
    curation_page,
    docs,
    entity_page,
    error_pages,
    home,
    lists,
    network_page,
    ontology_page,
    query_pages,
    search_page,
    sparql_editor,
    timeline_page,
)

# Page routers go before the data routers: a page route matches only a browser's request.
PAGE_ROUTERS = [
    home.router,
    lists.router,
    query_pages.router,
    sparql_editor.router,
    ontology_page.router,
    article_page.router,
    network_page.router,  # before the entity page, which would take /id/mosti/network for an id
    entity_page.router,  # after the article page: /id/article/… is the article's
    curation_page.router,
    search_page.router,
    timeline_page.router,
    charts_page.router,
]


def install(app: FastAPI) -> None:
    """Add the pages, the offline API docs, the static files and HTML error pages to `app`."""
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.include_router(docs.router)
    app.mount(assets.STATIC_PATH, assets.static_files(), name="static")
    app.state.error_page = error_pages.error_page
