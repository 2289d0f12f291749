"""A query worker gives back the memory a heavy query freed, instead of keeping its peak for life.

glibc keeps freed memory in the process; `graph/heap.py` hands it back (`malloc_trim`) once a
job has left the heap a step above where the last trim left it. Checked on real worker
processes (`PooledStore`): after a GROUP BY of 160,000 groups, which leaves some 30 MB behind
in a worker that does not trim, the worker is back near where it started; with trimming off
(`JALINAN_HEAP_TRIM_STEP=off`) it is not, which shows the measurement can tell them apart.
"""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from jalinan.graph import open_store
from jalinan.graph.heap import DEFAULT_TRIM_STEP, STEP_ENV_VAR, HeapTrimmer, configured_step
from jalinan.graph.pool import PooledStore
from jalinan.graph.results import AskResult
from tests.conftest import build_store

MIB = 2**20
# 400 × 400 keys grouped: many small allocations, freed when the answer is sent
VALUES = " ".join(str(i) for i in range(400))
HEAVY = (
    "SELECT (COUNT(*) AS ?groups) WHERE { { SELECT ?key (COUNT(*) AS ?n) WHERE { "
    f"VALUES ?a {{ {VALUES} }} VALUES ?b {{ {VALUES} }} "
    "BIND (CONCAT(STR(?a), '-', STR(?b), '-a-key-long-enough-to-be-allocated') AS ?key) } GROUP BY ?key } }"
)


def _private(pid: int) -> int:
    """Anonymous resident memory of a process, bytes."""
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Anonymous:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no Anonymous line for {pid}")


@pytest.fixture(scope="module")
def facts_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("heap") / "store")


def _pool(facts_store: Path, tmp_path: Path) -> PooledStore:
    path = tmp_path / "store"
    shutil.copytree(facts_store, path)
    return PooledStore(open_store(path), workers=1, reserved=0, timeout=60, spares=0)


def _growth_after_heavy_query(pool: PooledStore) -> int:
    """How much more anonymous memory the one general worker holds after the heavy query than
    after a light one (both answered, the worker idle again)."""
    assert pool.query("ASK { ?s ?p ?o }") == AskResult(True)
    (worker,) = [pid for pid in pool.worker_pids if psutil.pid_exists(pid)]
    before = _private(worker)
    rows = pool.query(HEAVY).rows
    assert int(rows[0]["groups"].value) == 160_000
    assert pool.query("ASK { ?s ?p ?o }") == AskResult(True)  # the worker is done with the job
    return _private(worker) - before


@pytest.fixture
def trimming(facts_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PooledStore]:
    monkeypatch.setenv(STEP_ENV_VAR, str(8 * MIB))  # workers are spawned with this environment
    pool = _pool(facts_store, tmp_path)
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def not_trimming(facts_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PooledStore]:
    monkeypatch.setenv(STEP_ENV_VAR, "off")
    pool = _pool(facts_store, tmp_path)
    try:
        yield pool
    finally:
        pool.close()


def test_a_worker_gives_back_what_a_heavy_query_freed(trimming: PooledStore) -> None:
    growth = _growth_after_heavy_query(trimming)
    print(f"worker memory after the heavy query, trimming: {growth / MIB:+.1f} MiB")
    assert growth < 12 * MIB


def test_without_trimming_a_worker_keeps_what_a_heavy_query_freed(not_trimming: PooledStore) -> None:
    growth = _growth_after_heavy_query(not_trimming)
    print(f"worker memory after the heavy query, not trimming: {growth / MIB:+.1f} MiB")
    assert growth > 20 * MIB


def test_the_trimmer_leaves_a_heap_alone_below_its_step() -> None:
    # in a fresh interpreter, so that what this process allocated before does not count
    script = (
        "from jalinan.graph.heap import HeapTrimmer\n"
        f"t = HeapTrimmer({64 * MIB})\n"
        "kept = [bytes(1000) for _ in range(2000)]\n"  # 2 MB: far below the step
        "assert not t.maybe_trim() and t.trims == 0, t.trims\n"
        "grown = [bytes(1000) for _ in range(100_000)]\n"  # 100 MB, then freed but for every 50th
        "kept += grown[::50]\n"
        "del grown\n"
        "assert t.maybe_trim() and t.trims == 1\n"
        "assert not t.maybe_trim()\n"  # nothing grew since
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_the_step_comes_from_the_environment_and_a_bad_one_is_named() -> None:
    assert configured_step({}) == DEFAULT_TRIM_STEP
    assert configured_step({STEP_ENV_VAR: "1048576"}) == 1048576
    assert configured_step({STEP_ENV_VAR: "off"}) is None
    assert HeapTrimmer(None).maybe_trim() is False
    with pytest.raises(ValueError, match=STEP_ENV_VAR):
        configured_step({STEP_ENV_VAR: "64MB"})


def test_serve_refuses_a_trim_step_that_is_not_a_number(tmp_path: Path) -> None:
    jalinan = Path(sys.executable).parent / "jalinan"
    done = subprocess.run(
        [str(jalinan), "serve", "--store", str(tmp_path / "no-store")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, STEP_ENV_VAR: "64MB"},
    )
    assert done.returncode == 3 and f"{STEP_ENV_VAR}='64MB'" in done.stderr
