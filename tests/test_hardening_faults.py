"""Faults: a SIGKILL at any moment leaves the store at the old or the new state, never between;
a missing, locked or corrupt store is one clear line at start; export and import round-trip.

The kill tests are seeded, so a failure can be replayed; each prints what it saw (how many
kills left the old state, how many the new one).
"""

import contextlib
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from jalinan.graph import StoreLockedError, open_store
from tests.conftest import JALINAN, WRITE_TOKEN, build_store, free_port
from tests.support import sorted_nquads

FACTS = Path(__file__).resolve().parents[1] / "ingest" / "facts"
SEED = 20250415
ARTICLE_000 = "https://w3id.org/jalinan/id/article/05363b917c408ffc"
BIG_GRAPH = "https://example.org/big-upload"
BIG_TRIPLES = 60_000


def _quads(path: Path) -> list[str]:
    """The store's quads; after a server is killed, its writer process (killed with it by the
    kernel) may hold the store's lock a few milliseconds longer, so a locked store is retried."""
    deadline = time.monotonic() + 5
    while True:
        try:
            with open_store(path) as store:
                return sorted_nquads(store)
        except StoreLockedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _facts_b(directory: Path) -> Path:
    """The curated facts with two articles changed (so state B differs in three graphs)."""
    facts = directory / "facts-b"
    shutil.copytree(FACTS, facts, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    for pattern, old, new in [
        (
            "000_*.yaml",
            "label: Malaysia–China MoU in the field of telecommunications",
            "label: Telecoms MoU (B)",
        ),
        (
            "003_*.yaml",
            "label: Premier Li's first official visit to Malaysia",
            "label: Premier Li's visit (B)",
        ),
    ]:
        path = next((facts / "articles").glob(pattern))
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new, 1))
    return facts


@pytest.fixture(scope="module")
def state_a(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("state-a") / "store")


