"""Pages of the canned list queries, over a real HTTP server: following `Link: rel="next"` from
the first page gives every subject once, with exactly the rows of the whole answer; bad page
parameters are refused naming them; the query files run as-is as their first page."""

from collections import Counter
from urllib.parse import urljoin

import httpx
import pytest

from jalinan.queries.catalogue import (
    ALL_ROWS,
    CatalogueError,
    Page,
    ParameterError,
    load_catalogue,
    load_query,
)

CATALOGUE = load_catalogue()
PAGED = sorted(name for name, query in CATALOGUE.items() if query.paging is not None)
# (pages of a CONSTRUCT, `describe`, are followed in test_api_linked_data.py, as RDF; `people`
# pages by rows, not subjects: followed in test_people_row_pages.py)
SELECT_PAGED = [
    name
    for name in PAGED
    if "CONSTRUCT" not in CATALOGUE[name].text and not CATALOGUE[name].paging.by_rows  # type: ignore[union-attr]
]
UNPAGED = sorted(name for name, query in CATALOGUE.items() if query.paging is None)
# list queries written as one file with its first page's LIMIT/OFFSET (not yet pipelines)
ONE_FILE_PAGED = [name for name in PAGED if not CATALOGUE[name].is_pipeline]


# Parameters that give several pages of 1 in the curated facts (the examples may give one row).
SEVERAL = {"agreements-by-party": {"party": "Malaysia"}, "agreements-between": {"from": "2024"}}


def _example(name: str) -> dict[str, str]:
    if name in SEVERAL:
        return SEVERAL[name]
    return {p.name: p.example for p in CATALOGUE[name].parameters if p.required and p.example}


def _rows(response: httpx.Response) -> list[str]:
    """Each row as a hashable string (the same row twice counts twice)."""
    return [
        repr(sorted((k, v["value"]) for k, v in row.items()))
        for row in response.json()["results"]["bindings"]
    ]


def _subjects(response: httpx.Response, variables: tuple[str, ...]) -> list[tuple[str | None, ...]]:
    """The page's subjects (values of the counted variables) in their order of first appearance."""
    rows = response.json()["results"]["bindings"]
    found = (tuple(row[v]["value"] if v in row else None for v in variables) for row in rows)
    return list(dict.fromkeys(found))


def test_every_list_query_pages() -> None:
    """The lists that grow with the corpus page; the ones left whole are small by nature."""
    assert set(PAGED) == {
        "agreements", "agreements-between", "agreements-by-party", "agreements-by-status",
        "agreements-by-topic", "describe", "entity", "entity-page", "organisations", "people",
        "people-summary", "search", "stats-by-article", "timeline", "visits",
    }  # fmt: skip


@pytest.mark.parametrize("name", SELECT_PAGED)
def test_following_next_links_gives_the_whole_answer_once(http: httpx.Client, name: str) -> None:
    query = CATALOGUE[name]
    assert query.paging is not None
    whole = http.get(f"/queries/{name}", params={**_example(name), "_size": query.paging.max_size})
    assert whole.status_code == 200 and "link" not in whole.headers  # fewer than max: everything
    expected_subjects = _subjects(whole, query.paging.counts)
    assert len(expected_subjects) >= 2, "the curated facts should give this list several pages of 1"
    url: str | None = httpx.URL(f"/queries/{name}", params={**_example(name), "_size": 1}).raw_path.decode()
    rows: list[str] = []
    subjects: list[str] = []
    pages = 0
    while url is not None:
        response = http.get(url)
        assert response.status_code == 200, response.text
        page_subjects = _subjects(response, query.paging.counts)
        assert len(page_subjects) <= 1
        rows += _rows(response)
        subjects += page_subjects
        pages += 1
        following = response.links.get("next")
        if following is None:
            break
        assert len(page_subjects) == 1  # only a full page links on
        url = urljoin(url, following["url"])
    assert len(subjects) == len(set(subjects)), "a subject appeared on two pages"
    assert set(subjects) == set(expected_subjects)
    assert Counter(rows) == Counter(_rows(whole))
    assert pages >= len(expected_subjects)


def test_next_link_keeps_the_other_parameters(http: httpx.Client) -> None:
    response = http.get("/queries/agreements", params={"_size": 1, "_format": "json"})
    following = response.links["next"]["url"]
    assert following.startswith("/queries/agreements?") and "_format=json" in following
    assert "_size=1" in following and "_page=2" in following


