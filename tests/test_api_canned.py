"""Canned queries over HTTP: exact answers the five articles support, refusals, and injection,
on every backend (the embedded store, `oxigraph serve`, Virtuoso: `tests/backends.py`)."""

import json

import httpx
import pytest

from jalinan.queries.catalogue import load_catalogue, search_words
from tests.backends import over_every_backend

api_server, http, _known = over_every_backend()

ID = "https://w3id.org/jalinan/id/"
NDRC_MOUS = {"mou-malaysia-ndrc-digital-economy", "mou-malaysia-ndrc-artificial-intelligence"}
LI_VISIT_DOCUMENTS = {
    "documents-malaysia-china-li-visit", "mou-miti-investment-digital-economy",
    "mou-miti-investment-green-development", "programme-malaysia-china-economic-trade-cooperation-cycle-2",
    "mou-communications-ministry-china-media-group", "mou-mcmc-china-state-postal-bureau",
    "joint-statement-national-single-window", "mou-mohe-higher-education", "mou-mosti-sti-people-exchange",
    "mou-kpkt-housing-urban-development",
}  # fmt: skip
SIGNED = LI_VISIT_DOCUMENTS | NDRC_MOUS | {
    "agreement-china-malaysia-visa-exemption", "loi-mdec-zhejiang-university",
    "mou-malaysia-china-telecommunications",
}  # fmt: skip
FACT_QUERIES = [
    ("agreements-by-party", {"party": "Mosti"}),
    ("agreements-by-topic", {"topic": "digital-economy"}),
    ("agreements-by-visit", {"visit": "visit-li-premier-malaysia"}),
    ("agreements-by-status", {"status": "signed"}),
    ("agreements-between", {"from": "2025", "to": "2025"}),
    ("agreements", {}),
    ("visits", {}),
    ("people", {}),
    ("organisations", {}),
    ("companies", {}),
    ("evidence", {"id": "mosti"}),
    ("search", {"q": "ministry"}),
]


def bindings(http: httpx.Client, name: str, **params: str) -> list[dict]:
    response = http.get(f"/queries/{name}", params=params)
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def column(rows: list[dict], name: str) -> set[str]:
    return {row[name]["value"].removeprefix(ID) for row in rows if name in row}


# -- answers the articles support ------------------------------------------------------------
@pytest.mark.parametrize(
    ("party", "expected"),
    [
        ("Mosti", {"mou-mosti-sti-people-exchange"}),
        ("MITI", {"mou-miti-investment-digital-economy", "mou-miti-investment-green-development"}),
        ("NDRC", NDRC_MOUS),
        ("Communications Ministry", {"mou-communications-ministry-china-media-group"}),
        ("science, technology and innovation ministry", {"mou-mosti-sti-people-exchange"}),
        (ID + "mosti", {"mou-mosti-sti-people-exchange"}),
        ("mohe", {"mou-mohe-higher-education"}),
    ],
)
def test_agreements_by_party_direct_lists_exactly_that_partys_own_agreements(
    http: httpx.Client, party: str, expected: set[str]
) -> None:
    rows = bindings(http, "agreements-by-party", party=party, direct="true")
    assert column(rows, "agreement") == expected


def test_agreements_by_party_of_an_unknown_name_is_404_naming_it_with_close_names(http: httpx.Client) -> None:
    response = http.get("/queries/agreements-by-party", params={"party": "Ministry of Digitl"})
    assert response.status_code == 404
    problem = response.json()
    assert problem["parameter"] == "party" and "Ministry of Digitl" in problem["detail"]
    assert "Ministry of Digital" in problem["detail"]  # the closest known name is offered


def test_friendly_agreements_of_an_unknown_party_is_404_naming_it(http: httpx.Client) -> None:
    response = http.get("/agreements", params={"party": "Ministry of Magic"})
    assert response.status_code == 404 and response.json()["parameter"] == "party"


def test_agreements_by_status_signed_includes_exchanged_documents(http: httpx.Client) -> None:
    assert column(bindings(http, "agreements-by-status", status="signed"), "agreement") == SIGNED


def test_planned_agreements_are_never_signed(http: httpx.Client) -> None:
    planned = column(bindings(http, "agreements-by-status", status="planned"), "agreement")
    assert planned == {"planned-mous-malaysia-china-content-cybersecurity"}


