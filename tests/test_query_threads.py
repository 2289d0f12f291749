"""`jalinan serve --query-threads N`: clients' queries on sandboxed threads of the server (issue 13).

What #12 promises must hold there too: no query reaches the network (a SERVICE to a loopback
listener is refused with the one 400 and the listener hears nothing), a query past its time
limit is answered 503 on time, and the server goes on answering (its worker processes take
over, since a thread cannot be stopped); no request is ever answered 500. And a thread sees the
data a write just made, as a worker does.
"""

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from pyoxigraph import QueryResultsFormat, RdfFormat

from jalinan.graph import open_store, query_threads
from jalinan.graph.pool import PooledStore
from jalinan.graph.query_threads import QueryThreads
from jalinan.graph.sandbox import SandboxUnavailable
from tests.conftest import ApiServer, build_store, run_server
from tests.test_hardening_outbound import QUERIES, Listener, _fill, assert_refused_or_empty

TIMEOUT_S = 2.0
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LIGHT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }"
RETIRED = "every client query runs in a worker process"


def _threads_of(pid: int) -> list[str]:
    """The names of a process's threads (`/proc/PID/task/*/comm`)."""
    return [(task / "comm").read_text().strip() for task in Path(f"/proc/{pid}/task").iterdir()]


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    running = Listener()
    yield running
    running.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ApiServer]:
    """A server of its own per test: a runaway retires the lane for the rest of its life."""
    store = build_store(tmp_path / "store")
    options = ("--query-threads", "2", "--query-timeout", str(TIMEOUT_S))
    with run_server(store, tmp_path / "serve.log", *options) as running:
        yield running


def _sparql(server: ApiServer, query: str, **params: str) -> httpx.Response:
    return httpx.post(server.url("/sparql"), data={"query": query, **params}, timeout=60)


def test_queries_run_on_the_servers_own_threads(server: ApiServer) -> None:
    response = _sparql(server, LIGHT)
    assert response.status_code == 200, response.text
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) > 0
    assert server.pid is not None
    assert query_threads.THREAD_NAME.decode() in _threads_of(server.pid)


def test_a_service_call_from_a_query_thread_reaches_nothing(server: ApiServer, listener: Listener) -> None:
    for attack in ("plain", "silent", "mixed-case", "ask"):
        response = _sparql(server, _fill(QUERIES[attack], listener))
        assert_refused_or_empty(attack, response)
    assert listener.requests == []
    assert not any(RETIRED in line for line in server.log_lines())  # refused on the threads themselves


def test_a_runaway_on_a_thread_is_answered_503_on_time_and_the_server_keeps_answering(
    server: ApiServer,
) -> None:
    started = time.monotonic()
    runaway = _sparql(server, RUNAWAY)
    elapsed = time.monotonic() - started
    assert runaway.status_code == 503, runaway.text
    assert runaway.json()["title"] == "Query Timeout"
    assert elapsed < TIMEOUT_S + 1
    # the lane is retired: every later query runs in a worker process, whose runaways are killed
    assert any(RETIRED in line for line in server.log_lines())
    statuses = [_sparql(server, f"{LIGHT} # {i}").status_code for i in range(5)]
    assert statuses == [200] * 5
    started = time.monotonic()
    second = _sparql(server, RUNAWAY, timeout="1")
    assert second.status_code == 503 and time.monotonic() - started < 2
    assert _sparql(server, LIGHT).status_code == 200
    # and the server still stops when asked, the runaway's thread with it
    assert server.pid is not None
    process = psutil.Process(server.pid)
    process.terminate()
    process.wait(timeout=8)


def test_no_request_on_a_threads_server_is_answered_500(server: ApiServer) -> None:
    cases = [
        {"query": "SELECT * WHERE { ?s ?p }"},  # not SPARQL
        {"query": "SELECT * WHERE { <relative> ?p ?o }"},  # resolves against the endpoint
        {"query": "ASK { ?s ?p ?o }", "format": "nonsense"},
        {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3", "format": "csv"},
        {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "default-graph-uri": "urn:none"},
        {"query": LIGHT, "inferred": "false"},
    ]
    for params in cases:
        response = httpx.post(server.url("/sparql"), data=params, timeout=60)
        assert response.status_code < 500, (params, response.status_code, response.text)


def test_a_query_thread_reads_what_a_write_just_made(tmp_path: Path) -> None:
    pooled = PooledStore(open_store(build_store(tmp_path / "store")), workers=1, threads=2, spares=0)
    ask = "ASK { <urn:jalinan:test:new> ?p ?o }"

    def asked() -> bytes:
        _form, data = asyncio.run(
            pooled.query_serialized_async(ask, QueryResultsFormat.JSON, RdfFormat.TURTLE, client="t")
        )
        return data

    try:
        assert b"false" in asked()
        pooled.update("INSERT DATA { GRAPH <urn:jalinan:test:g> { <urn:jalinan:test:new> <urn:p> 1 } }")
        assert b"true" in asked()
        assert pooled._threads is not None and pooled._threads.open  # answered by the threads
    finally:
        pooled.close()


def test_the_lane_refuses_to_start_where_its_threads_cannot_be_cut_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(**_options: object) -> None:
        raise SandboxUnavailable("no seccomp here")

    monkeypatch.setattr(query_threads, "deny_network", refuse)
    with pytest.raises(SandboxUnavailable, match="no seccomp here"):
        QueryThreads(2)


def test_a_job_whose_request_went_away_before_it_started_lets_go_of_its_checkpoint(tmp_path: Path) -> None:
    first, second = str(tmp_path / "first"), str(tmp_path / "second")
    for path in (first, second):
        open_store(path).close()  # two empty stores, as two checkpoints
    lane = QueryThreads(1)
    started, release = threading.Event(), threading.Event()
    try:
        lane.hold(first)
        busy = lane.submit(first, lambda _store: (started.set(), release.wait(10)))
        started.wait(10)
        lane.hold(second)
        waiting = lane.submit(second, lambda _store: None)
        assert waiting.cancel()  # cancelled while the only thread is busy
        release.set()
        busy.result(10)
        deadline = time.monotonic() + 5
        while lane.held() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert lane.held() == set()
    finally:
        release.set()
        lane.close()
