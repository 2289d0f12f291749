"""A read replica over published snapshots: it switches to a newer snapshot atomically (running
requests finish on theirs), its workers and leases let go of the old one, every answer names the
snapshot it was read from, and every write is refused (graph/replica.py, api/pinning.py)."""

import asyncio
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import Literal, NamedNode, Quad

from jalinan.api.app import create_app
from jalinan.api.caching import VERSION_HEADER
from jalinan.api.settings import Settings
from jalinan.graph import StoreError, open_store
from jalinan.graph.publish import prune, publish
from jalinan.graph.replica import ReadOnlyReplica, ReplicaStore
from jalinan.graph.snapshots import Snapshot, published_snapshots
from tests.conftest import JALINAN, WRITE_TOKEN, free_port
from tests.support import problem_detail

GRAPH = NamedNode("urn:test:graph")
LABELS = "SELECT ?label WHERE { GRAPH <urn:test:graph> { ?thing <urn:test:label> ?label } } ORDER BY ?label"


def _label(text: str) -> Quad:
    return Quad(NamedNode("urn:test:thing"), NamedNode("urn:test:label"), Literal(text), GRAPH)


class Writer:
    """The writer's side: a store and the folder it publishes into."""

    def __init__(self, directory: Path):
        self.store = directory / "store"
        self.folder = directory / "published"

    def publish(self, text: str, keep: int = 5) -> Snapshot:
        with open_store(self.store) as store:
            store.add_quads([_label(text)])
            return publish(store, self.folder, keep=keep)


def _labels(replica: ReplicaStore) -> list[str]:
    return [row["label"].value for row in replica.query(LABELS).rows]  # type: ignore[union-attr]


@pytest.fixture
def writer(tmp_path: Path) -> Writer:
    return Writer(tmp_path)


@pytest.fixture
def replica(writer: Writer) -> Iterator[ReplicaStore]:
    writer.publish("one")
    store = ReplicaStore(writer.folder, workers=1, poll_interval=3600)  # tests call check()
    try:
        yield store
    finally:
        store.close()


def test_a_replica_switches_to_a_newly_published_snapshot(writer: Writer, replica: ReplicaStore) -> None:
    first = replica.version
    assert _labels(replica) == ["one"]
    assert replica.check() is False  # nothing new
    second = writer.publish("two")
    assert replica.check() is True
    assert replica.version == second.version != first
    assert _labels(replica) == ["one", "two"]
    assert replica.quad_count() == 2
    assert sorted(q.object.value for q in replica.quads("urn:test:graph")) == ["one", "two"]
    assert len(list(replica.quads())) == 2


def test_a_request_running_at_a_switch_reads_its_snapshot_to_the_end(
    writer: Writer, replica: ReplicaStore
) -> None:
    first = replica.version
    with replica.pinned():
        assert _labels(replica) == ["one"]
        second = writer.publish("two")
        assert replica.check() is True
        seen: list[object] = []
        other = threading.Thread(target=lambda: seen.append((replica.version, _labels(replica))))
        other.start()  # a new request (a fresh context) gets the new snapshot
        other.join()
        assert seen == [(second.version, ["one", "two"])]
        assert replica.version == first  # this one keeps its own, to the end
        assert _labels(replica) == ["one"]
        assert prune(writer.folder, keep=1) == [], "a snapshot a request still reads was pruned"
    assert replica.version == second.version
    assert prune(writer.folder, keep=1) == [first]  # let go of as soon as the request ended


def test_workers_let_go_of_the_old_snapshot_after_a_switch(writer: Writer, replica: ReplicaStore) -> None:
    first = replica.version
    _labels(replica)  # a worker opens the first snapshot
    writer.publish("two")
    replica.check()
    assert prune(writer.folder, keep=1) == [first]
    assert _labels(replica) == ["one", "two"]


def test_a_replica_keeps_its_snapshot_when_the_newest_does_not_open(
    writer: Writer, replica: ReplicaStore, capsys: pytest.CaptureFixture[str]
) -> None:
    first = replica.version
    broken = writer.publish("two")
    for table in broken.store_path.glob("*.sst"):  # unlinked: they are hard links to the store's
        table.unlink()
    with pytest.raises(StoreError, match="does not open"):
        replica.check()
    assert replica.version == first
    assert _labels(replica) == ["one"]
    assert replica.check() is False  # refused once, not tried on every look


def test_the_watcher_takes_a_newer_snapshot_by_itself(writer: Writer) -> None:
    writer.publish("one")
    replica = ReplicaStore(writer.folder, workers=1, poll_interval=0.1)
    try:
        second = writer.publish("two")
        deadline = time.monotonic() + 10
        while replica.version != second.version and time.monotonic() < deadline:
            time.sleep(0.05)
        assert replica.version == second.version
        assert _labels(replica) == ["one", "two"]
    finally:
        replica.close()


