""" "Agreements involving a party" as users mean it (issue 15): as a party, involved other than as
a party, through a sub-organisation at any depth, and for a country through its government
bodies; each row says how; `direct=true` keeps the party-only answer; unknown names are 404s.

The expected sets are computed from the graph in each test (through `/sparql`, with property
paths the pipeline itself must not use), so a new article changes them without breaking a test.
"""

from urllib.parse import urljoin

import httpx
import pytest

from jalinan.api.reading import read
from jalinan.graph import open_store
from jalinan.queries.catalogue import Page, load_catalogue
from tests.backends import SERVERS
from tests.conftest import build_store

ID = "https://w3id.org/jalinan/id/"
JL = "https://w3id.org/jalinan/ontology#"
PREFIXES = f"PREFIX jl: <{JL}>\nPREFIX id: <{ID}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
MEDIA_MOU = ID + "mou-communications-ministry-china-media-group"
POSTAL_MOU = ID + "mou-mcmc-china-state-postal-bureau"
MCMC = ID + "mcmc"
COMMUNICATIONS = ID + "ministry-of-communications"


def _rows(http: httpx.Client, **params: str) -> list[dict[str, str]]:
    """Every row of the party's agreements (all pages), as plain strings."""
    response = http.get("/queries/agreements-by-party", params={**params, "_size": "500"})
    assert response.status_code == 200, response.text
    assert "next" not in response.links
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def _select(http: httpx.Client, where: str) -> set[str]:
    """The values of `?a` a query over the whole graph gives."""
    query = PREFIXES + f"SELECT DISTINCT ?a WHERE {{ {where} }}"
    accept = {"Accept": "application/sparql-results+json"}
    response = http.get("/sparql", params={"query": query}, headers=accept)
    assert response.status_code == 200, response.text
    return {row["a"]["value"] for row in response.json()["results"]["bindings"]}


def _agreements(rows: list[dict[str, str]]) -> set[str]:
    return {row["agreement"] for row in rows}


def test_the_communications_ministry_lists_the_media_mou_as_party_and_the_postal_mou_through_mcmc(
    http: httpx.Client,
) -> None:
    rows = _rows(http, party="Communications Ministry")
    assert {MEDIA_MOU, POSTAL_MOU} <= _agreements(rows)
    media = {row["how"] for row in rows if row["agreement"] == MEDIA_MOU}
    assert "party" in media
    postal = [row for row in rows if row["agreement"] == POSTAL_MOU]
    through = [row for row in postal if row.get("member") == MCMC]
    assert through, "the postal MoU goes through MCMC"
    assert through[0]["how"] == (
        "through Malaysian Communications and Multimedia Commission, part of Ministry of Communications"
    )
    # the quote is the one that names MCMC as the MoU's party
    assert all("Malaysian Communications and Multimedia Commission" in row["quote"] for row in through)


def test_a_row_through_a_sub_organisation_gives_the_quotes_and_note_of_the_link(http: httpx.Client) -> None:
    """No sentence says MCMC is under the Communications Ministry: the link is an inference drawn
    in article 003, so the rows through MCMC carry the quotes it rests on and its note, and
    the rows where the ministry is itself named carry no link at all."""
    rows = _rows(http, party="Communications Ministry")
    through = [row for row in rows if row["agreement"] == POSTAL_MOU and row.get("member") == MCMC]
    assert {row.get("linkQuote") for row in through} == {
        "For the Communications Ministry, two MoUs were exchanged.",
        "The second involves the Malaysian Communications and Multimedia Commission and the China "
        "State Postal Bureau, focusing on enhancing postal service cooperation.",
    }
    assert all("does not say so in words" in row.get("linkNote", "") for row in through)
    itself = [row for row in rows if row.get("member") == COMMUNICATIONS]
    assert itself and not any("linkQuote" in row or "linkNote" in row for row in itself)


def test_a_party_lists_exactly_what_it_or_its_sub_organisations_are_party_to_or_involved_in(
    http: httpx.Client,
) -> None:
    expected = _select(
        http,
        "VALUES ?role { jl:hasParty jl:involves } "
        "{ ?a ?role id:ministry-of-communications } UNION "
        "{ ?m jl:subOrganizationOf+ id:ministry-of-communications . ?a ?role ?m }",
    )
    assert _agreements(_rows(http, party="Communications Ministry")) == expected


def test_malaysia_lists_every_agreement_a_malaysian_government_body_is_party_to(http: httpx.Client) -> None:
    # a Malaysian body: the country, its government bodies, and their sub-organisations at any depth
    bodies = (
        "{ BIND (id:malaysia AS ?m) } UNION { ?b jl:country id:malaysia ; "
        "a/rdfs:subClassOf* jl:GovernmentBody . ?m jl:subOrganizationOf* ?b }"
    )
    party_to = _select(http, f"{bodies} ?a jl:hasParty ?m")
    involved = _select(http, f"{bodies} ?a jl:involves ?m")
    rows = _rows(http, party="Malaysia")
    listed = _agreements(rows)
    assert party_to and party_to <= listed
    assert listed == party_to | involved
    # ministry-level agreements are among them, and say which ministry they go through
    assert any(row["how"].startswith("through Ministry of") for row in rows)
    ways = {row["how"] for row in rows if row["agreement"] == MEDIA_MOU}
    assert ways == {"through Ministry of Communications, a government body of Malaysia"}


