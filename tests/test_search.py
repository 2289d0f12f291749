"""Search (`/search?q=`): every name finds its entity, in English, Malay or Chinese, in any
case, without accents, word by word and despite small typos; results grouped by kind with
facets that narrow them; an empty result says so and offers close names. Programs keep the
friendly JSON of `/search`; browsers get a page at the same URL.

The names come from the curated facts themselves (`ingest/facts/`), so the tests follow the
facts as articles are added.
"""

import re
from html.parser import HTMLParser

import httpx
import pytest

from jalinan.api.search_terms import PREFIX, TYPO, Vocabulary, allowed_edits
from jalinan.graph.keys import fold, search_tokens
from jalinan.queries.catalogue import ParameterError, load_catalogue, search_words
from tests.support import curated_nodes

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
JL = "https://w3id.org/jalinan/ontology#"


NODES = curated_nodes()
NAMED = [
    (node["id"], language, name)
    for node in NODES
    for language, name in sorted((node.get("labels") or {}).items())
] + [(node["id"], "acronym", acronym) for node in NODES for acronym in node.get("acronyms") or []]


def _ids(http: httpx.Client, q: str, **filters: str) -> list[str]:
    answer = http.get("/search", params={"q": q, "_size": 500, **filters})
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


# --- the words of a name -------------------------------------------------------------------


def test_names_are_folded_without_case_or_accents() -> None:
    assert fold("Zürich CAFÉ") == "zurich cafe"
    assert search_tokens("Kementerian Sains, Teknologi dan Inovasi") == [
        "kementerian", "sains", "teknologi", "dan", "inovasi"
    ]  # fmt: skip


def test_a_name_is_cut_into_words_at_dashes_and_punctuation() -> None:
    assert search_tokens("Mosti–China MoU (STI)") == ["mosti", "china", "mou", "sti"]


def test_chinese_names_are_cut_into_overlapping_pairs_of_characters() -> None:
    assert search_tokens("国家数据局") == ["国家", "家数", "数据", "据局"]
    assert search_tokens("华为") == ["华为"]
    assert search_tokens("中国5G") == ["中国", "5g"]


def test_a_searched_text_drops_stop_words_unless_nothing_else_is_left() -> None:
    assert search_words("the Ministry of Science") == ["ministry", "science"]
    assert search_words("of") == ["of"]


def test_typos_are_forgiven_only_in_words_long_enough_to_tell() -> None:
    assert allowed_edits("moa") == 0 and allowed_edits("mosty") == 1 and allowed_edits("innovasion") == 2


def test_candidates_hold_the_word_its_longer_forms_and_words_a_typo_away() -> None:
    words = Vocabulary(sorted(["centres", "centre", "mosti", "huawei", "ministry", "miti"]))
    found = dict(words.candidates("centre"))
    assert found["centre"] == 0 and found["centres"] == PREFIX
    assert dict(words.candidates("center"))["centre"] == TYPO  # a swap of two letters is one typo
    assert dict(words.candidates("huawie"))["huawei"] == TYPO
    assert dict(words.candidates("mot")) == {"mot": 0}  # three letters: no typo ("mit", "moa"…)
    assert dict(words.candidates("mit"))["miti"] == PREFIX
    assert dict(words.candidates("zzzz")) == {"zzzz": 0}


def test_a_text_without_words_is_refused_naming_the_parameter() -> None:
    q = load_catalogue()["search"].parameters[0]
    with pytest.raises(ParameterError) as raised:
        q.binding("— ; ,")
    assert raised.value.parameter == "q"


# --- what a search finds --------------------------------------------------------------------


def test_an_acronym_finds_its_entity_first_in_any_case(http: httpx.Client) -> None:
    for q in ("Mosti", "MOSTI", "mosti"):
        items = http.get("/search", params={"q": q}).json()["items"]
        assert items[0]["id"] == "mosti" and items[0]["exact"] is True


@pytest.mark.parametrize(("entity", "language", "name"), NAMED, ids=[f"{e}-{lang}" for e, lang, _ in NAMED])
def test_every_malay_and_chinese_name_and_acronym_finds_its_entity(
    http: httpx.Client, entity: str, language: str, name: str
) -> None:
    assert entity in _ids(http, name)


def test_there_are_malay_and_chinese_names_to_search() -> None:
    languages = {language for _, language, _ in NAMED}
    assert {"ms", "zh", "acronym"} <= languages


def test_part_of_a_chinese_name_finds_it(http: httpx.Client) -> None:
    node = next(node for node in NODES if len((node.get("labels") or {}).get("zh", "")) >= 4)
    assert node["id"] in _ids(http, node["labels"]["zh"][:3])


def test_one_chinese_character_finds_the_names_that_hold_it(http: httpx.Client) -> None:
    node = next(node for node in NODES if len((node.get("labels") or {}).get("zh", "")) >= 4)
    last = node["labels"]["zh"][-1]  # at the end of the name: only the last pair holds it
    assert node["id"] in _ids(http, last)


