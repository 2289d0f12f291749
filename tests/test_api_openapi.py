"""The OpenAPI schema describes the hand-parsed routes well enough to use them: what "Try it out"
in /docs sends, built only from the schema, gets an answer in a media type the schema declares."""

import httpx
import pytest

from tests.conftest import ApiServer


@pytest.fixture(scope="module")
def schema(http: httpx.Client) -> dict:
    return http.get("/openapi.json").json()


def _example(operation: dict, name: str) -> str:
    return next(p["example"] for p in operation["parameters"] if p["name"] == name)


def _declared(operation: dict, status: str = "200") -> set[str]:
    return set(operation["responses"][status]["content"])


def test_get_sparql_sends_the_documented_example_query_and_gets_a_declared_format(
    http: httpx.Client, schema: dict
) -> None:
    operation = schema["paths"]["/sparql"]["get"]
    response = http.get("/sparql", params={"query": _example(operation, "query"), "format": "csv"})
    assert response.status_code == 200 and len(response.text.splitlines()) > 1
    assert response.headers["content-type"].split(";")[0] in _declared(operation)


@pytest.mark.parametrize("media", ["application/sparql-query", "application/x-www-form-urlencoded"])
def test_post_sparql_sends_the_documented_body_and_gets_a_declared_format(
    http: httpx.Client, schema: dict, media: str
) -> None:
    operation = schema["paths"]["/sparql"]["post"]
    example = operation["requestBody"]["content"][media]["example"]
    if media == "application/sparql-query":
        response = http.post("/sparql", content=example, headers={"Content-Type": media})
    else:
        response = http.post("/sparql", data=example)
    assert response.status_code == 200 and response.json()["results"]["bindings"]
    assert response.headers["content-type"].split(";")[0] in _declared(operation)


def test_the_protocol_routes_declare_their_parameters_and_no_json_only_answers(schema: dict) -> None:
    paths = schema["paths"]
    get_names = {p["name"] for p in paths["/sparql"]["get"]["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri", "format", "timeout"} <= get_names
    assert set(paths["/update"]["post"]["requestBody"]["content"]) == {
        "application/x-www-form-urlencoded",
        "application/sparql-update",
    }
    assert "application/json" not in _declared(paths["/query"]["get"])
    assert {"text/turtle", "application/ld+json"} <= _declared(paths["/store"]["get"])
    assert "text/turtle" in paths["/store"]["put"]["requestBody"]["content"]
    assert {p["name"] for p in paths["/store"]["delete"]["parameters"]} == {"graph", "default"}


def test_each_canned_query_has_a_path_with_its_own_parameters(
    http: httpx.Client, schema: dict, api_server: ApiServer
) -> None:
    listed = http.get("/queries", headers={"Accept": "application/json"}).json()["queries"]
    for item in listed:
        operation = schema["paths"][f"/queries/{item['name']}"]["get"]
        declared = {p["name"] for p in operation["parameters"]}
        assert {p["name"] for p in item.get("parameters", [])} <= declared
    operation = schema["paths"]["/queries/agreements-by-party"]["get"]
    response = http.get("/queries/agreements-by-party", params={"party": _example(operation, "party")})
    assert response.status_code == 200 and response.json()["results"]["bindings"]
