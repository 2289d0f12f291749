"""Lists with facets and canned queries as forms, for browsers, at the URLs programs use.

Each facet value's link must narrow the list to exactly the number it shows; each page's CSV
and JSON links must hold exactly the page's rows; programs keep getting the JSON they got.
"""

import csv
import io
import re
from html.parser import HTMLParser

import httpx
import pytest

from jalinan.api.explorer.query_pages import markdown

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
ID = "https://w3id.org/jalinan/id/"


class _Page(HTMLParser):
    """The links of a list page: by facet section, the table's first-column links, downloads."""

    def __init__(self) -> None:
        super().__init__()
        self.facets: dict[str, list[tuple[str, int]]] = {}  # facet → [(href, count)]
        self.rows: list[str] = []  # the first link of each table row
        self.links: dict[str, str] = {}  # link text → href
        self._facet: str | None = None
        self._href: str | None = None
        self._text = ""
        self._in_row = False
        self._row_linked = False
        self._count = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and (a.get("aria-labelledby") or "").startswith("facet-"):
            self._facet = (a["aria-labelledby"] or "").removeprefix("facet-")
            self.facets[self._facet] = []
        if tag == "tr":
            self._in_row, self._row_linked = True, False
        if tag == "a":
            self._href, self._text = a.get("href"), ""
        if tag == "span" and a.get("class") == "count":
            self._count, self._text = True, ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._facet = None
        if tag == "tr":
            self._in_row = False
        if tag == "a" and self._href is not None:
            self.links[self._text.strip()] = self._href
            if self._in_row and not self._row_linked:
                self.rows.append(self._href)
                self._row_linked = True
            if self._facet is not None:
                self.facets[self._facet].append((self._href, -1))
            self._href = None
        if tag == "span" and self._count and self._facet is not None and self.facets[self._facet]:
            href, _ = self.facets[self._facet][-1]
            self.facets[self._facet][-1] = (href, int(self._text.replace(",", "")))
            self._count = False

    def handle_data(self, data: str) -> None:
        self._text += data


def _page(http: httpx.Client, url: str, **params: str) -> _Page:
    response = http.get(url, params=params or None, headers=BROWSER)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    parsed = _Page()
    parsed.feed(response.text)
    return parsed


def _ids_in_csv(http: httpx.Client, href: str, column: str) -> list[str]:
    response = http.get(href, headers=BROWSER)  # a browser following the link
    assert response.headers["content-type"].startswith("text/csv"), response.headers["content-type"]
    ids = [row[column].removeprefix(ID) for row in csv.DictReader(io.StringIO(response.text))]
    return list(dict.fromkeys(ids))


def _ids_in_json(http: httpx.Client, href: str, column: str) -> list[str]:
    answer = http.get(href, headers=BROWSER).json()
    return list(dict.fromkeys(b[column]["value"].removeprefix(ID) for b in answer["results"]["bindings"]))


def _listed(page: _Page) -> list[str]:
    return [href.removeprefix("/id/") for href in page.rows]


def _whole_list(http: httpx.Client, href: str, key: str) -> list[str]:
    """Every subject of the list a facet link opens, from its JSON twin at the largest page."""
    query = href.split("?", 1)[1] if "?" in href else ""
    name = href.split("?", 1)[0].strip("/")
    return _ids_in_json(http, f"/queries/{name}?{query}&_size=500&_format=json", key)


LISTS = [
    ("/agreements", "agreement", ["topic", "year", "status", "kind", "side", "party"]),
    ("/organisations", "organisation", ["country", "kind", "sector"]),
    # (no curated visit is dated within one year, so its year facet is empty here; agreements'
    # year facet checks the same reading of a date's year)
    ("/visits", "visit", ["visitor", "country"]),
]