def test_words_of_a_name_in_any_order_find_it(http: httpx.Client) -> None:
    assert "mosti" in _ids(http, "science ministry")
    assert "mosti" in _ids(http, "the ministry of science")


def test_accents_typed_or_not_find_the_same(http: httpx.Client) -> None:
    assert _ids(http, "Kementérian Sàins") == _ids(http, "kementerian sains")
    assert "mosti" in _ids(http, "Kementérian Sàins")


def test_small_typos_still_find_the_entity(http: httpx.Client) -> None:
    assert "mosti" in _ids(http, "Mosty")
    assert "huawei" in _ids(http, "Huawie")


def test_american_spelling_finds_the_british_name(http: httpx.Client) -> None:
    found = _ids(http, "data center")
    assert "concept/topic/data-centres" in {i.removeprefix("https://w3id.org/jalinan/") for i in found}


def test_exact_names_come_before_names_found_by_a_typo(http: httpx.Client) -> None:
    items = http.get("/search", params={"q": "Miti"}).json()["items"]
    assert items[0]["id"] == "miti" and items[0]["exact"] is True
    assert all(not item["exact"] for item in items[1:])


def test_a_start_of_a_word_finds_the_longer_word(http: httpx.Client) -> None:
    assert "mosti" in _ids(http, "Kementerian Sains Tekno")


def test_every_result_names_its_kind_and_a_quote_or_is_a_concept(http: httpx.Client) -> None:
    items = http.get("/search", params={"q": "ministry", "_size": 500}).json()["items"]
    assert items
    for item in items:
        assert item["kind"].startswith(JL) and item["label"]
        assert item["sources"] or "/concept/" in item["iri"]


def test_the_kind_facet_narrows_the_results(http: httpx.Client) -> None:
    every = _ids(http, "mosti")
    organisations = http.get("/search", params={"q": "mosti", "kind": "Organization"}).json()["items"]
    assert {item["kind"] for item in organisations} == {JL + "Organization"}
    assert "mosti" in every and "mosti" in [item["id"] for item in organisations]
    assert "mosti" not in _ids(http, "mosti", kind="Agreement")
    assert len(organisations) < len(every)


def test_the_country_facet_narrows_the_results(http: httpx.Client) -> None:
    items = http.get("/search", params={"q": "ministry", "country": "china", "_size": 500}).json()["items"]
    assert items
    for item in items:
        countries = item["country"] if isinstance(item["country"], list) else [item["country"]]
        assert "https://w3id.org/jalinan/id/china" in countries
    assert "mosti" not in [item["id"] for item in items]


def test_a_country_that_names_nothing_is_a_404_naming_it(http: httpx.Client) -> None:
    answer = http.get("/search", params={"q": "ministry", "country": "Atlantis"})
    assert answer.status_code == 404 and "country" in answer.text


def test_an_unknown_kind_is_a_422_listing_the_kinds(http: httpx.Client) -> None:
    answer = http.get("/search", params={"q": "ministry", "kind": "Spaceship"})
    assert answer.status_code == 422 and "Organization" in answer.text


def test_text_that_looks_like_sparql_is_searched_as_words(http: httpx.Client) -> None:
    answer = http.get("/search", params={"q": '"} } UNION { ?s ?p ?o } #'})
    assert answer.status_code == 200
    assert all(item["id"] != "mosti" for item in answer.json()["items"])


# --- programs: the friendly JSON keeps its shape --------------------------------------------


def test_the_json_keeps_its_fields_and_links_the_same_canned_query(http: httpx.Client) -> None:
    answer = http.get("/search", params={"q": "ndrc"}).json()
    assert set(answer) == {"query", "count", "items", "next"}
    assert answer["query"].endswith("/queries/search?q=ndrc")
    item = next(item for item in answer["items"] if item["id"] == "ndrc")
    assert {"id", "iri", "label", "type", "matched", "exact", "sources"} <= set(item)
    canned = http.get("/queries/search", params={"q": "ndrc"}).json()["results"]["bindings"]
    assert {row["entity"]["value"] for row in canned} == {item["iri"] for item in answer["items"]}


def _match_keys(http: httpx.Client, iris: list[str]) -> dict[str, set[str]]:
    """Each entity's `jl:matchKey`s (lower-cased labels, aliases, acronyms), read over /sparql."""
    query = (
        f"SELECT ?e ?k WHERE {{ VALUES ?e {{ {' '.join(f'<{iri}>' for iri in iris)} }} "
        f"?e <{JL}matchKey> ?k }}"
    )
    rows = http.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    keys: dict[str, set[str]] = {}
    for row in rows.json()["results"]["bindings"]:
        keys.setdefault(row["e"]["value"], set()).add(row["k"]["value"])
    return keys


def _listed(value: object) -> list:
    return value if isinstance(value, list) else [value]


# Texts whose old (substring) search found things: a word many names share, acronyms, a
# Malay word, part of a name across a dash.
_OLD_TEXTS = ["ministry", "Mosti", "NDRC", "kementerian", "china"]


