"""The floor of `/sparql` in Python: the least a server that runs queries in its own process can do.

Not the product, and never served to anyone: a reference that `sparql_bench` measures beside
`jalinan serve` and `oxigraph serve`, so that one run shows how much of the distance between the
two is the product's own work per request (issue 13's target, ≥ 80% of `oxigraph serve`).

It does only what every such design must: `processes` processes accept on one listening socket,
each an event loop (uvloop) parsing HTTP/1.1 with httptools, that reads `query` from a GET's
query string, runs it on one of `threads` threads over a read-only pyoxigraph store (the union
default graph, as `jalinan serve` and `oxigraph serve --union-default-graph` read it), and
writes the SPARQL JSON results with a `Content-Length`. Nothing else: no time limit, no fair
line, no cache, no access line, no negotiation, no outbound guard, no error page. A bad query
gets a bare 400. One request per connection at a time (the next waits for the answer), so
answers leave in order.

    python -m bench.sparql_floor --store DIR --port 8000 --processes 2 --threads 2
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import os
import signal
import socket
import urllib.parse
from collections import deque
from concurrent.futures import ThreadPoolExecutor

import httptools
import uvloop
from pyoxigraph import QueryResultsFormat, Store

_PR_SET_PDEATHSIG = 1  # prctl: the kernel sends a child this signal when its parent ends


def _response(status: bytes, body: bytes, content_type: bytes) -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: " + content_type
        + b"\r\ncontent-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )  # fmt: skip


def _serve(sock: socket.socket, store_path: str, threads: int) -> None:
    """One serving process: its loop, its threads, its read-only store."""
    store = Store.read_only(store_path)
    pool = ThreadPoolExecutor(threads)
    loop = uvloop.new_event_loop()
    asyncio.set_event_loop(loop)

    def answer(url: bytes) -> bytes:
        """On a query thread: the whole response for one request."""
        try:
            pairs = urllib.parse.parse_qs(httptools.parse_url(url).query.decode(), strict_parsing=True)
            query = pairs["query"][0]
            data = store.query(query, use_default_graph_as_union=True).serialize(
                format=QueryResultsFormat.JSON
            )
        except (KeyError, ValueError, SyntaxError, AttributeError, httptools.HttpParserError) as exc:
            # (no `query`, a query string that does not parse, a query that does not)
            return _response(b"400 Bad Request", str(exc).encode(), b"text/plain")
        assert data is not None
        return _response(b"200 OK", data, QueryResultsFormat.JSON.media_type.encode())

    class Connection(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport: asyncio.Transport = transport  # type: ignore[assignment]
            self.parser = httptools.HttpRequestParser(self)
            self.url = b""
            self.pending: deque[bytes] = deque()
            self.busy = False

        def data_received(self, data: bytes) -> None:
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserError:
                self.transport.close()

        def on_url(self, url: bytes) -> None:
            self.url += url

        def on_message_complete(self) -> None:
            self.pending.append(self.url)
            self.url = b""
            self._next()

        def _next(self) -> None:
            if self.busy or not self.pending:
                return
            self.busy = True
            future = loop.run_in_executor(pool, answer, self.pending.popleft())
            future.add_done_callback(self._written)

        def _written(self, future: asyncio.Future[bytes]) -> None:
            self.busy = False
            if not self.transport.is_closing():
                self.transport.write(future.result())
                self._next()

    loop.run_until_complete(loop.create_server(Connection, sock=sock))
    loop.run_forever()


def serve(store_path: str, host: str, port: int, processes: int, threads: int) -> None:
    """Bind, start `processes` children on the one socket, wait; they end with this process."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    children = []
    for _ in range(processes):
        pid = os.fork()
        if pid == 0:
            with contextlib.suppress(OSError, AttributeError):
                ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
            _serve(sock, store_path, threads)
            os._exit(0)
        children.append(pid)

    def stop(signum: int, _frame: object) -> None:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for pid in children:
        os.waitpid(pid, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="a pyoxigraph store folder (opened read-only)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="query threads per process")
    args = parser.parse_args()
    serve(args.store, args.host, args.port, args.processes, args.threads)


if __name__ == "__main__":
    main()
