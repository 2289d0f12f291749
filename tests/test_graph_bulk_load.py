"""A large first write into an empty store goes through the bulk loader, still all or nothing.

The threshold is lowered so that the curated facts (7,000 triples) take the bulk path; the
result must equal the transactional path's, quad for quad, and a write that fails part-way must
leave the store empty and no staging folder behind. Graphs held as triples are fed to the
loader in chunks (to bound its memory); lowering the chunk size too shows that a load of many
chunks is still whole and still all or nothing. Packed graphs go in one loader call, read as one
text (`PiecesReader`), which a stop ends at its next read.
"""

import threading
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Quad, RdfFormat, Store, Triple

from jalinan.graph import open_store, oxigraph_store
from jalinan.ingest.pipeline import build_corpus
from tests.support import sorted_nquads


@pytest.fixture(scope="module")
def graphs() -> dict[str, list[Triple]]:
    return build_corpus(check_shapes=False).graphs


EXTRA = Quad(*(NamedNode("urn:x:extra"),) * 3, NamedNode("https://w3id.org/jalinan/graph/extra"))


@pytest.mark.parametrize("chunk", [oxigraph_store.BULK_LOAD_CHUNK, 1000], ids=["one-chunk", "many-chunks"])
def test_bulk_path_writes_the_same_quads_as_one_transaction(graphs, tmp_path, monkeypatch, chunk):
    with open_store(tmp_path / "transactional") as store:
        store.replace_graphs(graphs, add=[EXTRA])
        expected = sorted_nquads(store)
    monkeypatch.setattr(oxigraph_store, "BULK_LOAD_THRESHOLD", 1)
    monkeypatch.setattr(oxigraph_store, "BULK_LOAD_CHUNK", chunk)
    with open_store(tmp_path / "bulk") as store:
        store.replace_graphs(graphs, add=[EXTRA])
        assert sorted_nquads(store) == expected
        assert set(store.graph_names()) == {*graphs, EXTRA.graph_name.value}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bulk", "transactional"]  # no staging left
    with open_store(tmp_path / "bulk", read_only=True) as reopened:
        assert sorted_nquads(reopened) == expected


@pytest.mark.parametrize("chunk", [oxigraph_store.BULK_LOAD_CHUNK, 1000], ids=["one-chunk", "many-chunks"])
def test_bulk_path_interrupted_leaves_the_store_empty(graphs, tmp_path: Path, monkeypatch, chunk):
    monkeypatch.setattr(oxigraph_store, "BULK_LOAD_THRESHOLD", 1)
    monkeypatch.setattr(oxigraph_store, "BULK_LOAD_CHUNK", chunk)  # many chunks: some went in

    class NotATriple:  # fails when the loader reaches it, after thousands of quads went in
        @property
        def subject(self):
            raise Interrupted("the source failed part-way")

    class Interrupted(Exception):
        pass

    broken = {**graphs, "https://w3id.org/jalinan/graph/zz-broken": [NotATriple()]}
    with open_store(tmp_path / "store") as store:
        with pytest.raises(Interrupted):
            store.replace_graphs(broken)
        assert sorted_nquads(store) == []
        assert store.graph_names() == []
        store.replace_graphs({"https://w3id.org/jalinan/graph/x": [Triple(*(NamedNode("urn:x:a"),) * 3)]})
        assert len(sorted_nquads(store)) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_the_loader_reads_pieces_as_one_text_across_its_reads():
    reader = oxigraph_store.PiecesReader(iter([b"<urn:x:a> <urn:x:p> ", b"", b'"one" <urn:x:g> .\n']))
    buffer = bytearray(5)  # reads smaller than a piece
    read = b""
    while size := reader.readinto(buffer):
        read += bytes(buffer[:size])
    assert read == b'<urn:x:a> <urn:x:p> "one" <urn:x:g> .\n'


def test_a_stopped_load_raises_at_the_loaders_next_read(tmp_path):
    stop = threading.Event()

    def pieces():
        yield b"<urn:x:a> <urn:x:p> <urn:x:o> <urn:x:g> .\n"
        stop.set()  # (as `abandon` does while the loader waits for the next graph)
        yield b"<urn:x:b> <urn:x:p> <urn:x:o> <urn:x:g> .\n"

    store = Store(str(tmp_path / "store"))
    with pytest.raises((oxigraph_store.LoadStopped, OSError)):
        store.bulk_load(input=oxigraph_store.PiecesReader(pieces(), stop), format=RdfFormat.N_QUADS)
    assert len(store) == 0  # nothing handed to RocksDB
