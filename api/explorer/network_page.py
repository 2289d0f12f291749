"""The network pages for browsers, at the same URLs as their JSON (`api/network/routes.py`):

- `/id/{id}/network`: an entity's ties, drawn with cytoscape (vendored), with a legend whose
  checkboxes show or hide each kind of tie, filters (year, topic, status, hops), zoom, pan,
  and a click on a node that opens its page;
- `/network`: Malaysian bodies against Chinese bodies, tied by their agreements.

Without JavaScript the same ties read as a table (server-rendered), and the filter form and the
legend's checkboxes still work: they are one GET form. The page embeds the same JSON document
programs get, so the drawing and the table can never disagree.
"""

from typing import Any

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool

from jalinan.api.caching import cached
from jalinan.api.dependencies import StoreDep
from jalinan.api.explorer.assets import vendor_url
from jalinan.api.explorer.ontology_doc import documentation, topics
from jalinan.api.explorer.routing import page_router
from jalinan.api.explorer.templating import render
from jalinan.api.network.neighbourhood import TIES
from jalinan.api.network.requests import STATUS_SCHEMES
from jalinan.api.network.routes import entity_network, overview_network
from jalinan.api.network.views import EXPORTS
from jalinan.graph.namespaces import CONCEPT

router = page_router()


def _choices() -> dict[str, Any]:
    """What the filter form offers: topics and statuses (from the ontology), kinds of tie."""
    statuses = []
    for scheme in documentation().schemes:
        if scheme.iri.removeprefix(CONCEPT) in STATUS_SCHEMES:
            statuses += [(c.iri.rsplit("/", 1)[-1], c.labels.get("en") or c.iri) for c in scheme.concepts]
    return {
        "topic_choices": sorted(
            ((c.iri.rsplit("/", 1)[-1], c.labels.get("en") or c.iri) for c in topics()), key=lambda t: t[1]
        ),
        "status_choices": sorted(set(statuses), key=lambda s: s[1]),
        "tie_choices": list(TIES.items()),
        "export_names": {name: label for name, (_, _, label) in EXPORTS.items()},
        "cytoscape_js": vendor_url("cytoscape", "cytoscape.min.js"),
    }


def _asked(request: Request) -> dict[str, Any]:
    params = request.query_params
    return {
        "year": params.get("year", ""),
        "topic": params.get("topic", ""),
        "status": params.get("status", ""),
        "hops": params.get("hops", "1"),
    }


@router.get("/id/{entity_path:path}/network")
async def entity_network_page(entity_path: str, request: Request, store: StoreDep) -> Response:
    async def produce() -> Response:
        document = await run_in_threadpool(entity_network, store, request, entity_path)
        labels = {node["id"]: node for node in document["nodes"]}
        context = {
            "view": "entity",
            "document": document,
            "nodes_by_id": labels,
            "title": f"Network of {document['centre']['label']}",
            "asked": _asked(request),
            **_choices(),
        }
        return render(request, "network.html", context)

    identity = ("page", "network", entity_path, str(list(request.query_params.multi_items())))
    return await cached(request, identity, produce)


@router.get("/network")
async def overview_page(request: Request, store: StoreDep) -> Response:
    async def produce() -> Response:
        document = await run_in_threadpool(overview_network, store, request)
        context = {
            "view": "overview",
            "document": document,
            "nodes_by_id": {node["id"]: node for node in document["nodes"]},
            "title": "Malaysian and Chinese bodies, tied by their agreements",
            "asked": _asked(request),
            **_choices(),
        }
        return render(request, "network.html", context)

    identity = ("page", "network-overview", str(list(request.query_params.multi_items())))
    return await cached(request, identity, produce)