def _copy(store: Path, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(store, target)
    return target


def test_sigkill_during_ingest_leaves_the_old_or_the_new_state(state_a: Path, tmp_path: Path) -> None:
    facts_b = _facts_b(tmp_path)
    command = [str(JALINAN), "ingest", "--facts", str(facts_b), "--store"]
    expected_b = tmp_path / "b"
    started = time.monotonic()
    subprocess.run([*command, str(_copy(state_a, expected_b))], check=True, capture_output=True)
    duration = time.monotonic() - started
    quads_a, quads_b = _quads(state_a), _quads(expected_b)
    assert quads_a != quads_b
    rng = random.Random(SEED)
    outcomes = {"old": 0, "new": 0}
    for iteration in range(10):
        store = _copy(state_a, tmp_path / f"kill-{iteration}")
        process = subprocess.Popen(
            [*command, str(store)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.4, 1.1) * duration)  # mostly around the write, at the end
        process.send_signal(signal.SIGKILL)
        process.wait()
        quads = _quads(store)
        assert quads in (quads_a, quads_b), f"iteration {iteration}: the store is between states"
        outcomes["old" if quads == quads_a else "new"] += 1
        shutil.rmtree(store)
    print(f"ingest killed 10 times (run takes {duration:.2f} s): {outcomes}")


def _start(store: Path, port: int) -> subprocess.Popen:
    command = [
        str(JALINAN),
        "serve",
        "--store",
        str(store),
        "--port",
        str(port),
        "--write-token",
        WRITE_TOKEN,
    ]
    process = subprocess.Popen(
        [*command, "--query-workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/sparql", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("the server did not start")


def test_sigkill_of_the_server_during_a_big_write_leaves_the_old_or_the_new_state(
    state_a: Path, tmp_path: Path
) -> None:
    triples = "".join(
        f'<https://example.org/s{i}> <https://example.org/p{i % 7}> "value {i}" .\n'
        for i in range(BIG_TRIPLES)
    )
    update = f"DROP GRAPH <{ARTICLE_000}> ;\nINSERT DATA {{ GRAPH <{ARTICLE_000}> {{\n{triples}}} }}"
    quads_a = _quads(state_a)
    after_put = sorted([*quads_a, *(f"{t[:-2]} <{BIG_GRAPH}>" for t in triples.splitlines())])
    with open_store(_copy(state_a, tmp_path / "after-update")) as store:
        store.update(update)
        after_update = sorted_nquads(store)
    writes = {
        "put": ("put", "/store", {"graph": BIG_GRAPH}, "application/n-triples", triples, after_put),
        "update": ("post", "/update", {}, "application/sparql-update", update, after_update),
    }
    rng = random.Random(SEED)
    outcomes: dict[str, int] = {}
    for iteration in range(4):
        kind = "put" if iteration % 2 == 0 else "update"
        method, path, params, media, body, expected_new = writes[kind]
        store = _copy(state_a, tmp_path / f"serve-{iteration}")
        port = free_port()
        process = _start(store, port)
        headers = {"Authorization": f"Bearer {WRITE_TOKEN}", "Content-Type": media}

        def send(method=method, path=path, params=params, body=body, headers=headers, port=port) -> None:
            with contextlib.suppress(httpx.TransportError):  # the server is killed under it
                httpx.request(method, f"http://127.0.0.1:{port}{path}", params=params, content=body.encode(),
                              headers=headers, timeout=60)  # fmt: skip

        writer = threading.Thread(target=send)
        writer.start()
        time.sleep(rng.uniform(0.0, 2.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        writer.join()
        quads = _quads(store)
        assert quads in (quads_a, expected_new), (
            f"iteration {iteration} ({kind}): the store is between states"
        )
        outcome = f"{kind}-{'old' if quads == quads_a else 'new'}"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        shutil.rmtree(store, ignore_errors=True)
    print(f"server killed 4 times during a {BIG_TRIPLES}-triple write: {outcomes}")


# -- start-up errors -----------------------------------------------------------------------
def _serve_fails(store: Path) -> str:
    done = subprocess.run(
        [str(JALINAN), "serve", "--store", str(store), "--port", str(free_port())],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    return done.stderr


def test_serve_on_a_missing_store_says_to_ingest_and_creates_nothing(tmp_path: Path) -> None:
    err = _serve_fails(tmp_path / "nowhere")
    assert "no store" in err and "jalinan ingest" in err
    assert not (tmp_path / "nowhere").exists()


def test_serve_on_an_empty_directory_says_it_is_not_a_store(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert "jalinan ingest" in _serve_fails(tmp_path / "empty")


def test_serve_on_a_locked_store_says_another_process_has_it(state_a: Path, tmp_path: Path) -> None:
    store = _copy(state_a, tmp_path / "locked")
    with open_store(store):
        assert "another process" in _serve_fails(store)


@pytest.mark.parametrize("damaged", ["CURRENT", "MANIFEST"])
def test_serve_on_a_corrupt_store_says_it_cannot_open_it(state_a: Path, tmp_path: Path, damaged: str) -> None:
    store = _copy(state_a, tmp_path / "corrupt")
    targets = [store / "CURRENT"] if damaged == "CURRENT" else list(store.glob("MANIFEST-*"))
    for target in targets:
        target.write_bytes(b"\x00garbage\xff" * 10)
    assert "cannot open the store" in _serve_fails(store)


# -- export and import -----------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_export_then_import_round_trips_to_identical_quads(state_a: Path, tmp_path: Path, fmt: str) -> None:
    dump = tmp_path / f"dump.{'nq' if fmt == 'nquads' else 'trig'}"
    run = [sys.executable, "-m", "jalinan.cli"]
    subprocess.run([*run, "export", "--store", str(state_a), "--format", fmt, "-o", str(dump)], check=True)
    restored = tmp_path / "restored"
    for _ in range(2):  # importing twice changes nothing
        done = subprocess.run(
            [*run, "import", str(dump), "--store", str(restored)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    assert _quads(restored) == _quads(state_a)


def test_import_of_a_bad_dump_is_a_clear_error_and_changes_nothing(state_a: Path, tmp_path: Path) -> None:
    store = _copy(state_a, tmp_path / "store")
    dump = tmp_path / "bad.nq"
    dump.write_bytes(b'<https://e/s> <https://e/p> "ok" <https://e/g> .\n\x00\xff not n-quads at all\n')
    done = subprocess.run(
        [sys.executable, "-m", "jalinan.cli", "import", str(dump), "--store", str(store)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode != 0 and "not valid" in done.stderr and "Traceback" not in done.stderr
    assert _quads(store) == _quads(state_a)
