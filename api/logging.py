"""One structured line per request on stderr: a JSON object through the `logging` module.

Fields: `ts`, `method`, `path`, `status`, `duration_ms`, `client`, and, when the request ran a
query or an update, `kind` (`query`, `update`, `canned`), `name` (the canned query),
`query_hash` (the first 12 hex digits of the SHA-256 of the SPARQL text that ran) and `query`
(a client's query or update, cut at 2 KiB) or `params` (a canned query's query string), and
`cache` (`hit`, `miss`, `revalidated`) for reads that go through `caching.py`; under
`serve --processes`, `process`: the pid of the serving process that answered.
The middleware is outermost, so refusals (413, 429, 503) are logged too; routes say what they
ran with `note_query`.
"""

import hashlib
import json
import logging
import sys
import time

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOGGER_NAME = "jalinan.access"
MAX_LOGGED_QUERY = 2048
_KEY = "jalinan_log"

logger = logging.getLogger(LOGGER_NAME)
_FORMATTER = logging.Formatter("%(message)s")  # the bare line (`configure`; `_emit` relies on it)
# `json.dumps(..., ensure_ascii=False)` builds an encoder per call; this one gives the same text
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def configure(stream: object = None) -> None:
    """Send access lines, bare, to stderr (once; `serve` calls it)."""
    if any(getattr(h, "_jalinan", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.setFormatter(_FORMATTER)
    handler._jalinan = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


_SERVED_BY: dict[str, object] = {}  # in a serving process of `serve --processes`: its pid


def served_by(pid: int) -> None:
    """Name this serving process in every access line (`process`), so that a log of
    `serve --processes` says which process answered what, and which replaced which."""
    _SERVED_BY["process"] = pid


def query_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def note_query(request: Request, kind: str, text: str, name: str | None = None) -> None:
    """Record, for the access line, the SPARQL a request runs."""
    record = request.scope.get(_KEY)
    if record is None:
        return
    record["kind"] = kind
    if name is not None:
        record["name"] = name
    record["query_hash"] = query_hash(text)
    if name is None:  # a client's own SPARQL: log it; a canned query: its parameters say enough
        record["query"] = text[:MAX_LOGGED_QUERY]
    else:
        record["params"] = request.url.query[:MAX_LOGGED_QUERY]


def note_cache(request: Request, outcome: str) -> None:
    """Record, for the access line, whether the answer came from the cache (`hit`, `miss`,
    `revalidated`), so load runs can tell cached answers from computed ones."""
    record = request.scope.get(_KEY)
    if record is not None:
        record["cache"] = outcome


class AccessLog:
    """ASGI middleware writing the one line when the response is done."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, record = begin(scope)
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            write_line(scope, status, started, record)


def begin(scope: Scope) -> tuple[float, dict[str, object]]:
    """Start a request's access line: its start time, and the record routes add to (`note_query`)."""
    record: dict[str, object] = {}
    scope[_KEY] = record
    return time.perf_counter(), record


def write_line(scope: Scope, status: int, started: float, record: dict[str, object]) -> None:
    """The one line for a request that is done (`AccessLog`, and `/sparql`'s own front end)."""
    if not logger.isEnabledFor(logging.INFO):
        return
    client = scope.get("client")
    line = {
        "ts": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "method": scope.get("method"),
        "path": scope.get("path"),
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "client": client[0] if client else None,
        **_SERVED_BY,
        **record,
    }
    _emit(_ENCODER.encode(line))


def _emit(message: str) -> None:
    """`logger.info(message)`, without looking up the caller's file and line, which the line
    does not carry (`Logger.findCaller` walks the stack: a tenth of the log's cost per request,
    and this runs on the event loop for every request). Filters and handlers apply as ever.

    When the logger is as `configure` left it (its one handler, no filter, nothing propagated),
    the line goes straight to that handler's stream, as its `emit` would write it: building a
    `LogRecord` and passing it through `handle`, `filter`, `format` and `emit` was a sixth of a
    serving process's own Python per `/sparql` answer (`bench/RESULTS.md`, session 13)."""
    if not logger.isEnabledFor(logging.INFO):  # (asked again: a test calls this directly)
        return
    handler = _plain_handler()
    if handler is None:
        logger.handle(logger.makeRecord(LOGGER_NAME, logging.INFO, "", 0, message, (), None))
        return
    with handler.lock:  # type: ignore[union-attr]
        try:
            handler.stream.write(message + handler.terminator)
            handler.stream.flush()
        except RecursionError:  # as `StreamHandler.emit`: a failed write is reported, not raised
            raise
        except Exception:
            handler.handleError(logger.makeRecord(LOGGER_NAME, logging.INFO, "", 0, message, (), None))


def _plain_handler() -> logging.StreamHandler | None:  # type: ignore[type-arg]
    """`configure`'s handler, if it alone would handle an access line, unfiltered and formatted
    as the bare message: then writing the message to its stream is all that handling does."""
    handlers = logger.handlers
    if len(handlers) != 1 or logger.filters or logger.propagate or logger.disabled:
        return None
    handler = handlers[0]
    plain = getattr(handler, "_jalinan", False) and type(handler) is logging.StreamHandler
    if not plain or handler.filters or handler.level > logging.INFO or handler.formatter is not _FORMATTER:
        return None
    return handler
