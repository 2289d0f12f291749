"""Dates, bounds, ties across articles and background facts, as a user reads them over HTTP.

Rules that hold for any corpus (every agreement or visit a dated article reports as done carries
a date or a bound; every date says its basis; every cross-article tie is an inference with its
quotes and note), and the answers the five articles allow (Xi Jinping's state visit, dated and
with its agreements, through the canned queries).
"""

import httpx
import pytest

from jalinan.graph.namespaces import BACKGROUND_GRAPH, TIES_GRAPH

ID = "https://w3id.org/jalinan/id/"
PREFIXES = """
PREFIX jl: <https://w3id.org/jalinan/ontology#>
PREFIX id: <https://w3id.org/jalinan/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX status: <https://w3id.org/jalinan/concept/agreement-status/>
PREFIX activity: <https://w3id.org/jalinan/concept/activity-status/>
PREFIX basis: <https://w3id.org/jalinan/concept/date-basis/>
"""
XI_VISIT = "visit-xi-malaysia-state-visit"
NDRC_MOUS = {"mou-malaysia-ndrc-digital-economy", "mou-malaysia-ndrc-artificial-intelligence"}
JOINT_STATEMENT = "joint-statement-china-malaysia-community-shared-future"


def sparql(http: httpx.Client, query: str) -> dict:
    response = http.get(
        "/sparql", params={"query": PREFIXES + query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def rows(http: httpx.Client, query: str) -> list[dict[str, str]]:
    return [{k: v["value"] for k, v in b.items()} for b in sparql(http, query)["results"]["bindings"]]


def canned(http: httpx.Client, name: str, **params: str) -> list[dict[str, str]]:
    response = http.get(f"/queries/{name}", params=params)
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


# -- rules for every corpus ------------------------------------------------------------------
def test_every_agreement_or_visit_a_dated_article_reports_as_done_carries_a_date_or_a_bound(http):
    undated = rows(
        http,
        """
        SELECT DISTINCT ?thing WHERE {
          GRAPH ?article { ?thing a ?type . ?article jl:publicationDate ?published . }
          ?published jl:earliestDateTime ?from ; jl:latestDateTime ?to .
          ?type rdfs:subClassOf* ?top .
          FILTER (?top IN (jl:Agreement, jl:AgreementCollection, jl:Visit))
          ?thing jl:hasStatus/skos:broader* ?done .
          FILTER (?done IN (status:signed, status:issued, activity:held))
          FILTER NOT EXISTS { ?thing jl:date|jl:startDate|jl:endDate ?day }
        }""",
    )
    assert undated == []


def test_every_date_or_bound_of_an_agreement_or_visit_has_its_basis_and_an_inferred_one_its_note(http):
    unexplained = rows(
        http,
        """
        SELECT DISTINCT ?thing ?property ?day WHERE {
          VALUES ?property { jl:date jl:startDate jl:endDate }
          ?thing ?property ?day ; a ?type .
          ?type rdfs:subClassOf* ?top .
          FILTER (?top IN (jl:Agreement, jl:AgreementCollection, jl:Visit))
          FILTER NOT EXISTS {
            ?evidence jl:claimSubject ?thing ; jl:claimPredicate ?property ; jl:claimObject ?day ;
              jl:dateBasis ?basis ; jl:quote ?quote ; prov:wasQuotedFrom ?source .
            FILTER (?basis = basis:stated || EXISTS { ?evidence jl:inferenceNote ?note })
          }
        }""",
    )
    assert unexplained == []


def test_every_fact_in_the_ties_graph_is_an_inference_with_its_quotes_and_note(http):
    not_inferred = rows(
        http,
        f"""
        SELECT ?evidence WHERE {{
          GRAPH <{TIES_GRAPH}> {{ ?evidence a jl:EvidenceQuote }}
          FILTER NOT EXISTS {{
            ?evidence jl:basis|jl:dateBasis basis:inferred ; jl:inferenceNote ?note ;
              jl:quote ?quote ; prov:wasQuotedFrom ?article .
          }}
        }}""",
    )
    assert not_inferred == []
    unsupported = rows(
        http,
        f"""
        SELECT ?s ?p ?o WHERE {{
          GRAPH <{TIES_GRAPH}> {{ ?s ?p ?o . FILTER NOT EXISTS {{ ?s a jl:EvidenceQuote }} }}
          FILTER NOT EXISTS {{
            GRAPH <{TIES_GRAPH}> {{ ?e jl:claimSubject ?s ; jl:claimPredicate ?p ; jl:claimObject ?o }}
          }}
        }}""",
    )
    assert unsupported == []


# -- the answers the five articles allow ---------------------------------------------------
def test_visits_lists_xis_state_visit_with_its_date_bound(http):
    xi = [row for row in canned(http, "visits") if row["visit"] == ID + XI_VISIT]
    assert {(row["date"], row["datePrecision"]) for row in xi} == {("by 2025-04-16", "day")}


def test_xis_state_visit_starts_by_and_ends_on_or_after_the_ceremony_day(http):
    [row] = rows(
        http,
        f"""
        SELECT ?start ?end ?latestStart ?earliestEnd WHERE {{
          id:{XI_VISIT} jl:startDate ?s ; jl:endDate ?e .
          ?s rdfs:label ?start ; jl:latestDateTime ?latestStart .
          ?e rdfs:label ?end ; jl:earliestDateTime ?earliestEnd .
          FILTER NOT EXISTS {{ ?s jl:earliestDateTime ?unknown }}
          FILTER NOT EXISTS {{ ?e jl:latestDateTime ?unknown }}
        }}""",
    )
    assert row == {
        "start": "by 2025-04-16",
        "end": "from 2025-04-16",
        "latestStart": "2025-04-16T23:59:59",
        "earliestEnd": "2025-04-16T00:00:00",
    }


def test_agreements_by_visit_lists_xis_state_visit_agreements_with_quotes_from_both_articles(http):
    found = canned(http, "agreements-by-visit", visit="Xi Jinping's state visit to Malaysia")
    assert {row["agreement"].removeprefix(ID) for row in found} == NDRC_MOUS | {JOINT_STATEMENT}
    dates = {row["agreement"].removeprefix(ID): row.get("date") for row in found}
    assert dates == {**dict.fromkeys(NDRC_MOUS, "2025-04-16"), JOINT_STATEMENT: "2025-04-17"}
    sources = {row["source"].rsplit("/", 1)[-1] for row in found if row["agreement"] == ID + JOINT_STATEMENT}
    assert sources == {"525f3eaea3f9ce93", "39e3ab31b4f62a31"}


def test_the_ceremony_is_tied_to_the_state_visit_by_an_inference_resting_on_both_articles(http):
    evidence = [
        row
        for row in canned(http, "evidence", id="ceremony-malaysia-ndrc-mou-exchange")
        if row["predicate"].endswith("#partOfVisit")
    ]
    assert {row["source"].rsplit("/", 1)[-1] for row in evidence} == {"39e3ab31b4f62a31", "525f3eaea3f9ce93"}
    assert len({row["inferenceNote"] for row in evidence}) == 1


def test_thursday_in_the_undated_article_is_inferred_as_17_april_2025(http):
    [row] = rows(
        http,
        f"""
        SELECT DISTINCT ?date ?note WHERE {{
          id:{JOINT_STATEMENT} jl:date ?d . ?d rdfs:label ?date .
          ?e jl:claimSubject id:{JOINT_STATEMENT} ; jl:claimPredicate jl:date ;
             jl:dateBasis basis:inferred ; jl:inferenceNote ?note .
        }}""",
    )
    assert row["date"] == "2025-04-17"
    assert "Thursday" in row["note"]


def test_the_loi_reported_as_signed_in_the_dated_article_was_signed_by_its_date(http):
    assert [
        r["date"]
        for r in rows(http, "SELECT ?date WHERE { id:loi-mdec-zhejiang-university jl:date/rdfs:label ?date }")
    ] == ["by 2025-04-17"]


# -- the model's new terms, used where the articles need them -------------------------------
@pytest.mark.parametrize(
    ("what", "ask"),
    [
        ("the joint statement was issued", f"id:{JOINT_STATEMENT} jl:hasStatus status:issued"),
        (
            "Gobind and Zheng exchanged the NDRC MoUs, signing is not reported",
            "id:mou-malaysia-ndrc-digital-economy jl:exchangedBy id:gobind-singh-deo , id:zheng-shanjie "
            "FILTER NOT EXISTS { id:mou-malaysia-ndrc-digital-economy jl:signatory ?anyone }",
        ),
        ("Miti exchanged its MoUs", "id:mou-miti-investment-digital-economy jl:exchangedBy id:miti"),
        (
            "the unnamed Prime Minister met Premier Li, as a post",
            "id:meeting-malaysia-pm-premier-li jl:participant id:post-prime-minister-of-malaysia-unnamed",
        ),
        (
            "the Joint Working Group: a planned joint mechanism of two members, under the digital MoU",
            "id:jwg-digital-economy-malaysia-china a jl:JointMechanism ; jl:hasStatus activity:planned ; "
            "jl:hasMember id:national-data-administration , id:ministry-of-digital ; "
            "jl:establishedUnder id:mou-malaysia-ndrc-digital-economy",
        ),
        (
            "Geely and Chery invest in new-energy vehicles",
            "?g a jl:Investment ; jl:investor id:geely ; "
            "jl:hasTopic <https://w3id.org/jalinan/concept/topic/new-energy-vehicles> . "
            "?c a jl:Investment ; jl:investor id:chery",
        ),
        ("TikTok gave an assurance", "?c a jl:Commitment ; jl:statedBy id:tiktok ; jl:concerns id:mcmc"),
        (
            "Anwar's remark on trade with China",
            "?s a jl:Statement ; jl:statedBy id:anwar-ibrahim ; jl:concerns id:china",
        ),
        ("Exchange 106 houses Huawei", "id:huawei jl:housedIn id:exchange-106"),
        (
            "CSCEC's Malaysian subsidiary is Malaysian-based and Chinese",
            "id:cscec-malaysia jl:basedIn id:malaysia ; jl:country id:china",
        ),
        (
            "no publisher rests on a promotional line",
            "FILTER NOT EXISTS { ?article jl:publisher ?publisher }",
        ),
    ],
)
def test_the_graph_says_what_the_articles_say_in_the_new_terms(http, what, ask):
    assert sparql(http, f"ASK {{ {ask} }}")["boolean"], what


def test_ministries_sit_under_the_government_only_by_a_noted_inference(http):
    stated = rows(
        http,
        """
        SELECT ?ministry WHERE {
          ?ministry jl:subOrganizationOf id:government-of-malaysia .
          ?e jl:claimSubject ?ministry ; jl:claimPredicate jl:subOrganizationOf .
          FILTER NOT EXISTS { ?e jl:basis basis:inferred ; jl:inferenceNote ?note }
        }""",
    )
    assert stated == []
    assert rows(http, "SELECT ?m WHERE { ?m a jl:Ministry ; jl:subOrganizationOf id:government-of-malaysia }")


# -- background facts: apart, and each with its public source ---------------------------------
def test_background_facts_are_kept_apart_each_with_its_public_source(http):
    unsourced = rows(
        http,
        f"""
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?s ?p ?o WHERE {{
          GRAPH <{BACKGROUND_GRAPH}> {{ ?s ?p ?o . FILTER NOT EXISTS {{ ?s a jl:BackgroundEvidence }} }}
          FILTER NOT EXISTS {{
            GRAPH <{BACKGROUND_GRAPH}> {{
              ?e a jl:BackgroundEvidence ; dcterms:source ?url ;
                 jl:claimSubject ?s ; jl:claimPredicate ?p ; jl:claimObject ?o .
            }}
          }}
          FILTER (?p NOT IN (rdfs:label, jl:matchKey))
        }}""",
    )
    assert unsourced == []
    elsewhere = rows(
        http,
        f"""
        SELECT ?g WHERE {{
          GRAPH ?g {{ ?e a jl:BackgroundEvidence }} FILTER (?g != <{BACKGROUND_GRAPH}>)
        }}""",
    )
    assert elsewhere == []


def test_the_communications_and_digital_ministry_split_is_background_with_its_date(http):
    [row] = rows(
        http,
        """
        SELECT ?date WHERE {
          ?change jl:originalOrganization id:ministry-of-communications-and-digital ;
                  jl:resultingOrganization id:ministry-of-communications , id:ministry-of-digital ;
                  jl:date/rdfs:label ?date .
          id:ministry-of-digital jl:predecessor id:ministry-of-communications-and-digital .
        }""",
    )
    assert row["date"] == "2023-12"
