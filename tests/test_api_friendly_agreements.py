"""Friendly JSON `/agreements` takes the explorer list's filters together (party, side, kind,
topic, status, year), reading the same pipeline as the list (`queries/agreements/`), while one
filter alone still answers what it always answered. Values come from the curated facts' own
answers, so the tests follow the facts as articles are added."""

import httpx
import pytest

ALL = {"_size": "500"}


def _ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def _problem(response: httpx.Response, parameter: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["parameter"] == parameter


def _busiest(http: httpx.Client, field: str) -> str:
    """The value of `field` most agreements share, as the unfiltered list gives it."""
    counts: dict[str, int] = {}
    for item in http.get("/agreements", params=ALL).json()["items"]:
        values = item.get(field)
        for value in values if isinstance(values, list) else [values]:
            if value:
                counts[value] = counts.get(value, 0) + 1
    return max(counts, key=counts.__getitem__)


def test_topic_year_and_status_together_give_the_agreements_each_filter_alone_gives(
    http: httpx.Client,
) -> None:
    topic, status = "digital-economy", _busiest(http, "status").rsplit("/", 1)[-1]
    dated = [item for item in http.get("/agreements", params={"topic": topic, **ALL}).json()["items"]]
    year = max(
        str(date)[:4]
        for item in dated
        for date in (item.get("date") if isinstance(item.get("date"), list) else [item.get("date")])
        if date and str(date)[:4].isdigit()
    )
    together = _ids(http.get("/agreements", params={"topic": topic, "year": year, "status": status, **ALL}))
    alone = [
        set(_ids(http.get("/agreements", params={name: value, **ALL})))
        for name, value in (("topic", topic), ("year", year), ("status", status))
    ]
    assert together, (topic, year, status)
    assert set(together) == set.intersection(*alone)


def test_combined_filters_answer_the_rows_of_the_explorer_list_in_its_order(http: httpx.Client) -> None:
    params = {"topic": "digital-economy", "status": "signed", **ALL}
    friendly = http.get("/agreements", params=params).json()
    canned = http.get("/queries/agreements", params=params).json()["results"]["bindings"]
    assert friendly["query"].endswith("/queries/agreements?topic=digital-economy&status=signed&_size=500")
    assert _ids_in(canned) == [item["iri"] for item in friendly["items"]]


def _ids_in(bindings: list[dict]) -> list[str]:
    return list(dict.fromkeys(row["agreement"]["value"] for row in bindings))


@pytest.mark.parametrize(
    ("name", "value", "query"),
    [
        ("party", "Mosti", "agreements-by-party"),
        ("topic", "digital-economy", "agreements-by-topic"),
        ("status", "signed", "agreements-by-status"),
    ],
)
def test_one_filter_alone_answers_what_it_always_answered(
    http: httpx.Client, name: str, value: str, query: str
) -> None:
    answer = http.get("/agreements", params={name: value}).json()
    assert answer["query"].endswith(f"/queries/{query}?{name}={value}")


def test_a_new_filter_alone_reads_the_list(http: httpx.Client) -> None:
    kind = "MemorandumOfUnderstanding"
    found = _ids(http.get("/agreements", params={"kind": kind, **ALL}))
    assert found
    types = {item["id"]: item["type"] for item in http.get("/agreements", params=ALL).json()["items"]}
    assert all(kind in str(types[agreement]) for agreement in found)


def test_party_with_other_filters_needs_direct_and_names_party(http: httpx.Client) -> None:
    _problem(http.get("/agreements", params={"party": "Mosti", "topic": "digital-economy"}), "party")


def test_a_direct_party_combines_with_a_topic(http: httpx.Client) -> None:
    party = {"party": "Mosti", "direct": "true"}
    together = _ids(http.get("/agreements", params={**party, "status": "signed", **ALL}))
    own = set(_ids(http.get("/agreements", params={**party, **ALL})))
    signed = set(_ids(http.get("/agreements", params={"status": "signed", **ALL})))
    assert together and set(together) == own & signed


def test_a_visit_or_dates_filter_alone_and_the_refusal_names_the_second(http: httpx.Client) -> None:
    _problem(http.get("/agreements", params={"topic": "digital-economy", "visit": "x"}), "visit")
    _problem(http.get("/agreements", params={"visit": "x", "from": "2024"}), "from")
    _problem(http.get("/agreements", params={"year": "2025", "to": "2025"}), "to")


def test_a_bad_year_is_422_naming_it(http: httpx.Client) -> None:
    _problem(http.get("/agreements", params={"topic": "digital-economy", "year": "20x5"}), "year")


def test_an_unknown_or_repeated_filter_is_still_refused_naming_it(http: httpx.Client) -> None:
    _problem(http.get("/agreements", params={"topic": "digital-economy", "yeer": "2025"}), "yeer")
    _problem(http.get("/agreements", params=[("year", "2025"), ("topic", "ai"), ("year", "2024")]), "year")