def test_agreements_by_status_accepts_scheme_prefix_and_case(http: httpx.Client) -> None:
    rows = bindings(http, "agreements-by-status", status="Agreement-Status:PLANNED")
    assert column(rows, "agreement") == {"planned-mous-malaysia-china-content-cybersecurity"}


def test_agreements_by_topic_includes_narrower_topics(http: httpx.Client) -> None:
    assert column(bindings(http, "agreements-by-topic", topic="digital-economy"), "agreement") == {
        "documents-malaysia-china-li-visit", "joint-statement-china-malaysia-community-shared-future",
        "loi-mdec-zhejiang-university", "mou-malaysia-ndrc-digital-economy",
        "mou-miti-investment-digital-economy",
        "programme-malaysia-china-economic-trade-cooperation-cycle-2",
    }  # fmt: skip


def test_agreements_by_topic_accepts_a_label(http: httpx.Client) -> None:
    rows = bindings(http, "agreements-by-topic", topic="Higher education")
    assert column(rows, "agreement") == {
        "mou-mohe-higher-education",
        "documents-malaysia-china-li-visit",
    } or (column(rows, "agreement") == {"mou-mohe-higher-education"})


def test_agreements_by_visit_includes_the_collection_exchanged_then(http: httpx.Client) -> None:
    rows = bindings(http, "agreements-by-visit", visit="visit-li-premier-malaysia")
    assert column(rows, "agreement") == LI_VISIT_DOCUMENTS


def test_agreements_oldest_first_lists_2024_before_april_2025_and_the_undated_last(
    http: httpx.Client,
) -> None:
    rows = bindings(http, "agreements", sort="oldest")
    position = list(dict.fromkeys(r["agreement"]["value"].removeprefix(ID) for r in rows)).index
    in_2024, on_16_april_2025 = "mou-mosti-sti-people-exchange", "mou-malaysia-ndrc-digital-economy"
    on_17_april_2025, undated = (
        "joint-statement-china-malaysia-community-shared-future",
        "agreement-china-malaysia-visa-exemption",
    )
    assert position(in_2024) < position(on_16_april_2025) < position(on_17_april_2025) < position(undated)


def test_agreements_between_selects_overlapping_dates(http: httpx.Client) -> None:
    rows = bindings(http, "agreements-between", **{"from": "2025-04", "to": "2025-04-16"})
    assert column(rows, "agreement") == NDRC_MOUS


def test_agreements_between_gives_the_date_at_its_precision(http: httpx.Client) -> None:
    rows = bindings(http, "agreements-between", **{"from": "2025-04-16", "to": "2025-04-16"})
    assert {(r["date"]["value"], r["datePrecision"]["value"], r["dateBasis"]["value"]) for r in rows} == {
        ("2025-04-16", "day", "inferred")
    }


def test_agreements_between_excludes_periods_that_do_not_overlap(http: httpx.Client) -> None:
    # (the last dated agreement is the joint statement of 2025-04-17; bounds are left out)
    assert bindings(http, "agreements-between", **{"from": "2025-04-18", "to": "2026"}) == []


def test_visits_is_a_timeline_of_the_four_visits(http: httpx.Client) -> None:
    assert column(bindings(http, "visits"), "visit") == {
        "visit-anwar-peru", "visit-fahmi-beijing-working-visit", "visit-li-premier-malaysia",
        "visit-xi-malaysia-state-visit",
    }  # fmt: skip


def test_visits_by_visitor(http: httpx.Client) -> None:
    assert column(bindings(http, "visits", visitor="Anwar"), "visit") == {"visit-anwar-peru"}


def test_visits_by_host_country(http: httpx.Client) -> None:
    rows = bindings(http, "visits", country="malaysia")
    assert column(rows, "visit") == {"visit-li-premier-malaysia", "visit-xi-malaysia-state-visit"}


def test_people_lists_posts_and_the_documents_they_exchanged(http: httpx.Client) -> None:
    rows = bindings(http, "people", person="Gobind Singh Deo")
    assert {(r["relation"]["value"], r["object"]["value"].removeprefix(ID)) for r in rows} == {
        ("holds post", "post-digital-minister-gobind"),
        ("exchanged", "mou-malaysia-ndrc-digital-economy"),
        ("exchanged", "mou-malaysia-ndrc-artificial-intelligence"),
    }


