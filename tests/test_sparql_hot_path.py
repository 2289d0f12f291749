"""`/sparql` takes a shorter path from the socket to the store (issue 13); what every other route
gets must still hold there: the editor for browsers, CORS, HEAD, the body limit, the access
log, one problem+json shape. Also the two pieces under it: a worker's answer crosses the pipe
whole, and a response's writes are gathered without escaping flow control."""

import asyncio
import json
import multiprocessing
import os
import pickle
import struct
import threading
import time
from pathlib import Path

import httpx
import pytest
from pyoxigraph import Literal, NamedNode, Quad, QueryResultsFormat, RdfFormat

from jalinan.api.connections import CHUNK_BYTES, _CoalescedWrites
from jalinan.graph.oxigraph_store import open_store
from jalinan.graph.pool import _ONE_WRITE, PooledStore, _receive, _send_whole
from jalinan.graph.results import SelectResult
from tests.conftest import ApiServer

ASK = "ASK { ?s ?p ?o }"
JSON_RESULTS = "application/sparql-results+json"


def test_a_program_gets_results_and_a_browser_gets_the_editor_at_the_same_url(api_server: ApiServer) -> None:
    program = httpx.get(api_server.url("/sparql"), params={"query": ASK}, headers={"Accept": JSON_RESULTS})
    assert program.status_code == 200
    assert program.headers["content-type"].startswith(JSON_RESULTS)
    assert program.json()["boolean"] is True
    browser = httpx.get(api_server.url("/sparql"), headers={"Accept": "text/html,application/xhtml+xml"})
    assert browser.status_code == 200
    assert browser.headers["content-type"].startswith("text/html")
    assert "yasgui" in browser.text.lower()
    table = httpx.get(api_server.url("/sparql"), params={"query": ASK, "format": "html"})
    assert table.headers["content-type"].startswith("text/html")


def test_a_sparql_answer_carries_cors_and_head_mirrors_get(api_server: ApiServer) -> None:
    params = {"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"}
    headers = {"Accept": JSON_RESULTS, "Origin": "https://example.org"}
    got = httpx.get(api_server.url("/sparql"), params=params, headers=headers)
    assert got.status_code == 200
    assert got.headers["access-control-allow-origin"] == "*"
    head = httpx.head(api_server.url("/sparql"), params=params, headers=headers)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"]
    assert head.headers["etag"] == got.headers["etag"]


def test_a_refusal_at_sparql_is_problem_json_and_logged(api_server: ApiServer) -> None:
    marker = "hot-path-refusal-marker"
    params = {"query": f"SELECT WHERE {{ # {marker}"}
    refused = httpx.get(api_server.url("/sparql"), params=params, headers={"Accept": JSON_RESULTS})
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["parameter"] == "query"
    lines = [json.loads(line) for line in api_server.log_lines() if marker in line]
    assert lines and lines[-1]["status"] == 400 and lines[-1]["kind"] == "query"


def test_a_body_past_the_limit_at_sparql_is_refused_before_it_is_read(api_server: ApiServer) -> None:
    body = "query=" + "x" * (2 * 1024 * 1024)
    refused = httpx.post(
        api_server.url("/sparql"),
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": JSON_RESULTS},
    )
    assert refused.status_code == 413


# -- a worker's answer through the pipe -------------------------------------------------------
@pytest.mark.parametrize("size", [10, 24_000, 70_000, _ONE_WRITE + 10])
def test_a_workers_answer_arrives_whole_whatever_its_size(size: int) -> None:
    """Small answers go in one write and come out of one read; larger ones in several."""
    parent, child = multiprocessing.Pipe()
    os.set_blocking(parent.fileno(), False)  # as the event loop's path leaves it
    answer = ("ok", ("SELECT", os.urandom(size)))
    writer = threading.Thread(target=_send_whole, args=(child, answer))
    writer.start()

    async def read() -> object:
        return await _receive(parent.fileno(), bytearray(1 << 16))

    try:
        assert asyncio.run(read()) == answer
    finally:
        writer.join()
        parent.close()
        child.close()


@pytest.mark.parametrize("size", [24_000, 200_000])
def test_an_answer_still_being_written_is_awaited_without_stopping_the_event_loop(size: int) -> None:
    """A worker descheduled halfway through its answer (a busy machine) must not stop every
    other request: the rest is awaited on the loop, which meanwhile runs other work."""
    parent, child = multiprocessing.Pipe()
    os.set_blocking(parent.fileno(), False)
    payload = ("ok", ("SELECT", os.urandom(size)))
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    message = struct.pack("!i", len(data)) + data
    half = len(message) // 2

    def write_in_two() -> None:
        os.write(child.fileno(), message[:half])
        time.sleep(0.3)
        view = memoryview(message)[half:]
        while view:
            view = view[os.write(child.fileno(), view) :]

    async def read_while_ticking() -> tuple[object, int]:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())
        await asyncio.sleep(0.05)  # the first half is in the pipe
        answer = await _receive(parent.fileno(), bytearray(1 << 16))
        ticker.cancel()
        return answer, ticks

    writer = threading.Thread(target=write_in_two)
    writer.start()
    try:
        answer, ticks = asyncio.run(read_while_ticking())
        assert answer == payload
        assert ticks >= 10  # the loop ran on while the second half was awaited (0.3 s)
    finally:
        writer.join()
        parent.close()
        child.close()


