"""The network of ties (#16): `/id/{id}/network` and `/network` as JSON, as exports (GraphML,
GEXF, CSV made with networkx), and as pages that read without JavaScript. Against the real
server over the curated facts; nothing here counts what the corpus holds today."""

import csv
import io
from pathlib import Path

import httpx
import networkx as nx
import pytest

from jalinan.api.network.neighbourhood import TIES
from jalinan.graph.namespaces import ARTICLE, ID
from tests.support import problem_detail

QUERIES = Path(__file__).resolve().parents[1] / "queries" / "network"
MALAYSIA, CHINA = ID + "malaysia", ID + "china"


def _network(http: httpx.Client, path: str = "/id/mosti/network", **params: str) -> dict:
    response = http.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def test_mosti_network_lists_nodes_with_iri_label_kind_country_and_edges_between_them(
    http: httpx.Client,
) -> None:
    doc = _network(http)
    ids = {node["id"] for node in doc["nodes"]}
    assert doc["centre"]["id"] == "mosti" and "mosti" in ids
    assert len(doc["edges"]) > 0
    for node in doc["nodes"]:
        assert node["iri"] == ID + node["id"] and node["label"] and node["kind"]
        assert node["href"] == "/id/" + node["id"]
    assert doc["centre"]["country"] == MALAYSIA
    for edge in doc["edges"]:
        assert edge["from"] in ids and edge["to"] in ids and "mosti" in (edge["from"], edge["to"])
        assert edge["tie"] in TIES
        assert edge["source"] is not None and edge["source"].startswith(ARTICLE)
        assert edge["source"] in edge["sources"]


def test_ties_through_an_agreement_or_visit_name_it(http: httpx.Client) -> None:
    for who in ("mosti", "anwar-ibrahim"):
        for edge in _network(http, f"/id/{who}/network")["edges"]:
            if edge["tie"] not in ("sub-organisation", "member"):
                assert edge["via"] and edge["via"].startswith(ID) and edge["viaLabel"], edge


def test_a_cut_network_says_showing_n_of_m_and_keeps_the_most_connected(http: httpx.Client) -> None:
    whole = _network(http, "/id/anwar-ibrahim/network", hops="2", limit="500")
    assert whole["showing"]["nodes"] == whole["showing"]["totalNodes"] == len(whole["nodes"])
    cut = _network(http, "/id/anwar-ibrahim/network", hops="2", limit="5")
    assert len(cut["nodes"]) == cut["showing"]["nodes"] == 5
    assert cut["showing"]["totalNodes"] == whole["showing"]["totalNodes"] > 5
    assert f"showing 5 of {cut['showing']['totalNodes']} nodes" in cut["showing"]["text"]
    kept = {node["id"] for node in cut["nodes"]}
    busiest = sorted((n for n in whole["nodes"] if n["hop"] == 1), key=lambda n: -n["ties"])[0]
    assert busiest["id"] in kept  # the most connected neighbour is never cut before others
    assert all(edge["from"] in kept and edge["to"] in kept for edge in cut["edges"])


def test_two_hops_reach_further_than_one(http: httpx.Client) -> None:
    one = {node["id"] for node in _network(http, hops="1", limit="500")["nodes"]}
    two = _network(http, hops="2", limit="500")
    assert one < {node["id"] for node in two["nodes"]}
    assert {node["hop"] for node in two["nodes"]} == {0, 1, 2}


def test_kinds_of_tie_filter(http: httpx.Client) -> None:
    doc = _network(http, "/id/anwar-ibrahim/network", ties="witnessed,visited")
    assert doc["edges"] and {edge["tie"] for edge in doc["edges"]} <= {"witnessed", "visited"}
    assert doc["filters"]["ties"] == ["witnessed", "visited"]


