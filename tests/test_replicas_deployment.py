"""Read replicas deployed as documented (docs/deploy.md): two replicas on loopback serving one
folder of published snapshots, with the same public address.

Under a bounded load against both, a snapshot published during it: no request fails, and every
answer comes from exactly one snapshot (its data version header and ETag name the snapshot whose
content it holds), the same on both replicas. The documented nginx and HAProxy configurations
are valid, and HAProxy built from the documented one spreads requests over both replicas.
"""

import itertools
import os
import re
import shutil
import subprocess
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pyoxigraph import Store

from jalinan.api.caching import VERSION_HEADER
from jalinan.graph.snapshots import read_pointer, snapshot_dir
from tests.conftest import JALINAN, ApiServer, build_store, free_port, run_server
from tests.support import ROOT, missing_component, problem_detail

MARKER_GRAPH = "urn:jalinan-test:published-during-load"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
ASK = f"ASK {{ GRAPH <{MARKER_GRAPH}> {{ ?s ?p ?o }} }}"
JSON = {"Accept": "application/sparql-results+json"}
PUBLIC_URL = "https://jalinan.example"
MAX_REQUESTS = 10_000  # bounded in count (the load ends long before, once both replicas switched)
MAX_SECONDS = 90.0  # and in time
PUBLISH_AFTER = 150  # requests answered before the new snapshot is published
AFTER_BOTH_SWITCHED = 100  # requests answered once both replicas serve the new snapshot


@dataclass(frozen=True)
class Answer:
    replica: int
    kind: str
    status: int
    version: str | None
    etag: str | None
    value: object  # the count, the boolean, or the body


def _ask(client: httpx.Client, replica: int, kind: str) -> Answer:
    if kind == "count":
        response = client.get("/sparql", params={"query": COUNT}, headers=JSON)
    elif kind == "ask":
        response = client.get("/sparql", params={"query": ASK}, headers=JSON)
    else:  # friendly JSON: several queries behind one answer
        response = client.get("/agreements", params={"party": "Mosti"})
    value: object = response.text
    if response.status_code == 200 and kind == "count":
        value = int(response.json()["results"]["bindings"][0]["n"]["value"])
    elif response.status_code == 200 and kind == "ask":
        value = response.json()["boolean"]
    return Answer(
        replica,
        kind,
        response.status_code,
        response.headers.get(VERSION_HEADER),
        response.headers.get("etag"),
        value,
    )


def _expected(folder: Path, version: str) -> dict[str, object]:
    """What a snapshot answers, read from its store directly (not through any server)."""
    store = Store.read_only(str(snapshot_dir(folder, version) / "store"))
    try:
        count = next(iter(store.query(COUNT)))["n"]
        return {"count": int(count.value), "ask": bool(store.query(ASK))}
    finally:
        del store


