"""The read path for list pipelines (`api/reading.py`): pages in the order users expect, and
the same rows from the plain SPARQL files on pyoxigraph, on rdflib and through the API."""

from collections import Counter
from collections.abc import Iterator
from urllib.parse import urljoin

import httpx
import pytest
import rdflib
from pyoxigraph import RdfFormat

from jalinan.api.reading import read
from jalinan.graph import OxigraphStore, SelectResult, open_store
from jalinan.queries.catalogue import Page, load_catalogue
from tests.conftest import build_store

CATALOGUE = load_catalogue()
PIPELINES = sorted(name for name, query in CATALOGUE.items() if query.is_pipeline)
EXAMPLES = {
    "agreements": {},
    "agreements-by-party": {"party": "Malaysia"},
    "agreements-between": {"from": "2024"},
    "agreements-by-status": {"status": "signed"},
    "agreements-by-topic": {"topic": "digital-economy"},
    "organisations": {"country": "China"},
    "people": {},
    "search": {"q": "ministry"},
    "visits": {"country": "Malaysia"},
    "entity-page": {"id": "mosti"},
    "timeline": {"topic": "digital-economy"},
}
# A list taken in the store's index order (no ORDER BY) is compared with rdflib on a page that
# holds all of it: another engine may pick other subjects for a smaller page (api/README.md).
WHOLE_PAGE = {"entity-page": 500}


def _example(name: str) -> dict[str, str]:
    """Parameters that give several subjects: a new pipeline is covered by its required
    parameters' examples unless listed here."""
    if name in EXAMPLES:
        return EXAMPLES[name]
    return {p.name: p.example for p in CATALOGUE[name].parameters if p.required and p.example}


def _subjects(response: httpx.Response, variable: str) -> list[str]:
    rows = response.json()["results"]["bindings"]
    return list(dict.fromkeys(row[variable]["value"] for row in rows))


def _page_subjects(response: httpx.Response, variables: tuple[str, ...]) -> list[tuple[str | None, ...]]:
    """What a page counts, each once: (an entity's statements are counted by all four ends)."""
    rows = response.json()["results"]["bindings"]
    return list(dict.fromkeys(tuple(row.get(v, {}).get("value") for v in variables) for row in rows))


def test_agreements_come_newest_first_undated_last(http: httpx.Client) -> None:
    rows = http.get("/queries/agreements", params={"_size": 500}).json()["results"]["bindings"]
    dates = list(dict.fromkeys((row["agreement"]["value"], row.get("date", {}).get("value")) for row in rows))
    dated = [date.split(" ")[-1] for _, date in dates if date is not None]  # "by 2025-04-17": its date
    assert dated == sorted(dated, reverse=True), "dated agreements newest first"
    first_undated = next((i for i, (_, date) in enumerate(dates) if date is None), len(dates))
    assert all(date is None for _, date in dates[first_undated:]), "undated agreements last"
    assert len(dated) >= 2


@pytest.mark.parametrize("name", PIPELINES)
def test_next_links_at_size_one_give_the_whole_list_once_in_order(http: httpx.Client, name: str) -> None:
    query = CATALOGUE[name]
    variables = query.paging.counts  # type: ignore[union-attr]
    whole = http.get(f"/queries/{name}", params={**_example(name), "_size": 500})
    if query.paging.by_rows:  # type: ignore[union-attr]  # a page of rows: each row once, in order
        variables = tuple(whole.json()["head"]["vars"])
    expected = _page_subjects(whole, variables)
    assert len(expected) >= 2
    url: str | None = httpx.URL(f"/queries/{name}", params={**_example(name), "_size": 1}).raw_path.decode()
    seen: list[str] = []
    while url is not None:
        response = http.get(url)
        assert response.status_code == 200
        seen += _page_subjects(response, variables)
        following = response.links.get("next")
        url = urljoin(url, following["url"]) if following else None
    assert seen == expected


