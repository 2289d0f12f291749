"""The explorer's pages: browsers get HTML at the data's URLs, programs get what they got before."""

import csv
import html
import io
import re
from html.parser import HTMLParser

import httpx
import pytest
from rdflib import OWL, RDF, Graph, URIRef

from jalinan.api.explorer.error_pages import close_matches, index_names
from jalinan.api.explorer.ontology_doc import ttl_path
from jalinan.api.explorer.templating import period

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
JL = "https://w3id.org/jalinan/ontology#"
COUNT_UNDER = """PREFIX jl: <https://w3id.org/jalinan/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT (COUNT(DISTINCT ?node) AS ?n) WHERE {{ ?node a ?type . ?type rdfs:subClassOf* jl:{cls} }}"""


class _Links(HTMLParser):
    """Every URL a page loads or links to (src, href, action)."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "src" or (tag == "link" and name == "href")):
                self.loaded.append(value)


def _count(http: httpx.Client, cls: str) -> int:
    answer = http.get("/sparql", params={"query": COUNT_UNDER.format(cls=cls)}).json()
    return int(answer["results"]["bindings"][0]["n"]["value"])


def test_home_page_for_browsers_shows_the_headline_counts(http: httpx.Client) -> None:
    page = http.get("/", headers=BROWSER)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for cls, label in (("Agreement", "agreements"), ("Organization", "organisations"), ("Person", "people")):
        assert f"<strong>{_count(http, cls):,}</strong> {label}" in page.text


def test_home_page_has_a_labelled_search_box(http: httpx.Client) -> None:
    text = http.get("/", headers=BROWSER).text
    assert '<label for="home-search">' in text and 'id="home-search" type="search" name="q"' in text


def test_home_page_lists_the_most_connected_organisations(http: httpx.Client) -> None:
    text = http.get("/", headers=BROWSER).text
    assert 'href="/id/' in text.split("Most-connected organisations", 1)[1].split("</section>", 1)[0]


def test_root_still_redirects_programs_to_the_query_list(http: httpx.Client) -> None:
    response = http.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 303 and response.headers["location"] == "/queries"
    assert "queries" in http.get("/", headers={"Accept": "application/json"}, follow_redirects=True).json()


def test_root_for_curl_still_redirects(http: httpx.Client) -> None:
    assert http.get("/").status_code == 303


def test_sparql_for_browsers_is_the_editor_on_this_endpoint(http: httpx.Client) -> None:
    page = http.get("/sparql", headers=BROWSER)
    assert page.headers["content-type"].startswith("text/html")
    assert f'data-endpoint="{http.base_url}/sparql"'.replace("//sparql", "/sparql") in page.text
    assert 'data-name="agreements-by-party"' in page.text


def test_sparql_without_query_for_programs_is_still_the_service_description(http: httpx.Client) -> None:
    response = http.get("/sparql")
    assert response.headers["content-type"].startswith("text/turtle") and "sd:Service" in response.text


def test_sparql_form_shows_results_as_a_table_with_local_links(http: httpx.Client) -> None:
    query = f"SELECT ?m WHERE {{ ?m a <{JL}Ministry> }}"
    page = http.get("/sparql", params={"query": query, "format": "html"}, headers=BROWSER)
    assert page.status_code == 200 and '<th scope="col">m</th>' in page.text
    assert 'href="/id/mosti"' in page.text


def test_sparql_form_with_bad_syntax_is_an_html_400(http: httpx.Client) -> None:
    page = http.get("/sparql", params={"query": "SELEC nothing", "format": "html"}, headers=BROWSER)
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "not valid SPARQL" in page.text


def test_sparql_form_still_refuses_service_calls(http: httpx.Client) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    page = http.get("/sparql", params={"query": query, "format": "html"}, headers=BROWSER)
    assert page.status_code == 400


def test_ontology_page_documents_every_jalinan_class_and_property(http: httpx.Client) -> None:
    text = http.get("/ontology", headers=BROWSER).text
    graph = Graph().parse(ttl_path(), format="turtle")
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in graph.subjects(RDF.type, kind):
            if isinstance(term, URIRef) and str(term).startswith(JL):
                name = str(term).removeprefix(JL)
                assert f'id="jl-{name}"' in text, f"jl:{name} is not documented"


def test_ontology_page_gives_labels_in_three_languages(http: httpx.Client) -> None:
    text = http.get("/ontology", headers=BROWSER).text
    agreement = text.split('id="jl-Agreement"', 1)[1].split("</article>", 1)[0]
    assert "Perjanjian" in agreement and "协议" in agreement and "jl-MemorandumOfUnderstanding" in agreement


def test_ontology_page_reads_a_union_domain(http: httpx.Client) -> None:
    text = http.get("/ontology", headers=BROWSER).text
    has_party = text.split('id="jl-hasParty"', 1)[1].split("</article>", 1)[0]
    assert re.search(r"jl:Agreement</a> or <a [^>]*>jl:AgreementCollection", has_party)


def test_ontology_for_programs_is_still_turtle(http: httpx.Client) -> None:
    assert http.get("/ontology").headers["content-type"].startswith("text/turtle")


def test_unknown_entity_for_browsers_suggests_close_names(http: httpx.Client) -> None:
    page = http.get("/id/mostii", headers=BROWSER)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Did you mean" in page.text and 'href="/id/mosti"' in page.text


def test_unknown_entity_for_programs_is_still_problem_json(http: httpx.Client) -> None:
    response = http.get("/id/mostii", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_unknown_path_for_browsers_suggests_a_page(http: httpx.Client) -> None:
    page = http.get("/agreementz", headers=BROWSER)
    assert page.status_code == 404 and 'href="/agreements"' in page.text


@pytest.mark.parametrize("path", ["/", "/sparql", "/ontology", "/docs", "/redoc", "/id/nothing-here"])
def test_pages_load_nothing_from_another_host(http: httpx.Client, path: str) -> None:
    parser = _Links()
    parser.feed(http.get(path, headers=BROWSER).text)
    assert parser.loaded, f"{path} loads no asset: the parser found nothing to check"
    assert all(url.startswith("/") for url in parser.loaded), parser.loaded


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_api_docs_use_the_vendored_scripts(http: httpx.Client, path: str) -> None:
    text = http.get(path).text
    scripts = re.findall(r'src="([^"]+)"', text)
    assert scripts and all(src.startswith("/static/vendor/") for src in scripts)
    for src in scripts:
        assert http.get(src).status_code == 200


def _article_with_a_headline(http: httpx.Client) -> str:
    """An article that has a headline, found by query (so adding articles never breaks this)."""
    query = f"SELECT ?a WHERE {{ ?a <{JL}headline> ?h }} LIMIT 1"
    bindings = http.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    if not bindings:
        pytest.skip("no article with a headline in the curated facts")
    return "/id/" + bindings[0]["a"]["value"].removeprefix("https://w3id.org/jalinan/id/")


def test_article_page_shows_headline_and_every_quote(http: httpx.Client) -> None:
    path = _article_with_a_headline(http)
    iri = "https://w3id.org/jalinan/id/" + path.removeprefix("/id/")
    page = http.get(path, headers=BROWSER)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    query = f"""SELECT DISTINCT ?h ?q WHERE {{ <{iri}> <{JL}headline> ?h .
        ?e <http://www.w3.org/ns/prov#wasQuotedFrom> <{iri}> ; <{JL}quote> ?q }}"""
    rows = http.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    assert rows and f"<h1>{html.escape(rows[0]['h']['value'], quote=False)}</h1>" in page.text
    shown = re.findall(r"<blockquote><p>(.*?)</p></blockquote>", page.text, re.S)
    assert {html.unescape(q) for q in shown} == {row["q"]["value"] for row in rows}


def test_article_page_names_the_cited_agencies(http: httpx.Client) -> None:
    query = f"SELECT ?a ?c WHERE {{ ?a <{JL}citedSource> ?c }} LIMIT 1"
    rows = http.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    if not rows:
        pytest.skip("no article cites an agency in the curated facts")
    path = "/id/" + rows[0]["a"]["value"].removeprefix("https://w3id.org/jalinan/id/")
    cited = "/id/" + rows[0]["c"]["value"].removeprefix("https://w3id.org/jalinan/id/")
    text = http.get(path, headers=BROWSER).text
    assert f'<dt>Cites</dt><dd><a href="{cited}">' in text


def test_article_page_links_the_facts_by_label_not_party_roles(http: httpx.Client) -> None:
    text = http.get(_article_with_a_headline(http), headers=BROWSER).text
    assert 'href="/id/' in text and "/party/" not in text


def test_article_iri_for_programs_is_still_rdf(http: httpx.Client) -> None:
    path = _article_with_a_headline(http)
    assert http.get(path).headers["content-type"].startswith("text/turtle")


def test_unknown_article_for_browsers_is_an_html_404(http: httpx.Client) -> None:
    page = http.get("/id/article/0000000000000000", headers=BROWSER)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("label", "shown"),
    [("2025-04-16", "16 April 2025"), ("2025-04", "April 2025"), ("2025", "2025"), ("2025-13", "2025-13")],
)
def test_dates_are_shown_to_the_precision_known(label: str, shown: str) -> None:
    assert period(label) == shown


def test_did_you_mean_lists_each_entity_once_by_its_label() -> None:
    label = "Ministry of Science, Technology and Innovation"
    names = index_names(
        [(label, label, "/id/mosti"), ("mosti", label, "/id/mosti"), ("miti", "MITI", "/id/miti")]
    )
    assert close_matches("mostii", names) == [
        {"label": label, "href": "/id/mosti"},
        {"label": "MITI", "href": "/id/miti"},
    ]
    assert close_matches("zzzz", names) == []


def test_sparql_table_stops_at_max_rows_and_links_the_full_downloads(http: httpx.Client) -> None:
    query = "SELECT * WHERE { ?s ?p ?o }"
    total = int(http.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}).json()[
        "results"]["bindings"][0]["n"]["value"])  # fmt: skip
    assert total > 1000, "the curated facts should outgrow one table"
    page = http.get("/sparql", params={"query": query, "format": "html"}, headers=BROWSER).text
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == 1000 and "The first 1000 rows" in page
    csv_href = html.unescape(re.search(r'href="(/sparql\?[^"]*format=csv)"', page).group(1))
    assert len(list(csv.reader(io.StringIO(http.get(csv_href).text)))) == total + 1


