"""The visits, organisations and people lists in the order a reader chooses: visits earliest
first (the default, as before) or newest first, undated last either way; organisations and
people by name A–Z (the default) or Z–A, people also most agreements signed first.
Paging through any order gives every item exactly once
and in that order; the order survives the facet, page and download links; a program that sends
no `sort` gets the order it always got.
"""

import csv
import io
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from pyoxigraph import Literal, NamedNode, Quad

from jalinan.api.reading import read
from jalinan.graph import open_store
from jalinan.graph.namespaces import JL, RDF, XSD
from jalinan.queries.catalogue import Page, load_catalogue
from tests.test_explorer_lists import BROWSER, ID, _ids_in_csv, _listed, _page
from tests.test_explorer_sort import _in_order as in_agreements_order
from tests.test_explorer_sort import listed_page_by_page

DECIMAL = NamedNode(XSD + "decimal")

# (page path, query, subject column, label column, orders (the default first), a filter)
LISTS = [
    ("/visits", "visits", "visit", "label", ("oldest", "newest"), {"country": "malaysia"}),
    ("/organisations", "organisations", "organisation", "label", ("a-z", "z-a"), {"country": "malaysia"}),
    ("/people", "people-summary", "person", "name", ("a-z", "z-a", "signed"), {}),
]
CASES = [
    (path, query, key, label, order, filters)
    for path, query, key, label, orders, filters in LISTS
    for order in orders
]


def _rows(http: httpx.Client, query: str, **params: str) -> list[dict[str, str]]:
    """The whole list's rows as CSV, at the largest page."""
    answer = http.get(f"/queries/{query}", params={**params, "_size": "500", "_format": "csv"})
    assert answer.status_code == 200, answer.text[:300]
    return list(csv.DictReader(io.StringIO(answer.text)))


def _start(row: dict[str, str]) -> str:
    """A visit's start day as the list orders it ("by 2025-04-16" by its day), or ""."""
    return (row.get("startDate") or row.get("date") or "").split(" ")[-1]


def _rank(key: str, row: dict[str, str]) -> str:
    return _start(row) if key == "visit" else row.get("signed", "")


def _ordered(rows: list[dict[str, str]], key: str, label: str) -> list[tuple[str, str, str]]:
    """Each item once, in the rows' order: (id, its first label, a visit's start day or "", a
    person's count of agreements signed)."""
    seen: dict[str, tuple[str, str, str]] = {}
    for row in rows:
        iri = row[key]
        _, was_label, was_start = seen.get(iri, ("", row[label], _rank(key, row)))
        seen[iri] = (
            iri.removeprefix(ID),
            min(row[label], was_label, key=str.casefold),
            was_start or _start(row),
        )
    return list(seen.values())


def _in_order(order: str, listed: list[tuple[str, str, str]]) -> bool:
    """In `order`: the agreements list's orders (`a-z`, `oldest`, `newest`, undated last), or Z–A."""
    if order == "signed":  # most signed first, then by name
        ranked = [(-int(signed), label.casefold()) for _, label, signed in listed]
        return ranked == sorted(ranked)
    if order == "z-a":
        labels = [label.casefold() for _, label, _ in listed]
        return labels == sorted(labels, reverse=True)
    return in_agreements_order(order, listed)


@pytest.mark.parametrize(("path", "query", "key", "label", "order", "filters"), CASES)
def test_paging_through_an_order_gives_every_item_once_in_that_order(
    http: httpx.Client, path: str, query: str, key: str, label: str, order: str, filters: dict[str, str]
) -> None:
    for narrowed in ({}, filters) if filters else ({},):
        whole = _ordered(_rows(http, query, **narrowed, sort=order), key, label)
        default = _ordered(_rows(http, query, **narrowed), key, label)
        assert sorted(whole) == sorted(default)  # the same items, only reordered
        assert len(whole) > (1 if narrowed else 3) and _in_order(order, whole), whole
        assert listed_page_by_page(http, path, order, **narrowed) == [item for item, _, _ in whole]


@pytest.mark.parametrize(("path", "query", "key", "label", "orders", "filters"), LISTS)
def test_without_sort_a_program_gets_the_default_order_and_the_other_differs(
    http: httpx.Client,
    path: str,
    query: str,
    key: str,
    label: str,
    orders: tuple[str, str],
    filters: dict[str, str],
) -> None:
    default = _rows(http, query)
    assert default == _rows(http, query, sort=orders[0])  # the same rows, the same order
    other = [item for item, _, _ in _ordered(_rows(http, query, sort=orders[1]), key, label)]
    assert other != [item for item, _, _ in _ordered(default, key, label)]


@pytest.mark.parametrize(("path", "query", "key", "label", "orders", "filters"), LISTS)
def test_the_order_survives_facet_links_page_links_and_downloads(
    http: httpx.Client,
    path: str,
    query: str,
    key: str,
    label: str,
    orders: tuple[str, str],
    filters: dict[str, str],
) -> None:
    order = orders[1]
    page = _page(http, path, sort=order, _size="3")
    hrefs = [href for values in page.facets.values() for href, _ in values]
    hrefs += [page.links["Next →"], page.links["CSV"], page.links["JSON"]]
    for href in hrefs:
        assert dict(parse_qsl(urlsplit(href).query)).get("sort") == order, href
    assert _ids_in_csv(http, page.links["CSV"], key) == _listed(page)