@pytest.mark.parametrize(
    ("path", "key", "facet"), [(path, key, facet) for path, key, facets in LISTS for facet in facets]
)
def test_each_facet_value_narrows_the_list_to_the_number_it_shows(
    http: httpx.Client, path: str, key: str, facet: str
) -> None:
    page = _page(http, path)
    values = page.facets[facet]
    assert values, f"the {facet} facet of {path} shows no value"
    for href, count in values[:3]:
        assert href.startswith(path + "?") and f"{facet}=" in href
        assert count > 0
        assert len(_whole_list(http, href, key)) == count, href


def test_choosing_two_facets_narrows_by_both_and_shows_them_as_removable(http: httpx.Client) -> None:
    everything = _whole_list(http, "/agreements", "agreement")
    by_topic = _whole_list(http, "/agreements?topic=digital-economy", "agreement")
    by_year = _whole_list(http, "/agreements?year=2025", "agreement")
    both = _page(http, "/agreements", topic="digital-economy", year="2025")
    assert set(_listed(both)) == set(by_topic) & set(by_year)
    assert 0 < len(_listed(both)) < len(by_topic) <= len(everything)
    assert both.links["Clear all"] == "/agreements"
    removals = {text: href for text, href in both.links.items() if text in ("×", "remove")}
    assert removals, "a chosen filter has no link that removes it"


@pytest.mark.parametrize(
    ("path", "key", "params"),
    [
        ("/agreements", "agreement", {}),
        ("/agreements", "agreement", {"topic": "digital-economy", "year": "2025"}),
        ("/agreements", "agreement", {"_size": "5", "_page": "2"}),
        ("/organisations", "organisation", {"country": "china"}),
        ("/organisations", "organisation", {"_size": "4", "_page": "3"}),
        ("/visits", "visit", {"country": "malaysia"}),
        ("/people", "person", {"_size": "3", "_page": "2"}),
    ],
)
def test_the_csv_and_json_links_hold_exactly_the_rows_the_page_shows(
    http: httpx.Client, path: str, key: str, params: dict[str, str]
) -> None:
    page = _page(http, path, **params)
    listed = _listed(page)
    assert listed, f"{path} {params} lists nothing"
    assert _ids_in_csv(http, page.links["CSV"], key) == listed
    assert _ids_in_json(http, page.links["JSON"], key) == listed


def test_pages_follow_each_other_without_gaps_or_repeats(http: httpx.Client) -> None:
    first = _page(http, "/agreements", _size="6")
    second = _page(http, "/agreements?" + first.links["Next →"].split("?", 1)[1])
    assert "← Previous" in second.links
    assert _listed(first) + _listed(second) == _whole_list(http, "/agreements", "agreement")[:12]


def test_every_row_links_to_its_entity_page_by_label(http: httpx.Client) -> None:
    response = http.get("/agreements", headers=BROWSER)
    rows = re.findall(r'<td><a href="/id/([^"]+)">([^<]+)</a></td>', response.text)
    assert rows and all(label != identifier for identifier, label in rows)
    assert http.get(f"/id/{rows[0][0]}", headers=BROWSER).status_code == 200


def test_programs_still_get_the_friendly_json_at_the_same_urls(http: httpx.Client) -> None:
    for path in ("/agreements", "/organisations", "/visits", "/people"):
        answer = http.get(path, headers={"Accept": "application/json"})
        assert answer.headers["content-type"] == "application/json", path
        assert set(answer.json()) == {"query", "count", "items", "next"}, path
    by_topic = http.get("/agreements", params={"topic": "digital-economy"}).json()
    assert by_topic["query"].endswith("/queries/agreements-by-topic?topic=digital-economy")


def test_a_year_that_is_not_a_year_is_a_422_naming_it(http: httpx.Client) -> None:
    answer = http.get("/queries/agreements", params={"year": "20x5"})
    assert answer.status_code == 422 and answer.json()["parameter"] == "year"
    page = http.get("/agreements", params={"year": "20x5"}, headers=BROWSER)
    assert page.status_code == 422 and "text/html" in page.headers["content-type"] and "year" in page.text


