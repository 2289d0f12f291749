"""`/id/{id}/network` and `/network` for programs: JSON, or an export (`_format=graphml`, `gexf`,
`nodes.csv`, `edges.csv`). Browsers asking for the same URLs get the pages
(`api/explorer/network_page.py`, registered first). This router goes before the linked-data
router, whose `/id/{path}` would otherwise take `/id/mosti/network` for an entity's id."""

import json
import re
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pyoxigraph import NamedNode

from jalinan.api.caching import NOT_MODIFIED, cached
from jalinan.api.dependencies import StoreDep
from jalinan.api.errors import not_found
from jalinan.api.network import exports
from jalinan.api.network.neighbourhood import neighbourhood
from jalinan.api.network.overview import overview
from jalinan.api.network.requests import export_of, network_request, topics_of, year_of
from jalinan.api.network.views import EXPORTS, network_document, overview_document
from jalinan.graph import GraphStore
from jalinan.graph.namespaces import ID

router = APIRouter(tags=["Networks"], responses=NOT_MODIFIED)
ID_PATH = re.compile(r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)*$")


def entity_network(store: GraphStore, request: Request, entity_path: str) -> dict[str, Any]:
    """The network document of `/id/{entity_path}/network` (404 for no such entity)."""
    if not ID_PATH.match(entity_path):
        raise not_found(f"no entity /id/{entity_path}")
    asked = network_request(store, request.query_params)
    found = neighbourhood(
        store, NamedNode(ID + entity_path), hops=asked.hops, filters=asked.filters, limit=asked.limit
    )
    if found is None:
        raise not_found(f"no entity {ID}{entity_path}")
    return network_document(found, request.url.path, list(request.query_params.multi_items()))


def overview_network(store: GraphStore, request: Request) -> dict[str, Any]:
    """The document of `/network`: Malaysian against Chinese bodies."""
    view = overview(store, year=year_of(request.query_params), topics=topics_of(store, request.query_params))
    return overview_document(view, request.url.path, list(request.query_params.multi_items()))


def answer(document: dict[str, Any], export: str | None, filename: str) -> Response:
    if export is None:
        return Response(json.dumps(document, ensure_ascii=False).encode(), media_type="application/json")
    media_type, suffix, _ = EXPORTS[export]
    headers = {"Content-Disposition": f'attachment; filename="{filename}.{suffix}"'}
    return Response(exports.export(document, export), media_type=media_type, headers=headers)


def _identity(request: Request, *parts: str) -> tuple[str, ...]:
    return (*parts, json.dumps(list(request.query_params.multi_items())))


@router.get(
    "/id/{entity_path:path}/network",
    summary="An entity's network of ties",
    description="The entity's ties one or two hops out (`hops=1|2`): party to the same agreement, "
    "signed, witnessed, involved, visited, met during a visit, posts held, sub-organisation, member. "
    "Nodes carry id, IRI, label, kind and country; edges the kind of tie, the agreement or visit "
    "it goes through (`via`) and the article stating it (`source`). Filters: `year`, `topic`, "
    "`status`, `ties` (kinds, comma-separated). At most `limit` nodes (60; up to 500), the most "
    "connected; `showing` says how many of how many. `_format=graphml|gexf|nodes.csv|edges.csv` "
    "exports the same view. Example: `/id/mosti/network?hops=2`.",
)
async def entity_network_route(entity_path: str, request: Request, store: StoreDep) -> Response:
    export = export_of(request.query_params)

    async def produce() -> Response:
        document = await run_in_threadpool(entity_network, store, request, entity_path)
        return answer(document, export, f"{entity_path.replace('/', '-')}-network")

    return await cached(request, _identity(request, "network", entity_path), produce)


@router.get(
    "/network",
    summary="Malaysian and Chinese bodies tied by their agreements",
    description="Every pair of a Malaysian and a Chinese body party to the same agreements; the "
    "edge's `weight` is the number of agreements, `topics` counts them per topic, `via` lists them. "
    "Filters: `year`, `topic`. `_format=graphml|gexf|nodes.csv|edges.csv` exports it.",
)
async def overview_route(request: Request, store: StoreDep) -> Response:
    export = export_of(request.query_params)

    async def produce() -> Response:
        document = await run_in_threadpool(overview_network, store, request)
        return answer(document, export, "malaysia-china-network")

    return await cached(request, _identity(request, "network-overview"), produce)
