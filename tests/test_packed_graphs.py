"""A full ingest holds each built graph packed (compressed N-Triples lines), not as triples.

What must hold: a packed graph gives back exactly its triples, whatever its literals hold (line
breaks, quotes, " ." inside a string, other scripts); its digest is the one ingest records for
the same triples held as a list (so a store written before packing is not rewritten); and the
bulk loader, which reads its lines as N-Quads, puts exactly those triples in the right graph.
"""

from pyoxigraph import Literal, NamedNode, Triple

from jalinan.graph import open_store, oxigraph_store
from jalinan.graph.packed import PackedGraph
from jalinan.ingest.pipeline import as_stored, build_corpus, graph_digest

S, P = NamedNode("https://w3id.org/jalinan/id/s"), NamedNode("https://w3id.org/jalinan/ontology#p")
AWKWARD = [
    Triple(S, P, Literal("two lines .\nsecond line .")),
    Triple(S, P, Literal('a "quoted" word and a back\\slash')),
    Triple(S, P, Literal("ends with a dot .")),
    Triple(S, P, Literal("tab\there, carriage\rreturn", language="en")),
    Triple(S, P, Literal("马来西亚与中国", language="zh")),
    Triple(S, P, Literal("433.0", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))),
    Triple(S, P, NamedNode("https://w3id.org/jalinan/id/o")),
]


def test_a_packed_graph_gives_back_exactly_its_triples():
    packed = PackedGraph(AWKWARD)
    assert len(packed) == len(AWKWARD)
    assert sorted(map(str, packed)) == sorted(map(str, AWKWARD))
    assert set(packed) == set(AWKWARD)


def test_a_packed_graph_has_the_digest_of_the_same_triples_as_a_list():
    assert PackedGraph(AWKWARD).digest == graph_digest(AWKWARD)
    assert graph_digest(PackedGraph(AWKWARD)) == graph_digest(list(reversed(AWKWARD)))
    assert PackedGraph(AWKWARD[1:]).digest != graph_digest(AWKWARD)


def test_packed_graphs_bulk_load_into_their_own_graphs(tmp_path, monkeypatch):
    monkeypatch.setattr(oxigraph_store, "BULK_LOAD_THRESHOLD", 1)
    monkeypatch.setattr(oxigraph_store, "BULK_LOAD_CHUNK", 3)  # several loader calls
    graphs = {
        "https://w3id.org/jalinan/graph/a": PackedGraph(AWKWARD),
        "https://w3id.org/jalinan/graph/b": PackedGraph(AWKWARD[:2]),
        "https://w3id.org/jalinan/graph/empty": PackedGraph([]),
    }
    with open_store(tmp_path / "store") as store:
        store.replace_graphs(graphs)
        for name, packed in graphs.items():
            assert {q.triple for q in store.quads(name)} == set(as_stored(list(packed))), name
        assert set(store.graph_names()) == set(graphs)


def test_a_whole_corpus_is_held_packed():
    corpus = build_corpus(check_shapes=False)
    articles = [name for name in corpus.graphs if name.startswith("https://w3id.org/jalinan/id/article/")]
    assert articles
    assert all(isinstance(corpus.graphs[name], PackedGraph) for name in articles)


def test_a_graph_packed_in_many_blocks_is_the_same_graph_with_the_same_digest(monkeypatch):
    from jalinan.graph import packed as packed_module

    whole = PackedGraph(AWKWARD)
    monkeypatch.setattr(packed_module, "_BLOCK", 2)
    blocks = PackedGraph(AWKWARD)
    assert blocks.digest == whole.digest == graph_digest(AWKWARD)
    assert blocks.ntriples() == whole.ntriples()
