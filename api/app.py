"""The app factory: it only builds the app. Routers are listed here, in one place.

The store is opened by `serve` (or handed in by a test) and closed by the lifespan, never at
import time.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import RedirectResponse
from starlette.types import Receive, Scope, Send

from jalinan.api import (
    canned,
    charts,
    explorer,
    friendly,
    graph_store,
    linked_data,
    openapi,
    protocol,
    timeline,
)
from jalinan.api.caching import CACHE_HEADER, VERSION_HEADER, ResultCache
from jalinan.api.connections import ChunkedBodies
from jalinan.api.errors import error_responses, install_error_handlers
from jalinan.api.head import HeadAsGet
from jalinan.api.limits import BodyLimit
from jalinan.api.logging import AccessLog
from jalinan.api.network import routes as network_routes
from jalinan.api.pinning import PinSnapshot
from jalinan.api.settings import Settings
from jalinan.api.sparql_front import SparqlFront
from jalinan.graph import GraphStore, open_store
from jalinan.queries.catalogue import load_catalogue

# network_routes before linked_data: `/id/{path}` would take `/id/mosti/network` for an id
ROUTERS = [
    protocol.router,
    graph_store.router,
    canned.router,
    friendly.router,
    network_routes.router,
    linked_data.router,
]
ROUTERS += [timeline.router, charts.router]  # the timeline's JSON, the charts (issue 16)

DESCRIPTION = """A knowledge graph of Malaysia–China ties: agreements, ministries, companies,
visits. Every fact is traced to a news article and a verbatim quote.

* **SPARQL 1.1 Protocol** at `/sparql` (also `/query`, `/update`). The default graph is the
  **union of all graphs** (one named graph per source article, the shared entities, the ontology).
* **Graph Store Protocol** at `/store?graph=IRI`.
* **Canned queries** at `/queries` (e.g. `/queries/agreements-by-party?party=Mosti`).
* **Friendly JSON** at `/agreements`, `/visits`, `/people`, `/organisations`, `/search`.
* **Entity pages** at `/id/{id}` (HTML, Turtle, JSON-LD), the ontology at `/ontology`.

Writes (SPARQL Update, Graph Store PUT/POST/DELETE) need `Authorization: Bearer <token>` and
are refused unless the server was started with `--write-token`.

**Limits**: a query runs for at most the server's `--query-timeout` (30 s by default; a lower
`timeout=` seconds per request, `_timeout=` on canned queries) and is then stopped with a 503.
Bodies past 1 MiB and queries past 64 KiB are refused with 413; a full waiting line with 429
and `Retry-After`; `SERVICE` to endpoints not on the allowlist with 400. A query or write past
its memory limit, or a write past its time limit, is stopped with a 503; `timeout` may not go
below 0.5 s. Friendly JSON and HTML
pages list at most 1000 items and then say so in `X-Jalinan-Truncated`.

**Caching**: read answers (canned queries, friendly JSON, SPARQL queries, entity pages) carry a
strong `ETag` that changes with every write; send it back in `If-None-Match` for a `304 Not
Modified`. The server keeps recent answers until the next write (`X-Jalinan-Cache: hit`).
"""


def _widen_thread_limiter(settings: Settings) -> None:
    """Give the thread pool room for both lanes' workers and waiting lines, and more.

    Store calls run in threads (`run_in_threadpool`), and a read waiting for a worker holds its
    thread. With anyio's default 40 threads, forty runaway SPARQL queries would hold them all and
    the reserved lane (canned queries, pages) could not even start; the pool bounds each lane
    at its workers plus `max_waiting`, so this many threads can never all be taken by one lane.
    """
    lanes = 2 * (settings.query_workers + 1 + settings.max_waiting)
    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = max(limiter.total_tokens, lanes + 40)


# What a browser client may read of an answer (CORS), for every route and `/sparql`'s front end.
EXPOSED_HEADERS = [
    "Link",
    "Location",
    "Content-Type",
    "Retry-After",
    "X-Jalinan-Truncated",
    "ETag",
    CACHE_HEADER,
    VERSION_HEADER,
]


class JalinanApp(FastAPI):
    """FastAPI, with GET and POST `/sparql` and `/query` answered by `SparqlFront` ahead of
    the middleware stack (`sparql_front.py` says why and what it keeps)."""

    sparql_front: SparqlFront

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            taken = self.sparql_front.route(scope)
            if taken is not None:
                scope["app"] = self
                await self.sparql_front(scope, receive, send, *taken)
                return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings, store: GraphStore | None = None, *, close_store: bool = False) -> FastAPI:
    """Build the app; with no `store`, the lifespan opens the one at `settings.store_path`.

    A store handed in is closed at shutdown only with `close_store` (`serve` hands in its
    `PooledStore` so, so that no worker process outlives the server).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = store is None or close_store
        app.state.store = store if store is not None else open_store(settings.store_path)
        _widen_thread_limiter(settings)
        try:
            yield
        finally:
            if owned:
                app.state.store.close()

    # /docs and /redoc come from the explorer, with vendored assets (FastAPI's load CDNs).
    app = JalinanApp(
        title="Jalinan",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.sparql_front = SparqlFront(app, EXPOSED_HEADERS)
    app.state.catalogue = load_catalogue()
    app.state.result_cache = ResultCache(settings.cache_bytes)
    if store is not None:
        app.state.store = store
    # The last added is the outermost. CORS wraps every refusal (a 413 from BodyLimit too),
    # so a browser client can read why it was refused; HEAD runs as GET inside it.
    app.add_middleware(PinSnapshot)  # one snapshot per request on a read replica
    app.add_middleware(BodyLimit, settings=settings)
    app.add_middleware(HeadAsGet)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=EXPOSED_HEADERS,
    )
    app.add_middleware(AccessLog)  # every request is logged, refusals included
    app.add_middleware(ChunkedBodies)  # outermost: large answers leave in slices
    install_error_handlers(app)
    explorer.install(app)  # first: its pages answer browsers at the data routes' URLs
    for router in ROUTERS:
        app.include_router(router, responses=error_responses())

    generate_schema = app.openapi

    def schema_with_each_canned_query() -> dict[str, Any]:
        """FastAPI's schema, plus one path per canned query with its own parameters."""
        if app.openapi_schema is None:
            schema = generate_schema()
            generic = schema["paths"]["/queries/{name}"]["get"]
            schema["paths"].update(openapi.canned_paths(app.state.catalogue, generic))
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = schema_with_each_canned_query  # type: ignore[method-assign]

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:  # programs; browsers get the explorer's home page
        return RedirectResponse("/queries", status_code=303)

    return app