def test_a_party_that_names_nothing_is_a_404_page_with_close_names(http: httpx.Client) -> None:
    page = http.get("/agreements", params={"party": "Ministry of Digitl"}, headers=BROWSER)
    assert page.status_code == 404 and "Ministry of Digital" in page.text


def test_the_query_list_is_cards_with_rendered_descriptions(http: httpx.Client) -> None:
    text = http.get("/queries", headers=BROWSER).text
    assert '<a href="/queries/agreements-by-party">Agreements by party</a>' in text
    assert "<code>" in text  # backticks in descriptions are rendered, not shown raw
    assert "`" not in re.sub(r"<pre.*?</pre>", "", text, flags=re.S)


def test_a_canned_query_page_has_a_labelled_field_per_parameter(http: httpx.Client) -> None:
    text = http.get("/queries/organisations", headers=BROWSER).text
    for name in ("country", "kind", "sector"):
        assert f'<label for="param-{name}">' in text and f'id="param-{name}"' in text
    assert '<option value="Ministry"' in text  # a kind is a choice
    assert 'placeholder="e.g. China"' in text


def test_a_canned_query_form_answers_a_table_linked_by_label_with_downloads(http: httpx.Client) -> None:
    page = _page(http, "/queries/agreements-by-party", party="Mosti")
    assert "mou-mosti-sti-people-exchange" in _listed(page)
    assert _ids_in_csv(http, page.links["CSV"], "agreement") == _ids_in_json(
        http, page.links["JSON"], "agreement"
    )
    assert "mou-mosti-sti-people-exchange" in _ids_in_csv(http, page.links["CSV"], "agreement")
    opened = page.links["open it in the SPARQL editor"]
    assert opened.startswith("/sparql?") and "format=html" in opened
    assert http.get(opened, headers=BROWSER).status_code == 200


def test_a_required_parameter_left_empty_asks_for_it_with_the_example(http: httpx.Client) -> None:
    text = http.get("/queries/agreements-by-party", headers=BROWSER).text
    assert "Fill in party" in text and 'href="/queries/agreements-by-party?party=' in text  # its example


def test_programs_still_get_sparql_results_from_canned_queries(http: httpx.Client) -> None:
    answer = http.get("/queries/agreements-by-party", params={"party": "Mosti"})
    assert answer.headers["content-type"].startswith("application/sparql-results+json")
    assert http.get("/queries", headers={"Accept": "application/json"}).json()["queries"]


def test_descriptions_render_markdown_but_never_raw_html() -> None:
    html = markdown(
        "Agreements on a *topic*: `digital-economy`. <script>alert(1)</script> [x](javascript:alert(1))"
    )
    assert "<em>topic</em>" in html and "<code>digital-economy</code>" in html
    assert "<script>" not in html and 'href="javascript' not in html


def test_a_date_known_only_as_a_bound_reads_with_its_word() -> None:
    from jalinan.api.explorer.templating import period

    assert period("by 2025-04-17") == "by 17 April 2025"
    assert period("from 2024") == "from 2024"


def test_facet_counts_are_read_once_per_filter_set_and_data_version() -> None:
    from pathlib import Path

    from jalinan.api.explorer.lists import FacetMemo
    from jalinan.queries.catalogue import load_catalogue

    class Store:
        version: str | None = "v1"
        reads = 0

        def query(self, sparql: str, **options: object) -> object:
            from jalinan.graph.results import SelectResult

            Store.reads += 1
            return SelectResult(["facet", "value", "label", "count"], [])

    memo, store = FacetMemo(size=2), Store()
    query = load_catalogue()["agreements"]
    path = Path(query.path).parents[1] / "facets" / "agreements.rq"
    memo.counts(store, query, path, {"kind": "Protocol"})  # type: ignore[arg-type]
    memo.counts(store, query, path, {"kind": "Protocol"})  # type: ignore[arg-type]
    assert Store.reads == 1
    store.version = "v2"  # a write: counted again
    memo.counts(store, query, path, {"kind": "Protocol"})  # type: ignore[arg-type]
    assert Store.reads == 2 and len(memo.entries) == 1