@pytest.mark.parametrize("q", _OLD_TEXTS)
def test_matched_lists_the_names_holding_the_text_as_json_clients_always_got(
    http: httpx.Client, q: str
) -> None:
    """`matched` (since /search's first version): the entity's match keys that hold the text,
    and `exact` whether each equals it, in the keys' order; not the label the explorer shows."""
    items = http.get("/search", params={"q": q, "_size": 500}).json()["items"]
    keys = _match_keys(http, [item["iri"] for item in items])
    text = q.casefold()
    held_somewhere = 0
    for item in items:
        holding = sorted(key for key in keys.get(item["iri"], ()) if text in key)
        if not holding:  # found by its words only (the old search did not find it)
            assert _listed(item["matched"]) == [item["label"].lower()], item
            continue
        held_somewhere += 1
        assert _listed(item["matched"]) == holding, item
        expected_exact = list(dict.fromkeys(key == text for key in holding))
        assert _listed(item["exact"]) == expected_exact, item
    assert held_somewhere, f"no result of {q!r} holds it in a name"


def test_the_canned_search_keeps_its_columns_first_in_their_order(http: httpx.Client) -> None:
    head = http.get("/queries/search", params={"q": "mosti"}).json()["head"]["vars"]
    assert head[:7] == ["entity", "label", "type", "matched", "exact", "source", "quote"]


def test_json_clients_still_get_json_from_search(http: httpx.Client) -> None:
    answer = http.get("/search", params={"q": "mosti"}, headers={"Accept": "application/json"})
    assert answer.headers["content-type"].startswith("application/json")


# --- browsers: the page ---------------------------------------------------------------------


class _Page(HTMLParser):
    """Headings, links (href and text) and context lines of a search page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.headings: list[str] = []
        self.contexts: list[str] = []
        self._open: tuple[str, dict[str, str | None]] | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("a", "h2", "p"):
            self._open, self._text = (tag, dict(attrs)), ""

    def handle_data(self, data: str) -> None:
        self._text += data

    def handle_endtag(self, tag: str) -> None:
        if self._open is None or self._open[0] != tag:
            return
        attrs, text = self._open[1], " ".join(self._text.split())
        if tag == "a":
            self.links.append((attrs.get("href") or "", text))
        elif tag == "h2":
            self.headings.append(text)
        elif "context" in (attrs.get("class") or ""):
            self.contexts.append(text)
        self._open = None


def _page(http: httpx.Client, **params: str) -> tuple[httpx.Response, _Page]:
    response = http.get("/search", params=params, headers=BROWSER)
    parsed = _Page()
    parsed.feed(response.text)
    return response, parsed


def test_browsers_get_results_grouped_by_kind_each_linked_by_its_label(http: httpx.Client) -> None:
    response, page = _page(http, q="Mosti")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "Organisations" in page.headings and "Agreements" in page.headings
    assert page.headings.index("Organisations") < page.headings.index("Agreements")
    assert ("/id/mosti", "Ministry of Science, Technology and Innovation") in page.links


def test_each_result_has_a_context_line_with_its_class_country_and_parent(http: httpx.Client) -> None:
    _, page = _page(http, q="Mosti", kind="Organization")
    assert any(
        line.startswith("Ministry") and "Malaysia" in line and "part of Government of Malaysia" in line
        for line in page.contexts
    ), page.contexts


def test_facet_links_narrow_the_page_without_javascript(http: httpx.Client) -> None:
    _, page = _page(http, q="Mosti")
    facet = next(href for href, text in page.links if "kind=Organization" in href)
    narrowed = http.get(facet.replace("&amp;", "&"), headers=BROWSER)
    parsed = _Page()
    parsed.feed(narrowed.text)
    assert "Agreements" not in parsed.headings and "Organisations" in parsed.headings
    assert any("show every kind" in text for _, text in parsed.links)


def test_an_empty_result_says_so_and_suggests_close_names(http: httpx.Client) -> None:
    response, page = _page(http, q="Ministry of Science Technology Innovation Berhad")
    assert response.status_code == 200
    assert any(heading.startswith("Nothing found") for heading in page.headings)
    assert ("/id/mosti", "Ministry of Science, Technology and Innovation") in page.links


def test_the_page_without_a_text_shows_the_search_box(http: httpx.Client) -> None:
    response = http.get("/search", headers=BROWSER)
    assert response.status_code == 200 and 'id="search-q"' in response.text


def test_a_page_of_results_links_to_the_next(http: httpx.Client) -> None:
    _, page = _page(http, q="ministry", _size="2")
    following = [href for href, text in page.links if text == "More results"]
    assert following and "_page=2" in following[0]
    _, second = _page(http, q="ministry", _size="2", _page="2")
    firsts = {href for href, _ in page.links if href.startswith("/id/")}
    seconds = {href for href, _ in second.links if href.startswith("/id/")}
    assert firsts and seconds and not firsts & seconds  # no entity on both pages


def test_the_search_page_loads_only_from_this_server(http: httpx.Client) -> None:
    text = http.get("/search", params={"q": "Mosti"}, headers=BROWSER).text
    for url in re.findall(r'(?:src|href)="([^"]+)"', text):
        assert not re.match(r"^(https?:)?//", url), url
