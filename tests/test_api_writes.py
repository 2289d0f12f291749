"""Writes (SPARQL Update and Graph Store PUT/POST/DELETE) need the server's bearer token.

Each test writes only to its own scratch graph under https://example.org/test/, so the curated
facts the other tests read stay as ingested.
"""

import httpx
import pytest

from tests.conftest import ApiServer

SCRATCH = "https://example.org/test/"
TURTLE = {"Content-Type": "text/turtle"}


def auth(api_server: ApiServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_server.write_token}"}


def ask(http: httpx.Client, pattern: str) -> bool:
    return http.get("/sparql", params={"query": f"ASK {{ {pattern} }}"}).json()["boolean"]


def insert(graph: str) -> str:
    return f"INSERT DATA {{ GRAPH <{graph}> {{ <{graph}#s> <{graph}#p> 'o' }} }}"


def test_post_update_without_token_is_refused(http: httpx.Client) -> None:
    response = http.post("/update", data={"update": insert(SCRATCH + "a")})
    assert response.status_code == 401


def test_post_update_with_a_wrong_token_is_forbidden(http: httpx.Client) -> None:
    response = http.post(
        "/update", data={"update": insert(SCRATCH + "b")}, headers={"Authorization": "Bearer not-the-token"}
    )
    assert response.status_code == 403


def test_refused_update_writes_nothing(http: httpx.Client) -> None:
    http.post("/update", data={"update": insert(SCRATCH + "c")})
    assert not ask(http, f"GRAPH <{SCRATCH}c> {{ ?s ?p ?o }}")


def test_post_update_with_token_works(http: httpx.Client, api_server: ApiServer) -> None:
    response = http.post("/update", data={"update": insert(SCRATCH + "d")}, headers=auth(api_server))
    assert response.status_code == 204 and ask(http, f"GRAPH <{SCRATCH}d> {{ ?s ?p 'o' }}")


def test_direct_update_on_sparql_endpoint_with_token_works(http: httpx.Client, api_server: ApiServer) -> None:
    response = http.post(
        "/sparql",
        content=insert(SCRATCH + "e"),
        headers={"Content-Type": "application/sparql-update; charset=utf-8", **auth(api_server)},
    )
    assert response.status_code == 204 and ask(http, f"GRAPH <{SCRATCH}e> {{ ?s ?p 'o' }}")


def test_update_with_bad_syntax_is_400(http: httpx.Client, api_server: ApiServer) -> None:
    response = http.post("/update", data={"update": "INSERT NONSENSE"}, headers=auth(api_server))
    assert response.status_code == 400


def test_update_sent_to_query_endpoint_is_400(http: httpx.Client, api_server: ApiServer) -> None:
    response = http.post("/query", data={"update": insert(SCRATCH + "f")}, headers=auth(api_server))
    assert response.status_code == 400


def test_update_by_get_is_400(http: httpx.Client) -> None:
    assert http.get("/sparql", params={"update": insert(SCRATCH + "g")}).status_code == 400


# -- Graph Store Protocol --------------------------------------------------------------------
def test_gsp_get_reads_a_named_graph(http: httpx.Client) -> None:
    response = http.get("/store", params={"graph": "https://w3id.org/jalinan/graph/entities"})
    assert response.status_code == 200 and "mosti" in response.text


def test_gsp_get_default_is_the_union(http: httpx.Client) -> None:
    response = http.get("/store?default", headers={"Accept": "application/n-triples"})
    assert "https://w3id.org/jalinan/id/mou-mosti-sti-people-exchange" in response.text


def test_gsp_get_unknown_graph_is_404(http: httpx.Client) -> None:
    assert http.get("/store", params={"graph": SCRATCH + "never-written"}).status_code == 404


def test_gsp_put_without_token_is_refused(http: httpx.Client) -> None:
    response = http.put(
        "/store", params={"graph": SCRATCH + "h"}, content="<a:s> <a:p> <a:o> .", headers=TURTLE
    )
    assert response.status_code == 401


