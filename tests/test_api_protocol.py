"""SPARQL 1.1 Protocol at /sparql, /query and /update, against a real server and real clients."""

import json
import threading

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, JSONLD, XML, SPARQLWrapper

from tests.conftest import ApiServer

JL = "https://w3id.org/jalinan/ontology#"
ID = "https://w3id.org/jalinan/id/"
MINISTRY_LABELS = "SELECT ?m WHERE { ?m a <https://w3id.org/jalinan/ontology#Ministry> }"
ASK_MOSTI = f"ASK {{ <{ID}mosti> a <{JL}Ministry> }}"
CONSTRUCT_MOSTI = f"CONSTRUCT {{ <{ID}mosti> ?p ?o }} WHERE {{ <{ID}mosti> ?p ?o }}"
MALAYSIAN_MINISTRIES = {
    "miti", "ministry-of-finance-malaysia", "ministry-of-agriculture-and-food-security",
    "ministry-of-housing-and-local-government", "ministry-of-home-affairs-malaysia", "mosti", "mohe",
    "ministry-of-tourism-arts-and-culture", "ministry-of-communications", "ministry-of-digital",
}  # fmt: skip


def ids(values: list[str]) -> set[str]:
    return {v.removeprefix(ID) for v in values}


# -- real clients ----------------------------------------------------------------------------
@pytest.mark.parametrize("return_format", [JSON, XML])
def test_sparqlwrapper_select_finds_the_ministries(api_server: ApiServer, return_format: str) -> None:
    client = SPARQLWrapper(api_server.url("/sparql"))
    client.setQuery(MINISTRY_LABELS)
    client.setReturnFormat(return_format)
    result = client.query().convert()
    if return_format == JSON:
        found = [b["m"]["value"] for b in result["results"]["bindings"]]
    else:
        found = [node.firstChild.data for node in result.getElementsByTagName("uri")]
    assert ids(found) >= MALAYSIAN_MINISTRIES and "chinese-foreign-ministry" in ids(found)


@pytest.mark.parametrize("return_format", [JSON, XML])
def test_sparqlwrapper_ask_is_true_for_mosti(api_server: ApiServer, return_format: str) -> None:
    client = SPARQLWrapper(api_server.url("/sparql"))
    client.setQuery(ASK_MOSTI)
    client.setReturnFormat(return_format)
    result = client.query().convert()
    value = (
        result["boolean"]
        if return_format == JSON
        else result.getElementsByTagName("boolean")[0].firstChild.data
    )
    assert value in (True, "true")


def test_sparqlwrapper_construct_in_xml_gives_a_graph(api_server: ApiServer) -> None:
    client = SPARQLWrapper(api_server.url("/sparql"))
    client.setQuery(CONSTRUCT_MOSTI)
    client.setReturnFormat(XML)
    graph = client.query().convert()
    assert (URIRef(ID + "mosti"), URIRef(JL + "acronym"), None) in graph


def test_sparqlwrapper_construct_in_jsonld_gives_a_graph(api_server: ApiServer) -> None:
    client = SPARQLWrapper(api_server.url("/sparql"))
    client.setQuery(CONSTRUCT_MOSTI)
    client.setReturnFormat(JSONLD)
    graph = client.query().convert()
    assert (URIRef(ID + "mosti"), URIRef(JL + "acronym"), None) in graph


def test_sparqlwrapper_post_select_works(api_server: ApiServer) -> None:
    client = SPARQLWrapper(api_server.url("/sparql"))
    client.setQuery(MINISTRY_LABELS)
    client.setMethod("POST")
    client.setReturnFormat(JSON)
    assert client.query().convert()["results"]["bindings"]


@pytest.mark.parametrize("return_format", ["xml", "json"])
def test_rdflib_sparqlstore_select(api_server: ApiServer, return_format: str) -> None:
    graph = Graph(store=SPARQLStore(query_endpoint=api_server.url("/sparql"), returnFormat=return_format))
    found = [str(row[0]) for row in graph.query(MINISTRY_LABELS)]
    assert ids(found) >= MALAYSIAN_MINISTRIES


def test_rdflib_sparqlstore_ask(api_server: ApiServer) -> None:
    graph = Graph(store=SPARQLStore(query_endpoint=api_server.url("/sparql")))
    assert graph.query(ASK_MOSTI).askAnswer is True


