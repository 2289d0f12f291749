"""A network document (`views.py`) as GraphML, GEXF (for Gephi) or CSV node and edge lists, made
with networkx, the field's standard library for graphs.

One `MultiDiGraph`: two bodies tied through three agreements are three edges, each with its own
agreement (`via`) and article (`source`). GraphML and GEXF hold only scalar attributes, so lists
(several articles, an overview edge's agreements) are joined by spaces, and a missing value is
an empty string. The CSV lists are written from the same graph, one row per node and per edge.
"""

import csv
import io
from collections.abc import Callable
from typing import Any

import networkx as nx

NODE_FIELDS = ("iri", "label", "kind", "group", "country", "countryLabel", "ties", "hop", "side")
EDGE_FIELDS = ("tie", "via", "viaLabel", "source", "sources", "weight", "topics")


def _scalar(value: Any) -> str | int:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, list):
        return " ".join(
            f"{item['label']}={item['agreements']}" if isinstance(item, dict) else str(item) for item in value
        )
    return str(value)


def to_networkx(document: dict[str, Any]) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for node in document["nodes"]:
        graph.add_node(node["id"], **{f: _scalar(node.get(f)) for f in NODE_FIELDS if f in node})
        graph.nodes[node["id"]]["label"] = node["label"]
    for edge in document["edges"]:
        attributes = {f: _scalar(edge.get(f)) for f in EDGE_FIELDS if f in edge}
        graph.add_edge(edge["from"], edge["to"], key=edge["id"], id=edge["id"], **attributes)
    return graph


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def export(document: dict[str, Any], name: str) -> bytes:
    """The document in export format `name` (a key of `views.EXPORTS`)."""
    graph = to_networkx(document)
    if name == "graphml":
        out = io.BytesIO()
        nx.write_graphml(graph, out, encoding="utf-8")
        return out.getvalue()
    if name == "gexf":
        out = io.BytesIO()
        nx.write_gexf(graph, out, encoding="utf-8")
        return out.getvalue()
    if name == "nodes.csv":
        fields = sorted({f for _, data in graph.nodes(data=True) for f in data}, key=_order(NODE_FIELDS))
        rows = [[node, *(data.get(f, "") for f in fields)] for node, data in graph.nodes(data=True)]
        return _csv(["id", *fields], rows)
    if name == "edges.csv":
        fields = sorted(
            {f for *_, data in graph.edges(data=True) for f in data} - {"id"}, key=_order(EDGE_FIELDS)
        )
        rows = [
            [data["id"], u, v, *(data.get(f, "") for f in fields)]
            for u, v, data in sorted(graph.edges(data=True), key=lambda e: int(e[2]["id"][1:]))
        ]
        return _csv(["id", "from", "to", *fields], rows)
    raise KeyError(name)


def _order(fields: tuple[str, ...]) -> Callable[[str], tuple[int, str]]:
    return lambda f: (fields.index(f) if f in fields else len(fields), f)
