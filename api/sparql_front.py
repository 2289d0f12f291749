"""`/sparql` and `/query` answered straight from the ASGI server, ahead of FastAPI's stack.

Why: under 32 clients the one front-end process is what limits `/sparql` (issue 13), and for a
light query its own Python is most of its work. Through the app a request passed ten layers
before its handler (Starlette's error middleware, FastAPI's telemetry and body-limit layers,
the chunking, access-log, CORS, HEAD, body-limit and snapshot-pin middlewares, FastAPI's
exception layer), each a coroutine and most a wrapped `send`, and its response's headers were
rebuilt by each through Starlette's `MutableHeaders` (`bench/RESULTS.md`, session 11). Here a
GET or POST to `/sparql` or `/query` is answered by the same handlers (`protocol.sparql`,
`protocol.query`), with the same parsing, store and settings, and everything those layers do
for such a request is done once, inline:

* the access line (`logging.begin`, `logging.write_line`), refusals included;
* the body limit (`limits.limit_body`): 413 from `Content-Length`, or while the body is read;
* a read replica's snapshot pin for the whole request (`pinning.py`);
* every refusal through `errors.answer_error` (problem+json, or the explorer's page for a browser);
* CORS as `CORSMiddleware` answers a simple request with `allow_origins=["*"]`: with an
  `Origin`, `Access-Control-Allow-Origin: *` and the exposed headers; and always `Origin`
  added to `Vary`;
* a large body leaves in `CHUNK_BYTES` slices (`connections.send_body`).

Everything else takes the app's full stack, as before: other paths and methods (HEAD, OPTIONS
preflight, PUT...), a browser's GET asking for a page (the explorer's editor and error pages), a
query string that is not UTF-8 or not well-formed. FastAPI's OpenTelemetry layer is not run for
the requests answered here (the product configures none). `tests/test_sparql_front.py` checks
that the answers here and through the full stack are the same, header for header.
"""

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from jalinan.api import logging as access_log
from jalinan.api import protocol
from jalinan.api.connections import send_body
from jalinan.api.errors import ApiError, answer_error, problem_response
from jalinan.api.limits import limit_body
from jalinan.api.negotiation import prefers_html

Handler = Callable[..., Awaitable[Response]]
ROUTES: dict[str, Handler] = {"/sparql": protocol.sparql, "/query": protocol.query}
_CORS_KEYS = (b"access-control-allow-origin", b"access-control-expose-headers")


class SparqlFront:
    """The front end for `/sparql` and `/query`; `route` says whether it takes a request."""

    def __init__(self, app: Any, exposed_headers: list[str]):
        self.app = app  # the FastAPI app: its state (store, settings, cache, error page)
        self._cors = [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-expose-headers", ", ".join(exposed_headers).encode("latin-1")),
        ]

    def route(self, scope: Scope) -> tuple[Handler, list[tuple[str, str]]] | None:
        """The handler and the query string's pairs, if this front end answers the request."""
        handler = ROUTES.get(scope["path"])
        if handler is None or scope["method"] not in ("GET", "POST"):
            return None
        raw = scope.get("query_string", b"")
        if b"#" in raw:  # the URL parser the routes use would take it as a fragment
            return None
        try:
            pairs = protocol.query_pairs(raw.decode(), "utf-8", "query string")
        except (UnicodeDecodeError, ApiError):
            return None  # the full stack answers (and refuses) these as before
        if scope["method"] == "GET" and _asks_for_page(scope, pairs):
            return None
        return handler, pairs

    async def __call__(
        self, scope: Scope, receive: Receive, send: Send, handler: Handler, pairs: list[tuple[str, str]]
    ) -> None:
        started, record = access_log.begin(scope)
        sent = {"status": 500}
        try:
            await self._answer(scope, receive, send, handler, pairs, sent)
        finally:
            access_log.write_line(scope, sent["status"], started, record)

    async def _answer(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        handler: Handler,
        pairs: list[tuple[str, str]],
        sent: dict[str, int],
    ) -> None:
        state = self.app.state
        store = state.store
        origin = any(key == b"origin" for key, _ in scope["headers"])
        pinned = getattr(store, "pinned", None)
        with pinned() if pinned is not None else contextlib.nullcontext():
            limited = limit_body(scope, receive, state.settings)
            if isinstance(limited, ApiError):
                response: Response = problem_response(limited)
            else:
                request = Request(scope, limited)
                try:
                    parsed = await protocol.parse_from_pairs(request, pairs)
                    response = await handler(request, parsed, store, state.settings)
                except ApiError as exc:
                    response = await answer_error(request, exc)
            sent["status"] = response.status_code
            await self._send(response, origin, scope, receive, send)

    async def _send(
        self, response: Response, origin: bool, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """The response with the CORS headers, its body in slices: a plain `Response` directly
        from its headers and body, anything else (a page) through its own `__call__`."""
        body = getattr(response, "body", None)
        if body is not None and response.background is None:
            headers = self._headers(response.raw_headers, origin)
            await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
            await send_body(send, bytes(body))
            return

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = self._headers(list(message.get("headers", [])), origin)
            elif message["type"] == "http.response.body":
                await send_body(send, message.get("body", b""), message.get("more_body", False))
                return
            await send(message)

        await response(scope, receive, wrapped)

    def _headers(self, raw: list[tuple[bytes, bytes]], origin: bool) -> list[tuple[bytes, bytes]]:
        """`raw` as `CORSMiddleware` leaves a simple request's response (see the module's note)."""
        vary = [value for key, value in raw if key == b"vary"]
        dropped = (b"vary", *_CORS_KEYS) if origin else (b"vary",)
        headers = [(key, value) for key, value in raw if key not in dropped]
        if origin:
            headers += self._cors
        headers.append((b"vary", b", ".join([*vary, b"Origin"])))
        return headers


def _asks_for_page(scope: Scope, pairs: list[tuple[str, str]]) -> bool:
    """`explorer.routing.wants_page`, from the pairs already parsed (the last `format` wins)."""
    params = dict(pairs)
    format_param = params.get("format") or params.get("_format")
    accept = next((value for key, value in scope["headers"] if key == b"accept"), b"").decode("latin-1")
    if not format_param and "htm" not in accept.lower():
        return False  # no HTML entry in Accept at all (what programs send): no need to rank them
    return prefers_html(accept or None, format_param)
