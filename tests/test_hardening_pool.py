"""The query pool keeps itself whole and never makes a read wait for a write.

Run in-process on a `PooledStore` over the curated facts (the worker processes are real):
a worker that fails to start is retried with backoff until the pool is whole again; reads are
answered from the last checkpoint while a long write runs; checkpoints no worker needs are
deleted; a query past the worker's memory limit is stopped with `QueryOutOfMemory`.
"""

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Triple

from jalinan.graph import open_store
from jalinan.graph import pool as pool_module
from jalinan.graph.pool import PooledStore, QueryOutOfMemory
from jalinan.graph.results import AskResult
from tests.conftest import build_store

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
RUNAWAY_ORDER = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
BIG_GRAPH = "https://example.org/long-write"


@pytest.fixture(scope="module")
def facts_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("pool") / "store")


@pytest.fixture
def pooled(facts_store: Path, tmp_path: Path) -> Iterator[PooledStore]:
    import shutil

    path = tmp_path / "store"
    shutil.copytree(facts_store, path)
    store = PooledStore(
        open_store(path), workers=2, reserved=1, timeout=10, worker_memory=300 * 2**20, spares=0
    )  # no spares: a stopped worker's replacement is started then (what the retries below test)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def with_spares(facts_store: Path, tmp_path: Path) -> Iterator[PooledStore]:
    import shutil

    path = tmp_path / "store"
    shutil.copytree(facts_store, path)
    store = PooledStore(open_store(path), workers=1, reserved=0, timeout=10, spares=2)
    try:
        yield store
    finally:
        store.close()


def _wait_whole(store: PooledStore, size: int, within: float) -> float:
    started = time.monotonic()
    while store.pool_size != size or len(store.worker_pids) != size:
        assert time.monotonic() - started < within, f"the pool has {store.pool_size} of {size} workers"
        time.sleep(0.05)
    return time.monotonic() - started


def test_a_worker_that_fails_to_start_is_retried_until_the_pool_is_whole(
    pooled: PooledStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_init = pool_module._Worker.__init__
    failures = {"left": 3}

    def failing_init(self: pool_module._Worker, *args: object, **kwargs: object) -> None:
        if failures["left"] > 0:
            failures["left"] -= 1
            raise OSError(24, "Too many open files")  # what fd exhaustion looks like
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pool_module._Worker, "__init__", failing_init)
    with pytest.raises(pool_module.QueryTimeout):
        pooled.query(RUNAWAY, timeout=0.5)  # its worker is killed and must be replaced
    took = _wait_whole(pooled, 3, within=20)
    print(f"pool whole again after 3 failed starts, in {took:.2f} s")
    assert failures["left"] == 0 and pooled.restarts == 3
    assert pooled.query("ASK { ?s ?p ?o }") == AskResult(True)


