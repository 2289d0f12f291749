"""JSON and RDF clients get what they got before the explorer (issue 14): each canned query's
columns, in the order they had (a CSV client reads them by position), with new columns only
after them; an entity's RDF description holds its facts, not the words ingest cuts its names
into for search."""

import httpx
import pytest
from rdflib import Graph, URIRef

from jalinan.queries.catalogue import load_catalogue

JL = "https://w3id.org/jalinan/ontology#"
SPARQL_JSON = {"Accept": "application/sparql-results+json"}

# The columns each canned query answered before the explorer's work (read from the API at
# commit 7b93883, the last before it, on the curated facts). Every query of that commit is
# here or in CHANGED_ON_PURPOSE with the issue that changed it, so a query cannot drop out of
# the check unnoticed (`people` did once: its rows became one summary per person).
COLUMNS_BEFORE = {
    "agreements": ["agreement", "label", "type", "status", "date", "datePrecision", "source", "quote"],
    "agreements-between": [
        "agreement",
        "label",
        "type",
        "status",
        "date",
        "datePrecision",
        "dateBasis",
        "source",
        "quote",
    ],
    "agreements-by-status": [
        "agreement",
        "label",
        "type",
        "status",
        "date",
        "datePrecision",
        "source",
        "quote",
    ],
    "agreements-by-topic": [
        "agreement",
        "label",
        "type",
        "topic",
        "status",
        "date",
        "datePrecision",
        "source",
        "quote",
    ],
    "agreements-by-visit": [
        "agreement",
        "label",
        "type",
        "visit",
        "visitLabel",
        "occasion",
        "status",
        "date",
        "datePrecision",
        "source",
        "quote",
    ],
    "companies": [
        "company",
        "label",
        "sector",
        "country",
        "countryLabel",
        "parent",
        "parentLabel",
        "source",
        "quote",
    ],
    "concepts": ["concept", "scheme", "name", "label", "altLabels", "broader"],
    "entity": [
        "entity",
        "entityLabel",
        "direction",
        "property",
        "propertyLabel",
        "value",
        "valueLabel",
        "graph",
        "source",
        "quote",
    ],
    "evidence": [
        "subject",
        "subjectLabel",
        "predicate",
        "object",
        "objectLabel",
        "source",
        "sourceLabel",
        "quote",
        "dateBasis",
        "inferenceNote",
    ],
    "organisations": ["organisation", "label", "type", "country", "countryLabel", "source", "quote"],
    "people": [
        "person",
        "name",
        "relation",
        "object",
        "objectLabel",
        "organisation",
        "organisationLabel",
        "source",
        "quote",
    ],
    "search": ["entity", "label", "type", "matched", "exact", "source", "quote"],
    "visits": [
        "visit",
        "label",
        "type",
        "status",
        "visitor",
        "visitorLabel",
        "hostCountry",
        "hostCountryLabel",
        "date",
        "datePrecision",
        "endDate",
        "endDatePrecision",
        "source",
        "quote",
    ],
    "stats-by-article": ["article", "label", "triples", "quotes"],
    "stats-by-class": ["class", "label", "count"],
}
# Queries of 7b93883 whose columns changed on purpose, with why; and those with no columns.
CHANGED_ON_PURPOSE = {
    "agreements-by-party": "issue 15 ('involving') added `how` and `member` before `source`",
}
NOT_A_TABLE = {"describe": "a CONSTRUCT: RDF, checked by the entity RDF tests"}
QUERIES_AT_7B93883 = {
    "agreements", "agreements-between", "agreements-by-party", "agreements-by-status",
    "agreements-by-topic", "agreements-by-visit", "companies", "concepts", "describe", "entity",
    "evidence", "organisations", "people", "search", "stats-by-article", "stats-by-class", "visits",
}  # fmt: skip
RELATIONS = {"exchanged", "holds post", "signed", "visited", "witnessed"}


def test_every_query_of_before_the_explorer_is_still_answered_and_checked() -> None:
    catalogue = load_catalogue()
    assert set(catalogue) >= QUERIES_AT_7B93883, QUERIES_AT_7B93883 - set(catalogue)
    checked = set(COLUMNS_BEFORE) | set(CHANGED_ON_PURPOSE) | set(NOT_A_TABLE)
    assert checked == QUERIES_AT_7B93883, checked ^ QUERIES_AT_7B93883


