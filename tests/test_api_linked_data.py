"""Entity IRIs dereference by content negotiation; the ontology is served; friendly JSON routes."""

import httpx
import pytest
from rdflib import Graph, URIRef

from tests.backends import over_every_backend

ID = "https://w3id.org/jalinan/id/"
JL = "https://w3id.org/jalinan/ontology#"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}

# (entity pages read the entity, describe and evidence queries: on every backend alike)
api_server, http, _known = over_every_backend()


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
    body = http.get("/agreements", params={"party": "Mosti", "direct": "true"}).json()
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


# -- pages of an entity's statements ----------------------------------------------------------
def _statements(graph: Graph, iri: str) -> set[tuple]:
    """The entity's statements in a description: triples with it at one end, less the quotes'
    links to the statements they support."""
    node = URIRef(iri)
    claims = {URIRef(JL + "claimSubject"), URIRef(JL + "claimObject")}
    return {t for t in graph if (t[0] == node or t[2] == node) and t[1] not in claims}


def test_following_rdf_next_links_gives_the_whole_description_once(http: httpx.Client) -> None:
    turtle = {"Accept": "text/turtle"}
    whole_response = http.get("/id/mosti", params={"_size": 1000}, headers=turtle)
    assert "next" not in whole_response.links
    whole = Graph().parse(data=whole_response.content, format="turtle")
    statements = _statements(whole, ID + "mosti")
    assert len(statements) >= 3
    url: str | None = "/id/mosti?_size=1"
    seen: Graph = Graph()
    per_page: list[int] = []
    while url is not None:
        response = http.get(url, headers=turtle)
        assert response.status_code == 200, response.text
        page = Graph().parse(data=response.content, format="turtle")
        per_page.append(len(_statements(page, ID + "mosti")))
        seen += page
        url = response.links.get("next", {}).get("url")
    assert max(per_page) == 1 and sum(per_page) == len(statements)  # each statement on one page
    assert set(seen) == set(whole)  # with its quotes and labels


def test_a_busy_entity_page_links_to_the_next_page(http: httpx.Client) -> None:
    first = http.get("/id/malaysia", params={"_size": 2}, headers=BROWSER)
    assert first.status_code == 200 and 'rel="next"' in first.headers["link"]
    assert '<a rel="next" href="/id/malaysia?_size=2&amp;_page=2">' in first.text
    second = http.get(first.links["next"]["url"], headers=BROWSER)
    # the title names the entity on every page, not only where its label statement falls
    assert second.status_code == 200 and "<h1>Malaysia</h1>" in second.text
    assert 'href="?_page=1"' in second.text


def test_a_page_past_the_end_is_empty_not_missing(http: httpx.Client) -> None:
    html = http.get("/id/mosti", params={"_page": 1000}, headers=BROWSER)
    assert html.status_code == 200 and "No more statements" in html.text and "next" not in html.links
    rdf = http.get("/id/mosti", params={"_page": 1000}, headers={"Accept": "application/n-triples"})
    assert rdf.status_code == 200 and rdf.content.strip() == b""


@pytest.mark.parametrize(("parameter", "value"), [("_size", "0"), ("_size", "1001"), ("_page", "x")])
def test_bad_entity_page_parameters_are_422(http: httpx.Client, parameter: str, value: str) -> None:
    response = http.get("/id/mosti", params={parameter: value}, headers={"Accept": "text/turtle"})
    assert response.status_code == 422 and response.json()["parameter"] == parameter


def test_canned_describe_links_onwards_unless_surely_last(http: httpx.Client) -> None:
    turtle = {"Accept": "text/turtle"}
    first = http.get("/queries/describe", params={"id": "malaysia", "_size": 1}, headers=turtle)
    assert first.status_code == 200 and "_page=2" in first.links["next"]["url"]
    past = http.get("/queries/describe", params={"id": "malaysia", "_page": 100_000}, headers=turtle)
    assert past.status_code == 200 and "next" not in past.links