def test_a_worker_that_dies_before_it_is_ready_is_retried(
    pooled: PooledStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_ready = pool_module._Worker.wait_ready
    failures = {"left": 2}

    def dies(self: pool_module._Worker, timeout: float = 60) -> None:
        if failures["left"] > 0:
            failures["left"] -= 1
            self.process.kill()  # as if its start-up failed
        real_ready(self, timeout)

    monkeypatch.setattr(pool_module._Worker, "wait_ready", dies)
    with pytest.raises(pool_module.QueryTimeout):
        pooled.query(RUNAWAY, timeout=0.5)
    _wait_whole(pooled, 3, within=20)
    assert failures["left"] == 0 and pooled.restarts == 2
    assert pooled.query("ASK { ?s ?p ?o }") == AskResult(True)


def test_a_runaway_allocation_stops_at_the_worker_memory_limit(pooled: PooledStore) -> None:
    started = time.monotonic()
    with pytest.raises(QueryOutOfMemory, match="300 MiB"):
        pooled.query(RUNAWAY_ORDER)
    print(f"ORDER BY over a cross product stopped at 300 MiB after {time.monotonic() - started:.2f} s")
    _wait_whole(pooled, 3, within=20)
    assert pooled.query("ASK { ?s ?p ?o }") == AskResult(True)


def test_reads_are_answered_from_the_last_checkpoint_while_a_long_write_runs(pooled: PooledStore) -> None:
    predicate = NamedNode("https://example.org/p")
    triples = [
        Triple(NamedNode(f"https://example.org/s{i}"), predicate, NamedNode(f"https://example.org/o{i}"))
        for i in range(60_000)
    ]
    writing = threading.Event()
    wrote: list[float] = []

    def write() -> None:
        writing.set()
        started = time.monotonic()
        pooled.replace_graphs({BIG_GRAPH: triples})
        wrote.append(time.monotonic() - started)

    writer = threading.Thread(target=write)
    writer.start()
    writing.wait()
    time.sleep(0.2)
    latencies, answers = [], []
    while writer.is_alive():
        started = time.monotonic()
        answers.append(pooled.query(f"ASK {{ GRAPH <{BIG_GRAPH}> {{ ?s ?p ?o }} }}", timeout=1))
        latencies.append(time.monotonic() - started)
        time.sleep(0.05)
    writer.join()
    slowest = max(latencies or [0])
    print(f"write took {wrote[0]:.2f} s; {len(latencies)} reads meanwhile, slowest {slowest:.3f} s")
    assert AskResult(False) in answers, "no read was made during the write (make it longer)"
    assert max(latencies) < 1.0  # answered from the checkpoint taken before the write
    assert pooled.query(f"ASK {{ GRAPH <{BIG_GRAPH}> {{ ?s ?p ?o }} }}") == AskResult(True)


def test_checkpoints_no_worker_needs_are_deleted(pooled: PooledStore) -> None:
    snapshots = Path(f"{pooled.path}.snapshots")
    # every worker opens the current checkpoint (three queries at once)
    threads = [threading.Thread(target=pooled.query, args=("ASK { ?s ?p ?o }",)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for round_ in range(3):
        triple = f"<https://example.org/s> <https://example.org/p> {round_}"
        pooled.update(f"INSERT DATA {{ GRAPH <https://example.org/g> {{ {triple} }} }}")
        assert pooled.query(f"ASK {{ ?s <https://example.org/p> {round_} }}") == AskResult(True)
        kept = sorted(path.name for path in snapshots.iterdir())
        assert len(kept) == 1, f"after write {round_}, checkpoints kept: {kept}"


def test_a_worker_stopped_at_its_time_limit_is_replaced_at_once_by_a_spare(with_spares: PooledStore) -> None:
    """The one general worker is stopped by a runaway's time limit; a spare started ahead takes
    its place before the runaway's caller even sees the timeout, so the next query runs at once
    (with no spare the lane would be empty until a new process had started), and the spares are
    topped up again in the background."""
    pool = with_spares
    started = time.monotonic()
    while pool.spares_ready < 2:
        assert time.monotonic() - started < 60, "the spares never started"
        time.sleep(0.05)
    before = set(pool.worker_pids)
    with pytest.raises(pool_module.QueryTimeout):
        pool.query(RUNAWAY, timeout=0.5)
    assert pool.pool_size == 1  # whole at once, not after a start
    assert pool.spares_ready == 1
    assert pool.query("ASK { ?s ?p ?o }", timeout=5) == AskResult(True)
    while pool.spares_ready < 2:
        assert time.monotonic() - started < 60, "the spares were not topped up"
        time.sleep(0.05)
    assert len(pool.worker_pids) == 3 and len(set(pool.worker_pids) - before) == 1
    pids = pool.worker_pids
    pool.close()
    assert not [pid for pid in pids if _alive(pid)], "a spare outlived the pool"


def _alive(pid: int) -> bool:
    import os

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split(") ")[1].startswith("Z"):
                    return False
        except (ProcessLookupError, FileNotFoundError):
            return False
        time.sleep(0.05)
    return True
