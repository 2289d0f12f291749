"""Entity, agreement, visit and event pages for browsers (`/id/{id}`): a summary first, then
facts grouped by relation, each linked by its label and shown with its quote and article; facts
inferred across articles or by the ontology marked so, with the quotes they rest on. Programs
asking for the same URL keep getting RDF."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import httpx
from rdflib import Graph, URIRef

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
ID = "https://w3id.org/jalinan/id/"
JL = "https://w3id.org/jalinan/ontology#"
VOID = {"br", "img", "input", "link", "meta", "hr", "source", "wbr"}


@dataclass
class Element:
    """An element with an id (a section of the page): its text and its links (href, text)."""

    tag: str
    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)


class _Sections(HTMLParser):
    """Each element with an id, with the text, links and blockquotes inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, Element] = {}
        self.stack: list[tuple[str, Element | None]] = []
        self.link: list[str] | None = None
        self.quote: list[str] | None = None
        self.all_links: list[tuple[str, str]] = []

    def _open(self) -> list[Element]:
        return [element for _, element in self.stack if element is not None]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        for open_element in self._open():
            open_element.text += " "  # elements apart, as a reader sees them
        found = dict(attrs)
        element = Element(tag) if found.get("id") else None
        if element is not None:
            self.by_id[str(found["id"])] = element
        self.stack.append((tag, element))
        if tag == "a" and found.get("href") is not None:
            self.link = [str(found["href"]), ""]
        if tag == "blockquote":
            self.quote = [""]

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if tag == "a" and self.link is not None:
            href, text = self.link[0], self.link[1].strip()
            self.all_links.append((href, text))
            for element in self._open():
                element.links.append((href, text))
            self.link = None
        if tag == "blockquote" and self.quote is not None:
            for element in self._open():
                element.quotes.append(self.quote[0].strip())
            self.quote = None
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self._open():
            element.text += data
        if self.link is not None:
            self.link[1] += data
        if self.quote is not None:
            self.quote[0] += data


def page(http: httpx.Client, path: str) -> _Sections:
    response = http.get(path, headers=BROWSER)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    parsed = _Sections()
    parsed.feed(response.text)
    return parsed


def text(element: Element) -> str:
    return re.sub(r"\s+", " ", element.text).replace(" ,", ",").replace("( ", "(").replace(" )", ")")


# -- a ministry ----------------------------------------------------------------------------------


def test_ministry_page_opens_with_a_summary_of_names_kind_country_and_parent(http: httpx.Client) -> None:
    mosti = page(http, "/id/mosti")
    summary = text(mosti.by_id["main"])
    title = "Ministry of Science, Technology and Innovation"
    assert f"{title} is a ministry of Malaysia, party to 1 agreement" in summary
    names = text(mosti.by_id["summary"])
    assert "Name (English) Ministry of Science, Technology and Innovation" in names
    assert "Name (Malay) Kementerian Sains, Teknologi dan Inovasi" in names
    assert "Acronym Mosti" in names
    assert ("/id/malaysia", "Malaysia") in mosti.all_links
    assert ("/id/government-of-malaysia", "Government of Malaysia") in mosti.all_links


def test_ministry_page_lists_its_agreements_by_label_with_the_quote_and_article(http: httpx.Client) -> None:
    section = page(http, "/id/mosti").by_id["in-hasParty"]
    assert section.links[0] == (
        "/id/mou-mosti-sti-people-exchange",
        "Mosti–China MoU on a science and technology people-to-people exchange programme",
    )
    assert any("science and technology people-to-people exchange programme" in q for q in section.quotes)
    article = ("/id/article/420124348f4a3cdc", "Malaysia and China Focus on Tech and Digital Growth")
    assert article in section.links


def test_facts_never_show_a_raw_id_as_link_text(http: httpx.Client) -> None:
    for path in ("/id/mosti", "/id/visit-xi-malaysia-state-visit", "/id/mou-malaysia-ndrc-digital-economy"):
        links = page(http, path).all_links
        raw = [(h, label) for h, label in links if label.startswith(("http", "/id/")) or label == h[4:]]
        assert not raw, (path, raw)


def test_a_tie_inferred_across_articles_is_marked_with_the_quotes_it_rests_on(http: httpx.Client) -> None:
    section = page(http, "/id/mosti").by_id["out-subOrganizationOf"]
    assert "inferred" in text(section) and "How it was inferred" in text(section)
    assert len(section.quotes) >= 2  # the ministry's quote and the Government of Malaysia's
    assert any(href.startswith("/id/article/") for href, _ in section.links)


