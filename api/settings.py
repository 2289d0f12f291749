"""Server settings: one typed object, read from the command line or the environment.

Every limit the server enforces is declared here, once, with its default; `api/limits.py`,
`api/querying.py`, `api/service_guard.py`, `api/server.py` and `api/caching.py` read them from this object.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from jalinan.graph import resolve_store_path

WRITE_TOKEN_ENV_VAR = "JALINAN_WRITE_TOKEN"
SERVICE_ALLOW_ENV_VAR = "JALINAN_SERVICE_ALLOW"
PUBLIC_URL_ENV_VAR = "JALINAN_PUBLIC_URL"

KIB = 1024
MIB = 1024 * KIB

DEFAULT_QUERY_TIMEOUT_S = 30.0
MIN_TIMEOUT_S = 0.5  # the least a request's `timeout` may ask for (a light query takes milliseconds)
DEFAULT_QUERY_WORKERS = 4
DEFAULT_MAX_WAITING = 32
DEFAULT_MAX_BODY = 1 * MIB
DEFAULT_MAX_WRITE_BODY = 64 * MIB
DEFAULT_MAX_QUERY_LENGTH = 64 * KIB
DEFAULT_MAX_ROWS = 1000
DEFAULT_MAX_RESULT_BYTES = 64 * MIB
DEFAULT_CACHE_BYTES = 64 * MIB
DEFAULT_WORKER_MEMORY = 2048 * MIB  # data (heap) a query worker may use before its query is stopped
DEFAULT_WRITE_TIMEOUT_S = 120.0  # seconds a write may run before it is stopped (nothing written)
DEFAULT_WRITE_MEMORY = 4096 * MIB  # data (heap) the writer process may use
DEFAULT_MAX_CONNECTIONS = 1000  # open connections; past it a new one is answered 503 and closed
DEFAULT_HEADER_TIMEOUT_S = 10.0  # seconds for a request's headers to arrive
DEFAULT_BODY_TIMEOUT_S = 60.0  # seconds more for its body
DEFAULT_POLL_S = 1.0  # a read replica's look for a newer snapshot (graph/replica.py)
DEFAULT_KEEP_ALIVE_S = 5  # seconds an idle kept-alive connection stays open
DEFAULT_SEND_TIMEOUT_S = 30.0  # seconds a client may read nothing of a pending answer
RETRY_AFTER_S = 2


@dataclass(frozen=True)
class Settings:
    """What the app needs to know; built once by `serve` (or a test) and handed to `create_app`."""

    store_path: Path
    host: str = "127.0.0.1"
    port: int = 8000
    write_token: str | None = None
    # time and concurrency
    query_timeout: float = DEFAULT_QUERY_TIMEOUT_S  # seconds; a request may ask for less
    query_workers: int = DEFAULT_QUERY_WORKERS  # worker processes that run reads
    query_threads: int = 0  # >0: clients' queries run on this many sandboxed threads (graph/query_threads.py)
    processes: int = 0  # >0: that many serving processes, queries on their threads (api/processes.py)
    max_waiting: int = DEFAULT_MAX_WAITING  # reads waiting for a worker before 429 (general lane: per client)
    # sizes
    max_body: int = DEFAULT_MAX_BODY  # request body, bytes (queries, forms, unauthenticated writes)
    max_write_body: int = DEFAULT_MAX_WRITE_BODY  # body of an authenticated write (Graph Store, update)
    max_query_length: int = DEFAULT_MAX_QUERY_LENGTH  # characters of `query` / `update`
    max_rows: int = DEFAULT_MAX_ROWS  # items of HTML pages and friendly JSON (X-Jalinan-Truncated)
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES  # serialised SPARQL result, bytes
    cache_bytes: int = DEFAULT_CACHE_BYTES  # answers kept for reuse until the next write; 0: none
    worker_memory: int = DEFAULT_WORKER_MEMORY  # bytes of data per query worker (503 past it)
    write_timeout: float = DEFAULT_WRITE_TIMEOUT_S  # seconds per write (503 past it, nothing written)
    write_memory: int = DEFAULT_WRITE_MEMORY  # bytes of data for the writer process (503 past it)
    # connections (api/connections.py)
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    header_timeout: float = DEFAULT_HEADER_TIMEOUT_S
    body_timeout: float = DEFAULT_BODY_TIMEOUT_S
    keep_alive_timeout: int = DEFAULT_KEEP_ALIVE_S
    send_timeout: float = DEFAULT_SEND_TIMEOUT_S
    # SERVICE endpoints a query may call (exact IRIs), from the one worker that keeps its network;
    # empty: no worker has network (graph/sandbox.py), so SERVICE and LOAD reach nothing
    service_allow: tuple[str, ...] = field(default_factory=tuple)
    # where clients reach the server (behind a proxy, its public address), for absolute links
    public_url: str | None = None
    # a read replica (`--read-only`): serves published snapshots or a remote backend, refuses writes
    read_only: bool = False
    poll_interval: float = DEFAULT_POLL_S  # seconds between looks for a newer published snapshot

    @property
    def writes_enabled(self) -> bool:
        return bool(self.write_token) and not self.read_only

    @property
    def base_url(self) -> str:
        """The base of every absolute link the server writes (friendly JSON's `query` and
        `next`, the canned-query list, the service description): `public_url`, else the address
        it listens on. Never the request's Host header, which any client can set, and which a
        shared cache would then hand to everyone."""
        if self.public_url:
            return self.public_url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @staticmethod
    def checked_public_url(text: str) -> str:
        """`text` as a base URL (`http(s)://host[:port][/path]`, no trailing slash), else ValueError."""
        parts = urlsplit(text.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError(
                f"{text!r} is not a public base URL: give http(s)://host[:port][/path], "
                "without query or fragment"
            )
        return text.strip().rstrip("/")

    @classmethod
    def from_args(cls, args: object) -> "Settings":
        """From the `jalinan serve` arguments, falling back to the environment (ValueError for a
        bad public URL)."""
        token = getattr(args, "write_token", None) or os.environ.get(WRITE_TOKEN_ENV_VAR) or None
        public = getattr(args, "public_url", None) or os.environ.get(PUBLIC_URL_ENV_VAR) or None
        allow = list(getattr(args, "service_allow", None) or [])
        allow += [u.strip() for u in os.environ.get(SERVICE_ALLOW_ENV_VAR, "").split(",") if u.strip()]

        def number(name: str, default: float) -> float:
            value = getattr(args, name, None)
            return default if value is None else value

        return cls(
            store_path=resolve_store_path(getattr(args, "store", None)),
            host=getattr(args, "host", None) or "127.0.0.1",
            port=int(getattr(args, "port", None) or 8000),
            write_token=token,
            query_timeout=float(number("query_timeout", DEFAULT_QUERY_TIMEOUT_S)),
            query_workers=int(number("query_workers", DEFAULT_QUERY_WORKERS)),
            query_threads=int(number("query_threads", 0)),
            processes=int(number("processes", 0)),
            max_waiting=int(number("max_waiting", DEFAULT_MAX_WAITING)),
            max_body=int(number("max_body", DEFAULT_MAX_BODY)),
            max_write_body=int(number("max_write_body", DEFAULT_MAX_WRITE_BODY)),
            max_query_length=int(number("max_query_length", DEFAULT_MAX_QUERY_LENGTH)),
            max_rows=int(number("max_rows", DEFAULT_MAX_ROWS)),
            max_result_bytes=int(number("max_result_bytes", DEFAULT_MAX_RESULT_BYTES)),
            cache_bytes=int(number("cache_bytes", DEFAULT_CACHE_BYTES)),
            worker_memory=int(number("worker_memory", DEFAULT_WORKER_MEMORY)),
            write_timeout=float(number("write_timeout", DEFAULT_WRITE_TIMEOUT_S)),
            write_memory=int(number("write_memory", DEFAULT_WRITE_MEMORY)),
            max_connections=int(number("max_connections", DEFAULT_MAX_CONNECTIONS)),
            header_timeout=float(number("header_timeout", DEFAULT_HEADER_TIMEOUT_S)),
            body_timeout=float(number("body_timeout", DEFAULT_BODY_TIMEOUT_S)),
            keep_alive_timeout=int(number("keep_alive_timeout", DEFAULT_KEEP_ALIVE_S)),
            send_timeout=float(number("send_timeout", DEFAULT_SEND_TIMEOUT_S)),
            service_allow=tuple(dict.fromkeys(allow)),
            public_url=cls.checked_public_url(public) if public else None,
            read_only=bool(getattr(args, "read_only", False)),
            poll_interval=float(number("poll_interval", DEFAULT_POLL_S)),
        )
