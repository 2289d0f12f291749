"""`jalinan serve --processes N`: serving processes on one socket, queries on their threads (issue 13).

With a real server on loopback:

* a query past its time limit is answered 503 on time; its process is replaced (the log says
  so, and two processes serve again) and exits, while other clients' queries, on kept-alive
  connections, are all answered 200 throughout;
* a write sent to any serving process lands once (an update with a blank node, which a second
  run would add again), and every serving process reads it from the next request on, with a
  new data version (the ETag's basis), the same on each;
* a Graph Store PUT (pyoxigraph terms forwarded to the parent) is read back from every process;
* SERVICE from a serving process's query threads reaches nothing (a loopback listener hears
  nothing);
* a serving process past its memory limit dies (the allocator aborts) and is replaced alone, as
  is one killed outright.
"""

import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from jalinan.api.caching import VERSION_HEADER
from tests.conftest import WRITE_TOKEN, ApiServer, build_store, run_server
from tests.test_hardening_outbound import QUERIES, Listener, _fill, assert_refused_or_empty

TIMEOUT_S = 2.0
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
RUNAWAY_ORDER = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"  # grows to gigabytes
LIGHT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }"
JSON = {"Accept": "application/sparql-results+json"}
AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}
READY = re.compile(r"serving process (\d+) \(pid (\d+)\) ready; (\d+) serving")
RETIRES = re.compile(
    r"serving process (\d+) \(pid (\d+)\) retires .* serving process (\d+) \(pid (\d+)\) replaces it"
)
ENDED = re.compile(r"serving process (\d+) \(pid (\d+)\) ended with exit code (-?\d+).*serving process (\d+)")
EXITED = re.compile(r"serving process (\d+) \(pid (\d+)\) exited")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ApiServer]:
    """A server of its own per test (a runaway retires one of its processes)."""
    store = build_store(tmp_path / "store")
    options = ("--processes", "2", "--query-timeout", str(TIMEOUT_S), "--keep-alive-timeout", "2")
    with run_server(store, tmp_path / "serve.log", *options, ready_timeout=90) as running:
        _wait_for(running, lambda lines: _ready_count(lines) >= 2, "two serving processes ready")
        yield running


def _ready_count(lines: list[str]) -> int:
    return sum(1 for line in lines if READY.search(line))


def _wait_for(server: ApiServer, condition, what: str, within: float = 90) -> list[str]:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    while True:
        lines = server.log_lines()
        if condition(lines):
            return lines
        assert time.monotonic() < deadline, f"no {what} within {within:g} s:\n" + "\n".join(lines[-30:])
        time.sleep(0.2)


def _serving_pids(server: ApiServer) -> list[int]:
    """The pids of the serving processes (the parent's children that are neither the writer
    nor multiprocessing's resource tracker: those with children of their own, their workers)."""
    assert server.pid is not None
    return [p.pid for p in psutil.Process(server.pid).children() if p.children()]


def _answering_pids(server: ApiServer, marker: str) -> list[int]:
    """The `process` of every access line whose query contains `marker`."""
    return [
        int(m) for line in server.log_lines() if marker in line for m in re.findall(r'"process": (\d+)', line)
    ]


def _count(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_a_runaway_is_503_on_time_its_process_replaced_and_other_clients_never_fail(
    server: ApiServer,
) -> None:
    failures: list[str] = []
    answered = Counter[int]()
    stop = threading.Event()

    def client(number: int) -> None:
        with httpx.Client(base_url=server.base_url, timeout=30) as http:  # kept-alive connections
            sent = 0
            while not stop.is_set():
                sent += 1
                try:
                    response = http.get(
                        "/sparql", params={"query": f"{LIGHT} # {number}-{sent}"}, headers=JSON
                    )
                    if response.status_code != 200:
                        failures.append(f"{response.status_code}: {response.text[:200]}")
                    else:
                        answered[number] += 1
                except httpx.HTTPError as exc:
                    failures.append(f"{type(exc).__name__}: {exc}")

    clients = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in clients:
        thread.start()
    try:
        time.sleep(1.0)
        started = time.monotonic()
        runaway = httpx.post(server.url("/sparql"), data={"query": RUNAWAY}, timeout=60)
        elapsed = time.monotonic() - started
        assert runaway.status_code == 503, runaway.text
        assert runaway.json()["title"] == "Query Timeout"
        assert elapsed < TIMEOUT_S + 1.5
        lines = _wait_for(server, lambda lines: any(RETIRES.search(x) for x in lines), "retirement")
        retired = next(m for m in map(RETIRES.search, lines) if m)
        old_pid, fresh_number = int(retired.group(2)), retired.group(3)
        # the replacement becomes ready and the retired process exits, the runaway's thread with it
        _wait_for(
            server,
            lambda lines: (
                any(
                    (m := READY.search(x)) and m.group(1) == fresh_number and m.group(3) == "2" for x in lines
                )
                and any((m := EXITED.search(x)) and int(m.group(2)) == old_pid for x in lines)
            ),
            "replacement ready and retired process gone",
        )
        assert not psutil.pid_exists(old_pid) or psutil.Process(old_pid).status() == psutil.STATUS_ZOMBIE
        time.sleep(1.0)  # clients go on against the two serving processes
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=60)
    assert failures == []
    assert all(answered[n] > 0 for n in range(4)), answered
    assert len(_serving_pids(server)) == 2
    # and the new pair answers as the old one did
    assert _count(httpx.post(server.url("/sparql"), data={"query": LIGHT}, headers=JSON, timeout=30)) > 0