def test_organisations_come_by_label(http: httpx.Client) -> None:
    rows = http.get("/queries/organisations", params={"_size": 500}).json()["results"]["bindings"]
    labels = list(dict.fromkeys((row["organisation"]["value"], row["label"]["value"]) for row in rows))
    assert len(labels) >= 3
    assert [label.casefold() for _, label in labels] == sorted(label.casefold() for _, label in labels)


def test_visits_come_by_start_date_undated_last_then_by_label(http: httpx.Client) -> None:
    rows = http.get("/queries/visits", params={"_size": 500}).json()["results"]["bindings"]
    visits = list(
        dict.fromkeys(
            (row["visit"]["value"], row.get("date", {}).get("value"), row["label"]["value"]) for row in rows
        )
    )
    # a bound ("by 2025-04-16", "from 2024") sorts by the instant it gives
    starts = [date.split(" ")[-1] for _, date, _ in visits if date is not None]
    assert starts == sorted(starts) and len(starts) >= 2, "dated visits earliest first"
    first_undated = next(i for i, (_, date, _) in enumerate(visits) if date is None)
    undated = visits[first_undated:]
    assert all(date is None for _, date, _ in undated), "undated visits last"
    assert [label.casefold() for *_, label in undated] == sorted(label.casefold() for *_, label in undated)


def test_a_visit_gives_its_end_date_with_its_precision(http: httpx.Client) -> None:
    """Xi's state visit is known only by bounds inferred across two articles (#15): a start by
    the ceremony day and an end on or after it."""
    [xi] = [
        item
        for item in http.get("/visits", params={"country": "Malaysia"}).json()["items"]
        if item["id"] == "visit-xi-malaysia-state-visit"
    ]
    assert (xi["date"], xi["datePrecision"]) == ("by 2025-04-16", "day")
    assert (xi["endDate"], xi["endDatePrecision"]) == ("from 2025-04-16", "day")


def test_people_come_by_name(http: httpx.Client) -> None:
    rows = http.get("/queries/people", params={"_size": 500}).json()["results"]["bindings"]
    names = list(dict.fromkeys((row["person"]["value"], row["name"]["value"]) for row in rows))
    assert len(names) >= 3
    assert [name.casefold() for _, name in names] == sorted(name.casefold() for _, name in names)
    # a page counts rows: the friendly JSON folds them, the first people by name first
    body = http.get("/people", params={"_size": 2}).json()
    firsts = list(dict.fromkeys(row["name"]["value"] for row in rows[:2]))
    assert [item["name"] for item in body["items"]] == firsts
    assert body["next"] is not None


# Every friendly list view, with parameters that give several items.
FRIENDLY = [
    ("/agreements", {}),
    ("/agreements", {"party": "Malaysia"}),
    ("/agreements", {"status": "signed"}),
    ("/agreements", {"topic": "digital-economy"}),
    ("/agreements", {"from": "2024"}),
    ("/visits", {}),
    ("/people", {}),
    ("/organisations", {}),
]


@pytest.mark.parametrize(("path", "params"), FRIENDLY)
def test_friendly_json_pages_follow_the_same_order(http: httpx.Client, path: str, params: dict) -> None:
    whole = [item["iri"] for item in http.get(path, params={**params, "_size": 500}).json()["items"]]
    assert len(whole) >= 2
    paged: list[str] = []
    url: str | None = str(httpx.URL(path, params={**params, "_size": 1}))
    while url:
        body = http.get(url).json()
        assert len(body["items"]) <= 1
        paged += [item["iri"] for item in body["items"]]
        url = body["next"]
    if path == "/people":  # pages of rows: a person with several rows is the item of several pages
        paged = [iri for i, iri in enumerate(paged) if i == 0 or paged[i - 1] != iri]
    assert paged == whole


def test_a_name_that_stands_for_nothing_is_reported_by_the_runner(store: "RecordingStore") -> None:
    reading = read(store, CATALOGUE["agreements-by-party"], {"party": "Ministry of Magic"}, Page(1, 25))  # type: ignore[arg-type]
    assert reading.rows == [] and reading.unmatched == {"party": "Ministry of Magic"}