def test_csv_pages_carry_the_next_link_too(http: httpx.Client) -> None:
    response = http.get("/queries/agreements", params={"_size": 1, "_format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert len(response.text.strip().splitlines()) >= 2 and "next" in response.links


def test_a_page_past_the_end_is_empty_without_a_next_link(http: httpx.Client) -> None:
    response = http.get("/queries/agreements", params={"_page": 100_000})
    assert response.status_code == 200 and response.json()["results"]["bindings"] == []
    assert "next" not in response.links


def test_friendly_json_pages_by_item_with_a_next_url(http: httpx.Client) -> None:
    first = http.get("/agreements", params={"_size": 2})
    body = first.json()
    assert first.status_code == 200 and body["count"] == 2 and body["next"]
    assert first.links["next"]["url"] == body["next"]
    second = http.get(body["next"]).json()
    assert {i["id"] for i in body["items"]}.isdisjoint({i["id"] for i in second["items"]})


def test_friendly_json_last_page_has_no_next(http: httpx.Client) -> None:
    body = http.get("/agreements", params={"_size": 500}).json()
    assert body["count"] > 2 and body["next"] is None


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("_size", "0"),
        ("_size", "-1"),
        ("_size", "501"),
        ("_size", "ten"),
        ("_size", "2.5"),
        ("_size", ""),
        ("_size", "1e3"),
        ("_page", "0"),
        ("_page", "-3"),
        ("_page", "two"),
        ("_page", "1000001"),
        ("_page", "99999999999999999999"),
        ("_page", " "),
        ("_page", "LIMIT 1"),
    ],
)
def test_bad_page_parameters_are_422_naming_them(http: httpx.Client, parameter: str, value: str) -> None:
    for path in ("/queries/agreements", "/agreements"):
        response = http.get(path, params={parameter: value})
        assert response.status_code == 422, (path, response.text)
        assert response.json()["parameter"] == parameter


def test_a_repeated_page_parameter_is_422(http: httpx.Client) -> None:
    response = http.get("/queries/agreements", params=[("_page", "1"), ("_page", "2")])
    assert response.status_code == 422 and response.json()["parameter"] == "_page"


@pytest.mark.parametrize("name", UNPAGED)
def test_a_query_that_answers_everything_refuses_page_parameters(http: httpx.Client, name: str) -> None:
    params = {p.name: p.example for p in CATALOGUE[name].parameters if p.required and p.example}
    response = http.get(f"/queries/{name}", params={**params, "_size": "10"})
    assert response.status_code == 422 and response.json()["parameter"] == "_size"


def test_the_query_list_documents_paging(http: httpx.Client) -> None:
    listed = {
        q["name"]: q for q in http.get("/queries", headers={"Accept": "application/json"}).json()["queries"]
    }
    page = listed["agreements"]["page"]
    assert page["counts"] == ["agreement"] and page["size"] <= page["max"] and page["order"]


# -- the catalogue ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ONE_FILE_PAGED)
def test_the_file_as_written_is_the_first_page(name: str) -> None:
    """What any SPARQL client runs from the file is what the API answers by default."""
    query = CATALOGUE[name]
    assert query.paging is not None
    values = {p.name: p.example for p in query.parameters if p.example}
    default = query.bind_parameters(values)
    assert f"LIMIT {query.paging.size} OFFSET 0" in query.text
    assert default == query.bind_parameters(values, Page(1, query.paging.size))


def test_page_numbers_become_limit_and_offset() -> None:
    query = CATALOGUE["stats-by-article"]
    text = query.bind_parameters({}, query.page_request("7", "3"))
    assert "LIMIT 7 OFFSET 14" in text and "LIMIT 25 OFFSET 0" not in text


def test_all_rows_removes_the_page_clause() -> None:
    text = CATALOGUE["stats-by-article"].bind_parameters({}, ALL_ROWS)
    assert "OFFSET" not in text


@pytest.mark.parametrize("value", ["0", "501", "x", "1 OFFSET 0 }", "+5", "٣"])
def test_page_request_refuses_anything_but_a_whole_number_in_range(value: str) -> None:
    with pytest.raises(ParameterError) as caught:
        CATALOGUE["agreements"].page_request(value, None)
    assert caught.value.parameter == "_size"


def test_a_paged_file_needs_its_first_page_clause(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "broken.rq"
    path.write_text(
        "# title: t\n# page:\n#   counts: s\n#   size: 10\n#   max: 20\n"
        "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 20 OFFSET 0 } }\n"
    )
    with pytest.raises(CatalogueError):
        load_query(path)


def test_a_page_clause_needs_a_page_header(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "broken.rq"
    path.write_text("# title: t\nSELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 20 OFFSET 0 } }\n")
    with pytest.raises(CatalogueError):
        load_query(path)