def test_a_tie_the_ontology_entails_shows_the_quotes_of_both_links(http: httpx.Client) -> None:
    section = page(http, "/id/exchange-106").by_id["out-locatedIn"]
    assert ("/id/malaysia", "Malaysia") in section.links and "inferred by the ontology" in text(section)
    assert "is transitive" in text(section) and "Kuala Lumpur" in text(section)
    assert section.quotes, "the quotes of Exchange 106 in Kuala Lumpur and of Kuala Lumpur in Malaysia"


def test_page_links_to_its_data_and_the_sparql_behind_it(http: httpx.Client) -> None:
    mosti = page(http, "/id/mosti")
    hrefs = [href for href, _ in mosti.by_id["sparql"].links]
    assert "?_format=ttl" in hrefs and "?_format=jsonld" in hrefs
    summary_query = next(href for href in hrefs if href.startswith("/sparql?format=html"))
    answer = http.get(summary_query, headers=BROWSER)
    assert answer.status_code == 200 and "Kementerian Sains" in answer.text  # runs as written in /sparql
    statements = next(href for href in hrefs if href.startswith("/queries/entity-page?"))
    rows = http.get(statements).json()["results"]["bindings"]
    assert any("people-to-people" in row.get("quote", {}).get("value", "") for row in rows)


# -- an agreement with an inferred date ----------------------------------------------------------


def test_agreement_page_gives_parties_by_side_with_representatives_and_posts(http: httpx.Client) -> None:
    mou = page(http, "/id/mou-malaysia-ndrc-digital-economy")
    parties = text(mou.by_id["parties"])
    malaysian = parties.index("Malaysian side")
    chinese = parties.index("Chinese side")
    assert malaysian < parties.index("represented by Gobind Singh Deo (Minister of Digital") < chinese
    assert chinese < parties.index("National Development and Reform Commission, represented by Zheng Shanjie")


def test_agreement_page_gives_the_date_with_its_precision_and_basis(http: httpx.Client) -> None:
    when = text(page(http, "/id/mou-malaysia-ndrc-digital-economy").by_id["when"])
    assert "16 April 2025 (to the day), inferred from 'yesterday' against the dateline 2025-04-17" in when


def test_agreement_page_names_witnesses_with_their_posts_and_the_ceremony(http: httpx.Client) -> None:
    mou = page(http, "/id/mou-malaysia-ndrc-digital-economy")
    body = text(mou.by_id["main"])
    assert "Witnessed by" in body and "Xi Jinping (President of China)" in body
    ceremony = "Exchange of the Malaysia–NDRC MoUs, witnessed by Anwar Ibrahim and Xi Jinping"
    assert ("/id/ceremony-malaysia-ndrc-mou-exchange", ceremony) in mou.all_links


def test_collection_page_lists_its_documents(http: httpx.Client) -> None:
    collection = page(http, "/id/documents-malaysia-china-li-visit")
    documents = {href for href, _ in collection.by_id["documents"].links}
    assert "/id/mou-mosti-sti-people-exchange" in documents and "/id/mou-mohe-higher-education" in documents
    assert "/id/visit-li-premier-malaysia" in {href for href, _ in collection.all_links}  # concluded during


# -- a visit -----------------------------------------------------------------------------------


def test_visit_page_lists_the_agreements_concluded_during_it_and_its_events(http: httpx.Client) -> None:
    visit = page(http, "/id/visit-xi-malaysia-state-visit")
    main = visit.by_id["concluded"]
    hrefs = {href for href, _ in main.links}
    for agreement in ("mou-malaysia-ndrc-digital-economy", "mou-malaysia-ndrc-artificial-intelligence",
                      "joint-statement-china-malaysia-community-shared-future"):  # fmt: skip
        assert f"/id/{agreement}" in hrefs
    body = text(main)
    assert "inferred" in body and "at Exchange of the Malaysia–NDRC MoUs" in body
    assert "Building on the momentum of Chinese President Xi Jinping’s state visit to Malaysia" in main.quotes


def test_visit_page_gives_visitor_host_dates_and_people_met(http: httpx.Client) -> None:
    visit = page(http, "/id/visit-xi-malaysia-state-visit")
    body = text(visit.by_id["summary"])
    assert "Visitor Xi Jinping" in body and "Host country Malaysia" in body
    assert "Start by 16 April 2025" in body and "End 16 April 2025 or later" in body
    met = text(visit.by_id["met"])
    assert "Anwar Ibrahim" in met and "Gobind Singh Deo" in met