def test_mosti_lists_only_its_own_agreements(http: httpx.Client) -> None:
    rows = _rows(http, party="Mosti")
    expected = _select(http, "VALUES ?role { jl:hasParty jl:involves } ?a ?role id:mosti")
    assert _agreements(rows) == expected
    assert {row["how"] for row in rows} <= {"party", "involved"}
    assert all(row["member"] == ID + "mosti" for row in rows)


@pytest.mark.parametrize("party", ["Communications Ministry", "Malaysia", "Mosti"])
def test_direct_true_lists_only_what_the_party_itself_is_party_to(http: httpx.Client, party: str) -> None:
    iri = next(iter(_select(http, f'?a jl:matchKey "{party.lower()}"')))
    rows = _rows(http, party=party, direct="true")
    assert _agreements(rows) == _select(http, f"?a jl:hasParty <{iri}>")
    assert {row["how"] for row in rows} == {"party"}


def test_direct_must_be_true_or_false(http: httpx.Client) -> None:
    response = http.get("/queries/agreements-by-party", params={"party": "Mosti", "direct": "yes"})
    assert response.status_code == 422 and response.json()["parameter"] == "direct"


def test_the_friendly_route_says_how_and_keeps_direct(http: httpx.Client) -> None:
    body = http.get("/agreements", params={"party": "Communications Ministry", "_size": "500"}).json()
    postal = next(item for item in body["items"] if item["iri"] == POSTAL_MOU)
    hows = postal["how"] if isinstance(postal["how"], list) else [postal["how"]]
    assert any(how.startswith("through Malaysian Communications and Multimedia Commission") for how in hows)
    direct = http.get("/agreements", params={"party": "Communications Ministry", "direct": "true"}).json()
    own = _select(http, "?a jl:hasParty id:ministry-of-communications")
    assert {item["iri"] for item in direct["items"]} == own
    assert all(item["how"] == "party" for item in direct["items"])


def test_the_friendly_route_refuses_direct_without_a_party(http: httpx.Client) -> None:
    response = http.get("/agreements", params={"topic": "media", "direct": "true"})
    assert response.status_code == 422 and response.json()["parameter"] == "direct"


def test_an_unknown_party_is_404_with_the_closest_names_on_both_routes(http: httpx.Client) -> None:
    for path in ("/queries/agreements-by-party", "/agreements"):
        response = http.get(path, params={"party": "Communication Ministry"})
        assert response.status_code == 404, path
        problem = response.json()
        assert problem["parameter"] == "party" and "Communication Ministry" in problem["detail"]
        assert "Ministry of Communications" in problem["detail"]  # closest to its alias


def test_pages_of_a_country_give_each_agreement_once_in_the_agreements_order(http: httpx.Client) -> None:
    whole = _agreements_in_order(http, "/queries/agreements-by-party?party=Malaysia&_size=500")
    paged = _agreements_in_order(http, "/queries/agreements-by-party?party=Malaysia&_size=2")
    assert paged == whole and len(set(paged)) == len(paged) >= 3
    order = _agreements_in_order(http, "/queries/agreements?_size=500")
    assert paged == [a for a in order if a in set(paged)]


def _agreements_in_order(http: httpx.Client, url: str | None) -> list[str]:
    seen: list[str] = []
    while url is not None:
        response = http.get(url)
        assert response.status_code == 200, response.text
        page = [row["agreement"]["value"] for row in response.json()["results"]["bindings"]]
        seen += list(dict.fromkeys(page))  # an agreement's rows are on one page
        following = response.links.get("next")
        url = urljoin(url, following["url"]) if following else None
    return seen


@pytest.mark.timeout(600)
def test_the_pipeline_answers_the_same_on_virtuoso(tmp_path_factory: pytest.TempPathFactory) -> None:
    """No `*` path: Virtuoso 7 refuses one with no bound start; the closure is read instead."""
    catalogue = load_catalogue()
    query = catalogue["agreements-by-party"]
    embedded = build_store(tmp_path_factory.mktemp("embedded") / "store")
    cases = [
        {"party": "Communications Ministry"},
        {"party": "Communications Ministry", "direct": "false"},
        {"party": "Malaysia"},
        {"party": "Malaysia", "direct": "true"},
        {"party": "Mosti"},
    ]
    with open_store(embedded, read_only=True) as store:
        expected = [_canonical(read(store, query, case, Page(1, 500))) for case in cases]
    with SERVERS["virtuoso"](tmp_path_factory.mktemp("virtuoso")) as server, server.environment():
        from jalinan.ingest.pipeline import ingest

        with open_store(server.location) as remote:
            ingest(remote)
            got = [_canonical(read(remote, query, case, Page(1, 500))) for case in cases]
    assert got == expected


def _canonical(reading: object) -> list[tuple[tuple[str, str], ...]]:
    rows = reading.rows  # type: ignore[attr-defined]
    return sorted(tuple(sorted((k, v.value) for k, v in row.items())) for row in rows)