@pytest.mark.parametrize("name", sorted(COLUMNS_BEFORE))
def test_a_canned_query_keeps_its_columns_in_order_new_ones_after(http: httpx.Client, name: str) -> None:
    query = load_catalogue()[name]
    example = {p.name: p.example for p in query.parameters if p.example is not None and p.required}
    answer = http.get(f"/queries/{name}", params=example, headers=SPARQL_JSON)
    assert answer.status_code == 200, answer.text
    columns = answer.json()["head"]["vars"]
    assert columns[: len(COLUMNS_BEFORE[name])] == COLUMNS_BEFORE[name], columns


@pytest.mark.parametrize("entity", ["mosti", "china"])
def test_an_entitys_rdf_holds_its_facts_not_its_search_words(http: httpx.Client, entity: str) -> None:
    turtle = http.get(f"/id/{entity}", headers={"Accept": "text/turtle"}).text
    graph = Graph().parse(data=turtle, format="turtle")
    assert not list(graph.triples((None, URIRef(JL + "searchToken"), None)))
    assert list(graph.triples((URIRef(f"https://w3id.org/jalinan/id/{entity}"), None, None)))


def test_the_entity_query_lists_no_search_words(http: httpx.Client) -> None:
    rows = http.get("/queries/entity", params={"id": "mosti", "_size": "500"}, headers=SPARQL_JSON).json()
    properties = {row["property"]["value"] for row in rows["results"]["bindings"]}
    assert JL + "searchToken" not in properties and JL + "matchKey" not in properties
    assert JL + "hasParty" in properties or any(p.startswith(JL) for p in properties)


def _rows(http: httpx.Client, name: str, **params: str) -> list[dict]:
    answer = http.get(f"/queries/{name}", params=params, headers=SPARQL_JSON)
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]["bindings"]


def _fact(row: dict) -> tuple[str, str, str]:
    return (row["person"]["value"], row["relation"]["value"], row["object"]["value"])


def test_people_rows_are_one_per_fact_and_quote_not_a_summary(http: httpx.Client) -> None:
    rows = _rows(http, "people", _size="500")
    assert rows
    for row in rows:
        assert row["relation"]["value"] in RELATIONS, row
        assert (
            row["source"]["value"].startswith("https://w3id.org/jalinan/id/article/")
            and row["quote"]["value"]
        )
    # a fact reported by several articles is one row per quote (a post in two organisations,
    # a ministry and its country, one row per organisation)
    keys = {(*_fact(row), row.get("organisation", {}).get("value"), row["source"]["value"]) for row in rows}
    assert len(rows) == len(keys)
    # a post's row names the organisation (or country) it is in, where the graph says
    posts = [row for row in rows if row["relation"]["value"] == "holds post"]
    assert posts and any("organisation" in row for row in posts)


def test_a_people_page_counts_rows_and_one_person_gives_the_same_rows(http: httpx.Client) -> None:
    """Since issue 13's row pages: `_size` counts rows (one per fact and quote), so a page of
    people costs its rows, not all the facts of 25 people; a person alone gives exactly their
    rows of the whole list (`tests/test_people_row_pages.py` follows the pages)."""
    every = _rows(http, "people", _size="1000")
    people = list(dict.fromkeys(row["person"]["value"] for row in every))
    assert len(people) >= 3
    assert _rows(http, "people", _size="2") == every[:2]
    for person in people[:4]:
        alone = _rows(http, "people", person=person)
        assert alone == [row for row in every if row["person"]["value"] == person]


def test_friendly_people_items_carry_every_fact_and_quote(http: httpx.Client) -> None:
    body = http.get("/people", params={"person": "Gobind Singh Deo"}).json()
    (item,) = body["items"]
    assert set(item) >= {"id", "name", "relation", "object", "objectLabel", "sources"}
    assert set(item["relation"]) == {"holds post", "exchanged"}
    rows = _rows(http, "people", person="Gobind Singh Deo")
    assert len(item["sources"]) == len({(row["source"]["value"], row["quote"]["value"]) for row in rows})
