"""Publishing snapshots for read replicas: immutable, versioned, the pointer moved atomically, and
old ones pruned only when no replica holds a lease on them (graph/publish.py, graph/snapshots.py)."""

import json
import subprocess
import time
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from jalinan.graph import StoreError, open_store
from jalinan.graph.publish import prune, publish
from jalinan.graph.snapshots import Lease, is_version, published_snapshots, read_pointer
from tests.conftest import JALINAN

GRAPH = NamedNode("urn:test:graph")


def _label(text: str) -> Quad:
    return Quad(NamedNode("urn:test:thing"), NamedNode("urn:test:label"), Literal(text), GRAPH)


def _labels(store_path: Path) -> list[str]:
    store = Store.read_only(str(store_path))
    try:
        return sorted(quad.object.value for quad in store.quads_for_pattern(None, None, None, GRAPH))
    finally:
        del store


def _write_and_publish(store_path: Path, folder: Path, text: str, keep: int = 2):
    with open_store(store_path) as store:
        store.add_quads([_label(text)])
        return publish(store, folder, keep=keep)


def test_a_publish_makes_a_versioned_snapshot_and_points_at_it(tmp_path: Path) -> None:
    snapshot = _write_and_publish(tmp_path / "store", tmp_path / "published", "one")
    assert is_version(snapshot.version)
    pointer = json.loads((tmp_path / "published" / "current.json").read_text())
    assert pointer["version"] == snapshot.version
    assert read_pointer(tmp_path / "published") == snapshot
    assert _labels(snapshot.store_path) == ["one"]
    assert not [p for p in (tmp_path / "published").rglob(".*tmp")], "a temporary file was left"


def test_a_published_snapshot_keeps_its_content_when_the_store_changes(tmp_path: Path) -> None:
    first = _write_and_publish(tmp_path / "store", tmp_path / "published", "one")
    second = _write_and_publish(tmp_path / "store", tmp_path / "published", "two")
    assert second.version > first.version  # versions sort by publication
    assert read_pointer(tmp_path / "published").version == second.version
    assert _labels(first.store_path) == ["one"]
    assert _labels(second.store_path) == ["one", "two"]


def test_pruning_keeps_the_newest_and_every_snapshot_a_replica_leases(tmp_path: Path) -> None:
    folder = tmp_path / "published"
    first = _write_and_publish(tmp_path / "store", folder, "one", keep=5)
    lease = Lease.take(first)
    assert lease is not None
    for text in ("two", "three", "four"):
        newest = _write_and_publish(tmp_path / "store", folder, text, keep=5)
    middle = [p.name for p in published_snapshots(folder)][1:3]
    assert prune(folder, keep=1) == middle
    remaining = [p.name for p in published_snapshots(folder)]
    assert remaining == [first.version, newest.version]  # the leased one and the newest
    lease.release()
    assert prune(folder, keep=1) == [first.version]
    assert [p.name for p in published_snapshots(folder)] == [newest.version]


def test_a_lease_on_a_pruned_snapshot_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "published"
    first = _write_and_publish(tmp_path / "store", folder, "one")
    _write_and_publish(tmp_path / "store", folder, "two", keep=1)  # prunes the first
    assert not first.directory.exists()
    assert Lease.take(first) is None


def test_a_lease_held_by_another_process_stops_pruning(tmp_path: Path) -> None:
    folder = tmp_path / "published"
    first = _write_and_publish(tmp_path / "store", folder, "one")
    holder = subprocess.Popen(
        ["flock", "--shared", "--close", str(first.metadata_path), "sleep", "30"],
    )
    try:
        for _ in range(50):  # until flock holds it
            if not _exclusive_free(first.metadata_path):
                break
            time.sleep(0.1)
        else:
            pytest.fail("flock(1) did not take its shared lock within 5 s")
        _write_and_publish(tmp_path / "store", folder, "two", keep=1)
        assert first.directory.exists(), "a snapshot another process holds was pruned"
    finally:
        holder.kill()
        holder.wait()
    assert prune(folder, keep=1) == [first.version]


def _exclusive_free(path: Path) -> bool:
    from jalinan.graph.snapshots import exclusive

    with exclusive(path) as free:
        return free


def test_publishing_refuses_a_store_folder_or_the_store_itself(tmp_path: Path) -> None:
    with open_store(tmp_path / "store") as store:
        store.add_quads([_label("one")])
        with pytest.raises(StoreError, match="is an Oxigraph store"):
            publish(store, tmp_path / "store")
        (tmp_path / "file").write_text("x")
        with pytest.raises(StoreError, match="is a file"):
            publish(store, tmp_path / "file")
    assert not (tmp_path / "store" / "current.json").exists()


def test_jalinan_ingest_publish_and_jalinan_publish_make_snapshots(tmp_path: Path) -> None:
    store, folder = tmp_path / "store", tmp_path / "published"
    ingested = subprocess.run(
        [str(JALINAN), "ingest", "--store", str(store), "--publish", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ingested.returncode == 0, ingested.stderr
    first = read_pointer(folder)
    assert f"published snapshot {first.version}" in ingested.stdout
    again = subprocess.run(
        [str(JALINAN), "publish", str(folder), "--store", str(store), "--keep", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    second = read_pointer(folder)
    assert second.version != first.version
    assert len(Store.read_only(str(second.store_path))) == len(Store.read_only(str(store))) > 0
    assert [p.name for p in published_snapshots(folder)] == [second.version]


def test_jalinan_publish_names_a_missing_store(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(JALINAN), "publish", str(tmp_path / "published"), "--store", str(tmp_path / "nothing")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "no store at" in result.stderr and str(tmp_path / "nothing") in result.stderr


def test_jalinan_prune_spares_what_a_replica_leases(tmp_path: Path) -> None:
    folder = tmp_path / "published"
    first = _write_and_publish(tmp_path / "store", folder, "one", keep=5)
    second = _write_and_publish(tmp_path / "store", folder, "two", keep=5)
    newest = _write_and_publish(tmp_path / "store", folder, "three", keep=5)
    lease = Lease.take(second)
    try:
        result = subprocess.run(
            [str(JALINAN), "prune", str(folder), "--keep", "1"], capture_output=True, text=True, timeout=60
        )
    finally:
        assert lease is not None
        lease.release()
    assert result.returncode == 0, result.stderr
    assert f"pruned 1 snapshots from {folder}: {first.version}" in result.stdout
    assert [p.name for p in published_snapshots(folder)] == [second.version, newest.version]
