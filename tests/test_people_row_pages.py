"""`people` pages by rows (issues 13 and 17): a page is `_size` rows (one per fact and quote),
in the stated order (people by name, then each person's rows by relation, object label and
source), and following the next links gives every row exactly once, in that order, a page
beginning or ending inside a person as the size falls. `_start` (from the next link) places a
page; `_page` is refused rather than ignored. On every backend (the embedded store, `oxigraph
serve`, Virtuoso: `tests/backends.py`)."""

import re
from collections.abc import Iterator
from html import escape, unescape
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from jalinan.api.reading import read
from jalinan.graph import GraphStore, open_store
from jalinan.queries.catalogue import ALL_ROWS, Page, ParameterError, load_catalogue
from tests.backends import over_every_backend
from tests.conftest import build_store

api_server, http, _known = over_every_backend()
PEOPLE = load_catalogue()["people"]


def _rows(response: httpx.Response) -> list[tuple[tuple[str, str], ...]]:
    assert response.status_code == 200, response.text
    return [
        tuple(sorted((k, v["value"]) for k, v in row.items()))
        for row in response.json()["results"]["bindings"]
    ]


def _whole(http: httpx.Client, **params: str) -> list[tuple[tuple[str, str], ...]]:
    response = http.get("/queries/people", params={**params, "_size": "1000"})
    assert "next" not in response.links, "the curated facts' people fit one page of 1,000 rows"
    return _rows(response)


def _followed(http: httpx.Client, size: int, **params: str) -> list[list[tuple[tuple[str, str], ...]]]:
    """The rows of each page, following the next links from the first page at `size`."""
    url: str | None = httpx.URL("/queries/people", params={**params, "_size": str(size)}).raw_path.decode()
    pages = []
    while url is not None:
        response = http.get(url)
        pages.append(_rows(response))
        following = response.links.get("next")
        url = urljoin(url, following["url"]) if following else None
        assert len(pages) < 1000
    return pages


@pytest.mark.parametrize("size", [1, 2, 7, 100])
def test_following_next_links_gives_every_row_once_in_order(http: httpx.Client, size: int) -> None:
    whole = _whole(http)
    pages = _followed(http, size)
    assert [row for page in pages for row in page] == whole
    assert all(len(page) == size for page in pages[:-1]), "every page but the last is full"
    assert 1 <= len(pages[-1]) <= size, "the last page holds the last rows and links no further"


def test_a_page_ends_inside_a_person_and_the_next_goes_on_with_that_person(http: httpx.Client) -> None:
    whole = _whole(http)
    people = [dict(row)["person"] for row in whole]
    busiest = max(set(people), key=people.count)
    assert people.count(busiest) >= 3, "a person with several facts, to split"
    first = people.index(busiest)
    size = first + 2  # the page ends two rows into the busiest person
    response = http.get("/queries/people", params={"_size": str(size)})
    assert _rows(response) == whole[:size]
    following = parse_qs(urlsplit(response.links["next"]["url"]).query)
    assert "_page" not in following and following["_size"] == [str(size)]
    second = http.get("/queries/people", params={"_size": str(size), "_start": following["_start"][0]})
    assert _rows(second) == whole[size : 2 * size]
    assert dict(_rows(second)[0])["person"] == busiest


def test_rows_come_by_person_name_then_relation_object_label_and_source(http: httpx.Client) -> None:
    whole = [dict(row) for row in _whole(http)]
    names = list(dict.fromkeys((row["person"], row["name"]) for row in whole))
    assert len(names) >= 3
    assert [name.casefold() for _, name in names] == sorted(name.casefold() for _, name in names)
    assert len({person for person, _ in names}) == len(names), "each person's rows together"
    for person, _ in names:
        # an unbound object label sorts first, as SPARQL orders an unbound value
        keys = [
            (row["relation"], "objectLabel" in row, row.get("objectLabel", ""), row["source"])
            for row in whole
            if row["person"] == person
        ]
        assert keys == sorted(keys), person


def test_one_persons_rows_page_as_the_whole_list_does(http: httpx.Client) -> None:
    alone = _whole(http, person="Gobind Singh Deo")
    assert len(alone) >= 2 and {dict(row)["name"] for row in alone} == {"Gobind Singh Deo"}
    assert [row for page in _followed(http, 1, person="Gobind Singh Deo") for row in page] == alone


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"_page": "2"}, "_page"),
        ({"_page": "1", "_start": "1:0"}, "_page"),
        ({"_start": "12"}, "_start"),
        ({"_start": "12:x"}, "_start"),
        ({"_start": "-1:0"}, "_start"),
        ({"_start": "1:2:3"}, "_start"),
        ({"_start": "1234567890123456789:0"}, "_start"),
        ({"_size": "1001"}, "_size"),
    ],
)
def test_bad_page_places_are_422_naming_them(http: httpx.Client, params: dict, parameter: str) -> None:
    for path in ("/queries/people", "/people"):
        response = http.get(path, params=params)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["parameter"] == parameter


