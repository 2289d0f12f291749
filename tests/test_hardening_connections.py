"""Idle, half-sent and dawdling connections are closed; open connections are capped.

Raw sockets on loopback against `jalinan serve` with short timeouts (`--header-timeout 2
--body-timeout 2 --keep-alive-timeout 2`): a thousand connections that send nothing or only
part of their headers are all closed by the server within the timeouts, the server keeps
answering meanwhile, and its query pool is whole afterwards. A half-sent body and a kept-alive
connection dribbling a new request byte by byte are closed too. Past `--max-connections` a new
connection is answered 503 problem+json and closed, until the idle ones time out.
"""

import contextlib
import json
import selectors
import socket
import time
from collections.abc import Iterator

import httpx
import psutil
import pytest

from tests.conftest import ApiServer, build_store, run_server

TIMEOUT_S = 2.0
CONNECTIONS = 1000
TIMEOUTS = ["--header-timeout", str(TIMEOUT_S), "--body-timeout", str(TIMEOUT_S)]
TIMEOUTS += ["--keep-alive-timeout", str(int(TIMEOUT_S))]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    directory = tmp_path_factory.mktemp("connections")
    store = build_store(directory / "store")
    options = [*TIMEOUTS, "--max-connections", str(CONNECTIONS + 100)]
    with run_server(store, directory / "serve.log", *options) as running:
        yield running


def _connect(server: ApiServer) -> socket.socket:
    host, port = server.base_url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=5)


def _closed_by_server(sock: socket.socket) -> bool:
    """True when the server has closed (or reset) the connection; reads whatever it sent."""
    try:
        sock.setblocking(False)
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True


def _wait_all_closed(sockets: list[socket.socket], within: float) -> float:
    started = time.monotonic()
    open_ = list(sockets)
    with selectors.DefaultSelector() as selector:
        for sock in open_:
            selector.register(sock, selectors.EVENT_READ)
        while open_:
            left = within - (time.monotonic() - started)
            assert left > 0, f"{len(open_)} of {len(sockets)} connections are still open after {within:g} s"
            for key, _ in selector.select(timeout=min(left, 0.5)):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                if _closed_by_server(sock):
                    selector.unregister(sock)
                    open_.remove(sock)
    return time.monotonic() - started


def _spawned_workers(server: ApiServer) -> int:
    assert server.pid is not None
    children = psutil.Process(server.pid).children(recursive=True)
    return sum(1 for p in children if "spawn_main" in " ".join(p.cmdline()))


def test_a_thousand_idle_or_half_sent_connections_are_closed_and_the_pool_is_whole(
    server: ApiServer,
) -> None:
    sockets: list[socket.socket] = []
    try:
        for i in range(CONNECTIONS):
            sock = _connect(server)
            if i % 2:  # half of them send part of their headers, and then nothing
                sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: ")
            sockets.append(sock)
        # the server keeps answering while they are open
        served = httpx.get(server.url("/queries/agreements-by-party?party=Mosti"), timeout=10)
        assert served.status_code == 200
        took = _wait_all_closed(sockets, within=TIMEOUT_S * 2 + 10)
        print(f"{CONNECTIONS} idle or half-sent connections closed by the server within {took:.2f} s")
    finally:
        for sock in sockets:
            sock.close()
    assert _spawned_workers(server) == 8  # 4 general + 1 reserved + 2 spares + the store writer
    ask = httpx.post(server.url("/sparql"), data={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert ask.status_code == 200 and ask.json()["boolean"] is True


def test_a_half_sent_body_is_closed_after_the_body_timeout(server: ApiServer) -> None:
    with contextlib.closing(_connect(server)) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/sparql-query\r\nContent-Length: 1000\r\n\r\nASK { ?s"
        )
        took = _wait_all_closed([sock], within=TIMEOUT_S * 2 + 5)
        print(f"half-sent body closed after {took:.2f} s")


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    sock.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection before answering"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    fields = dict(line.split(b":", 1) for line in head.split(b"\r\n")[1:])
    length = int(next(value for name, value in fields.items() if name.lower() == b"content-length"))
    while len(body) < length:
        body += sock.recv(65536)
    return int(head.split(b" ", 2)[1]), body


def test_a_kept_alive_connection_dribbling_a_request_is_closed(server: ApiServer) -> None:
    with contextlib.closing(_connect(server)) as sock:
        sock.sendall(b"GET /queries HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n")
        status, _ = _read_response(sock)
        assert status == 200
        started = time.monotonic()
        closed = False
        for byte in b"GET /queries HTTP/1.1\r\nHost: 127.0.0.1\r\n":  # one byte every 0.5 s
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.5)
            if _closed_by_server(sock):
                closed = True
                break
        elapsed = time.monotonic() - started
        print(f"dribbling connection closed after {elapsed:.2f} s")
        assert closed and elapsed < TIMEOUT_S + 2


def test_past_max_connections_a_new_connection_gets_503_until_idle_ones_time_out(tmp_path) -> None:
    store = build_store(tmp_path / "store")
    with run_server(store, tmp_path / "serve.log", *TIMEOUTS, "--max-connections", "20") as small:
        idle = [_connect(small) for _ in range(20)]
        try:
            time.sleep(0.2)
            with contextlib.closing(_connect(small)) as sock:
                sock.sendall(b"GET /queries HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                status, body = _read_response(sock)
            assert status == 503
            assert json.loads(body)["title"] == "Too Many Connections"
            _wait_all_closed(idle, within=TIMEOUT_S * 2 + 5)
        finally:
            for sock in idle:
                sock.close()
        assert httpx.get(small.url("/queries"), timeout=10).status_code == 200
