"""The agreements list in the order a reader chooses: newest first (the default), oldest first,
or by name. Paging through any order, filtered or not, gives every agreement exactly once and
in that order; the order survives the facet links, the page links and the CSV and JSON links.
"""

import csv
import io
import re
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from tests.test_explorer_lists import BROWSER, ID, _ids_in_csv, _listed, _page

ORDERS = ("newest", "oldest", "a-z")


def _rows(http: httpx.Client, **params: str) -> list[dict[str, str]]:
    """The whole list's rows (one per quote) as CSV, at the largest page."""
    answer = http.get("/queries/agreements", params={**params, "_size": "500", "_format": "csv"})
    assert answer.status_code == 200, answer.text[:300]
    return list(csv.DictReader(io.StringIO(answer.text)))


def _day(date: str) -> str:
    return date.split(" ")[-1]  # "by 2025-04-17" orders by its day, "from 2024" by its year


def _ordered(rows: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    """Each agreement once, in the rows' order: (id, its first label, its latest date or "")."""
    seen: dict[str, tuple[str, str, str]] = {}
    for row in rows:
        iri, label, date = row["agreement"], row["label"], _day(row["date"])
        _, was_label, was_date = seen.get(iri, ("", label, date))
        seen[iri] = (iri.removeprefix(ID), min(label, was_label, key=str.casefold), max(date, was_date))
    return list(seen.values())


def _in_order(order: str, listed: list[tuple[str, str, str]]) -> bool:
    labels = [label.casefold() for _, label, _ in listed]
    dated = [date for _, _, date in listed if date]
    undated_last = all(date for _, _, date in listed[: len(dated)])
    if order == "a-z":
        return labels == sorted(labels)
    if order == "oldest":
        return undated_last and dated == sorted(dated)
    return undated_last and dated == sorted(dated, reverse=True)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize(
    "filters", [{}, {"status": "signed"}, {"kind": "MemorandumOfUnderstanding", "side": "china"}]
)
def test_paging_through_an_order_gives_every_agreement_once_in_that_order(
    http: httpx.Client, order: str, filters: dict[str, str]
) -> None:
    whole = _ordered(_rows(http, **filters, sort=order))
    assert {a for a, _, _ in whole} == {
        a for a, _, _ in _ordered(_rows(http, **filters))
    }  # the same agreements
    assert len(whole) > 3 and _in_order(order, whole), whole
    assert listed_page_by_page(http, "/agreements", order, **filters) == [a for a, _, _ in whole]


def test_oldest_first_and_by_name_differ_from_the_default_order(http: httpx.Client) -> None:
    newest = [a for a, _, _ in _ordered(_rows(http))]
    assert [a for a, _, _ in _ordered(_rows(http, sort="oldest"))] != newest
    assert [a for a, _, _ in _ordered(_rows(http, sort="a-z"))] != newest


def test_the_order_survives_facet_links_page_links_and_downloads(http: httpx.Client) -> None:
    page = _page(http, "/agreements", sort="a-z", status="signed", _size="4")
    hrefs = [href for values in page.facets.values() for href, _ in values]
    hrefs += [page.links["Next →"], page.links["CSV"], page.links["JSON"], page.links["Clear all"]]
    for href in hrefs:
        assert dict(parse_qsl(urlsplit(href).query)).get("sort") == "a-z", href
    assert _ids_in_csv(http, page.links["CSV"], "agreement") == _listed(page)


def test_the_order_control_is_links_that_keep_the_filters_and_mark_the_current_order(
    http: httpx.Client,
) -> None:
    text = http.get("/agreements", params={"status": "signed", "sort": "oldest"}, headers=BROWSER).text
    assert '<nav class="sort" aria-label="Order of the list">' in text
    assert 'href="/agreements?status=signed&amp;sort=oldest" aria-current="true">Oldest first</a>' in text
    assert 'href="/agreements?status=signed&amp;sort=a-z">By name, A–Z</a>' in text
    assert (
        "sort:" not in text.split('<p class="filters">', 1)[-1].split("</p>", 1)[0]
    )  # not shown as a filter


def test_an_unknown_order_is_a_422_naming_sort(http: httpx.Client) -> None:
    answer = http.get("/queries/agreements", params={"sort": "random"})
    assert answer.status_code == 422 and answer.json()["parameter"] == "sort"
    page = http.get("/agreements", params={"sort": "random"}, headers=BROWSER)
    assert page.status_code == 422 and "text/html" in page.headers["content-type"]


def test_programs_get_the_friendly_json_in_the_order_they_ask(http: httpx.Client) -> None:
    answer = http.get("/agreements", params={"status": "signed", "sort": "a-z"}).json()
    assert answer["query"].endswith("/queries/agreements?status=signed&sort=a-z")
    ids = [item["id"] for item in answer["items"]]
    assert ids == [a for a, _, _ in _ordered(_rows(http, status="signed", sort="a-z"))][: len(ids)]
    refused = http.get("/agreements", params={"visit": "visit-li-premier-malaysia", "sort": "a-z"})
    assert refused.status_code == 422 and refused.json()["parameter"] == "sort"


def listed_page_by_page(http: httpx.Client, path: str, order: str, **filters: str) -> list[str]:
    """What the list page at `path` shows in `order`, followed by its next links three at a
    time; each next link must keep the order."""
    paged: list[str] = []
    page = _page(http, path, **filters, sort=order, _size="3")
    while True:
        paged += _listed(page)
        following = page.links.get("Next →")
        if following is None:
            return paged
        assert dict(parse_qsl(urlsplit(following).query))["sort"] == order
        page = _page(http, following)


def _kinds(page_text: str) -> dict[str, int]:
    """The kind facet's values and counts as shown."""
    section = page_text.split('<section class="facet" aria-labelledby="facet-kind">', 1)[1].split(
        "</section>", 1
    )[0]
    return {
        label: int(count.replace(",", ""))
        for label, count in re.findall(
            r'<a href="[^"]*">([^<]+)</a> <span class="count">([0-9,]+)</span>', section
        )
    }


def test_the_kind_facet_shows_only_kinds_that_narrow_the_list(http: httpx.Client) -> None:
    """A superclass of every listed agreement ("Agreement" under a filter to memoranda) is left
    out: choosing it would change nothing. Unfiltered, "Agreement" still narrows (it leaves the
    collections out), and a URL naming it still filters."""
    everything = http.get("/agreements", headers=BROWSER).text
    kinds = _kinds(everything)
    assert kinds["Agreement (any kind)"] < kinds["Agreement (any kind)"] + kinds["Agreement collection"]
    total = kinds["Agreement (any kind)"] + kinds["Agreement collection"]
    assert f"of {total:,}" in everything  # the list says how long it is
    memoranda = http.get("/agreements", params={"kind": "MemorandumOfUnderstanding"}, headers=BROWSER).text
    assert "Agreement (any kind)" not in _kinds(memoranda)
    by_superclass = _page(http, "/agreements", kind="Agreement", _size="500")
    assert len(_listed(by_superclass)) == kinds["Agreement (any kind)"]
