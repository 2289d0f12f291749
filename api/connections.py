"""Bounded connections: how many, how long each may idle or dawdle, how much each may buffer.

uvicorn closes a kept-alive connection after `timeout_keep_alive`, but has no limit on how long
a client may take to send its headers or body, counts idle connections against
`limit_concurrency` (answered with a plain-text 503), and writes a response body in one piece,
so a client that never reads makes the server hold the whole answer (twice: h11 copies it) for
as long as the connection lives. So `jalinan serve` runs uvicorn with:

* `GuardedHttpToolsProtocol` (or, without httptools, `GuardedH11Protocol`; uvicorn's `http`
  protocol class, built by `guarded_protocol`):
  - past `max_connections` open connections, a new one is answered 503 problem+json and closed
    before its request is read;
  - a connection is closed when a request's headers have not all arrived `header_timeout`
    seconds after it opened (or went idle after a response), or its body `body_timeout`
    seconds after that (slowloris, half-sent requests);
  - a client that reads nothing of a pending answer for `send_timeout` seconds is cut off
    (the connection reset, its buffers, the server's and the kernel's, dropped).
* `ChunkedBodies`, an ASGI middleware: a body larger than `CHUNK_BYTES` is sent in slices, so
  the server's flow control holds at most about two slices per connection, however large the
  answer, instead of the whole of it.
"""

import asyncio
import contextlib
import socket
import struct
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools is not installed (Windows): h11 it is
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

CHUNK_BYTES = 64 * 1024

_BUSY_BODY = (
    b'{"status":503,"title":"Too Many Connections","detail":"the server has as many open '
    b'connections as it allows; retry shortly"}'
)
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\n"
    b"retry-after: 2\r\nconnection: close\r\naccess-control-allow-origin: *\r\n"
    b"content-length: " + str(len(_BUSY_BODY)).encode() + b"\r\n\r\n" + _BUSY_BODY
)


class _CoalescedWrites:
    """A transport whose writes in one turn of the event loop leave in one system call.

    uvicorn writes a response's status line and headers, then its body, each with its own
    `write`: two `send` calls, each waking the client, which on a busy machine then runs before
    the server gets to send the rest (py-spy: a third of the front end's time under load was
    spent inside those writes). Here writes are gathered until the end of the loop's turn and
    sent together. Past `CHUNK_BYTES` gathered they leave at once, so a large answer meets flow
    control (and the send timeout) exactly as before.
    """

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop):
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> None:
        if not data:
            return
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(bytes(data))
        self._size += len(data)
        if self._size > CHUNK_BYTES:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending, self._size = [], 0
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending, self._size = [], 0
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class _Guards:
    """The connection cap and the header, body and send timeouts, for either of uvicorn's HTTP
    protocols (both keep the attributes used here: `cycle`, `flow`, `connections`, ...).

    The limits are class attributes, set on a subclass by `guarded_protocol`.
    """

    # set by uvicorn's protocol classes, which come after this one in a guarded class's bases
    connections: set[Any]
    cycle: Any
    flow: Any
    loop: asyncio.AbstractEventLoop
    logger: Any
    transport: asyncio.Transport

    max_connections = 1000
    header_timeout = 10.0
    body_timeout = 60.0
    send_timeout = 30.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        transport = _CoalescedWrites(transport, asyncio.get_running_loop())  # type: ignore[assignment]
        super().connection_made(transport)
        self._send_timer: asyncio.TimerHandle | None = None
        if len(self.connections) > self.max_connections:
            transport.write(_BUSY)
            transport.close()
            return
        self._watch_for_request()

    def connection_lost(self, exc: Exception | None) -> None:
        if getattr(self, "_send_timer", None) is not None:
            self._send_timer.cancel()  # type: ignore[union-attr]
        super().connection_lost(exc)

    # -- reading: the request must arrive in time ------------------------------------------
    def _watch_for_request(self) -> None:
        """From now, the next request's headers must arrive within `header_timeout`."""
        self.loop.call_later(self.header_timeout, self._headers_due, self.cycle)

    def _headers_due(self, cycle_before: Any) -> None:
        if self.transport.is_closing():
            return
        if self.cycle is cycle_before:  # no request has started since the watch began
            self._close("request headers did not arrive in time")
        elif self.cycle is not None:  # one has: its body now has `body_timeout` to arrive
            self.loop.call_later(self.body_timeout, self._body_due, self.cycle)

    def _body_due(self, cycle: Any) -> None:
        if self.transport.is_closing() or self.cycle is not cycle:
            return
        if cycle.more_body and not cycle.response_started:
            self._close("request body did not arrive in time")

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._watch_for_request()

    def _close(self, reason: str) -> None:
        """Reset the connection: with `SO_LINGER` 0 the kernel drops what it still holds to
        send (a plain close would queue the FIN behind data the client never reads, and keep
        that data in kernel memory while it retries)."""
        self.logger.info("closing a connection: %s", reason)
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()

    # -- writing: a client that reads nothing is cut off -----------------------------------
    def pause_writing(self) -> None:
        super().pause_writing()
        if self._send_timer is None:
            self._send_timer = self.loop.call_later(self.send_timeout, self._send_due)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._send_timer is not None:
            self._send_timer.cancel()
            self._send_timer = None

    def _send_due(self) -> None:
        self._send_timer = None
        if self.flow.write_paused and not self.transport.is_closing():
            self._close("the client read nothing of the answer in time")