def _ask(http: httpx.Client, sparql: str) -> bool:
    response = http.post(
        "/sparql", data={"query": sparql}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def test_year_topic_and_status_narrow_the_ties_through_agreements_and_visits(http: httpx.Client) -> None:
    every = _network(http, "/id/anwar-ibrahim/network", hops="2", limit="500")
    checks = {
        "topic": ("artificial-intelligence", "jl:hasTopic/skos:broader* <{c}topic/artificial-intelligence>"),
        "status": ("signed", "jl:hasStatus <{c}agreement-status/signed>"),
        "year": ("2025", "jl:date/jl:earliestDateTime ?start FILTER (YEAR(?start) = 2025)"),
    }
    prefixes = (
        "PREFIX jl: <https://w3id.org/jalinan/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
    )
    for name, (value, pattern) in checks.items():
        narrowed = _network(http, "/id/anwar-ibrahim/network", hops="2", limit="500", **{name: value})
        assert 0 < narrowed["showing"]["totalEdges"] < every["showing"]["totalEdges"], name
        through = {
            e["via"] for e in narrowed["edges"] if e["tie"] not in ("post", "sub-organisation", "member")
        }
        assert through, name
        for via in through:
            condition = pattern.format(c="https://w3id.org/jalinan/concept/")
            assert _ask(http, f"{prefixes} ASK {{ <{via}> {condition} }}"), (name, via)
    none_in_1900 = _network(http, "/id/anwar-ibrahim/network", year="1900")
    assert {edge["tie"] for edge in none_in_1900["edges"]} <= {"post", "sub-organisation", "member"}


@pytest.mark.parametrize(
    ("params", "parameter", "status"),
    [
        ({"hops": "3"}, "hops", 400),
        ({"year": "last year"}, "year", 400),
        ({"limit": "0"}, "limit", 400),
        ({"ties": "party,friendship"}, "ties", 400),
        ({"topic": "no such topic at all"}, "topic", 404),
        ({"status": "no-such-status"}, "status", 404),
        ({"_format": "pdf"}, "_format", 400),
    ],
)
def test_a_bad_parameter_is_refused_naming_it(
    http: httpx.Client, params: dict, parameter: str, status: int
) -> None:
    response = http.get("/id/mosti/network", params=params)
    problem_detail(response, status)
    assert response.json()["parameter"] == parameter


def test_an_unknown_entity_has_no_network(http: httpx.Client) -> None:
    assert "no entity" in problem_detail(http.get("/id/no-such-body-at-all/network"), 404)


def _same_graph(loaded: nx.Graph, doc: dict) -> None:
    assert set(loaded.nodes) == {node["id"] for node in doc["nodes"]}
    edges = sorted((u, v, data["id"]) for u, v, data in loaded.edges(data=True))
    assert edges == sorted((e["from"], e["to"], e["id"]) for e in doc["edges"])
    for node in doc["nodes"]:
        assert loaded.nodes[node["id"]]["iri"] == node["iri"]
    by_id = {data["id"]: data for *_, data in loaded.edges(data=True)}
    for edge in doc["edges"]:
        assert by_id[edge["id"]]["tie"] == edge["tie"]
        assert by_id[edge["id"]]["source"] == (edge["source"] or "")
        assert by_id[edge["id"]].get("via", "") == (
            edge["via"] if isinstance(edge["via"], str) else " ".join(edge["via"] or [])
        )


@pytest.mark.parametrize("path", ["/id/anwar-ibrahim/network?hops=2", "/network"])
def test_graphml_and_gexf_load_in_networkx_with_the_json_nodes_and_edges(
    http: httpx.Client, path: str
) -> None:
    doc = http.get(path, headers={"Accept": "application/json"}).json()
    assert doc["edges"]
    joiner = "&" if "?" in path else "?"
    graphml = http.get(f"{path}{joiner}_format=graphml")
    assert graphml.status_code == 200 and graphml.headers["content-type"].startswith(
        "application/graphml+xml"
    )
    _same_graph(nx.read_graphml(io.BytesIO(graphml.content), force_multigraph=True), doc)
    gexf = http.get(f"{path}{joiner}_format=gexf")
    assert gexf.status_code == 200 and "attachment" in gexf.headers["content-disposition"]
    _same_graph(nx.read_gexf(io.BytesIO(gexf.content)), doc)


def test_csv_node_and_edge_lists_hold_the_json_rows(http: httpx.Client) -> None:
    doc = _network(http, "/id/anwar-ibrahim/network")
    nodes = list(csv.DictReader(io.StringIO(http.get("/id/anwar-ibrahim/network?_format=nodes.csv").text)))
    assert {(row["id"], row["iri"]) for row in nodes} == {(n["id"], n["iri"]) for n in doc["nodes"]}
    edges = list(csv.DictReader(io.StringIO(http.get("/id/anwar-ibrahim/network?_format=edges.csv").text)))
    assert [(r["id"], r["from"], r["to"], r["tie"], r["via"], r["source"]) for r in edges] == [
        (e["id"], e["from"], e["to"], e["tie"], e["via"] or "", e["source"]) for e in doc["edges"]
    ]


def test_the_whole_picture_ties_malaysian_to_chinese_bodies_weighted_by_agreements(
    http: httpx.Client,
) -> None:
    doc = _network(http, "/network")
    side = {node["id"]: node["country"] for node in doc["nodes"]}
    assert doc["edges"]
    for edge in doc["edges"]:
        assert side[edge["from"]] == MALAYSIA and side[edge["to"]] == CHINA
        assert edge["weight"] == len(edge["via"]) >= 1
        assert all(1 <= topic["agreements"] <= edge["weight"] for topic in edge["topics"])
        assert all(source.startswith(ARTICLE) for source in edge["sources"])
    by_pair = {(e["from"], e["to"]): e["weight"] for e in doc["edges"]}
    for node in doc["nodes"]:
        assert node["ties"] == sum(w for pair, w in by_pair.items() if node["id"] in pair)
    assert _network(http, "/network", year="1900")["edges"] == []


def test_network_page_without_javascript_lists_every_tie_in_a_table(http: httpx.Client) -> None:
    doc = _network(http, "/id/anwar-ibrahim/network")
    page = http.get("/id/anwar-ibrahim/network", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert html.count('<tr data-tie="') == len(doc["edges"])
    assert f"Showing {doc['showing']['nodes']} of {doc['showing']['totalNodes']} nodes" in html
    for name in ("graphml", "gexf", "nodes.csv", "edges.csv"):
        assert f"_format={name}" in html
    assert "/static/vendor/cytoscape/cytoscape.min.js" in html


def test_overview_page_is_linked_from_the_navigation(http: httpx.Client) -> None:
    page = http.get("/network", headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'href="/network" aria-current="page"' in page.text
    assert "<h1>Malaysian and Chinese bodies" in page.text


def test_network_queries_run_as_written_in_a_sparql_client(http: httpx.Client) -> None:
    for path in sorted(QUERIES.glob("*.rq")):
        response = http.post(
            "/sparql", data={"query": path.read_text()}, headers={"Accept": "application/sparql-results+json"}
        )
        assert response.status_code == 200, (path.name, response.text)
        assert "results" in response.json(), path.name


def test_an_entity_page_links_to_its_network(http: httpx.Client) -> None:
    page = http.get("/id/mosti", headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'href="/id/mosti/network"' in page.text
