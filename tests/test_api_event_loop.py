"""The event loop only moves bytes: a light query answers at once while large queries that
mention SERVICE arrive and are checked and run (rdflib once parsed those on the event loop for
seconds, freezing every request of the server)."""

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import ApiServer, build_store, run_server

# About 63 KB, just under the 64 KiB query limit, mentioning SERVICE (in a comment) and cheap for
# the engine, so that many arrive while the light queries are timed.
LARGE = (
    "# calls no service\nASK { VALUES ?n { " + " ".join(str(n) for n in range(12_000)) + " } FILTER(?n < 0) }"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    directory = tmp_path_factory.mktemp("event-loop")
    with run_server(build_store(directory / "store"), directory / "serve.log") as running:
        yield running


def test_a_light_query_answers_within_a_second_while_large_queries_are_checked(server: ApiServer) -> None:
    assert 60_000 < len(LARGE) < 64 * 1024
    statuses: list[int] = []
    stop = threading.Event()

    def send_large() -> None:
        with httpx.Client(timeout=60) as client:
            while not stop.is_set():
                response = client.post(
                    server.url("/sparql"), content=LARGE, headers={"Content-Type": "application/sparql-query"}
                )
                statuses.append(response.status_code)

    # two senders for four workers: a worker is free for the light query, so what it waits for is
    # the event loop
    senders = [threading.Thread(target=send_large) for _ in range(2)]
    for sender in senders:
        sender.start()
    latencies = []
    try:
        time.sleep(0.5)
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            for n in range(10):
                began = time.perf_counter()
                response = client.get("/sparql", params={"query": f"ASK {{ ?s ?p {n} }}"})
                latencies.append(time.perf_counter() - began)
                assert response.status_code == 200
                time.sleep(0.1)
    finally:
        stop.set()
        for sender in senders:
            sender.join(timeout=60)
    assert len(statuses) >= 8 and set(statuses) == {200}, statuses[:20]
    assert max(latencies) < 1.0, latencies