@pytest.mark.parametrize(
    ("path", "asked", "chosen", "other"),
    [
        ("/visits", {"country": "malaysia"}, "Earliest first", ("newest", "Newest first")),
        ("/visits", {"country": "malaysia", "sort": "newest"}, "Newest first", ("oldest", "Earliest first")),
        ("/organisations", {"country": "malaysia"}, "By name, A–Z", ("z-a", "By name, Z–A")),
        ("/organisations", {"country": "malaysia", "sort": "z-a"}, "By name, Z–A", ("a-z", "By name, A–Z")),
        ("/people", {}, "By name, A–Z", ("z-a", "By name, Z–A")),
        ("/people", {"sort": "signed"}, "Most agreements signed", ("a-z", "By name, A–Z")),
    ],
)
def test_the_order_control_is_links_that_keep_the_filters_and_mark_the_current_order(
    http: httpx.Client, path: str, asked: dict[str, str], chosen: str, other: tuple[str, str]
) -> None:
    text = http.get(path, params=asked, headers=BROWSER).text
    control = text.split('<nav class="sort" aria-label="Order of the list">', 1)[1].split("</nav>", 1)[0]
    assert f'aria-current="true">{chosen}</a>' in control
    assert control.count("aria-current") == 1
    kept = "".join(f"{k}={v}&amp;" for k, v in asked.items() if k != "sort")
    assert f'href="{path}?{kept}sort={other[0]}">{other[1]}</a>' in control


@pytest.mark.parametrize(("path", "query"), [(path, query) for path, query, *_ in LISTS])
def test_an_unknown_order_is_a_422_naming_sort(http: httpx.Client, path: str, query: str) -> None:
    answer = http.get(f"/queries/{query}", params={"sort": "random"})
    assert answer.status_code == 422 and answer.json()["parameter"] == "sort"
    page = http.get(path, params={"sort": "random"}, headers=BROWSER)
    assert page.status_code == 422 and "text/html" in page.headers["content-type"]


def test_the_visits_newest_first_order_knows_undated_visits_by_ingests_keys() -> None:
    """`queries/visits/page.rq` tells a dated visit from an undated one by its key (cheaper than
    asking for its date): the number it names must be the smallest key ingest gives an undated
    visit and above any a dated one gets."""
    from jalinan.ingest.list_order import RANK_SPAN, _start_coarse
    from jalinan.queries.catalogue import QUERIES_DIR

    text = (QUERIES_DIR / "visits" / "page.rq").read_text(encoding="utf-8")
    threshold = _start_coarse(("", None)) * RANK_SPAN
    assert f"?key < {threshold}," in text
    latest_dated = _start_coarse(("\U0010ffff" * 8, "9999-12-31T23:59:59")) * RANK_SPAN + RANK_SPAN - 1
    assert latest_dated < threshold


def test_people_most_signed_first_pages_each_person_once_by_count_then_name(tmp_path: Path) -> None:
    """The curated articles name no signatory yet, so a small store of its own: four people
    introduced by a quote, ranked by name A–D, who signed 1, 1, 3 and 0 agreements."""
    names = ["a", "b", "c", "d"]
    signed = {"a": 1, "b": 1, "c": 3, "d": 0}
    people = NamedNode("https://w3id.org/jalinan/graph/list-order/people")
    quads = []
    for position, name in enumerate(names, 1):
        person = NamedNode(f"{ID}person-{name}")
        quads.append(
            Quad(person, NamedNode(JL + "listPosition"), Literal(str(position), datatype=DECIMAL), people)
        )
        evidence = NamedNode(f"{ID}evidence-{name}")
        quads += [
            Quad(evidence, NamedNode(JL + "claimSubject"), person),
            Quad(evidence, NamedNode(JL + "claimPredicate"), NamedNode(RDF + "type")),
            Quad(evidence, NamedNode(JL + "quote"), Literal(f"{name} said")),
        ]
        for count in range(signed[name]):
            quads.append(
                Quad(NamedNode(f"{ID}agreement-{name}-{count}"), NamedNode(JL + "signatory"), person)
            )
    query = load_catalogue()["people-summary"]
    with open_store(tmp_path / "store") as store:
        store.add_quads(quads)
        paged: list[str] = []
        for number in (1, 2, 3):
            paged += [
                subject[0].value.removeprefix(ID)
                for subject in read(store, query, {"sort": "signed"}, Page(number, 2)).subjects
            ]
        by_name = read(store, query, {}, Page(1, 10)).subjects
    assert paged == ["person-c", "person-a", "person-b", "person-d"]
    assert [subject[0].value.removeprefix(ID) for subject in by_name] == [f"person-{n}" for n in names]
