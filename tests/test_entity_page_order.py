"""The entity page lists an entity's own statements, then those about it, then the ties the
ontology entails (its own, then about it), in pages that join up to the whole answer: the order
its page query states (`queries/entity-page/page.rq`), on every backend.

The page is read in four parts (`then:` in the page query's header), each to its end before the
next, so that order rests on the runner, not on how an engine orders a `UNION` (Oxigraph 0.5
gave the branches of one query in an order that changed with a filter's wording, and put a busy
party's own type and country on its last page).
"""

from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from jalinan.api.reading import read
from jalinan.graph import OxigraphStore, open_store
from jalinan.graph.namespaces import ID, JL
from jalinan.queries.catalogue import Page, load_catalogue
from tests.backends import over_every_backend
from tests.conftest import build_store

api_server, http, _known = over_every_backend()

ENTITY_PAGE = load_catalogue()["entity-page"]
INFERRED = "https://w3id.org/jalinan/graph/inferred"
# entities with statements both ways in the curated facts: a country (and a tie entailed to it),
# a ministry, a person, and an exchange (a tie entailed from it: located in Malaysia)
ENTITIES = ("malaysia", "mosti", "gobind-singh-deo", "exchange-106")
PARTS = ("its own", "about it", "entailed, its own", "entailed, about it")


def _part(entity: str, subject: str, graph: str | None) -> int:
    """Which part of the page a statement belongs to, by the page's stated order."""
    return (0 if subject == ID + entity else 1) + (2 if graph == INFERRED else 0)


def _whole(http: httpx.Client, entity: str) -> list[tuple[str, ...]]:
    """The page's statements, each once, in the order the canned query gives them."""
    rows = http.get("/queries/entity-page", params={"id": entity, "_size": "500"}).json()
    return list(
        dict.fromkeys(
            tuple(row.get(k, {}).get("value", "") for k in ("subject", "property", "object", "graph"))
            for row in rows["results"]["bindings"]
        )
    )


@pytest.mark.parametrize("entity", ENTITIES)
def test_an_entitys_own_statements_come_first_then_those_about_it_then_the_entailed(
    http: httpx.Client, entity: str
) -> None:
    whole = _whole(http, entity)
    parts = [_part(entity, subject, graph) for subject, _, _, graph in whole]
    assert 0 in parts and 1 in parts, f"{entity} needs statements both ways"
    assert parts == sorted(parts), f"{entity}: {[PARTS[p] for p in parts]}"


def test_a_tie_the_ontology_entails_comes_after_the_asserted_ones_both_ways(http: httpx.Client) -> None:
    """Exchange 106 `located in` Malaysia, entailed through Kuala Lumpur: after the asserted
    statements on the exchange's page (its own) and on Malaysia's (about it)."""
    for entity, part in (("exchange-106", 2), ("malaysia", 3)):
        whole = _whole(http, entity)
        entailed = [i for i, (s, _, _, g) in enumerate(whole) if _part(entity, s, g) == part]
        assert entailed, f"{entity}: the entailed tie is missing"
        assert entailed[-1] == len(whole) - 1 and entailed[0] > 0


def test_an_entity_page_shows_none_of_ingests_list_bookkeeping(http: httpx.Client) -> None:
    """The lists ingest prepares (an agreement's key and block, a list naming its party or
    country, `…/list-order/…` and `…/list-members/…`) are not statements about an entity."""
    for entity in ("malaysia", "china", "mosti", "mou-mosti-sti-people-exchange"):
        whole = _whole(http, entity)
        assert whole, entity
        listed = [row for row in whole if "/graph/list-" in row[3]]
        assert not listed, f"{entity}: {listed}"


def test_an_entity_page_shows_none_of_the_words_search_finds_it_by(http: httpx.Client) -> None:
    """Match keys and search words (of every name, and of its short names) are ingest's index for
    `/search`, not statements: the page's summary gives the names they come from."""
    index = {JL + "matchKey", JL + "searchToken", JL + "shortNameToken"}
    for entity in ("malaysia", "mosti", "mou-mosti-sti-people-exchange"):
        whole = _whole(http, entity)
        assert whole, entity
        assert not [row for row in whole if row[1] in index], entity


def test_next_links_at_a_small_size_give_the_whole_page_once_in_order(http: httpx.Client) -> None:
    whole = _whole(http, "malaysia")
    size = max(2, len(whole) // 5)
    url: str | None = f"/queries/entity-page?id=malaysia&_size={size}"
    pages: list[tuple[str, ...]] = []
    while url is not None:
        response = http.get(url)
        assert response.status_code == 200
        pages += _whole_rows(response)
        following = response.links.get("next")
        url = urljoin(url, following["url"]) if following else None
    assert pages == whole


def _whole_rows(response: httpx.Response) -> list[tuple[str, ...]]:
    return list(
        dict.fromkeys(
            tuple(row.get(k, {}).get("value", "") for k in ("subject", "property", "object", "graph"))
            for row in response.json()["results"]["bindings"]
        )
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    path = build_store(tmp_path_factory.mktemp("entity-page") / "store")
    with open_store(Path(path), read_only=True) as opened:
        yield opened


def _statements(store: OxigraphStore, entity: str, page: Page) -> list[tuple[str, ...]]:
    reading = read(store, ENTITY_PAGE, {"id": entity}, page)
    return [tuple(term.value for term in subject) for subject in reading.subjects]


@pytest.mark.parametrize("entity", ENTITIES)
@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_pages_of_any_size_give_every_statement_once_in_the_whole_answers_order(
    store: OxigraphStore, entity: str, size: int
) -> None:
    """Pages that end inside a part, at its end, or start past one (the runner counts the part
    to know where the next begins)."""
    whole = _statements(store, entity, Page(1, 500))
    pages: list[tuple[str, ...]] = []
    number = 1
    while True:
        reading = read(store, ENTITY_PAGE, {"id": entity}, Page(number, size))
        assert len(reading.subjects) <= size
        pages += [tuple(term.value for term in subject) for subject in reading.subjects]
        if not reading.has_next:
            break
        number += 1
    assert pages == whole and len(set(pages)) == len(pages)
    assert not read(store, ENTITY_PAGE, {"id": entity}, Page(number + 1, size)).subjects
