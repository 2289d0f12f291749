"""Search's words (`api/search_terms.py`) on a store opened in process, which has no data
version of its own: they are read once for as long as ingest's record says nothing changed
(not for every search), and again after `jalinan ingest FILE` changes a name, so that a word
it brought is found despite a typo."""

import shutil
from pathlib import Path

from jalinan.api import search_terms
from jalinan.api.reading import read
from jalinan.graph import GraphStore, open_store
from jalinan.ingest.pipeline import default_facts_dir, ingest, ingest_articles
from jalinan.queries.catalogue import load_catalogue

SEARCH = load_catalogue()["search"]
OLD_LABEL = "label: Malaysia–China MoU in the field of telecommunications"
NEW_LABEL = "label: Malaysia–China MoU in the field of telecommunications and quadrivium"


class Counting:
    """A store handle with no data version (as `open_store` gives), counting the words' reads."""

    version = None

    def __init__(self, inner: GraphStore) -> None:
        self.inner = inner
        self.words_read = 0

    def query(self, sparql: str, **options: object) -> object:
        if sparql == search_terms.WORDS_TEXT:
            self.words_read += 1
        return self.inner.query(sparql, **options)  # type: ignore[arg-type]


def _labels(store: Counting, q: str) -> list[str]:
    reading = read(store, SEARCH, {"q": q}, SEARCH.page_request())  # type: ignore[arg-type]
    return [row["label"].value for row in reading.rows]


def test_a_store_without_a_version_reads_the_words_once_until_ingest_changes_them(tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    shutil.copytree(default_facts_dir(), facts)
    article = next((facts / "articles").glob("*05363b917c408ffc.yaml"))
    original = article.read_text(encoding="utf-8")
    assert original.count(OLD_LABEL) == 1
    with open_store(tmp_path / "store") as opened:
        ingest(opened, facts)
        # as in a fresh process: an earlier test on the same facts leaves their words known
        search_terms.forget()
        store = Counting(opened)
        _labels(store, "ministry")
        _labels(store, "telecommunications")
        _labels(store, "Mosty")
        assert store.words_read == 1, "the words were read again though nothing was ingested"
        assert not any("quadrivium" in label for label in _labels(store, "quadrivum"))
        article.write_text(original.replace(OLD_LABEL, NEW_LABEL), encoding="utf-8")
        ingest_articles(opened, [article])
        found = _labels(store, "quadrivum")  # one letter left out of the new word
        assert store.words_read == 2
        assert any("quadrivium" in label for label in found), found


class Versioned(Counting):
    """A store handle with a data version of its own (as a served or remote store has)."""

    def __init__(self, inner: GraphStore, version: str) -> None:
        super().__init__(inner)
        self.version = version  # type: ignore[assignment]


def test_stores_of_two_versions_searched_in_turn_each_read_their_words_once(tmp_path: Path) -> None:
    """A process reading two stores in turn (the remote bench's embedded store and a server; a
    replica around a switch) keeps both's words: with only the newest kept, every search read
    them again (130 ms at 10,000 articles)."""
    with open_store(tmp_path / "store") as opened:
        ingest(opened, default_facts_dir())
        search_terms.forget()
        first, second = Versioned(opened, "one"), Versioned(opened, "two")
        for _ in range(3):
            assert _labels(first, "ministry") == _labels(second, "ministry") != []
        assert (first.words_read, second.words_read) == (1, 1)