def test_people_summary_gives_posts_and_counts_what_they_signed_exchanged_witnessed_and_visited(
    http: httpx.Client,
) -> None:
    rows = bindings(http, "people-summary", person="Gobind Singh Deo")
    assert {r["post"]["value"].removeprefix(ID) for r in rows} == {"post-digital-minister-gobind"}
    # every post shown cites an article that states it, on a page of several people too (Virtuoso
    # 7 left the article out there until session 10)
    for page in (rows, bindings(http, "people-summary")):
        posts = [r for r in page if "post" in r]
        sources = [r.get("postSource", {}).get("value", "") for r in posts]
        assert posts and all(source.startswith(ID + "article/") for source in sources)
    # he exchanged the two NDRC MoUs (one count each, though two articles may report them)
    assert {(r["exchanged"]["value"], r["signed"]["value"]) for r in rows} == {("2", "0")}


def test_organisations_chinese_government_bodies(http: httpx.Client) -> None:
    rows = bindings(http, "organisations", country="China", kind="GovernmentBody")
    assert column(rows, "organisation") == {
        "ndrc", "national-data-administration", "china-state-postal-bureau", "chinese-foreign-ministry",
    }  # fmt: skip


def test_companies_by_sector(http: httpx.Client) -> None:
    assert column(bindings(http, "companies", sector="data-centres"), "company") == {"gds", "chindata-group"}


def test_entity_gives_statements_with_sources(http: httpx.Client) -> None:
    rows = bindings(http, "entity", id="mosti")
    parties = [r for r in rows if r["property"]["value"].endswith("#hasParty")]
    assert {r["value"]["value"].removeprefix(ID) for r in parties} == {
        "mou-mosti-sti-people-exchange"
    } and all(r["source"]["value"].endswith("420124348f4a3cdc") for r in parties)


def test_evidence_gives_article_and_quote_for_each_fact(http: httpx.Client) -> None:
    rows = bindings(http, "evidence", id="mou-mosti-sti-people-exchange")
    assert rows and all("quote" in r and r["source"]["value"].startswith(ID + "article/") for r in rows)


def test_search_matches_acronyms_in_any_case(http: httpx.Client) -> None:
    assert column(bindings(http, "search", q="MOSTI"), "entity") == {"mosti", "mou-mosti-sti-people-exchange"}


@pytest.mark.parametrize(("name", "params"), FACT_QUERIES)
def test_every_fact_row_carries_its_source_article(http: httpx.Client, name: str, params: dict) -> None:
    rows = bindings(http, name, **params)
    # (search also finds topics and sectors, which come from the ontology, not from an article)
    rows = [r for r in rows if "/concept/" not in r.get("entity", {}).get("value", "")]
    assert rows and all(
        r["source"]["value"].startswith(ID + "article/") and r["quote"]["value"] for r in rows
    )


# -- listing, formats, refusals --------------------------------------------------------------
def test_query_list_names_every_query_file(http: httpx.Client) -> None:
    listed = {
        q["name"] for q in http.get("/queries", headers={"Accept": "application/json"}).json()["queries"]
    }
    assert listed == {name for name in load_catalogue() if not name.startswith("stats-")}


