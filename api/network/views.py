"""Networks as one JSON document (nodes and edges), the shape the page draws, programs read and
the exports convert: every node carries its IRI, every edge the agreement or visit it goes
through and the article that states it (`source`; all of them in `sources`)."""

from typing import Any
from urllib.parse import urlencode

from jalinan.api.network.neighbourhood import TIES, Network, Node
from jalinan.api.network.overview import MALAYSIA, Overview
from jalinan.api.pages import local_href

EXPORTS = {  # `_format` value → (media type, file suffix, what it is)
    "graphml": ("application/graphml+xml", "graphml", "GraphML"),
    "gexf": ("application/gexf+xml", "gexf", "GEXF (Gephi)"),
    "nodes.csv": ("text/csv; charset=utf-8", "nodes.csv", "CSV node list"),
    "edges.csv": ("text/csv; charset=utf-8", "edges.csv", "CSV edge list"),
}


def _node(node: Node, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "id": node.id,
        "iri": node.iri,
        "label": node.label,
        "kind": node.kind,
        "group": node.group,
        "country": node.country,
        "countryLabel": labels.get(node.country or ""),
        "ties": node.degree,
        "hop": node.hop,
        "href": local_href(node.iri),
    }


def export_links(path: str, query: list[tuple[str, str]]) -> dict[str, str]:
    """The same view in each export format (the query as given, `_format` replaced)."""
    kept = [(k, v) for k, v in query if k not in ("_format", "format")]
    return {name: f"{path}?{urlencode([*kept, ('_format', name)])}" for name in EXPORTS}


def network_document(network: Network, path: str, query: list[tuple[str, str]]) -> dict[str, Any]:
    by_iri = {node.iri: node for node in network.nodes}
    edges = []
    for index, edge in enumerate(network.edges, start=1):
        sources = sorted(edge.articles)
        edges.append(
            {
                "id": f"e{index}",
                "from": by_iri[edge.source].id,
                "to": by_iri[edge.target].id,
                "tie": edge.tie,
                "via": edge.via,
                "viaLabel": network.labels.get(edge.via or ""),
                "viaHref": local_href(edge.via) if edge.via else None,
                "source": sources[0] if sources else None,
                "sources": sources,
            }
        )
    filters = network.filters
    shown, total = len(network.nodes), network.total_nodes
    return {
        "centre": _node(network.centre, network.labels),
        "hops": network.hops,
        "filters": {
            "year": filters.year,
            "topic": [t.value for t in filters.topics],
            "status": [s.value for s in filters.statuses],
            "ties": list(filters.ties),
        },
        "showing": {
            "nodes": shown,
            "totalNodes": total,
            "edges": len(edges),
            "totalEdges": network.total_edges,
            "text": f"showing {shown} of {total} nodes, {len(edges)} of {network.total_edges} ties",
        },
        "ties": [{"kind": kind, "label": label} for kind, label in TIES.items()],
        "nodes": [_node(node, network.labels) for node in network.nodes],
        "edges": edges,
        "exports": export_links(path, query),
    }


def overview_document(view: Overview, path: str, query: list[tuple[str, str]]) -> dict[str, Any]:
    def short(iri: str) -> str:
        return iri.rsplit("/", 1)[-1]

    nodes = [
        {
            "id": short(body.iri),
            "iri": body.iri,
            "label": body.label,
            "kind": body.kind,
            "group": "organisation",
            "country": body.country,
            "countryLabel": view.labels.get(body.country),
            "side": "malaysia" if body.country == MALAYSIA else "china",
            "ties": body.agreements,
            "href": local_href(body.iri),
        }
        for body in view.bodies
    ]
    edges = []
    for index, pair in enumerate(view.pairs, start=1):
        agreements, sources = sorted(pair.agreements), sorted(pair.sources)
        topics = sorted(pair.by_topic.items(), key=lambda item: (-item[1], view.labels.get(item[0], item[0])))
        edges.append(
            {
                "id": f"e{index}",
                "from": short(pair.malaysian),
                "to": short(pair.chinese),
                "tie": "agreements",
                "weight": len(agreements),
                "topics": [
                    {
                        "topic": topic or None,
                        "label": view.labels.get(topic, "no topic given"),
                        "agreements": n,
                    }
                    for topic, n in topics
                ],
                "via": agreements,
                "source": sources[0] if sources else None,
                "sources": sources,
            }
        )
    return {
        "filters": {"year": view.year, "topic": [t.value for t in view.topics]},
        "showing": {
            "nodes": len(nodes),
            "totalNodes": len(nodes),
            "edges": len(edges),
            "totalEdges": len(edges),
            "text": f"{sum(1 for n in nodes if n['side'] == 'malaysia')} Malaysian and "
            f"{sum(1 for n in nodes if n['side'] == 'china')} Chinese bodies, "
            f"{len({a for e in edges for a in e['via']})} agreements",
        },
        "nodes": nodes,
        "edges": edges,
        "exports": export_links(path, query),
    }
