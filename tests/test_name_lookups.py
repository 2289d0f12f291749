"""Naming an entity in every way a user may, on every backend: the look-up of `evidence` (in the
query itself) and the pipelines' shared one (`shared/names.rq`, here through `entity-page`).

Both are written as two branches, by match key and by IRI, so that Oxigraph looks each row up by
index (queries/README.md, "Looking a name up in one query"); Virtuoso 7 answered an earlier
form of that wrongly when the name gave a single row (an IRI, or a name that is not id-shaped),
so each way is asked on its own here.
"""

import httpx
import pytest

from tests.backends import over_every_backend

api_server, http, _known = over_every_backend()

ID = "https://w3id.org/jalinan/id/"


def bindings(http: httpx.Client, name: str, **params: str) -> list[dict]:
    response = http.get(f"/queries/{name}", params=params)
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def as_set(rows: list[dict]) -> set[tuple]:
    return {tuple(sorted((k, v["value"]) for k, v in row.items())) for row in rows}


@pytest.mark.parametrize(
    "name",
    ["mosti", "MOSTI", f"{ID}mosti", "Ministry of Science, Technology and Innovation"],
)
def test_evidence_for_mosti_is_the_same_by_id_acronym_iri_or_full_name(http: httpx.Client, name: str) -> None:
    rows = bindings(http, "evidence", id=name)
    assert rows, name
    assert as_set(rows) == as_set(bindings(http, "evidence", id="mosti"))
    assert all(ID + "mosti" in (r["subject"]["value"], r["object"]["value"]) for r in rows)


def test_evidence_for_a_date_named_by_iri_lists_the_facts_dated_by_it(http: httpx.Client) -> None:
    # a date node has a type but no match key: found by its IRI alone
    date = ID + "date/2025-04-16"
    rows = bindings(http, "evidence", id=date)
    assert rows and all(r["object"]["value"] == date for r in rows)
    assert all("quote" in r for r in rows)


def test_evidence_for_an_iri_nothing_has_is_empty(http: httpx.Client) -> None:
    assert bindings(http, "evidence", id=ID + "no-such-entity") == []


@pytest.mark.parametrize("name", ["MOSTI", f"{ID}mosti", "Ministry of Science, Technology and Innovation"])
def test_entity_page_by_acronym_iri_or_full_name_is_the_page_by_id(http: httpx.Client, name: str) -> None:
    rows = bindings(http, "entity-page", id=name)
    assert rows, name
    assert as_set(rows) == as_set(bindings(http, "entity-page", id="mosti"))


def test_entity_page_of_an_agreement_gives_its_dates_precision(http: httpx.Client) -> None:
    # the objects' parts (a date's precision) are read once per object and joined to each row
    rows = bindings(http, "entity-page", id="mou-mosti-sti-people-exchange")
    dated = [r for r in rows if r["property"]["value"].endswith("#date")]
    assert dated and all(r["objectPrecision"]["value"].endswith("#unitYear") for r in dated)
