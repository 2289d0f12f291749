"""Replacing graphs that exist already (`replace_graphs` on the transactional path): each ends
with exactly its new triples, whatever it held and however the new content overlaps the old; a
re-ingest of the whole folder after one edit leaves the store as a fresh ingest writes it."""

import re
import shutil
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple

from jalinan.graph import open_store
from jalinan.ingest.pipeline import default_facts_dir, ingest

A, B = "https://example.org/graph/a", "https://example.org/graph/b"
S, P = NamedNode("https://example.org/s"), NamedNode("https://example.org/p")


def _t(value: str) -> Triple:
    return Triple(S, P, Literal(value))


def _triples(store, graph: str) -> set[Triple]:
    return {q.triple for q in store.quads(graph)}


def _everything(store) -> dict[str, set[Triple]]:
    return {name: _triples(store, name) for name in store.graph_names()}


def test_a_replaced_graph_holds_exactly_its_new_triples_and_others_are_untouched(tmp_path: Path) -> None:
    with open_store(tmp_path / "store") as store:
        store.replace_graphs({A: [_t("kept"), _t("lost")], B: [_t("other")]})
        store.replace_graphs({A: [_t("kept"), _t("gained")]})
        assert _triples(store, A) == {_t("kept"), _t("gained")}
        assert _triples(store, B) == {_t("other")}


def test_a_graph_replaced_by_nothing_is_dropped(tmp_path: Path) -> None:
    with open_store(tmp_path / "store") as store:
        store.replace_graphs({A: [_t("one")], B: [_t("two")]})
        store.replace_graphs({A: []})
        assert A not in store.graph_names()
        assert _triples(store, B) == {_t("two")}


def test_a_graph_holding_blank_nodes_is_replaced_whole(tmp_path: Path) -> None:
    """`DELETE DATA` may not name a blank node: such a graph is dropped and written again."""
    with open_store(tmp_path / "store") as store:
        store.replace_graphs({A: [Triple(S, P, BlankNode()), _t("plain")]})
        store.replace_graphs({A: [Triple(S, P, BlankNode()), _t("plain"), _t("new")]})
        held = _triples(store, A)
        assert len(held) == 3
        assert sum(isinstance(t.object, BlankNode) for t in held) == 1
        assert {_t("plain"), _t("new")} <= held


def test_removing_a_triple_a_replaced_graph_keeps_leaves_it_there(tmp_path: Path) -> None:
    """The replaced graph ends with its new triples and the added ones, as a drop and a full
    insert would leave it; `remove` acts on the graphs not replaced."""
    with open_store(tmp_path / "store") as store:
        store.replace_graphs({A: [_t("stays")], B: [_t("goes"), _t("b stays")]})
        store.replace_graphs(
            {A: [_t("stays"), _t("new")]},
            remove=[Quad(S, P, Literal("stays"), NamedNode(A)), Quad(S, P, Literal("goes"), NamedNode(B))],
            add=[Quad(S, P, Literal("added"), NamedNode(A))],
        )
        assert _triples(store, A) == {_t("stays"), _t("new"), _t("added")}
        assert _triples(store, B) == {_t("b stays")}


def test_a_refused_commit_leaves_replaced_graphs_as_they_were(tmp_path: Path) -> None:
    def refuse() -> None:
        raise RuntimeError("shape check failed")

    with open_store(tmp_path / "store") as store:
        store.replace_graphs({A: [_t("old")]})
        with pytest.raises(RuntimeError, match="shape check failed"):
            store.replace_graphs({A: [_t("new")]}, before_commit=refuse)
        assert _triples(store, A) == {_t("old")}


def test_the_folder_ingested_again_after_an_edit_equals_a_fresh_ingest_of_it(tmp_path: Path) -> None:
    """Every graph, the derived ones (counts, lists' order, member and agreement lists,
    network summary, inferred graph) and the bookkeeping included."""
    facts = tmp_path / "facts"
    shutil.copytree(default_facts_dir(), facts)
    with open_store(tmp_path / "again") as store:
        ingest(store, facts)
        article = sorted((facts / "articles").glob("*.yaml"))[0]
        text = article.read_text(encoding="utf-8")
        match = re.search(r"^  label: (.*)$", text, flags=re.MULTILINE)
        assert match is not None
        article.write_text(text[: match.end(1)] + " (revised)" + text[match.end(1) :], encoding="utf-8")
        report = ingest(store, facts)[1]
        assert len(report.written) == 1
        again = _everything(store)
    with open_store(tmp_path / "fresh") as store:
        ingest(store, facts)
        fresh = _everything(store)
    assert again == fresh
    assert any("(revised)" in str(t.object) for graph in again.values() for t in graph)
