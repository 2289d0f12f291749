"""Clients' runaway SPARQL cannot starve the reserved lane (canned queries, pages, friendly JSON).

One `jalinan serve --query-timeout 3 --cache-bytes 0` (no cache, so that every reserved request
really runs a query). Forty clients send runaway queries to `/sparql` over and over for a few
seconds, filling the general lane's workers and its waiting line (the rest are refused 429);
meanwhile canned queries, entity pages and friendly JSON must answer 200, promptly.
"""

import statistics
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import ApiServer, build_store, run_server

TIMEOUT_S = 3.0
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
RUNAWAY_CLIENTS = 40
ATTACK_S = 8.0
RESERVED = [
    "/queries/agreements-by-party?party=Mosti",
    "/agreements?party=Mosti",
    "/id/mosti",
    "/queries/agreements-by-party?party=Miti",
    "/people",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    directory = tmp_path_factory.mktemp("lanes")
    store = build_store(directory / "store")
    options = ["--query-timeout", str(TIMEOUT_S), "--cache-bytes", "0", "--worker-memory", str(512 * 2**20)]
    with run_server(store, directory / "serve.log", *options) as running:
        yield running


def test_reserved_routes_answer_200_while_forty_runaways_run(server: ApiServer) -> None:
    stop_at = time.monotonic() + ATTACK_S
    runaway_statuses: list[int] = []
    lock = threading.Lock()

    def run_away() -> None:
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            while time.monotonic() < stop_at:
                status = client.post("/sparql", data={"query": RUNAWAY}).status_code
                with lock:
                    runaway_statuses.append(status)
                if status == 429:
                    time.sleep(0.2)

    attackers = [threading.Thread(target=run_away) for _ in range(RUNAWAY_CLIENTS)]
    for thread in attackers:
        thread.start()
    time.sleep(1.0)  # let the runaways fill the general lane and its line
    latencies: list[float] = []
    statuses: list[tuple[str, int]] = []
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        while time.monotonic() < stop_at - 0.5:
            for path in RESERVED:
                started = time.monotonic()
                response = client.get(path)
                latencies.append(time.monotonic() - started)
                statuses.append((path, response.status_code))
    for thread in attackers:
        thread.join()
    p95 = statistics.quantiles(latencies, n=20)[-1]
    counts = {status: runaway_statuses.count(status) for status in sorted(set(runaway_statuses))}
    print(
        f"{len(latencies)} reserved requests under {RUNAWAY_CLIENTS} runaway clients: "
        f"p95 {p95 * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; runaways answered {counts}"
    )
    assert [s for s in statuses if s[1] != 200] == []
    assert set(runaway_statuses) <= {429, 503}, counts  # no runaway got an answer, none a 500
    assert 503 in counts, "the runaways never reached a worker"
    assert 429 in counts, "the general lane's waiting line never filled: the test attacked too little"
    assert len(latencies) >= 20 and p95 < 1.5


@pytest.fixture(scope="module")
def patient_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """A server whose time limit (10 s) leaves a light query time to wait for a worker while
    runaways, each stopped after 1 s by its own `timeout`, cost a worker restart apiece."""
    directory = tmp_path_factory.mktemp("fair")
    store = build_store(directory / "store")
    options = ["--query-timeout", "10", "--cache-bytes", "0", "--worker-memory", str(512 * 2**20)]
    with run_server(store, directory / "serve.log", *options) as running:
        yield running


def test_a_light_sparql_client_is_answered_while_other_hosts_runaways_fill_the_general_lane(
    patient_server: ApiServer,
) -> None:
    """Forty runaway connections from four hosts (loopback addresses 127.0.0.2–5) fill the
    general lane's workers and its waiting line, and are refused 429 once it is full. A fifth
    host's light SPARQL is never refused and gets 200: it has used less worker time than they
    have, so it takes the next free worker and, when the line is full, a heavy host's place
    in it. (First come first served, it was refused 429 whenever the line was full.)"""
    server = patient_server
    stop_at = time.monotonic() + ATTACK_S
    runaway_statuses: list[int] = []
    lock = threading.Lock()

    def run_away(host: str) -> None:
        transport = httpx.HTTPTransport(local_address=host)
        with httpx.Client(base_url=server.base_url, timeout=30, transport=transport) as client:
            while time.monotonic() < stop_at:
                status = client.post("/sparql", data={"query": RUNAWAY, "timeout": "1"}).status_code
                with lock:
                    runaway_statuses.append(status)
                if status == 429:
                    time.sleep(0.2)

    hosts = [f"127.0.0.{2 + i % 4}" for i in range(RUNAWAY_CLIENTS)]
    attackers = [threading.Thread(target=run_away, args=(host,)) for host in hosts]
    for thread in attackers:
        thread.start()
    time.sleep(1.5)  # the runaways fill the lane, and their hosts have used worker time
    light: list[int] = []
    transport = httpx.HTTPTransport(local_address="127.0.0.9")
    with httpx.Client(base_url=server.base_url, timeout=30, transport=transport) as client:
        while time.monotonic() < stop_at - 0.5:
            query = f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {1 + len(light)}"  # never the same text
            light.append(client.post("/sparql", data={"query": query}).status_code)
    for thread in attackers:
        thread.join()
    counts = {status: runaway_statuses.count(status) for status in sorted(set(runaway_statuses))}
    print(f"light SPARQL answered {light}; runaways answered {counts}")
    assert 429 in counts, "the general lane's waiting line never filled: the test attacked too little"
    assert light and set(light) == {200}
