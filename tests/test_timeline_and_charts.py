"""The timeline's JSON and the charts' SVG, CSV and JSON, against the graph they are read from.

Every expected number is counted from the graph itself (through `/sparql`), so adding an
article changes both sides alike.
"""

import calendar
import csv
import io
import xml.etree.ElementTree as ET

import httpx
import pytest

JL = "https://w3id.org/jalinan/ontology#"
SVG = "{http://www.w3.org/2000/svg}"
PREFIXES = """PREFIX jl: <https://w3id.org/jalinan/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX id: <https://w3id.org/jalinan/id/>
PREFIX topic: <https://w3id.org/jalinan/concept/topic/>
"""
DATED = """?item a ?top . VALUES ?top { jl:Visit jl:Agreement jl:AgreementCollection jl:Event }
  ?item jl:date|jl:startDate ?day ."""


def _select(http: httpx.Client, query: str) -> list[dict[str, str]]:
    answer = http.get(
        "/sparql", params={"query": PREFIXES + query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert answer.status_code == 200, answer.text
    return [{k: v["value"] for k, v in row.items()} for row in answer.json()["results"]["bindings"]]


def _timeline(http: httpx.Client, **params: str) -> dict:
    answer = http.get("/timeline", params={"_size": "1000", **params})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    return answer.json()


def _begins(item: dict) -> str:
    return item["start"]["earliest"] or item["start"]["latest"]


def test_the_timeline_lists_every_dated_visit_agreement_and_event_once(http: httpx.Client) -> None:
    expected = {row["item"] for row in _select(http, f"SELECT DISTINCT ?item WHERE {{ {DATED} }}")}
    items = _timeline(http)["items"]
    assert [i["iri"] for i in items if i["iri"] in expected] == [i["iri"] for i in items]
    assert sorted(i["iri"] for i in items) == sorted(expected)


def test_timeline_items_come_newest_first(http: httpx.Client) -> None:
    begins = [_begins(item) for item in _timeline(http)["items"]]
    assert begins == sorted(begins, reverse=True)


def test_items_of_one_date_come_by_label(http: httpx.Client) -> None:
    items = _timeline(http)["items"]
    for begins in {_begins(item) for item in items}:
        labels = [item["label"] for item in items if _begins(item) == begins]
        assert labels == sorted(labels, key=lambda label: (label.casefold(), label)), begins


def test_a_month_is_drawn_as_the_whole_month(http: httpx.Client) -> None:
    months = [
        i for i in _timeline(http)["items"] if i["start"]["precision"] == "month" and not i["start"]["bound"]
    ]
    assert months, "the curated facts date an event to a month (Smart City Expo, September 2025)"
    for item in months:
        year, month = (int(part) for part in item["start"]["label"].split("-"))
        last = calendar.monthrange(year, month)[1]
        assert item["span"] == {
            "from": f"{year:04d}-{month:02d}-01T00:00:00",
            "to": f"{year:04d}-{month:02d}-{last:02d}T23:59:59",
        }


def test_a_date_known_only_as_a_bound_leaves_the_other_end_open(http: httpx.Client) -> None:
    items = _timeline(http)["items"]
    by = [i for i in items if i["start"]["bound"] == "by"]
    later = [i for i in items if (i["end"] or i["start"])["bound"] == "from"]
    assert by and later, "the curated facts hold both kinds of bound"
    for item in by:
        assert item["start"]["earliest"] is None and item["span"]["from"] is None
        assert item["start"]["label"].startswith("by ")
    for item in later:
        assert item["span"]["to"] is None


def test_an_inferred_date_says_so_with_its_note_and_quotes(http: httpx.Client) -> None:
    inferred = [i for i in _timeline(http)["items"] if i["inferred"]]
    expected = _select(
        http,
        f"""SELECT DISTINCT ?item WHERE {{ {DATED}
          ?evidence jl:claimSubject ?item ; jl:claimObject ?day ;
            jl:dateBasis <https://w3id.org/jalinan/concept/date-basis/inferred> }}""",
    )
    assert sorted(i["iri"] for i in inferred) == sorted(row["item"] for row in expected)
    for item in inferred:
        dates = [d for d in (item["start"], item["end"]) if d and d["basis"] == "inferred"]
        assert all(d["notes"] and d["sources"] for d in dates), item["id"]


def test_every_item_links_to_its_page_and_the_quote_its_date_rests_on(http: httpx.Client) -> None:
    items = _timeline(http)["items"]
    for item in items:
        assert item["href"] == "/id/" + item["id"]
        sources = item["start"]["sources"]
        assert sources, item["id"]
        assert all(s["quote"] or s.get("public_source") for s in sources)
    page = http.get(items[0]["href"], headers={"Accept": "text/html"})
    assert page.status_code == 200


def test_the_kind_filter_keeps_only_that_kind(http: httpx.Client) -> None:
    visits = _timeline(http, kind="visit")["items"]
    expected = _select(http, "SELECT DISTINCT ?item WHERE { ?item a jl:Visit ; jl:date|jl:startDate ?day }")
    assert sorted(v["iri"] for v in visits) == sorted(row["item"] for row in expected)
    assert {v["kind"] for v in visits} == {"Visit"}


def test_the_party_filter_keeps_the_items_tied_to_that_party(http: httpx.Client) -> None:
    items = _timeline(http, party="NDRC")["items"]
    expected = _select(
        http,
        f"""SELECT DISTINCT ?item WHERE {{ {DATED}
          ?item jl:hasParty|jl:visitor|jl:hostCountry|jl:participant|jl:met id:ndrc }}""",
    )
    assert expected
    assert sorted(i["iri"] for i in items) == sorted(row["item"] for row in expected)


def test_the_topic_filter_takes_in_narrower_topics(http: httpx.Client) -> None:
    items = _timeline(http, topic="digital-economy")["items"]
    expected = _select(
        http,
        f"""SELECT DISTINCT ?item WHERE {{ {DATED}
          ?item jl:hasTopic ?topic . ?topic skos:broader* topic:digital-economy }}""",
    )
    assert sorted(i["iri"] for i in items) == sorted(row["item"] for row in expected)


def test_filters_combine(http: httpx.Client) -> None:
    both = _timeline(http, kind="Agreement", party="ndrc")["items"]
    assert both and {i["kind"] for i in both} == {"Agreement"}
    assert {i["iri"] for i in both} <= {i["iri"] for i in _timeline(http, party="ndrc")["items"]}


@pytest.mark.parametrize(
    ("params", "status", "parameter"),
    [
        ({"party": "Ministry of Nothing At All"}, 404, "party"),
        ({"topic": "underwater basket weaving"}, 404, "topic"),
        ({"kind": "Statue"}, 422, "kind"),
        ({"year": "2025"}, 422, "year"),
        ({"_size": "0"}, 422, "_size"),
        ({"_format": "xml"}, 422, "_format"),
    ],
)
def test_a_bad_timeline_filter_is_refused_naming_it(
    http: httpx.Client, params: dict, status: int, parameter: str
) -> None:
    answer = http.get("/timeline", params=params)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["parameter"] == parameter


def test_timeline_pages_continue_where_the_last_ended(http: httpx.Client) -> None:
    everything = [i["iri"] for i in _timeline(http)["items"]]
    first = http.get("/timeline", params={"_size": "3"})
    assert first.json()["next"] and 'rel="next"' in first.headers["link"]
    second = http.get(first.json()["next"].removeprefix(str(http.base_url).rstrip("/")))
    assert [i["iri"] for i in first.json()["items"] + second.json()["items"]] == everything[:6]


def test_the_timeline_page_is_a_dated_list_without_scripts(http: httpx.Client) -> None:
    items = _timeline(http)["items"]
    page = http.get("/timeline", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert html.count('<li class="kind-') == len(items)
    positions = [html.index(f'data-id="{item["id"]}"') for item in items]
    assert positions == sorted(positions)
    assert "16 April 2025" in html and "2024 or later" in html
    assert 'rel="alternate" type="application/json"' in html


# --- charts -----------------------------------------------------------------------------------

AGREEMENTS = "?agreement a ?top . VALUES ?top { jl:Agreement jl:AgreementCollection }"


def _chart_json(http: httpx.Client, path: str) -> dict:
    answer = http.get(path)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_agreements_per_year_by_kind_counts_every_agreement_once(http: httpx.Client) -> None:
    rows = _chart_json(http, "/charts/agreements-per-year.json?by=kind")["rows"]
    total = _select(http, f"SELECT (COUNT(DISTINCT ?agreement) AS ?n) WHERE {{ {AGREEMENTS} }}")[0]["n"]
    assert sum(row["agreements"] for row in rows) == int(total)


def test_agreements_per_year_counts_match_the_dates_in_the_graph(http: httpx.Client) -> None:
    rows = _chart_json(http, "/charts/agreements-per-year.json?by=kind")["rows"]
    per_year: dict[str, int] = {}
    for row in rows:
        per_year[row["year"]] = per_year.get(row["year"], 0) + row["agreements"]
    counted = _select(
        http,
        f"""SELECT ?year (COUNT(DISTINCT ?agreement) AS ?n) WHERE {{ {AGREEMENTS}
          ?agreement jl:date ?day . ?day jl:earliestDateTime ?e ; jl:latestDateTime ?l .
          FILTER (YEAR(?e) = YEAR(?l)) BIND (STR(YEAR(?e)) AS ?year) }} GROUP BY ?year""",
    )
    assert counted, "the curated facts date agreements to a day"
    assert {k: v for k, v in per_year.items() if k != "no year"} == {r["year"]: int(r["n"]) for r in counted}


def test_agreements_per_year_by_topic_counts_each_topic(http: httpx.Client) -> None:
    rows = _chart_json(http, "/charts/agreements-per-year.json?by=topic")["rows"]
    digital = sum(row["agreements"] for row in rows if row["topic"] == "digital economy")
    expected = _select(
        http,
        f"""SELECT (COUNT(DISTINCT ?agreement) AS ?n) WHERE {{ {AGREEMENTS}
          ?agreement jl:hasTopic <https://w3id.org/jalinan/concept/topic/digital-economy> }}""",
    )[0]["n"]
    assert digital == int(expected) > 0


def test_the_most_connected_organisations_are_counted_from_their_agreements(http: httpx.Client) -> None:
    rows = _chart_json(http, "/charts/most-connected.json")["rows"]
    assert rows and [r["agreements"] for r in rows] == sorted((r["agreements"] for r in rows), reverse=True)
    first = rows[0]
    expected = _select(
        http,
        f"""SELECT (COUNT(DISTINCT ?agreement) AS ?n) WHERE {{
          ?agreement jl:hasParty <https://w3id.org/jalinan/id/{first["href"].removeprefix("/id/")}> }}""",
    )[0]["n"]
    assert first["agreements"] == int(expected)


@pytest.mark.parametrize(
    "path", ["/charts/agreements-per-year.svg?by=kind", "/charts/agreements-per-year.svg?by=topic",
             "/charts/most-connected.svg"]
)  # fmt: skip
def test_a_chart_is_an_accessible_svg_with_its_numbers_in_text(http: httpx.Client, path: str) -> None:
    answer = http.get(path)
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml"
    root = ET.fromstring(answer.content)
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    title, desc = root.find(SVG + "title"), root.find(SVG + "desc")
    assert title is not None and title.text and desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    texts = {"".join(node.itertext()).strip() for node in root.iter(SVG + "text")}
    numbers = csv.DictReader(io.StringIO(http.get(path.replace(".svg", ".csv")).text))
    for row in numbers:
        assert row["agreements"] in texts or path.endswith("topic"), row  # the topic grid sums the rest
    assert "http" not in answer.text.replace("http://www.w3.org/2000/svg", "")  # nothing from elsewhere


def test_a_charts_csv_and_json_hold_the_same_rows(http: httpx.Client) -> None:
    rows = _chart_json(http, "/charts/agreements-per-year.json?by=topic")["rows"]
    table = list(csv.reader(io.StringIO(http.get("/charts/agreements-per-year.csv?by=topic").text)))
    assert table[0] == ["year", "topic", "agreements"]
    assert [[str(r["year"]), r["topic"], str(r["agreements"])] for r in rows] == table[1:]


@pytest.mark.parametrize(
    ("path", "status", "parameter"),
    [
        ("/charts/agreements-per-year.svg?by=colour", 422, "by"),
        ("/charts/most-connected.svg?by=topic", 422, "by"),
        ("/charts/pie.svg", 404, None),
        ("/charts/most-connected.png", 404, None),
    ],
)
def test_a_bad_chart_request_is_refused(
    http: httpx.Client, path: str, status: int, parameter: str | None
) -> None:
    answer = http.get(path)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json().get("parameter") == parameter


def test_the_charts_page_shows_each_chart_with_its_table(http: httpx.Client) -> None:
    page = http.get("/charts", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text.count("<svg") == 3 and page.text.count("<table>") == 3
    listed = http.get("/charts").json()["charts"]
    for chart in listed:
        assert chart["svg"] in page.text.replace("&amp;", "&")
