"""Writes staged on a scratch copy (`graph/staging.py`): the store sees nothing until `commit`,
then the net change of the whole series in one write; a write the stage cannot record is refused."""

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Triple

from jalinan.graph import open_store
from jalinan.graph.staging import UnrecordedWriteError, staged

A, B = "https://example.org/graph/a", "https://example.org/graph/b"
S, P = NamedNode("https://example.org/s"), NamedNode("https://example.org/p")


def _triples(store, graph: str) -> set[Triple]:
    return {q.triple for q in store.quads(graph)}


def test_a_staged_series_reaches_the_store_only_at_commit_as_its_net_change(tmp_path: Path) -> None:
    with open_store(tmp_path / "store") as store:
        store.replace_graphs({A: [Triple(S, P, Literal("old"))]})
        with staged(store) as staging:
            staging.replace_graphs({A: [Triple(S, P, Literal("new"))]})
            staging.add_quads([Quad(S, P, Literal("added then removed"), NamedNode(B))])
            staging.replace_graphs({}, remove=[Quad(S, P, Literal("added then removed"), NamedNode(B))])
            staging.replace_graphs({}, add=[Quad(S, P, Literal("kept"), NamedNode(B))])
            assert _triples(store, A) == {Triple(S, P, Literal("old"))}  # nothing seen yet
            assert _triples(staging, A) == {Triple(S, P, Literal("new"))}  # reads see the series
            staging.commit(store)
        assert _triples(store, A) == {Triple(S, P, Literal("new"))}
        assert _triples(store, B) == {Triple(S, P, Literal("kept"))}


def test_a_sparql_update_on_a_stage_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    with open_store(tmp_path / "store") as store:
        store.replace_graphs({A: [Triple(S, P, Literal("old"))]})
        with staged(store) as staging:
            with pytest.raises(UnrecordedWriteError, match="not SPARQL Update"):
                staging.update(f'INSERT DATA {{ GRAPH <{A}> {{ {S} {P} "sneaked" }} }}')
            staging.commit(store)
        assert _triples(store, A) == {Triple(S, P, Literal("old"))}