def test_rdflib_sparqlstore_construct(api_server: ApiServer) -> None:
    graph = Graph(store=SPARQLStore(query_endpoint=api_server.url("/sparql")))
    result = graph.query(CONSTRUCT_MOSTI).graph
    assert (URIRef(ID + "mosti"), URIRef(JL + "acronym"), None) in result


# -- formats ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "application/sparql-results+json"),
    ],
)
def test_select_negotiates_results_format(http: httpx.Client, accept: str, expected: str) -> None:
    response = http.get("/sparql", params={"query": MINISTRY_LABELS}, headers={"Accept": accept})
    assert response.headers["content-type"].startswith(expected)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
        ("application/trig", "application/trig"),
        ("application/n-quads", "application/n-quads"),
    ],
)
def test_construct_negotiates_rdf_format(http: httpx.Client, accept: str, expected: str) -> None:
    response = http.get("/sparql", params={"query": CONSTRUCT_MOSTI}, headers={"Accept": accept})
    assert response.headers["content-type"].startswith(expected)


def test_format_parameter_overrides_accept_for_browsers(http: httpx.Client) -> None:
    response = http.get(
        "/sparql", params={"query": MINISTRY_LABELS, "format": "csv"}, headers={"Accept": "text/html"}
    )
    assert response.headers["content-type"].startswith("text/csv")


def test_select_asked_for_turtle_only_is_406(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": MINISTRY_LABELS}, headers={"Accept": "text/turtle"})
    assert response.status_code == 406


def test_unknown_media_type_is_406(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": MINISTRY_LABELS}, headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_construct_asked_for_csv_is_406(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": CONSTRUCT_MOSTI}, headers={"Accept": "text/csv"})
    assert response.status_code == 406


