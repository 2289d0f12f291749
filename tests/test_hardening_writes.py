"""Writes run under their own time and memory limits, and never hold reads past their deadline.

`jalinan serve --write-timeout 3`, then one with `--write-memory` 300 MiB. A write that runs too long (an
INSERT counting a three-way cross product) is stopped with 503 "Write Timeout", and meanwhile
uncached reads, each with a one-second deadline, keep being answered from the last
checkpoint; a write that allocates too much (an INSERT concatenating every quote once per triple) is stopped
with 503 "Memory Limit". Neither leaves anything written, and the next write works.
"""

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ApiServer, build_store, run_server

WRITE_TIMEOUT_S = 3.0
WRITE_MEMORY_MIB = 300
GRAPH = "https://example.org/write-limits"
SLOW_WRITE = (
    f"INSERT {{ GRAPH <{GRAPH}> {{ <https://example.org/s> <https://example.org/n> ?n }} }} WHERE {{ "
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?x { ?a ?b ?c } GRAPH ?y { ?d ?e ?f } GRAPH ?z { ?g ?h ?i } } }"
)
# concatenates every quote once per triple of the store: over a gigabyte, in seconds
GREEDY_WRITE = (
    f"INSERT {{ GRAPH <{GRAPH}> {{ <https://example.org/s> <https://example.org/p> ?all }} }} WHERE {{ "
    "SELECT (GROUP_CONCAT(?quote) AS ?all) WHERE { "
    "GRAPH ?x { ?q <https://w3id.org/jalinan/ontology#quote> ?quote } GRAPH ?y { ?s ?p ?o } } }"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    directory = tmp_path_factory.mktemp("writes")
    store = build_store(directory / "store")
    with run_server(store, directory / "serve.log", "--write-timeout", str(WRITE_TIMEOUT_S)) as running:
        yield running


def _update(server: ApiServer, update: str) -> httpx.Response:
    return httpx.post(
        server.url("/update"),
        data={"update": update},
        headers={"Authorization": f"Bearer {server.write_token}"},
        timeout=60,
    )


def _graph_is_empty(server: ApiServer) -> bool:
    ask = httpx.post(
        server.url("/sparql"), data={"query": f"ASK {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"}, timeout=30
    )
    assert ask.status_code == 200
    return ask.json()["boolean"] is False


def _next_write_works(server: ApiServer) -> None:
    done = _update(
        server, f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <https://example.org/s> <https://example.org/p> 1 }} }}"
    )
    assert done.status_code == 204
    assert not _graph_is_empty(server)
    assert _update(server, f"DROP GRAPH <{GRAPH}>").status_code == 204


def test_a_long_write_is_stopped_at_its_limit_and_reads_keep_their_deadline(server: ApiServer) -> None:
    outcome: dict[str, object] = {}

    def write() -> None:
        started = time.monotonic()
        outcome["response"] = _update(server, SLOW_WRITE)
        outcome["elapsed"] = time.monotonic() - started

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.3)
    latencies: list[float] = []
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        while writer.is_alive():
            started = time.monotonic()
            # a different query each time, so that none comes from the cache
            query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} # {len(latencies)}"
            response = client.post("/sparql", data={"query": query, "timeout": "1"})
            latencies.append(time.monotonic() - started)
            assert response.status_code == 200, response.text
    writer.join()
    response = outcome["response"]
    assert isinstance(response, httpx.Response)
    print(
        f"long write answered {response.status_code} after {outcome['elapsed']:.2f} s; "
        f"{len(latencies)} reads meanwhile, slowest {max(latencies):.3f} s"
    )
    assert response.status_code == 503 and response.json()["title"] == "Write Timeout"
    assert outcome["elapsed"] < WRITE_TIMEOUT_S + 1  # answered at once, the writer restarts after
    assert len(latencies) >= 5 and max(latencies) < 1.0
    assert _graph_is_empty(server)
    _next_write_works(server)


def test_a_greedy_write_is_stopped_at_the_writer_memory_limit(tmp_path: Path) -> None:
    store = build_store(tmp_path / "store")
    options = ["--write-timeout", "60", "--write-memory", str(WRITE_MEMORY_MIB * 2**20)]
    with run_server(store, tmp_path / "serve.log", *options) as server:
        started = time.monotonic()
        response = _update(server, GREEDY_WRITE)
        elapsed = time.monotonic() - started
        print(f"greedy write answered {response.status_code} after {elapsed:.2f} s")
        assert response.status_code == 503
        assert response.json()["title"] == "Memory Limit"
        assert f"{WRITE_MEMORY_MIB} MiB" in response.json()["detail"]
        assert _graph_is_empty(server)
        _next_write_works(server)
