"""Every limit answers its own status with a clear message: 413, 429 with Retry-After, 503, 400.

One `jalinan serve` with small limits (one general worker, one waiting query, 64 KiB bodies,
2 KiB queries, 5 items, 20 kB results) so each limit is reached with small requests.
"""

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import ApiServer, build_store, run_server

ALLOWED_SERVICE = "http://127.0.0.1:9/sparql"  # SERVICE itself: tests/test_hardening_outbound.py
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MAX_BODY = 65536


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    directory = tmp_path_factory.mktemp("limits")
    store = build_store(directory / "store")
    options = [
        "--query-timeout", "4", "--query-workers", "1", "--max-waiting", "1",
        "--max-body", str(MAX_BODY), "--max-query-length", "2048", "--max-rows", "5",
        "--max-result-bytes", "20000", "--service-allow", ALLOWED_SERVICE,
    ]  # fmt: skip
    with run_server(store, directory / "serve.log", *options) as running:
        yield running


@pytest.fixture(scope="module")
def http(server: ApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        yield client


def _problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


def test_body_past_the_limit_is_413(http: httpx.Client) -> None:
    query = "ASK {}" + " " * MAX_BODY
    _problem(http.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"}), 413)


def test_chunked_body_past_the_limit_is_413(http: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"ASK {}"
        for _ in range(20):
            yield b" " * 8192

    response = http.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert "chunked" in response.request.headers.get("transfer-encoding", "")
    _problem(response, 413)


def test_writes_with_the_token_may_send_more_and_without_it_may_not(
    http: httpx.Client, server: ApiServer
) -> None:
    graph = "https://example.org/big"
    body = "".join(
        f"<https://example.org/s{i}> <https://example.org/p> {i} .\n" for i in range(3000)
    ).encode()
    assert len(body) > MAX_BODY
    headers = {"Content-Type": "text/turtle"}
    _problem(http.put("/store", params={"graph": graph}, content=body, headers=headers), 413)
    headers["Authorization"] = f"Bearer {server.write_token}"
    assert http.put("/store", params={"graph": graph}, content=body, headers=headers).status_code == 201
    assert http.delete("/store", params={"graph": graph}, headers=headers).status_code == 204


def test_query_past_the_length_limit_is_413_naming_it(http: httpx.Client) -> None:
    query = "ASK { ?s ?p ?o }" + " " * 3000
    assert _problem(http.post("/sparql", data={"query": query}), 413)["parameter"] == "query"


def test_friendly_json_and_pages_are_capped_and_say_so(http: httpx.Client) -> None:
    response = http.get("/organisations")
    assert response.status_code == 200
    assert response.headers["x-jalinan-truncated"] == "5"
    assert response.json()["count"] == 5
    small = http.get("/people", params={"person": "Gobind"})
    assert small.status_code == 200 and "x-jalinan-truncated" not in small.headers


def test_result_past_the_size_limit_is_503_result_too_large(http: httpx.Client) -> None:
    body = _problem(http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}), 503)
    assert body["title"] == "Result Too Large" and "LIMIT" in body["detail"]
    assert http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 10"}).status_code == 200


def test_a_full_waiting_line_is_429_with_retry_after(server: ApiServer, http: httpx.Client) -> None:
    statuses: list[int] = []

    def run_away() -> None:
        response = httpx.post(server.url("/sparql"), data={"query": RUNAWAY, "timeout": "2"}, timeout=30)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=run_away) for _ in range(2)]  # one runs, one waits
    for thread in threads:
        thread.start()
        time.sleep(0.8)  # on a loaded machine a request takes a while to reach its place
    response = http.post("/sparql", data={"query": "ASK { ?s ?p ?o }"})
    for thread in threads:
        thread.join()
    body = _problem(response, 429)
    assert int(response.headers["retry-after"]) > 0 and "busy" in body["detail"]
    assert statuses == [503, 503]  # the runaway and the one that waited past its 2 s
