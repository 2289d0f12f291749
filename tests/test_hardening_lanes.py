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
SHARE = 4  # queries one client may have waiting for the general lane (`--max-waiting`)
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
    # Every reserved route answered at least once; promptly. (A floor on the count, 20, failed
    # on a machine loaded by other work, where each answer waits for a CPU, not for a worker.)
    # A request starved behind the runaways waits for one of them to be stopped at TIMEOUT_S;
    # one that waits only for a CPU on a loaded machine took up to 1.9 s (p95 here, load 12).
    assert len(latencies) >= len(RESERVED) and p95 < TIMEOUT_S * 2 / 3


@pytest.fixture(scope="module")
def patient_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """A server whose time limit (10 s) leaves a light query time to wait for a worker while
    runaways, each stopped after 1 s by its own `timeout`, cost a worker restart apiece; each
    client may have 4 queries waiting for the general lane (32 in all)."""
    directory = tmp_path_factory.mktemp("fair")
    store = build_store(directory / "store")
    options = ["--query-timeout", "10", "--cache-bytes", "0", "--worker-memory", str(512 * 2**20)]
    options += ["--max-waiting", str(SHARE)]
    with run_server(store, directory / "serve.log", *options) as running:
        yield running


def _runaways_from(
    server: ApiServer, hosts: list[str], *, timeout: float, until: float
) -> tuple[list[threading.Thread], list[int]]:
    """One thread per entry of `hosts` sending runaways (stopped by their own `timeout`) from that
    loopback address, one after another until `until`; started, with the list of their statuses."""
    statuses: list[int] = []
    lock = threading.Lock()
    form = {"query": RUNAWAY, "timeout": f"{timeout:g}"}

    def run_away(host: str) -> None:
        transport = httpx.HTTPTransport(local_address=host)
        with httpx.Client(base_url=server.base_url, timeout=30, transport=transport) as client:
            while time.monotonic() < until:
                status = client.post("/sparql", data=form).status_code
                with lock:
                    statuses.append(status)
                if status == 429:
                    time.sleep(0.2)

    threads = [threading.Thread(target=run_away, args=(host,)) for host in hosts]
    for thread in threads:
        thread.start()
    return threads, statuses


def test_a_light_sparql_client_is_answered_while_other_hosts_runaways_fill_the_general_lane(
    patient_server: ApiServer,
) -> None:
    """Forty runaway connections from four hosts (loopback addresses 127.0.0.2–5) fill the
    general lane's workers and their hosts' shares of its waiting line, and are refused 429
    past them. A fifth host's light SPARQL is never refused and gets 200: its share of the line
    is its own, and its queries are light, so it takes the next free worker (the one kept for
    light queries when runaways hold the rest). (First come first served, in one line for all,
    it was refused 429 whenever the line was full.)"""
    server = patient_server
    stop_at = time.monotonic() + ATTACK_S
    hosts = [f"127.0.0.{2 + i % 4}" for i in range(RUNAWAY_CLIENTS)]
    attackers, runaway_statuses = _runaways_from(server, hosts, timeout=1, until=stop_at)
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


def test_light_sparql_gets_the_worker_kept_for_light_queries_while_new_hosts_send_a_known_runaway(
    patient_server: ApiServer,
) -> None:
    """Eight hosts, two connections each, send the same runaway query (stopped after 5 s by its
    own `timeout`). Once one has run for a second its text is known to be heavy, so the others,
    though each host is new, hold at most three of the four general workers: a light client
    asking with `timeout=2` is answered 200 every time. (Had the runaways held all four, its
    query would wait up to 5 s for a worker and be answered 503 past its 2 s.)"""
    server = patient_server
    stop_at = time.monotonic() + ATTACK_S + 2
    hosts = [f"127.0.1.{1 + i % 8}" for i in range(16)]
    attackers, runaway_statuses = _runaways_from(server, hosts, timeout=5, until=stop_at)
    time.sleep(5.5)  # the first runaways, granted before anything was known of them, are stopped
    light: list[tuple[int, str]] = []
    transport = httpx.HTTPTransport(local_address="127.0.1.99")
    with httpx.Client(base_url=server.base_url, timeout=30, transport=transport) as client:
        while time.monotonic() < stop_at - 0.5:
            query = f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {1 + len(light)}"  # never the same text
            response = client.post("/sparql", data={"query": query, "timeout": "2"})
            light.append((response.status_code, response.text[:200] if response.status_code != 200 else ""))
    for thread in attackers:
        thread.join()
    counts = {status: runaway_statuses.count(status) for status in sorted(set(runaway_statuses))}
    print(f"{len(light)} light queries; runaways answered {counts}")
    assert 503 in counts, "the runaways never reached a worker"
    assert light and [answer for answer in light if answer[0] != 200] == []
