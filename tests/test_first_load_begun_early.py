"""A first load begins before the write is known whole, and still writes all or nothing.

A full ingest into an empty store hands each graph to the bulk loader as soon as it is built
(`OxigraphStore.begin_first_load`, `preload`), while it translates and derives the rest. What
must hold: the store then holds exactly what a load at the end writes; nothing is visible
before the write and the shape check have both finished; a write of other content, a failing
check, a failure while deriving or an abandoned load leave the store empty and no staging
folder beside it.
"""

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from jalinan.graph import open_store, oxigraph_store
from jalinan.graph.packed import PackedGraph
from jalinan.ingest import network_summary, pipeline
from jalinan.ingest.pipeline import ingest
from tests.support import sorted_nquads

G = "https://w3id.org/jalinan/graph/"
P = NamedNode("https://w3id.org/jalinan/ontology#p")


def _graph(name: str, size: int) -> PackedGraph:
    subject = NamedNode(f"https://w3id.org/jalinan/id/{name}")
    return PackedGraph([Triple(subject, P, Literal(f"{name} {i}")) for i in range(size)])


@pytest.fixture
def small_loads(monkeypatch):
    """Let a few triples take the bulk loader's path."""
    monkeypatch.setattr(oxigraph_store, "BULK_LOAD_THRESHOLD", 1)


def _beside(store_path: Path) -> list[str]:
    return sorted(p.name for p in store_path.parent.iterdir())


def test_a_load_begun_early_holds_exactly_what_a_load_at_the_end_holds(tmp_path, small_loads):
    early = {G + "a": _graph("a", 7), G + "b": _graph("b", 2), G + "empty": PackedGraph([])}
    later = {G + "derived": [Triple(NamedNode(G + "x"), P, Literal("derived"))], G + "c": _graph("c", 5)}
    with open_store(tmp_path / "early" / "store") as store:
        assert store.begin_first_load()
        store.preload(early)
        assert ".store.loading" in _beside(store.path)
        assert store.graph_names() == []  # nothing visible before the write
        store.replace_graphs({**early, **later})
        begun_early = sorted_nquads(store)
        assert set(store.graph_names()) == set(early) | set(later)
    assert _beside(tmp_path / "early" / "store") == ["store"]
    with open_store(tmp_path / "end" / "store") as store:
        store.replace_graphs({**early, **later})
        assert sorted_nquads(store) == begun_early


def test_a_write_of_other_content_discards_what_was_loaded_early(tmp_path, small_loads):
    with open_store(tmp_path / "store") as store:
        assert store.begin_first_load()
        store.preload({G + "a": _graph("a", 7)})
        rebuilt = _graph("a", 2)  # the same graph name, another content
        store.replace_graphs({G + "a": rebuilt})
        assert len(list(store.quads(G + "a"))) == 2
    assert _beside(tmp_path / "store") == ["store"]


def test_a_failing_check_after_an_early_load_writes_nothing(tmp_path, small_loads):
    def fails() -> None:
        raise RuntimeError("planted violation")

    with open_store(tmp_path / "store") as store:
        graphs = {G + "a": _graph("a", 7)}
        assert store.begin_first_load()
        store.preload(graphs)
        with pytest.raises(RuntimeError, match="planted"):
            store.replace_graphs(graphs, before_commit=fails)
        assert store.graph_names() == [] and sorted_nquads(store) == []
    assert _beside(tmp_path / "store") == ["store"]


def test_an_abandoned_early_load_leaves_the_store_empty(tmp_path, small_loads):
    with open_store(tmp_path / "store") as store:
        assert store.begin_first_load()
        store.preload({G + "a": _graph("a", 50)})
        assert ".store.loading" in _beside(store.path)
        store.abandon_preload()
        assert _beside(store.path) == ["store"]
        assert store.graph_names() == []


def test_a_store_that_holds_data_is_not_loaded_early(tmp_path, small_loads):
    with open_store(tmp_path / "store") as store:
        store.replace_graphs({G + "old": _graph("old", 3)})
        assert not store.begin_first_load()
        assert _beside(store.path) == ["store"]


def test_a_first_load_smaller_than_the_loaders_threshold_stages_nothing(tmp_path, monkeypatch):
    """Below the bulk loader's threshold the write is one transaction: nothing is staged."""
    monkeypatch.setattr(oxigraph_store, "BULK_LOAD_THRESHOLD", 10)
    with open_store(tmp_path / "store") as store:
        assert store.begin_first_load()
        store.preload({G + "a": _graph("a", 7)})
        assert _beside(store.path) == ["store"]
        store.preload({G + "b": _graph("b", 7)})  # now 14 triples: the load begins
        assert ".store.loading" in _beside(store.path)
        store.replace_graphs({G + "a": _graph("a", 1)})  # another write: discarded
        assert _beside(store.path) == ["store"]


@pytest.fixture
def facts(tmp_path: Path) -> dict[str, Path]:
    from tests.test_ingest_validation import write_valid_facts

    folder, articles = write_valid_facts(tmp_path)
    return {"facts": folder, "articles": articles, "root": tmp_path}


def test_a_full_ingest_loads_its_article_graphs_early_into_an_empty_store(facts, small_loads, monkeypatch):
    handed: list[str] = []
    real = oxigraph_store.OxigraphStore.preload

    def spy(self, graphs):
        handed.extend(graphs)
        return real(self, graphs)

    monkeypatch.setattr(oxigraph_store.OxigraphStore, "preload", spy)
    with open_store(facts["root"] / "store") as store:
        corpus, _ = ingest(store, facts["facts"], facts["articles"])
        written = sorted_nquads(store)
    articles = [name for name in corpus.graphs if name.startswith("https://w3id.org/jalinan/id/article/")]
    assert articles and set(articles) <= set(handed)
    assert _beside(facts["root"] / "store") == ["articles", "facts", "store"]

    monkeypatch.setattr(oxigraph_store.OxigraphStore, "begin_first_load", lambda self: False)
    with open_store(facts["root"] / "at-the-end") as store:
        ingest(store, facts["facts"], facts["articles"])
        assert sorted_nquads(store) == written


def test_a_full_ingest_failing_after_its_early_load_began_leaves_the_store_empty(
    facts, small_loads, monkeypatch
):
    def fails(*args, **kwargs):
        raise RuntimeError("planted failure while deriving")

    monkeypatch.setattr(network_summary, "full_update", fails)
    with open_store(facts["root"] / "store") as store:
        with pytest.raises(RuntimeError, match="planted"):
            pipeline.ingest(store, facts["facts"], facts["articles"])
        assert store.graph_names() == [] and sorted_nquads(store) == []
    assert _beside(facts["root"] / "store") == ["articles", "facts", "store"]