def test_query_list_is_a_page_for_browsers(http: httpx.Client) -> None:
    response = http.get("/queries", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.headers["content-type"].startswith("text/html") and "agreements-by-party" in response.text


def test_canned_query_answers_csv_for_spreadsheets(http: httpx.Client) -> None:
    response = http.get("/queries/agreements-by-party", params={"party": "Mosti", "_format": "csv"})
    assert (
        response.headers["content-type"].startswith("text/csv")
        and "mou-mosti-sti-people-exchange" in response.text
    )


def test_canned_query_negotiates_xml(http: httpx.Client) -> None:
    response = http.get(
        "/queries/agreements-by-party",
        params={"party": "Mosti"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert response.headers["content-type"].startswith("application/sparql-results+xml")


def test_unknown_canned_query_is_404(http: httpx.Client) -> None:
    assert http.get("/queries/no-such-query").status_code == 404


def test_missing_parameter_is_422_naming_it(http: httpx.Client) -> None:
    response = http.get("/queries/agreements-by-party")
    assert response.status_code == 422 and response.json()["parameter"] == "party"


@pytest.mark.parametrize(
    ("name", "params", "parameter"),
    [
        ("agreements-between", {"from": "2025-13"}, "from"),
        ("agreements-between", {"to": "yesterday"}, "to"),
        ("agreements-between", {"from": "2025-02-30"}, "from"),
        ("organisations", {"kind": "Spaceship"}, "kind"),
        ("agreements-by-party", {"party": "https://exa mple.org/x"}, "party"),
        ("agreements-by-party", {"party": "Mosti", "colour": "red"}, "colour"),
        ("agreements-by-status", {"status": "!!!"}, "status"),
    ],
)
def test_invalid_parameter_is_422_naming_it(
    http: httpx.Client, name: str, params: dict, parameter: str
) -> None:
    response = http.get(f"/queries/{name}", params=params)
    assert response.status_code == 422 and response.json()["parameter"] == parameter


def test_repeated_parameter_is_422(http: httpx.Client) -> None:
    response = http.get("/queries/agreements-by-party", params=[("party", "Mosti"), ("party", "Miti")])
    assert response.status_code == 422


# -- injection -------------------------------------------------------------------------------
INJECTIONS = [
    'x" } UNION { ?s ?p ?o } #',
    "x' } UNION { ?s ?p ?o } #",
    "<http://evil>",
    "{",
    "}",
    "} UNION {",
    "x\n} UNION { ?agreement ?p ?o }",
    '"""',
    "\\",
    "?agreement",
    "VALUES ?party { <https://w3id.org/jalinan/id/miti> }",
    "x" * 10_000,
]
PARAMETERS = [
    (query.name, parameter.name)
    for query in load_catalogue().values()
    for parameter in query.parameters
]  # fmt: skip


def _found(response: httpx.Response) -> list[dict]:
    """A search's rows without the columns that name the names holding the text as typed
    (`matched`, `exact`): the entities and what is shown of them."""
    rows = response.json()["results"]["bindings"]
    return list(
        dict.fromkeys(
            json.dumps({k: v for k, v in row.items() if k not in ("matched", "exact")}, sort_keys=True)
            for row in rows
        )
    )


@pytest.mark.parametrize(("name", "parameter"), PARAMETERS)
def test_injection_attempts_get_422_or_nothing(http: httpx.Client, name: str, parameter: str) -> None:
    """Never a 500, never other data: a required parameter finds nothing (or names nothing: 404),
    an optional one narrows."""
    query = load_catalogue()[name]
    others = {p.name: p.example for p in query.parameters if p.required and p.name != parameter}
    required = next(p.required for p in query.parameters if p.name == parameter)
    kinds = {p.name: p.type for p in query.parameters}
    headers = {"Accept": "application/sparql-results+json, application/n-triples;q=0.5"}
    wide: list = []
    if not required:
        wide = http.get(f"/queries/{name}", params=others, headers=headers).json()["results"]["bindings"]
    for value in INJECTIONS:
        response = http.get(f"/queries/{name}", params={**others, parameter: value}, headers=headers)
        assert response.status_code in (200, 404, 422), (value, response.status_code, response.text[:200])
        if response.status_code in (404, 422):
            assert response.json()["parameter"] == parameter
            continue
        if response.headers["content-type"].startswith("application/n-triples"):
            assert response.content.strip() == b"", value
        elif kinds[parameter] == "search":  # searched as its words: exactly what the words find
            words = " ".join(search_words(value))
            alone = http.get(f"/queries/{name}", params={**others, parameter: words}, headers=headers)
            assert _found(response) == _found(alone), value
        elif required:
            assert response.json()["results"]["bindings"] == [], value
        else:
            assert all(row in wide for row in response.json()["results"]["bindings"]), value


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        ("agreements-by-topic", {"topic": "AI"}, {"mou-malaysia-ndrc-artificial-intelligence"}),
        (
            "agreements-by-topic",
            {"topic": "Artificial Intelligence"},
            {"mou-malaysia-ndrc-artificial-intelligence"},
        ),
        (
            "agreements-by-topic",
            {"topic": "topic:artificial-intelligence"},
            {"mou-malaysia-ndrc-artificial-intelligence"},
        ),
    ],
)
def test_concepts_are_found_by_alias_label_or_name(
    http: httpx.Client, name: str, params: dict, expected: set
) -> None:
    assert column(bindings(http, name, **params), "agreement") >= expected


def test_an_unknown_sector_finds_no_company_rather_than_all(http: httpx.Client) -> None:
    assert column(bindings(http, "companies", sector="shipbuilding"), "company") == set()