def test_a_worker_left_non_blocking_by_the_event_loop_still_answers_the_thread_path(
    tmp_path: Path,
) -> None:
    """The event loop's path leaves a worker's pipe non-blocking between answers (two system
    calls fewer per answer); a query from a thread (`PooledStore.query`) on that same worker,
    whose `Connection.recv` needs a blocking pipe, must still get its whole answer."""
    store = open_store(tmp_path / "store")
    store.add_quads([Quad(NamedNode("http://e/s"), NamedNode("http://e/p"), Literal("o" * 2_000_000))])
    pool = PooledStore(store, workers=1, reserved=0, spares=0)
    try:
        sparql = "SELECT ?o WHERE { ?s ?p ?o }"

        async def on_loop() -> tuple[str, bytes]:
            return await pool.query_serialized_async(sparql, QueryResultsFormat.JSON, RdfFormat.N_TRIPLES)

        form, data = asyncio.run(on_loop())
        assert form == "SELECT" and b"o" * 2_000_000 in data
        rows = pool.query(sparql)  # the same (only) worker, from this thread
        assert isinstance(rows, SelectResult) and len(rows.rows[0]["o"].value) == 2_000_000
    finally:
        pool.close()


def test_a_workers_answer_is_readable_by_connection_recv() -> None:
    """The thread path (`Connection.recv`) reads the same framing."""
    parent, child = multiprocessing.Pipe()
    _send_whole(child, ("ok", ["a", "b"]))
    assert parent.recv() == ("ok", ["a", "b"])
    parent.close()
    child.close()


# -- a response's writes ------------------------------------------------------------------------
class _RecordingTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed or self.aborted

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def get_extra_info(self, name: str) -> str:
        return f"info:{name}"


def test_headers_and_body_written_in_one_turn_leave_in_one_write() -> None:
    async def scenario() -> _RecordingTransport:
        real = _RecordingTransport()
        coalesced = _CoalescedWrites(real, asyncio.get_running_loop())  # type: ignore[arg-type]
        coalesced.write(b"HTTP/1.1 200 OK\r\n\r\n")
        coalesced.write(b"body")
        coalesced.write(b"")
        assert real.writes == []  # nothing yet: the turn is not over
        assert coalesced.get_extra_info("socket") == "info:socket"
        await asyncio.sleep(0)
        return real

    assert asyncio.run(scenario()).writes == [b"HTTP/1.1 200 OK\r\n\r\nbody"]


def test_a_large_answer_is_written_at_once_so_flow_control_still_applies() -> None:
    async def scenario() -> _RecordingTransport:
        real = _RecordingTransport()
        coalesced = _CoalescedWrites(real, asyncio.get_running_loop())  # type: ignore[arg-type]
        coalesced.write(b"h" * 100)
        coalesced.write(b"b" * CHUNK_BYTES)
        assert len(real.writes) == 1 and len(real.writes[0]) == 100 + CHUNK_BYTES  # without waiting
        await asyncio.sleep(0)
        return real

    assert len(asyncio.run(scenario()).writes) == 1


def test_closing_sends_what_was_gathered_and_aborting_drops_it() -> None:
    async def scenario() -> tuple[_RecordingTransport, _RecordingTransport]:
        loop = asyncio.get_running_loop()
        closed, aborted = _RecordingTransport(), _RecordingTransport()
        one = _CoalescedWrites(closed, loop)  # type: ignore[arg-type]
        one.write(b"last answer")
        one.close()
        other = _CoalescedWrites(aborted, loop)  # type: ignore[arg-type]
        other.write(b"never sent")
        other.abort()
        await asyncio.sleep(0)
        return closed, aborted

    closed, aborted = asyncio.run(scenario())
    assert closed.writes == [b"last answer"] and closed.closed
    assert aborted.writes == [] and aborted.aborted


# -- the HTTP parser's bound on headers ------------------------------------------------------------
def _raw_exchange(api_server: ApiServer, request: bytes) -> bytes:
    """Send raw bytes in one piece and read until the server closes or answers."""
    import socket
    from urllib.parse import urlsplit

    where = urlsplit(api_server.url("/"))
    with socket.create_connection((where.hostname, where.port), timeout=10) as sock:
        sock.sendall(request)
        return sock.recv(65536)


def test_unfinished_headers_past_16_kib_are_refused_with_400_as_h11_did(api_server: ApiServer) -> None:
    """The server does not buffer headers without end: past 16 KiB still incomplete, 400."""
    padding = "x" * (20 * 1024)
    request = f"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: t\r\nX-Pad: {padding}".encode()
    assert _raw_exchange(api_server, request).startswith(b"HTTP/1.1 400")


def test_a_large_body_sent_with_its_headers_is_not_taken_for_long_headers(api_server: ApiServer) -> None:
    """The bound counts header bytes only: a 40 KiB form in the same packet is read as a body."""
    query = "ASK {} " + "#" * (40 * 1024)
    body = "query=" + query.replace("#", "%23").replace(" ", "+").replace("{", "%7B").replace("}", "%7D")
    head = (
        "POST /sparql HTTP/1.1\r\nHost: t\r\nAccept: application/sparql-results+json\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    answer = _raw_exchange(api_server, (head + body).encode())
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