# -- requests and their refusals -------------------------------------------------------------
def test_post_form_encoded_query_works(http: httpx.Client) -> None:
    response = http.post(
        "/query", data={"query": ASK_MOSTI}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.json()["boolean"] is True


def test_post_direct_query_with_charset_works(http: httpx.Client) -> None:
    response = http.post(
        "/sparql",
        content=ASK_MOSTI.encode(),
        headers={"Content-Type": "application/sparql-query; charset=UTF-8", "Accept": "application/json"},
    )
    assert response.json()["boolean"] is True


def test_default_graph_is_the_union_of_all_graphs(http: httpx.Client) -> None:
    # the type is in the entities graph, the party in article 003's graph
    mou = f"<{ID}mou-mosti-sti-people-exchange>"
    query = f"ASK {{ <{ID}mosti> a <{JL}Ministry> . {mou} <{JL}hasParty> <{ID}mosti> }}"
    assert http.get("/sparql", params={"query": query}).json()["boolean"] is True


def test_default_graph_uri_narrows_the_default_graph(http: httpx.Client) -> None:
    params = [("query", ASK_MOSTI), ("default-graph-uri", "https://w3id.org/jalinan/ontology")]
    assert http.get("/sparql", params=params).json()["boolean"] is False


def test_repeated_default_graph_uris_are_all_used(http: httpx.Client) -> None:
    params = [
        ("query", ASK_MOSTI),
        ("default-graph-uri", "https://w3id.org/jalinan/ontology"),
        ("default-graph-uri", "https://w3id.org/jalinan/graph/entities"),
    ]
    assert http.get("/sparql", params=params).json()["boolean"] is True


def test_named_graph_uri_limits_graph_patterns(http: httpx.Client) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    params = [("query", query), ("named-graph-uri", "https://w3id.org/jalinan/graph/entities")]
    rows = http.get("/sparql", params=params).json()["results"]["bindings"]
    assert [r["g"]["value"] for r in rows] == ["https://w3id.org/jalinan/graph/entities"]


def test_bad_syntax_is_400_with_a_readable_message(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": "SELEC * WHERE { ?s ?p ?o }"})
    assert response.status_code == 400 and "not valid SPARQL" in response.json()["detail"]


def test_duplicate_query_parameter_is_400(http: httpx.Client) -> None:
    response = http.get("/sparql", params=[("query", ASK_MOSTI), ("query", ASK_MOSTI)])
    assert response.status_code == 400 and response.json()["parameter"] == "query"


def test_non_utf8_body_is_400(http: httpx.Client) -> None:
    response = http.post(
        "/sparql", content=b"ASK { ?s ?p \xff }", headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 400


def test_non_utf8_form_body_is_400(http: httpx.Client) -> None:
    response = http.post(
        "/sparql",
        content=b"query=ASK%20%7B%7D%FF",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize("media", ["application/sparql-query", "application/x-www-form-urlencoded"])
def test_a_body_in_another_charset_than_utf8_is_400(http: httpx.Client, media: str) -> None:
    body = ASK_MOSTI if media.endswith("query") else f"query={ASK_MOSTI}"
    response = http.post(
        "/sparql", content=body.encode("utf-16"), headers={"Content-Type": f"{media}; charset=UTF-16"}
    )
    assert response.status_code == 400 and "UTF-8" in response.json()["detail"]


def test_relative_iris_in_a_query_resolve_against_the_endpoint(
    http: httpx.Client, api_server: ApiServer
) -> None:
    response = http.get("/sparql", params={"query": "SELECT ?x WHERE { BIND(<people/x> AS ?x) }"})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["x"]["value"] == api_server.url("/people/x")


def test_relative_iris_in_an_update_resolve_against_the_endpoint(
    http: httpx.Client, api_server: ApiServer
) -> None:
    graph = "https://example.org/protocol-relative-base"
    auth = {"Authorization": f"Bearer {api_server.write_token}", "Content-Type": "application/sparql-update"}
    update = f"INSERT DATA {{ GRAPH <{graph}> {{ <s> <p> <o> }} }}"
    assert http.post("/update", content=update, headers=auth).status_code == 204
    try:
        query = f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        bindings = http.get("/sparql", params={"query": query}).json()["results"]["bindings"]
        assert [b["s"]["value"] for b in bindings] == [api_server.url("/s")]
    finally:
        http.post("/update", content=f"DROP SILENT GRAPH <{graph}>", headers=auth)


def test_wrong_media_type_is_415(http: httpx.Client) -> None:
    response = http.post("/sparql", content=ASK_MOSTI, headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(http: httpx.Client, method: str) -> None:
    response = http.request(method, "/sparql")
    assert response.status_code == 405 and "GET" in response.headers["allow"]


def test_get_on_update_endpoint_is_405(http: httpx.Client) -> None:
    assert http.get("/update").status_code == 405


def test_errors_share_one_json_shape(http: httpx.Client) -> None:
    body = http.get("/sparql", params={"query": "nonsense"}).json()
    assert set(body) >= {"status", "title", "detail"} and body["status"] == 400


def test_get_without_query_is_a_service_description(http: httpx.Client) -> None:
    response = http.get("/sparql", headers={"Accept": "text/turtle"})
    assert "sd:UnionDefaultGraph" in response.text


def test_cors_is_on(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": ASK_MOSTI}, headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"


def test_cors_preflight_allows_authorised_posts(http: httpx.Client) -> None:
    response = http.options(
        "/update",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 200


def test_json_results_parse(http: httpx.Client) -> None:
    response = http.get("/query", params={"query": MINISTRY_LABELS})
    assert json.loads(response.content)["head"]["vars"] == ["m"]


def test_thirty_two_clients_at_once_all_get_their_own_answers(api_server: ApiServer) -> None:
    """Queries await their worker on the event loop; a worker's pipe shared with the thread
    path must stay usable by both (uvloop had left it non-blocking: 503 `Resource temporarily
    unavailable` under load)."""
    answers: list[tuple[int, int]] = []

    def client(n: int) -> None:
        with httpx.Client(base_url=api_server.base_url, timeout=60) as http:
            for k in range(6):
                query = f"SELECT ?n WHERE {{ BIND({n * 100 + k} AS ?n) }}"
                response = http.get("/sparql", params={"query": query})
                value = (
                    int(response.json()["results"]["bindings"][0]["n"]["value"])
                    if response.status_code == 200
                    else -1
                )
                answers.append((response.status_code, value - (n * 100 + k)))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert answers == [(200, 0)] * (32 * 6)
