"""A full ingest holds each built graph packed (compressed N-Triples lines), not as triples.

What must hold: a packed graph gives back exactly its triples, whatever its literals hold (line
breaks, quotes, " ." inside a string, other scripts); its digest is the one ingest records for
the same triples held as a list (so a store written before packing is not rewritten); and the
bulk loader, which reads its lines as N-Quads, puts exactly those triples in the right graph.
"""

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from jalinan.graph import open_store, oxigraph_store
from jalinan.graph.namespaces import ONTOLOGY_GRAPH
from jalinan.graph.packed import PackedGraph, selected
from jalinan.ingest import network_summary
from jalinan.ingest.entailments import rules_from_ontology
from jalinan.ingest.list_members import members_from_graphs
from jalinan.ingest.list_order import positions_from_graphs
from jalinan.ingest.pipeline import as_stored, build_corpus, graph_digest
from jalinan.ingest.statistics import corpus_statistics

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


Q = NamedNode("https://w3id.org/jalinan/ontology#q")
MIXED = [
    *AWKWARD,
    # literals that spell another predicate, or a line, inside them
    Triple(S, Q, Literal(f"{P} {Q} .\n{S} {P} x .")),
    Triple(NamedNode("https://w3id.org/jalinan/id/t"), Q, Literal("q's object")),
    Triple(NamedNode("https://w3id.org/jalinan/id/a"), P, NamedNode("https://w3id.org/jalinan/id/b")),
    Triple(BlankNode("b1"), Q, Literal(" <https://w3id.org/jalinan/ontology#p> ")),
    Triple(BlankNode("b1"), P, Literal("from a blank node")),
]


def test_selecting_predicates_of_a_packed_graph_gives_exactly_those_triples_in_its_order():
    packed = PackedGraph(MIXED)
    for predicates in ({P}, {Q}, {P, Q}, {NamedNode("https://w3id.org/jalinan/ontology#none")}):
        wanted = frozenset(predicates)
        assert packed.select(wanted) == [t for t in packed if t.predicate in wanted]
        assert selected(packed, wanted) == packed.select(wanted)
    assert PackedGraph([]).select(frozenset({P})) == []


def test_a_packed_graph_counts_its_distinct_triples_as_a_store_holds_them():
    assert PackedGraph(MIXED + MIXED[:3]).distinct_count() == len(set(MIXED))
    assert len(PackedGraph(MIXED + MIXED[:3])) == len(MIXED) + 3
    assert PackedGraph([]).distinct_count() == 0


def test_the_derivations_read_a_packed_corpus_as_they_read_it_as_triples():
    """Each derivation of a full ingest parses only the predicates it reads from a packed
    graph: what it derives is what it derives from the same graphs held as triples."""
    corpus = build_corpus(check_shapes=False)
    packed = corpus.graphs
    assert any(isinstance(g, PackedGraph) for g in packed.values())
    plain = {name: list(triples) for name, triples in packed.items()}
    rules = rules_from_ontology(plain[ONTOLOGY_GRAPH])
    assert corpus_statistics(packed) == corpus_statistics(plain)
    assert positions_from_graphs(packed) == positions_from_graphs(plain)
    assert set(rules.materialise(packed.values())) == set(rules.materialise(plain.values()))
    assert network_summary.full_update(packed, []) == network_summary.full_update(plain, [])
    ranked = positions_from_graphs(plain)
    assert members_from_graphs(packed, ranked) == members_from_graphs(plain, ranked)


TOKEN = NamedNode("https://w3id.org/jalinan/ontology#searchToken")
QUOTE = NamedNode("https://w3id.org/jalinan/ontology#quote")
CLAIM_SUBJECT = NamedNode("https://w3id.org/jalinan/ontology#claimSubject")
TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
# an article graph's kinds of line: the bulky ones each block holds apart, and the rest
ARTICLE_LIKE = [
    *MIXED,
    Triple(S, TYPE, NamedNode("https://w3id.org/jalinan/ontology#Agreement")),
    Triple(S, TOKEN, Literal("agreement")),
    Triple(S, TOKEN, Literal("马来西亚")),
    Triple(NamedNode("https://w3id.org/jalinan/id/e1"), QUOTE, Literal(f"{TYPE} in a quote .\n")),
    Triple(NamedNode("https://w3id.org/jalinan/id/e1"), CLAIM_SUBJECT, S),
    Triple(NamedNode("https://w3id.org/jalinan/id/a"), TOKEN, Literal("a")),
]


def test_a_graph_packed_in_blocks_by_predicate_gives_back_each_selection_in_its_order():
    """Whatever blocks the predicates fall in (the bulky ones are packed apart), a selection is
    the triples of those predicates in the graph's order, the whole graph is its sorted lines,
    and the digest is the one of the same triples as a list."""
    packed = PackedGraph(ARTICLE_LIKE + ARTICLE_LIKE[-2:])
    whole = list(packed)
    assert [str(t) for t in whole] == sorted(map(str, ARTICLE_LIKE + ARTICLE_LIKE[-2:]))
    assert packed.digest == graph_digest(ARTICLE_LIKE + ARTICLE_LIKE[-2:])
    assert packed.distinct_count() == len(set(ARTICLE_LIKE))
    for predicates in (
        {TYPE},
        {TOKEN},
        {QUOTE, CLAIM_SUBJECT},
        {TYPE, QUOTE},
        {TOKEN, P, CLAIM_SUBJECT},
        {P, Q},
    ):
        wanted = frozenset(predicates)
        fresh = PackedGraph(ARTICLE_LIKE)  # (not the graph read last, which is kept parsed)
        assert fresh.select(wanted) == [t for t in sorted(ARTICLE_LIKE, key=str) if t.predicate in wanted]


def test_a_reader_of_a_few_predicates_leaves_the_bulky_lines_packed(monkeypatch):
    """The derivations read none of the search tokens and quotes (most of an article graph's
    lines): selecting what they read does not even unpack those lines."""
    from jalinan.graph import packed as packed_module

    unpacked: list[bytes] = []
    real = packed_module.zlib.decompress

    def counting(data: bytes) -> bytes:
        unpacked.append(real(data))
        return unpacked[-1]

    monkeypatch.setattr(packed_module.zlib, "decompress", counting)
    packed = PackedGraph(ARTICLE_LIKE)
    assert packed.select(frozenset({TYPE})) == [t for t in ARTICLE_LIKE if t.predicate == TYPE]
    assert unpacked and not any(
        str(TOKEN).encode() in text or str(QUOTE).encode() in text for text in unpacked
    )


def test_packed_graphs_of_every_block_bulk_load_into_their_own_graphs(tmp_path, monkeypatch):
    monkeypatch.setattr(oxigraph_store, "BULK_LOAD_THRESHOLD", 1)
    named = [t for t in ARTICLE_LIKE if isinstance(t.subject, NamedNode)]  # (the loader renames blank nodes)
    graph = "https://w3id.org/jalinan/graph/a"
    with open_store(tmp_path / "store") as store:
        store.replace_graphs({graph: PackedGraph(named)})
        assert {q.triple for q in store.quads(graph)} == set(as_stored(named))