def test_gsp_put_creates_a_graph(http: httpx.Client, api_server: ApiServer) -> None:
    response = http.put(
        "/store",
        params={"graph": SCRATCH + "i"},
        content="<a:s> <a:p> <a:o> .",
        headers={**TURTLE, **auth(api_server)},
    )
    assert response.status_code == 201 and ask(http, f"GRAPH <{SCRATCH}i> {{ <a:s> <a:p> <a:o> }}")


def test_gsp_put_replaces_a_graph(http: httpx.Client, api_server: ApiServer) -> None:
    headers = {**TURTLE, **auth(api_server)}
    http.put("/store", params={"graph": SCRATCH + "j"}, content="<a:s> <a:p> <a:old> .", headers=headers)
    http.put("/store", params={"graph": SCRATCH + "j"}, content="<a:s> <a:p> <a:new> .", headers=headers)
    assert not ask(http, f"GRAPH <{SCRATCH}j> {{ <a:s> <a:p> <a:old> }}")


def test_gsp_post_merges_into_a_graph(http: httpx.Client, api_server: ApiServer) -> None:
    headers = {**TURTLE, **auth(api_server)}
    http.put("/store", params={"graph": SCRATCH + "k"}, content="<a:s> <a:p> <a:one> .", headers=headers)
    http.post(
        "/store", params={"graph": SCRATCH + "k"}, content='<a:s> <a:p> "two\\" } ." .', headers=headers
    )
    assert ask(http, f"GRAPH <{SCRATCH}k> {{ <a:s> <a:p> <a:one>, 'two\" }} .' }}")


def test_gsp_delete_drops_a_graph(http: httpx.Client, api_server: ApiServer) -> None:
    headers = {**TURTLE, **auth(api_server)}
    http.put("/store", params={"graph": SCRATCH + "l"}, content="<a:s> <a:p> <a:o> .", headers=headers)
    response = http.delete("/store", params={"graph": SCRATCH + "l"}, headers=auth(api_server))
    assert response.status_code == 204 and not ask(http, f"GRAPH <{SCRATCH}l> {{ ?s ?p ?o }}")


def test_gsp_delete_of_unknown_graph_is_404(http: httpx.Client, api_server: ApiServer) -> None:
    assert (
        http.delete("/store", params={"graph": SCRATCH + "nothing"}, headers=auth(api_server)).status_code
        == 404
    )


def test_gsp_delete_without_token_is_refused(http: httpx.Client) -> None:
    assert (
        http.delete("/store", params={"graph": "https://w3id.org/jalinan/graph/entities"}).status_code == 401
    )


def test_gsp_put_with_a_wrong_media_type_is_415(http: httpx.Client, api_server: ApiServer) -> None:
    response = http.put(
        "/store",
        params={"graph": SCRATCH + "m"},
        content="hello",
        headers={"Content-Type": "application/pdf", **auth(api_server)},
    )
    assert response.status_code == 415


def test_gsp_put_with_bad_turtle_is_400(http: httpx.Client, api_server: ApiServer) -> None:
    response = http.put(
        "/store",
        params={"graph": SCRATCH + "n"},
        content="<a:s> <a:p",
        headers={**TURTLE, **auth(api_server)},
    )
    assert response.status_code == 400


def test_gsp_write_to_the_union_default_graph_is_405(http: httpx.Client, api_server: ApiServer) -> None:
    response = http.put(
        "/store?default", content="<a:s> <a:p> <a:o> .", headers={**TURTLE, **auth(api_server)}
    )
    assert response.status_code == 405


@pytest.mark.parametrize("query", ["", "?graph=a&graph=b", "?graph=not%20an%20iri"])
def test_gsp_needs_exactly_one_valid_graph(http: httpx.Client, query: str) -> None:
    assert http.get("/store" + query).status_code == 400