class GuardedH11Protocol(_Guards, H11Protocol):  # type: ignore[misc]
    """uvicorn's pure-Python h11 protocol with the guards (where httptools is missing)."""


class GuardedHttpToolsProtocol(_Guards, HttpToolsProtocol):  # type: ignore[misc]
    """uvicorn's httptools protocol (a C parser) with the guards, and h11's bound on headers.

    h11 refuses a request line and headers past 16 KiB (uvicorn's default
    `h11_max_incomplete_event_size`) with 400 and closes the connection; httptools has no such
    bound, so it is kept here: the bytes received while a request's headers are incomplete are
    counted, and past the bound the answer is the same 400 and close. Why httptools: py-spy
    showed h11's parsing and framing among the largest costs per light `/sparql` request, and
    under load the front end's CPU per answer bounds its throughput (`bench/RESULTS.md`).
    """

    max_header_bytes = 16 * 1024

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._header_bytes, self._in_headers = 0, True
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._in_headers:
            self._header_bytes += len(data)
        super().data_received(data)
        too_long = self._in_headers and self._header_bytes > self.max_header_bytes
        if too_long and not self.transport.is_closing():
            self.send_400_response("Invalid HTTP request received.")

    def on_headers_complete(self) -> None:
        self._in_headers = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_headers, self._header_bytes = True, 0  # the next request's headers start here


def guarded_protocol(
    *, max_connections: int, header_timeout: float, body_timeout: float, send_timeout: float
) -> type[_Guards]:
    """A guarded protocol with these limits (uvicorn takes a class, not an instance): on
    httptools when it is installed (a dependency everywhere but Windows), else on h11."""
    base = GuardedHttpToolsProtocol if HttpToolsProtocol is not None else GuardedH11Protocol
    return type(
        base.__name__,
        (base,),
        {
            "max_connections": max_connections,
            "header_timeout": header_timeout,
            "body_timeout": body_timeout,
            "send_timeout": send_timeout,
        },
    )


class ChunkedBodies:
    """Send a large response body in `CHUNK_BYTES` slices, so flow control bounds the buffer."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sliced(message: Message) -> None:
            body = message.get("body", b"")
            if message["type"] != "http.response.body" or len(body) <= CHUNK_BYTES:
                await send(message)
                return
            await send_body(send, body, message.get("more_body", False))

        await self.app(scope, receive, sliced)


async def send_body(send: Send, body: bytes, more_body: bool = False) -> None:
    """Send `body` as `http.response.body` messages of at most `CHUNK_BYTES` each (one when it is
    that small): `ChunkedBodies`, and `/sparql`'s own front end (`sparql_front.py`)."""
    if len(body) <= CHUNK_BYTES:
        await send({"type": "http.response.body", "body": body, "more_body": more_body})
        return
    view = memoryview(body)
    for start in range(0, len(body), CHUNK_BYTES):
        last = start + CHUNK_BYTES >= len(body)
        chunk = bytes(view[start : start + CHUNK_BYTES])
        await send({"type": "http.response.body", "body": chunk, "more_body": more_body or not last})