def test_a_replica_store_refuses_every_write(replica: ReplicaStore) -> None:
    with pytest.raises(ReadOnlyReplica, match="read replica"):
        replica.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }")
    with pytest.raises(ReadOnlyReplica):
        replica.replace_graphs({"urn:g": []})
    with pytest.raises(ReadOnlyReplica):
        replica.add_quads([_label("x")])


def _app_client(writer: Writer, replica: ReplicaStore) -> httpx.AsyncClient:
    """The app over `replica`, called in-process (the store is handed in: no lifespan needed)."""
    app = create_app(Settings(store_path=writer.folder, read_only=True), replica)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://replica")


def test_writes_to_a_replica_are_refused_with_the_reason(writer: Writer, replica: ReplicaStore) -> None:
    token = {"Authorization": f"Bearer {WRITE_TOKEN}"}
    update = "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }"

    async def run() -> None:
        async with _app_client(writer, replica) as client:
            for path in ("/update", "/sparql"):
                refused = await client.post(path, data={"update": update}, headers=token)
                assert "read replica" in problem_detail(refused, 403)
            for method in ("PUT", "POST", "DELETE"):
                refused = await client.request(
                    method,
                    "/store?graph=urn:g",
                    content=b"<urn:a> <urn:b> <urn:c> .",
                    headers={**token, "Content-Type": "application/n-triples"},
                )
                assert "read replica" in problem_detail(refused, 405)
                assert refused.headers["allow"] == "GET, HEAD"
            assert (await client.get("/sparql", params={"query": LABELS})).status_code == 200

    asyncio.run(run())
    assert _labels(replica) == ["one"]


def test_every_answer_names_the_snapshot_it_was_read_from(writer: Writer, replica: ReplicaStore) -> None:
    accept = {"Accept": "application/sparql-results+json"}

    async def run() -> None:
        async with _app_client(writer, replica) as client:
            first = await client.get("/sparql", params={"query": LABELS}, headers=accept)
            assert first.headers[VERSION_HEADER] == replica.version
            newer = writer.publish("two")
            replica.check()
            tagged = {**accept, "If-None-Match": first.headers["etag"]}
            second = await client.get("/sparql", params={"query": LABELS}, headers=tagged)
            assert second.status_code == 200  # the old tag no longer matches
            assert second.headers[VERSION_HEADER] == newer.version
            assert second.headers["etag"] != first.headers["etag"]
            assert [b["label"]["value"] for b in second.json()["results"]["bindings"]] == ["one", "two"]
            tagged = {**accept, "If-None-Match": second.headers["etag"]}
            again = await client.get("/sparql", params={"query": LABELS}, headers=tagged)
            assert again.status_code == 304

    asyncio.run(run())


def _serve(*arguments: str) -> subprocess.CompletedProcess[str]:
    command = [str(JALINAN), "serve", "--port", str(free_port()), *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_serve_read_only_refuses_a_store_and_a_write_token(writer: Writer) -> None:
    writer.publish("one")
    on_store = _serve("--read-only", "--store", str(writer.store))
    assert on_store.returncode == 3
    assert "published snapshots" in on_store.stderr and "jalinan publish" in on_store.stderr
    with_token = _serve("--read-only", "--store", str(writer.folder), "--write-token", "secret")
    assert with_token.returncode == 3 and "--write-token" in with_token.stderr
    not_read_only = _serve("--store", str(writer.folder))
    assert not_read_only.returncode == 3 and "--read-only" in not_read_only.stderr
    assert [p.name for p in published_snapshots(writer.folder)]  # nothing was touched


def test_a_read_replica_of_a_remote_backend_serves_reads_and_refuses_writes(tmp_path: Path) -> None:
    from jalinan.graph import open_store as open_any
    from tests.backends import oxigraph_server
    from tests.conftest import run_server

    with oxigraph_server(tmp_path) as backend:
        with backend.environment():
            remote = open_any(backend.location)
            remote.replace_graphs({"urn:test:graph": [_label("one").triple]})
            remote.close()
        with run_server(
            backend.location, tmp_path / "replica.log", "--read-only", write_token=None, extra_env=backend.env
        ) as replica:
            read = httpx.get(replica.url("/sparql"), params={"query": LABELS}, headers={"Accept": "text/csv"})
            assert read.status_code == 200 and read.text.split() == ["label", "one"]
            refused = httpx.post(replica.url("/update"), data={"update": "CLEAR ALL"})
            assert "read replica" in problem_detail(refused, 403)
            refused = httpx.delete(replica.url("/store"), params={"graph": "urn:test:graph"})
            assert "read replica" in problem_detail(refused, 405)
            assert httpx.get(replica.url("/sparql"), params={"query": LABELS}).status_code == 200