def test_a_full_ingest_ranks_the_lists_as_the_store_would(store: "RecordingStore") -> None:
    """Full ingest ranks from the corpus in memory (in the data's transaction); the store's
    own look-ups (used after a one-file re-ingest) give the same positions."""
    from jalinan.ingest.list_order import list_positions, positions_from_graphs
    from jalinan.ingest.pipeline import build_corpus

    from_corpus = positions_from_graphs(build_corpus().graphs)
    from_store = list_positions(store.inner)
    assert {k: sorted(map(str, v)) for k, v in from_corpus.items()} == {
        k: sorted(map(str, v)) for k, v in from_store.items()
    }
    assert all(from_corpus.values())


class RecordingStore:
    """The embedded store, keeping every SPARQL text the runner sends it."""

    def __init__(self, inner: OxigraphStore):
        self.inner = inner
        self.sent: list[str] = []

    @property
    def version(self) -> str | None:
        return self.inner.version

    def query(self, sparql: str, **options: object) -> object:
        self.sent.append(sparql)
        return self.inner.query(sparql, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RecordingStore]:
    path = build_store(tmp_path_factory.mktemp("read-path") / "store")
    with open_store(path, read_only=True) as opened:
        yield RecordingStore(opened)


@pytest.fixture(scope="module")
def rdflib_dataset(store: RecordingStore) -> rdflib.Dataset:  # as the bench loads it
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(data=store.inner.dump(RdfFormat.N_QUADS).decode(), format="nquads")
    return dataset


# Pipelines whose page order is total, so that any engine picks the same subjects for a page.
# (search orders by exactness and typos only: ties come in the engine's own order, as its
# header says, since sorting thousands of matches by IRI or label cost 1-2 s at 10,000 articles.)
TOTALLY_ORDERED = [name for name in PIPELINES if name != "search"]


@pytest.mark.parametrize("name", TOTALLY_ORDERED)
def test_each_file_of_a_pipeline_gives_the_same_rows_on_rdflib_as_through_the_api(
    store: RecordingStore, rdflib_dataset: rdflib.Dataset, http: httpx.Client, name: str
) -> None:
    store.sent = []
    size = WHOLE_PAGE.get(name, 3)
    reading = read(store, CATALOGUE[name], _example(name), Page(1, size))  # type: ignore[arg-type]
    assert reading.rows, "the example should give rows"
    sent = list(store.sent)
    assert len(sent) >= 2
    detail_rows: list[tuple[tuple[str, str], ...]] = []  # (a list paged by rows reads several)
    detail_header = (CATALOGUE[name].detail or "").split("\n", 1)[0]
    for sparql in sent:  # the look-up, the page and the detail query, as bound
        ours = store.inner.query(sparql)
        assert isinstance(ours, SelectResult)
        theirs = rdflib_dataset.query(sparql)
        mine = sorted(tuple(sorted((k, str(v.value)) for k, v in row.items())) for row in ours.rows)
        other = sorted(
            tuple(sorted((str(k), str(v)) for k, v in row.asdict().items() if v is not None))
            for row in theirs
        )
        assert mine == other, sparql
        if sparql.split("\n", 1)[0] == detail_header:
            detail_rows += other
    api = http.get(f"/queries/{name}", params={**_example(name), "_size": size}).json()["results"]["bindings"]
    api_rows = sorted(tuple(sorted((k, v["value"]) for k, v in row.items())) for row in api)
    if CATALOGUE[name].paging.by_rows:  # type: ignore[union-attr]
        # a page of rows: `size` of the rows the detail queries give on rdflib (the last
        # person's may run on to the next page)
        assert len(api_rows) == size and not Counter(api_rows) - Counter(detail_rows)
        return
    # the last text is the detail query: its rows on rdflib are the rows the API answers
    assert api_rows == other
