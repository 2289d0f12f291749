"""The entity page lists an entity's own statements first, then those about it, in pages that join
up to the whole answer: the order its page query states (`queries/entity-page/page.rq`).

The query has no `ORDER BY` (sorting every statement of a busy party on each request is what
the lists avoid), so the order is the one Oxigraph's plan gives; written without each branch's
`BIND (n AS ?direction)`, that put the incoming statements first, and a busy party's own type
and country on its last page. These tests catch a planner that orders otherwise.
"""

from pathlib import Path

import pytest

from jalinan.api.reading import read
from jalinan.graph import OxigraphStore, open_store
from jalinan.graph.namespaces import ID
from jalinan.queries.catalogue import Page, load_catalogue
from tests.conftest import build_store

ENTITY_PAGE = load_catalogue()["entity-page"]
# entities with statements both ways in the curated facts: a country, a ministry, a person
ENTITIES = ("malaysia", "mosti", "gobind-singh-deo")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    path = build_store(tmp_path_factory.mktemp("entity-page") / "store")
    with open_store(Path(path), read_only=True) as opened:
        yield opened


def _statements(store: OxigraphStore, entity: str, page: Page) -> list[tuple[str, ...]]:
    reading = read(store, ENTITY_PAGE, {"id": entity}, page)
    return [tuple(term.value for term in subject) for subject in reading.subjects]


@pytest.mark.parametrize("entity", ENTITIES)
def test_an_entitys_own_statements_come_before_those_about_it(store: OxigraphStore, entity: str) -> None:
    whole = _statements(store, entity, Page(1, 500))
    outgoing = [row[0] == ID + entity for row in whole]
    assert any(outgoing) and not all(outgoing), "the entity needs statements both ways"
    first_incoming = outgoing.index(False)
    assert not any(outgoing[first_incoming:]), f"{entity}: an outgoing statement after an incoming one"


@pytest.mark.parametrize("entity", ENTITIES)
def test_an_entitys_pages_give_every_statement_once_in_the_whole_answers_order(
    store: OxigraphStore, entity: str
) -> None:
    whole = _statements(store, entity, Page(1, 500))
    size = max(2, len(whole) // 5)
    pages: list[tuple[str, ...]] = []
    number = 1
    while True:
        reading = read(store, ENTITY_PAGE, {"id": entity}, Page(number, size))
        pages += [tuple(term.value for term in subject) for subject in reading.subjects]
        if not reading.has_next:
            break
        number += 1
    assert pages == whole and len(set(pages)) == len(pages)
