"""Dates the review of the curated facts added (issue 15): what an undated article still allows
to bound, recorded as an inference with its quote and note, never from outside knowledge."""

import httpx

PREFIXES = """
PREFIX jl: <https://w3id.org/jalinan/ontology#>
PREFIX id: <https://w3id.org/jalinan/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX basis: <https://w3id.org/jalinan/concept/date-basis/>
"""


def _rows(http: httpx.Client, query: str) -> list[dict[str, str]]:
    response = http.get(
        "/sparql", params={"query": PREFIXES + query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


def test_anwars_peru_visit_began_in_or_after_november_2022_as_an_inference_from_its_quote(
    http: httpx.Client,
) -> None:
    rows = _rows(
        http,
        """
        SELECT ?label ?earliest ?latest ?basis ?note ?quote WHERE {
          id:visit-anwar-peru jl:startDate ?day .
          ?day rdfs:label ?label ; jl:earliestDateTime ?earliest .
          OPTIONAL { ?day jl:latestDateTime ?latest }
          ?evidence jl:claimSubject id:visit-anwar-peru ; jl:claimPredicate jl:startDate ;
            jl:claimObject ?day ; jl:dateBasis ?basis ; jl:inferenceNote ?note ; jl:quote ?quote .
        }
        """,
    )
    assert rows, "the visit carries a start bound with its evidence"
    row = rows[0]
    assert row["label"] == "from 2022-11" and row["earliest"].startswith("2022-11-01")
    assert "latest" not in row  # only the lower end is known
    assert row["basis"].endswith("/inferred") and "November 2022" in row["note"]
    assert "since assuming office in November 2022" in row["quote"]