def test_a_list_paged_by_number_refuses_start(http: httpx.Client) -> None:
    response = http.get("/queries/agreements", params={"_start": "1:0"})
    assert response.status_code == 422 and response.json()["parameter"] == "_start"


def test_friendly_people_pages_fold_rows_and_link_on_by_start(http: httpx.Client) -> None:
    rows = [dict(row) for row in _whole(http)]
    body = http.get("/people", params={"_size": "3"}).json()
    assert body["next"] and "_start=" in body["next"] and "_page=" not in body["next"]
    people = list(dict.fromkeys(row["person"] for row in rows[:3]))
    assert [item["iri"] for item in body["items"]] == people
    sources: list[tuple[str, str]] = []
    url: str | None = str(httpx.URL("/people", params={"_size": "3"}))
    while url:
        page = http.get(url).json()
        for item in page["items"]:
            sources += [(item["iri"], source["article"], source["quote"]) for source in item["sources"]]
        url = page["next"]
    assert sorted(set(sources)) == sorted({(r["person"], r["source"], r["quote"]) for r in rows})


def test_the_query_list_says_people_pages_by_rows(http: httpx.Client) -> None:
    listed = {
        q["name"]: q for q in http.get("/queries", headers={"Accept": "application/json"}).json()["queries"]
    }
    assert listed["people"]["page"]["by"] == "rows" and listed["people"]["page"]["size"] == 100
    assert listed["agreements"]["page"]["by"] == "subjects"


# -- the runner, on the store ----------------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    path = build_store(tmp_path_factory.mktemp("people-rows") / "store")
    with open_store(path, read_only=True) as opened:
        yield opened


def test_the_runner_reads_no_more_people_than_a_first_page_needs(store: GraphStore) -> None:
    """A first page's cost is its rows': it reads people from the start of the list until it
    has one row more than the page, not a fixed number of people."""
    sent: list[str] = []

    class Recording:
        version = store.version

        def query(self, sparql: str, **options: object) -> object:
            sent.append(sparql)
            return store.query(sparql, **options)  # type: ignore[arg-type]

    whole = read(store, PEOPLE, {}, ALL_ROWS)
    reading = read(Recording(), PEOPLE, {}, Page(size=2))  # type: ignore[arg-type]
    assert reading.rows == whole.rows[:2] and reading.has_next and reading.next_start
    first_people = list(dict.fromkeys(row["person"] for row in whole.rows[:3]))
    details = [text for text in sent if "jl:quote" in text]
    bound = "".join(details)
    assert all(str(person) in bound for person in first_people)
    everyone = list(dict.fromkeys(row["person"] for row in whole.rows))
    assert not any(str(person) in bound for person in everyone[len(first_people) + 2 :])


def test_a_start_past_every_person_is_an_empty_last_page(store: GraphStore) -> None:
    reading = read(store, PEOPLE, {}, Page(size=5, start=(10**18 - 1, 0)))
    assert reading.rows == [] and not reading.has_next and reading.next_start is None


def test_page_request_reads_start_and_refuses_page_numbers() -> None:
    assert PEOPLE.page_request("5", None, "123:4") == Page(size=5, start=(123, 4))
    assert PEOPLE.page_request() == PEOPLE.page_request(None, "1") == Page(size=100)
    with pytest.raises(ParameterError) as caught:
        PEOPLE.page_request(None, "2")
    assert caught.value.parameter == "_page"


def test_the_query_page_in_a_browser_links_on_by_start(http: httpx.Client) -> None:
    whole = [dict(row) for row in _whole(http)]
    page = http.get("/queries/people", params={"_size": "2"}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    following = re.search(r'<a rel="next" href="([^"]+)"', page.text)
    assert following and "_start=" in unescape(following[1]) and "_page=" not in unescape(following[1])
    second = http.get(unescape(following[1]), headers={"Accept": "text/html"})
    assert second.status_code == 200 and 'rel="prev"' not in second.text
    for shown in (page.text, second.text):  # two rows each
        assert len(re.findall(r"<tr><td>", shown)) == 2
    assert escape(whole[2]["quote"]) in second.text