def _read_everywhere(server: ApiServer, query: str, marker: str, tries: int = 200) -> list[httpx.Response]:
    """Read `query` on fresh connections until each serving process has answered it."""
    pids = set(_serving_pids(server))
    assert len(pids) == 2
    responses: list[httpx.Response] = []
    for attempt in range(tries):
        text = f"{query} # {marker}-{attempt}"
        with httpx.Client(base_url=server.base_url, timeout=30) as http:
            responses.append(
                http.get("/sparql", params={"query": text}, headers={**JSON, "Connection": "close"})
            )
        if attempt % 5 == 4 and set(_answering_pids(server, f"# {marker}-")) >= pids:
            break
    assert set(_answering_pids(server, f"# {marker}-")) >= pids, "not every serving process answered"
    return responses


def test_a_write_through_any_process_lands_once_and_every_process_reads_it_next(server: ApiServer) -> None:
    graph = "urn:jalinan:test:processes"
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s <urn:jalinan:test:p> ?o }} }}"
    before = _read_everywhere(server, count, "before")
    assert {_count(r) for r in before} == {0}
    versions_before = {r.headers[VERSION_HEADER] for r in before}
    assert len(versions_before) == 1  # one snapshot, the same version on both processes

    update = f"INSERT DATA {{ GRAPH <{graph}> {{ _:fresh <urn:jalinan:test:p> 1 }} }}"  # twice: two nodes
    written = httpx.post(server.url("/sparql"), data={"update": update}, headers=AUTH, timeout=60)
    assert written.status_code == 204, written.text

    after = _read_everywhere(server, count, "after")
    assert [_count(r) for r in after] == [1] * len(after)  # landed once, seen by the next read anywhere
    versions_after = {r.headers[VERSION_HEADER] for r in after}
    assert len(versions_after) == 1 and versions_after.isdisjoint(versions_before)


def test_a_graph_store_put_is_read_back_from_every_process(server: ApiServer) -> None:
    graph = "urn:jalinan:test:put"
    body = '<urn:jalinan:test:a> <urn:jalinan:test:p> "put through a serving process"@en .\n'
    put = httpx.put(
        server.url("/store"),
        params={"graph": graph},
        content=body.encode(),
        headers={**AUTH, "Content-Type": "text/turtle"},
        timeout=60,
    )
    assert put.status_code in (201, 204), put.text
    ask = f'ASK {{ GRAPH <{graph}> {{ ?s ?p "put through a serving process"@en }} }}'
    answers = _read_everywhere(server, ask, "put")
    assert [r.json()["boolean"] for r in answers] == [True] * len(answers)


def test_a_serving_process_that_dies_is_replaced_alone(server: ApiServer) -> None:
    first, second = _serving_pids(server)
    psutil.Process(first).kill()  # as the allocator's abort at the memory limit would end it
    lines = _wait_for(
        server,
        lambda lines: any((m := ENDED.search(x)) and int(m.group(2)) == first for x in lines),
        "replacement of the killed process",
    )
    ended = next(m for m in map(ENDED.search, lines) if m and int(m.group(2)) == first)
    assert ended.group(3) == "-9"
    fresh = ended.group(4)
    _wait_for(
        server,
        lambda lines: any((m := READY.search(x)) and m.group(1) == fresh for x in lines),
        "the replacement ready",
    )
    assert psutil.pid_exists(second) and second in _serving_pids(server)  # the other one untouched
    assert len(_serving_pids(server)) == 2
    answers = _read_everywhere(server, LIGHT, "after-kill")
    assert all(_count(r) > 0 for r in answers)


def test_a_service_call_from_a_serving_process_reaches_nothing(server: ApiServer) -> None:
    listener = Listener()
    try:
        for attack in ("plain", "mixed-case", "ask"):
            response = httpx.post(
                server.url("/sparql"), data={"query": _fill(QUERIES[attack], listener)}, timeout=60
            )
            assert_refused_or_empty(attack, response)
        assert listener.requests == []
    finally:
        listener.close()


def test_a_serving_process_past_its_memory_limit_is_replaced_alone(tmp_path: Path) -> None:
    store = build_store(tmp_path / "store")
    options = ("--processes", "2", "--worker-memory", str(100 * 2**20))  # each process: 100 MiB + 1 GiB
    with run_server(store, tmp_path / "serve.log", *options, ready_timeout=90) as server:
        _wait_for(server, lambda lines: _ready_count(lines) >= 2, "two serving processes ready")
        before = set(_serving_pids(server))
        try:
            hog = httpx.post(server.url("/sparql"), data={"query": RUNAWAY_ORDER}, timeout=120)
            assert hog.status_code == 503, hog.text  # (if answered at all: its process may die first)
        except httpx.RemoteProtocolError:
            pass  # its process died with it: the connection closes unanswered
        lines = _wait_for(server, lambda lines: any(ENDED.search(x) for x in lines), "a process ending")
        ended = next(m for m in map(ENDED.search, lines) if m)
        assert int(ended.group(2)) in before and ended.group(3) in ("-6", "-9")  # the allocator's abort
        fresh = ended.group(4)
        _wait_for(
            server,
            lambda lines: any((m := READY.search(x)) and m.group(1) == fresh for x in lines),
            "replacement",
        )
        after = set(_serving_pids(server))
        assert len(after) == 2 and len(after & before) == 1  # the other one untouched
        answers = _read_everywhere(server, LIGHT, "after-memory")
        assert all(_count(r) > 0 for r in answers)
