"""Entity IRIs dereference by content negotiation; the ontology is served; friendly JSON routes."""

import httpx
import pytest
from rdflib import Graph, URIRef

ID = "https://w3id.org/jalinan/id/"
JL = "https://w3id.org/jalinan/ontology#"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_entity_page_for_browsers(http: httpx.Client) -> None:
    response = http.get("/id/mosti", headers=BROWSER)
    assert response.headers["content-type"].startswith("text/html") and "Ministry of Science" in response.text


def test_entity_page_links_related_entities_locally(http: httpx.Client) -> None:
    assert 'href="/id/mou-mosti-sti-people-exchange"' in http.get("/id/mosti", headers=BROWSER).text


def test_entity_page_shows_quotes(http: httpx.Client) -> None:
    assert (
        "science and technology people-to-people exchange programme"
        in http.get("/id/mosti", headers=BROWSER).text
    )


def test_entity_page_announces_its_json_twin(http: httpx.Client) -> None:
    link = http.get("/id/mosti", headers=BROWSER).headers["link"]
    assert 'rel="alternate"; type="application/json"' in link


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/n-triples", "nt"),
     ("application/rdf+xml", "xml")],
)  # fmt: skip
def test_entity_iri_gives_rdf_by_negotiation(http: httpx.Client, accept: str, rdflib_format: str) -> None:
    response = http.get("/id/mosti", headers={"Accept": accept})
    graph = Graph().parse(data=response.content, format=rdflib_format)
    assert (URIRef(ID + "mosti"), URIRef(JL + "acronym"), None) in graph


def test_article_iri_dereferences(http: httpx.Client) -> None:
    response = http.get("/id/article/420124348f4a3cdc", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and "SourceArticle" in response.text


def test_unknown_entity_is_404(http: httpx.Client) -> None:
    assert http.get("/id/no-such-entity", headers=BROWSER).status_code == 404


@pytest.mark.parametrize(
    "path", ["/id/../pyproject.toml", "/id/..%2F..%2Fetc%2Fpasswd", "/id/%2e%2e/x", "/id/a//b"]
)
def test_path_traversal_is_not_found(http: httpx.Client, path: str) -> None:
    response = http.get(path)
    assert response.status_code in (404, 422) and "[project]" not in response.text


def test_entity_page_escapes_html(http: httpx.Client) -> None:
    page = http.get("/id/mosti", headers=BROWSER).text
    assert "<script" not in page


def test_ontology_as_turtle(http: httpx.Client) -> None:
    response = http.get("/ontology", headers={"Accept": "text/turtle"})
    assert (
        response.headers["content-type"].startswith("text/turtle")
        and "MemorandumOfUnderstanding" in response.text
    )


def test_ontology_as_rdfxml(http: httpx.Client) -> None:
    response = http.get("/ontology", headers={"Accept": "application/rdf+xml"})
    assert response.headers["content-type"].startswith("application/rdf+xml")


# -- friendly JSON ---------------------------------------------------------------------------
def test_friendly_agreements_by_party(http: httpx.Client) -> None:
    body = http.get("/agreements", params={"party": "Mosti"}).json()
    assert [item["id"] for item in body["items"]] == ["mou-mosti-sti-people-exchange"]


def test_friendly_items_carry_their_sources(http: httpx.Client) -> None:
    item = http.get("/agreements", params={"party": "Mosti"}).json()["items"][0]
    assert item["sources"][0]["article"] == ID + "article/420124348f4a3cdc"


def test_friendly_agreements_refuse_two_filters(http: httpx.Client) -> None:
    assert http.get("/agreements", params={"party": "Mosti", "status": "signed"}).status_code == 422


def test_friendly_visits_by_visitor(http: httpx.Client) -> None:
    assert [item["id"] for item in http.get("/visits", params={"visitor": "Anwar"}).json()["items"]] == [
        "visit-anwar-peru"
    ]


def test_friendly_search(http: httpx.Client) -> None:
    ids = {item["id"] for item in http.get("/search", params={"q": "ndrc"}).json()["items"]}
    assert "ndrc" in ids


def test_openapi_documents_the_friendly_routes(http: httpx.Client) -> None:
    paths = http.get("/openapi.json").json()["paths"]
    assert {"/agreements", "/visits", "/queries/{name}", "/sparql"} <= set(paths)
