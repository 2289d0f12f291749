"""Memory stays bounded: per query worker, and for clients that never read their answer.

* A runaway allocation (ORDER BY over a cross product, which grew a worker to 6 GB before) stops
  at the worker's memory limit (`--worker-memory`) with 503 "Memory Limit", and the pool is
  whole again afterwards.
* Forty clients ask for a large answer (about 20 MB, from the result cache) and never read it:
  the server process grows by less than 600 MB (large bodies leave in slices, so each stalled
  connection holds about two slices, not the answer), and after `--send-timeout` the server cuts
  them off.
"""

import socket
import time
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import psutil
import pytest

from tests.conftest import ApiServer, build_store, run_server

RUNAWAY_ORDER = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
LARGE = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 40000"
WORKER_MEMORY_MIB = 300
SEND_TIMEOUT_S = 4.0
CLIENTS = 40
WORKERS = 8  # 4 general + 1 reserved + 2 spares + the store writer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    directory = tmp_path_factory.mktemp("memory")
    store = build_store(directory / "store")
    options = ["--worker-memory", str(WORKER_MEMORY_MIB * 2**20), "--send-timeout", str(SEND_TIMEOUT_S)]
    with run_server(store, directory / "serve.log", *options) as running:
        yield running


def _workers(server: ApiServer) -> list[psutil.Process]:
    assert server.pid is not None
    children = psutil.Process(server.pid).children(recursive=True)
    return [p for p in children if "spawn_main" in " ".join(p.cmdline())]


def _wait_for_whole_pool(server: ApiServer, within: float = 20) -> None:
    deadline = time.monotonic() + within
    while len(_workers(server)) != WORKERS:
        assert time.monotonic() < deadline, f"{len(_workers(server))} workers, not {WORKERS}"
        time.sleep(0.1)


def test_a_runaway_allocation_stops_at_the_worker_memory_limit_with_503(server: ApiServer) -> None:
    started = time.monotonic()
    response = httpx.post(server.url("/sparql"), data={"query": RUNAWAY_ORDER}, timeout=60)
    elapsed = time.monotonic() - started
    print(f"ORDER BY over a cross product: {response.status_code} after {elapsed:.2f} s")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["title"] == "Memory Limit"
    assert f"{WORKER_MEMORY_MIB} MiB" in response.json()["detail"]
    _wait_for_whole_pool(server)
    for worker in _workers(server):
        assert worker.memory_info().rss < (WORKER_MEMORY_MIB + 200) * 2**20
    ask = httpx.post(server.url("/sparql"), data={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert ask.status_code == 200 and ask.json()["boolean"] is True


def _established(server: ApiServer) -> int:
    assert server.pid is not None
    port = int(server.base_url.rsplit(":", 1)[1])
    connections = psutil.Process(server.pid).net_connections(kind="tcp")
    return sum(1 for c in connections if c.laddr.port == port and c.status == psutil.CONN_ESTABLISHED)


def test_forty_clients_that_never_read_a_large_answer_cost_the_server_little(server: ApiServer) -> None:
    path = "/sparql?query=" + quote(LARGE)
    first = httpx.get(server.url(path), headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert first.status_code == 200 and len(first.content) > 15_000_000
    assert server.pid is not None
    process = psutil.Process(server.pid)
    before = process.memory_info().rss
    host, port = server.base_url.removeprefix("http://").split(":")
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/sparql-results+json\r\n\r\n"
    ).encode()
    sockets = []
    try:
        for _ in range(CLIENTS):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect((host, int(port)))
            sock.sendall(request)
            sockets.append(sock)
        peak = before
        for _ in range(20):  # two seconds: every answer is being sent (from the cache) by now
            peak = max(peak, process.memory_info().rss)
            time.sleep(0.1)
        grown = (peak - before) / 2**20
        print(f"{CLIENTS} non-reading clients of a {len(first.content) / 1e6:.1f} MB answer: "
              f"server grew by {grown:.0f} MiB")  # fmt: skip
        assert grown < 600
        deadline = time.monotonic() + SEND_TIMEOUT_S + 10
        while _established(server) > 0:
            assert time.monotonic() < deadline, f"{_established(server)} stalled connections still open"
            time.sleep(0.2)
    finally:
        for sock in sockets:
            sock.close()
    assert httpx.get(server.url("/queries/agreements-by-party?party=Mosti"), timeout=30).status_code == 200