# -- unknown ids and programs ----------------------------------------------------------------------


def test_unknown_id_is_an_html_404_suggesting_close_names(http: httpx.Client) -> None:
    response = http.get("/id/mostii", headers=BROWSER)
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert 'href="/id/mosti"' in response.text


def test_programs_still_get_rdf_at_the_same_url(http: httpx.Client) -> None:
    turtle = http.get("/id/mosti", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.content, format="turtle")
    assert (URIRef(ID + "mosti"), URIRef(JL + "acronym"), None) in graph
    assert 'rel="alternate"; type="application/json"' in turtle.headers["link"]
    html = http.get("/id/mosti", headers=BROWSER)
    assert html.headers["link"] == turtle.headers["link"]  # the same alternates for both


def test_pages_past_the_last_say_so(http: httpx.Client) -> None:
    response = http.get("/id/mosti", params={"_page": 50}, headers=BROWSER)
    assert response.status_code == 200 and "No more statements" in response.text


def test_a_background_fact_is_shown_as_such_with_its_public_source(http: httpx.Client) -> None:
    section = page(http, "/id/ministry-of-digital").by_id["out-predecessor"]
    assert (
        "/id/ministry-of-communications-and-digital",
        "Ministry of Communications and Digital",
    ) in section.links
    assert "background" in text(section) and "no article states it" in text(section)
    sources = {href for href, _ in section.links if href.startswith("https://")}
    assert sources and sources <= _background_sources()  # the public source the facts file names


def _background_sources() -> set[str]:
    """The public sources `ingest/facts/background.yaml` names."""
    import yaml

    path = Path(__file__).parents[1] / "ingest" / "facts" / "background.yaml"
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and node.startswith("https://"):
            found.add(node)

    walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def test_the_evidence_query_says_each_facts_basis_and_reads_background_sources(http: httpx.Client) -> None:
    def basis(entity: str) -> dict[str, set[str]]:
        rows = http.get("/queries/evidence", params={"id": entity}).json()["results"]["bindings"]
        found: dict[str, set[str]] = {}
        for row in rows:
            found.setdefault(row["predicate"]["value"].rsplit("#", 1)[-1], set()).add(row["basis"]["value"])
        return found

    digital = basis("ministry-of-digital")
    assert digital["predecessor"] == {"background"} and digital["subOrganizationOf"] == {"inferred"}
    assert digital["country"] == {"stated"}
    assert basis("mou-malaysia-ndrc-digital-economy")["date"] == {"inferred"}


def test_the_summary_says_when_a_date_is_inferred(http: httpx.Client) -> None:
    mou = page(http, "/id/mou-malaysia-ndrc-digital-economy")
    assert "Date 16 April 2025 (inferred)" in text(mou.by_id["summary"])
    statistic = text(page(http, "/id/stat-china-largest-trading-partner-consecutive-years").by_id["summary"])
    assert "Start 2009 End" in statistic and "End 2023 (inferred)" in statistic  # "since 2009": stated


def test_a_countrys_page_leaves_out_its_party_roles_sides(http: httpx.Client) -> None:
    """A party role's side is the agreement's (its page gives the parties by side): on the
    country's page each role read as a nameless "Side (of)" fact."""
    page = http.get("/id/china", headers=BROWSER).text
    assert "Side (of)" not in page and 'id="in-side"' not in page
    statements = http.get("/queries/entity-page", params={"id": "china", "_size": "500"}).json()
    properties = {row["property"]["value"] for row in statements["results"]["bindings"]}
    assert JL + "side" not in properties and JL + "hasParty" in properties


def test_a_browsers_page_holds_fifty_statements_and_links_the_next(http: httpx.Client) -> None:
    rows = http.get("/queries/entity-page", params={"id": "malaysia", "_size": "500"}).json()
    statements = {
        tuple(row[k]["value"] for k in ("subject", "property", "object"))
        for row in rows["results"]["bindings"]
    }
    first = http.get("/id/malaysia", headers=BROWSER)
    if len(statements) > 50:
        assert 'rel="next"' in first.headers["Link"] and "_page=2" in first.headers["Link"]
    else:
        assert 'rel="next"' not in first.headers.get("Link", "")
    asked = http.get("/id/malaysia", params={"_size": "500"}, headers=BROWSER)
    assert 'rel="next"' not in asked.headers.get("Link", "")
