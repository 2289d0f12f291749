"""The whole-corpus readers of a full ingest share one pass over its packed graphs.

Each reader must get what it would get reading the graphs itself, each packed graph must be
parsed once for all of them, and a reader that fails, or reads nothing, must neither hang the
others nor hide its error.
"""

import threading

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from jalinan.graph.packed import PackedGraph
from jalinan.ingest.one_pass import in_one_pass
from jalinan.ingest.statistics import corpus_statistics


class CountedGraph(PackedGraph):
    """A packed graph that counts how often it is parsed."""

    __slots__ = ("parsed",)

    def __init__(self, triples):
        super().__init__(triples)
        self.parsed = 0

    def ntriples(self) -> bytes:
        self.parsed += 1
        return super().ntriples()


def corpus(graphs: int = 12) -> dict[str, CountedGraph]:
    p = NamedNode("https://w3id.org/jalinan/ontology#p")
    return {
        f"https://w3id.org/jalinan/graph/g{i}": CountedGraph(
            [
                Triple(NamedNode(f"https://w3id.org/jalinan/id/n{i}-{j}"), p, Literal(str(j)))
                for j in range(i + 1)
            ]
        )
        for i in range(graphs)
    }


def count(graphs) -> int:
    return sum(len(list(triples)) for triples in graphs.values())


def names(graphs) -> list[str]:
    return [name for name, _ in graphs.items()]


def test_each_reader_gets_what_it_would_reading_alone_with_one_parse_per_graph():
    graphs = corpus()
    expected = [count(graphs), names(graphs), corpus_statistics(graphs)]
    for packed in graphs.values():
        packed.parsed = 0
    assert in_one_pass(graphs, [count, names, corpus_statistics]) == expected
    assert {packed.parsed for packed in graphs.values()} == {1}
    assert in_one_pass(graphs, [count, names, corpus_statistics], together=False) == expected


@pytest.mark.parametrize("failing", [0, 2], ids=["in-a-thread", "in-the-caller"])
def test_a_failing_reader_raises_its_error_and_hangs_no_one(failing):
    def fails(graphs):
        next(iter(graphs.values()))
        raise ValueError("this reader failed")

    readers = [count, names, count]
    readers[failing] = fails
    done: list[BaseException] = []

    def run():
        try:
            in_one_pass(corpus(), readers)
        except ValueError as exc:
            done.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the pass hung"
    assert [str(e) for e in done] == ["this reader failed"]


def test_a_reader_that_reads_nothing_or_reads_twice_still_ends():
    graphs = corpus()
    twice = lambda g: (count(g), count(g))  # noqa: E731  # the second read is its own pass
    assert in_one_pass(graphs, [lambda g: len(g), twice, count]) == [12, (78, 78), 78]
