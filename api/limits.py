"""The request limits, in one place: body size, query length, the per-request timeout.

The numbers live in `Settings` (declared once there); this module enforces them:

* `BodyLimit`, a small ASGI middleware: a body larger than `max_body` (1 MiB) is refused with
  413 before the route reads it, from its `Content-Length` or, for a chunked body, as soon as
  the bytes received pass the limit. A write that carries the server's write token (Graph Store
  PUT/POST, `/update`, an `application/sparql-update` POST) may send up to `max_write_body`.
* `check_length`: a `query` or `update` longer than `max_query_length` characters is a 413
  naming the parameter.
* `request_timeout`: the `timeout` (or `_timeout`) parameter, in seconds, lowers the server's
  query time limit for one request; it can never raise it, nor go below `MIN_TIMEOUT_S` (a
  near-zero limit would stop, kill and restart a worker for every request).

Result limits (rows for pages and friendly JSON, bytes for SPARQL results) are applied where
results are made (`querying.py`, `graph/pool.py`); the number of queries waiting for a worker
is bounded by the pool (429 with `Retry-After`).
"""

import hmac
import math

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jalinan.api.errors import ApiError, bad_request, content_too_large, problem_response, unprocessable
from jalinan.api.settings import MIN_TIMEOUT_S, Settings

TIMEOUT_PARAMETERS = ("timeout", "_timeout")
TRUNCATED_HEADER = "X-Jalinan-Truncated"


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _authorised_write(scope: Scope, settings: Settings) -> bool:
    """A write request carrying the right token (only those may send large bodies)."""
    method, path = scope.get("method", ""), scope.get("path", "")
    if method not in ("PUT", "POST") or not settings.write_token:  # a GET reads no header here
        return False
    is_write = (
        path == "/store"
        or (path == "/update" and method == "POST")
        or (
            path == "/sparql"
            and method == "POST"
            and _header(scope, b"content-type").split(";")[0].strip().lower() == "application/sparql-update"
        )
    )
    if not is_write:
        return False
    scheme, _, token = _header(scope, b"authorization").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode(), settings.write_token.encode()
    )


class BodyLimit:
    """413 for a request body past its limit, before any route reads it."""

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limited = limit_body(scope, receive, self.settings)
        if isinstance(limited, ApiError):
            await problem_response(limited)(scope, receive, send)
            return
        await self.app(scope, limited, send)


def limit_body(scope: Scope, receive: Receive, settings: Settings) -> Receive | ApiError:
    """The refusal of a body whose `Content-Length` is past its limit, or else `receive` counting
    the bytes as they come and raising the same refusal (an `ApiError`) once past it. Used by
    `BodyLimit` and by `/sparql`'s own front end (`sparql_front.py`)."""
    writer = _authorised_write(scope, settings)
    limit = settings.max_write_body if writer else settings.max_body

    def refusal() -> ApiError:
        return content_too_large(
            f"the request body is larger than the limit of {limit} bytes"
            + ("" if limit == settings.max_write_body else " (writes with the token may send more)")
        )

    declared = _header(scope, b"content-length")
    if declared:
        try:
            too_big = int(declared) > limit
        except ValueError:
            too_big = False  # the HTTP server rejects a malformed Content-Length itself
        if too_big:
            return refusal()
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise refusal()
        return message

    return counted


def check_length(text: str | None, parameter: str, settings: Settings) -> None:
    if text is not None and len(text) > settings.max_query_length:
        raise content_too_large(
            f"`{parameter}` is {len(text)} characters long; the limit is {settings.max_query_length}",
            parameter=parameter,
        )


def request_timeout(values: list[str], settings: Settings, *, canned: bool = False) -> float | None:
    """The request's own time limit in seconds (capped at the server's), or None for the server's.

    A bad value is a 400 on the SPARQL Protocol and a 422 on canned queries and friendly JSON
    (as their other parameters are).
    """
    refuse = unprocessable if canned else bad_request
    name = "_timeout" if canned else "timeout"
    if not values:
        return None
    if len(values) > 1:
        raise refuse(f"`{name}` is given more than once", parameter=name)
    try:
        seconds = float(values[0])
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise refuse(f"`{name}` must be a positive number of seconds, not {values[0]!r}", parameter=name)
    if seconds < MIN_TIMEOUT_S:
        raise refuse(
            f"`{name}` must be at least {MIN_TIMEOUT_S:g} seconds, not {values[0]!r}", parameter=name
        )
    return min(seconds, settings.query_timeout)