def _run(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@dataclass(frozen=True)
class Deployment:
    store: Path  # the writer's
    folder: Path  # the published snapshots
    replicas: list[ApiServer]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    directory = tmp_path_factory.mktemp("replicas")
    store = build_store(directory / "store")
    folder = directory / "published"
    _run([str(JALINAN), "publish", str(folder), "--store", str(store)])
    # behind one load balancer, replicas share its public address (their absolute links name it)
    options = ("--read-only", "--poll-interval", "0.2", "--query-workers", "1", "--public-url", PUBLIC_URL)
    with (
        run_server(folder, directory / "a.log", *options, write_token=None) as a,
        run_server(folder, directory / "b.log", *options, write_token=None) as b,
    ):
        yield Deployment(store, folder, [a, b])


def test_two_replicas_switch_under_load_without_a_failed_or_mixed_answer(deployment: Deployment) -> None:
    store, folder = deployment.store, deployment.folder
    first = read_pointer(folder).version
    began = time.monotonic()
    answers, errors, second = _load_while_publishing(deployment.replicas, store, folder)
    elapsed = time.monotonic() - began
    by_version = {v: sum(1 for a in answers if a.version == v) for v in (first, second)}
    print(f"{len(answers)} answers in {elapsed:.1f} s; {by_version[first]} from the first snapshot, "
          f"{by_version[second]} from the second")  # fmt: skip
    assert not errors, errors[:5]
    assert len(answers) <= MAX_REQUESTS
    failed = [answer for answer in answers if answer.status != 200]
    assert not failed, failed[:5]

    versions = {first, second}
    assert {answer.version for answer in answers} <= versions, "an answer named no snapshot, or another"
    for replica in (0, 1):
        served = {answer.version for answer in answers if answer.replica == replica}
        assert served == versions, f"replica {replica} did not switch during the load"
    expected = {version: _expected(folder, version) for version in versions}
    assert expected[first] != expected[second]
    for answer in answers:
        if answer.kind in ("count", "ask"):
            assert answer.value == expected[answer.version][answer.kind], answer  # type: ignore[index]

    tags: dict[tuple[str, str | None], set[str | None]] = defaultdict(set)
    bodies: dict[tuple[str, str | None], set[object]] = defaultdict(set)
    for answer in answers:
        tags[answer.kind, answer.version].add(answer.etag)
        bodies[answer.kind, answer.version].add(answer.value)
    for (kind, version), seen in tags.items():
        assert len(seen) == 1 and None not in seen, f"{kind} at {version}: ETags {seen}"
        assert len(bodies[kind, version]) == 1, f"{kind} at {version}: more than one answer"
    for kind in ("count", "ask", "friendly"):
        assert tags[kind, first] != tags[kind, second], f"{kind}: the ETag did not change with the snapshot"


def _load_while_publishing(
    replicas: list[ApiServer], store: Path, folder: Path
) -> tuple[list[Answer], list[str], str]:
    """Four clients spread over both replicas; after `PUBLISH_AFTER` answers a new snapshot is
    published (a graph imported into the writer's store, then `jalinan publish`); the load stops
    `AFTER_BOTH_SWITCHED` answers after both replicas answered from it, or at the bounds."""
    answers: list[Answer] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    turns = itertools.count()
    started = time.monotonic()

    def client_loop() -> None:
        clients = [httpx.Client(base_url=server.base_url, timeout=30) for server in replicas]
        try:
            while not stop.is_set():
                turn = next(turns)
                if turn >= MAX_REQUESTS or time.monotonic() - started > MAX_SECONDS:
                    return
                replica, kind = turn % 2, ("count", "ask", "friendly")[(turn // 2) % 3]
                try:
                    answer = _ask(clients[replica], replica, kind)
                except httpx.HTTPError as exc:
                    with lock:
                        errors.append(f"replica {replica} {kind}: {type(exc).__name__}: {exc}")
                    continue
                with lock:
                    answers.append(answer)
        finally:
            for client in clients:
                client.close()

    threads = [threading.Thread(target=client_loop) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        while len(answers) < PUBLISH_AFTER and any(t.is_alive() for t in threads):
            time.sleep(0.05)
        marker = store.parent / "marker.nq"
        marker.write_text(f'<urn:jalinan-test:s> <urn:jalinan-test:p> "published" <{MARKER_GRAPH}> .\n')
        _run([str(JALINAN), "import", str(marker), "--store", str(store)])
        _run([str(JALINAN), "publish", str(folder), "--store", str(store)])
        second = read_pointer(folder).version
        switched_at: int | None = None
        while any(t.is_alive() for t in threads):
            with lock:
                both = {a.replica for a in answers if a.version == second} == {0, 1}
                if both and switched_at is None:
                    switched_at = len(answers)
                if switched_at is not None and len(answers) >= switched_at + AFTER_BOTH_SWITCHED:
                    break
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    return answers, errors, second


# -- the load balancer ------------------------------------------------------------------------
CONFIGS = ROOT / "docs" / "replicas"


def _balancer(name: str) -> str:
    """The balancer's binary; skip (fail under CI=true) where it is not installed."""
    found = shutil.which(name) or (f"/usr/sbin/{name}" if os.path.exists(f"/usr/sbin/{name}") else None)
    if found is None:
        message = f"{name} is not installed: apt-get install {name} (`make balancers` does, as root)"
        missing_component(message)
    return found


def test_the_documented_haproxy_configuration_is_valid() -> None:
    checked = subprocess.run(
        [_balancer("haproxy"), "-c", "-f", str(CONFIGS / "haproxy.cfg")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr + checked.stdout
    assert "WARNING" not in checked.stderr + checked.stdout


def test_the_documented_nginx_configuration_is_valid() -> None:
    checked = subprocess.run(
        [_balancer("nginx"), "-t", "-c", str(CONFIGS / "nginx.conf")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr


def test_haproxy_as_documented_spreads_requests_over_replicas_that_agree(
    deployment: Deployment, tmp_path: Path
) -> None:
    port = free_port()
    config = (CONFIGS / "haproxy.cfg").read_text()
    config = config.replace("bind :80", f"bind 127.0.0.1:{port}")
    for number, replica in enumerate(deployment.replicas, start=1):
        address = replica.base_url.removeprefix("http://")
        config, replaced = re.subn(rf"(server replica{number}) \S+", rf"\1 {address}", config)
        assert replaced == 1
    (tmp_path / "haproxy.cfg").write_text(config)
    with (tmp_path / "haproxy.log").open("wb") as log:
        balancer = subprocess.Popen(
            [_balancer("haproxy"), "-db", "-f", str(tmp_path / "haproxy.cfg")], stdout=log, stderr=log
        )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            _wait_for(client, balancer)
            answers = [client.get("/agreements", params={"party": "Mosti"}) for _ in range(20)]
            refused = client.post("/update", data={"update": "CLEAR ALL"})
    finally:
        balancer.terminate()
        balancer.wait(timeout=10)
    assert all(answer.status_code == 200 for answer in answers)
    assert {answer.headers["x-jalinan-replica"] for answer in answers} == {"replica1", "replica2"}
    assert len({answer.headers["etag"] for answer in answers}) == 1  # one snapshot, one tag, any replica
    assert len({answer.content for answer in answers}) == 1
    assert "read replica" in problem_detail(refused, 403)


def _wait_for(client: httpx.Client, balancer: subprocess.Popen[bytes]) -> None:
    """Until both replicas pass HAProxy's health check (it starts them as up; give it a moment)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert balancer.poll() is None, "haproxy exited"
        try:
            if client.get("/sparql").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail("haproxy did not answer within 20 s")
