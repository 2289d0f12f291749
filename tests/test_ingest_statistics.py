"""The counts ingest writes (statistics graph) equal the live aggregation over the data, after a
full ingest and after re-ingesting one changed article on its own; and they are never shown as
facts (entity pages, RDF descriptions, search)."""

import shutil
from pathlib import Path

import httpx

from jalinan.cli import main
from jalinan.graph import SelectResult, open_store
from jalinan.ingest.pipeline import default_facts_dir
from jalinan.queries.catalogue import ALL_ROWS, load_catalogue, load_query
from tests.support import ingest_into

LIVE = Path(__file__).parent / "queries"  # the aggregations the counts replace, as they were
ARTICLE = "003_420124348f4a3cdc.yaml"


def _rows(store, sparql: str) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    result = store.query(sparql)
    assert isinstance(result, SelectResult)
    return [tuple(str(row.get(v)) for v in result.variables) for row in result.rows]


def _counted(store) -> tuple[list, list]:  # type: ignore[no-untyped-def]
    catalogue = load_catalogue()
    by_class = _rows(store, catalogue["stats-by-class"].bind_parameters({}, ALL_ROWS))
    by_article = _rows(store, catalogue["stats-by-article"].bind_parameters({}, ALL_ROWS))
    return by_class, by_article


def _live(store) -> tuple[list, list]:  # type: ignore[no-untyped-def]
    by_class = _rows(store, load_query(LIVE / "count-by-class.rq").text)
    by_article = _rows(store, load_query(LIVE / "count-by-article.rq").text)
    return by_class, by_article


def test_counts_equal_the_live_aggregation_after_an_ingest(tmp_path: Path) -> None:
    ingest_into(tmp_path / "store")
    with open_store(tmp_path / "store") as store:
        counted = _counted(store)
        assert counted == _live(store)
        assert len(counted[0]) > 10 and len(counted[1]) == 5


def test_counts_stay_exact_after_one_article_is_reingested(tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    shutil.copytree(default_facts_dir(), facts, ignore=shutil.ignore_patterns("__*"))
    store_path, reference = tmp_path / "store", tmp_path / "reference"
    ingest_into(store_path, facts)
    with open_store(store_path) as store:
        before = _counted(store)
    article = facts / "articles" / ARTICLE
    text = article.read_text(encoding="utf-8")
    meeting = "- id: meeting-premier-li-sultan-ibrahim\n  type: Meeting\n"
    assert meeting in text
    extra = (
        "- id: meeting-premier-li-counted\n  type: Summit\n  label: A summit added by the test\n"
        '  quote: "Premier Li is also scheduled to meet His Majesty Sultan Ibrahim, '
        'the King of Malaysia."\n\n'
    )
    # one node changes class (Meeting → Conference), one is added (a Summit): three counts move
    article.write_text(
        text.replace(meeting, extra + meeting.replace("Meeting", "Conference")), encoding="utf-8"
    )

    assert main(["ingest", "--store", str(store_path), str(article)]) == 0
    ingest_into(reference, facts)

    with open_store(store_path) as store, open_store(reference) as fresh:
        after = _counted(store)
        assert after != before
        assert after == _live(store) == _counted(fresh)


def test_counts_are_not_shown_as_facts(http: httpx.Client) -> None:
    page = http.get("/queries/entity", params={"id": "article/420124348f4a3cdc"}).json()["results"][
        "bindings"
    ]
    assert page and not any(
        "statistics" in str(row) or "/ingest#" in row["property"]["value"] for row in page
    )
    rdf = http.get("/id/article/420124348f4a3cdc", params={"_format": "nt"}).text
    assert "/article/420124348f4a3cdc" in rdf and "/ingest/statistics/" not in rdf
    found = http.get("/queries/search", params={"q": "statistics", "_size": 500}).json()["results"][
        "bindings"
    ]
    assert not any("/ingest/" in row["entity"]["value"] for row in found)


def test_stats_command_reports_the_store_and_every_article(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """`jalinan stats` (run by `make run`) prints the store's quad count as the store counts it,
    the counts by class, and every article, not the API's first page."""
    ingest_into(tmp_path / "store")
    with open_store(tmp_path / "store") as store:
        quads = sum(1 for _ in store.quads())
        by_class, by_article = _counted(store)
    capsys.readouterr()
    assert main(["stats", "--store", str(tmp_path / "store")]) == 0
    out = capsys.readouterr().out
    assert f"{quads} quads" in out
    counts = [row[2].split('"')[1] for row in by_class]  # '"615"^^<…integer>' → '615'
    assert counts and all(f"  {count:>6}  " in out for count in counts)
    assert sum(1 for line in out.splitlines() if " quotes  " in line) == len(by_article) == 5