def test_home_page_lists_visits(http: httpx.Client) -> None:
    text = http.get("/", headers=BROWSER).text
    section = text.split('id="visits-heading"', 1)[1].split("</section>", 1)[0]
    assert section.count('href="/id/') == min(8, _count(http, "Visit"))


DATED_VISITS = """
PREFIX jl: <https://w3id.org/jalinan/ontology#>
SELECT (COUNT(DISTINCT ?visit) AS ?n) WHERE {
  VALUES ?dateProperty { jl:date jl:startDate }
  ?visit a jl:Visit ; ?dateProperty ?day .
  { ?day jl:earliestDateTime ?instant } UNION { ?day jl:latestDateTime ?instant }
}"""


def test_home_page_shows_every_dated_visit_with_its_date_before_the_undated(http: httpx.Client) -> None:
    """A visit known only by a bound ("by 16 April 2025") is dated too, not listed as undated."""
    text = http.get("/", headers=BROWSER).text
    section = text.split('id="visits-heading"', 1)[1].split("</section>", 1)[0]
    dates = re.findall(r'<li><a href="/id/[^"]+">[^<]*</a> <span class="muted">([^<]*)</span>', section)
    answer = http.get("/sparql", params={"query": DATED_VISITS}).json()
    dated = int(answer["results"]["bindings"][0]["n"]["value"])
    shown = [bool(date.strip()) for date in dates]
    assert shown.count(True) == min(len(dates), dated) and shown == sorted(shown, reverse=True)
