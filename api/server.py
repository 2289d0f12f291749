"""`jalinan serve`: open the store, start the query workers, build the app, run uvicorn.

Start-up problems are one clear line on stderr and exit status 3, never a traceback: a store
that does not exist (serve never creates one: run `jalinan ingest` first), one that another
process holds open, one that RocksDB cannot read, or a system whose kernel will not cut the query
workers off from the network (`graph/sandbox.py`): serve refuses to run client SPARQL unsandboxed.
"""

import argparse
import contextlib
import resource
import sys
from typing import Any

import uvicorn
from uvicorn.main import STARTUP_FAILURE

from jalinan.api import logging as access_log
from jalinan.api.app import create_app
from jalinan.api.connections import guarded_protocol
from jalinan.api.settings import Settings
from jalinan.graph import StoreError, StoreLockedError, open_store
from jalinan.graph.heap import configured_step
from jalinan.graph.pool import PooledStore
from jalinan.graph.remote_store import is_remote
from jalinan.graph.replica import ReplicaStore
from jalinan.graph.results import AskResult
from jalinan.graph.sandbox import SandboxUnavailable, offline_thread
from jalinan.graph.snapshots import POINTER, is_published_folder

# Whether the store holds anything, found at its first quad in a named graph: listing the graph
# names instead (one per article) took 5 s and left 145 MB in the server at 100,000 articles.
ANY_NAMED_GRAPH = "ASK { GRAPH ?g { ?s ?p ?o } }"


def _fail(message: str) -> int:
    print(f"jalinan serve: {message}", file=sys.stderr)
    return 3


def _raise_open_files_limit() -> None:
    """Let the server use every file descriptor it may (each connection holds one), so that
    `--max-connections` rather than the descriptor limit decides when connections are refused."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def uvicorn_config(app: object, settings: Settings) -> uvicorn.Config:
    """uvicorn's configuration with the connection limits and timeouts (`api/connections.py`)."""
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=settings.host,
        port=settings.port,
        log_level="warning",
        http=guarded_protocol(
            max_connections=settings.max_connections,
            header_timeout=settings.header_timeout,
            body_timeout=settings.body_timeout,
            send_timeout=settings.send_timeout,
        ),
        timeout_keep_alive=settings.keep_alive_timeout,
    )


def _run_uvicorn(app: object, settings: Settings) -> None:
    """As `uvicorn.run` does: a port that cannot be bound exits with uvicorn's start-up status."""
    _raise_open_files_limit()
    server = uvicorn.Server(uvicorn_config(app, settings))
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def read_options(settings: Settings) -> dict[str, Any]:
    """The query workers' options, the same for a writer's pool and a read replica."""
    return {
        "workers": settings.query_workers,
        "max_waiting": settings.max_waiting,
        "timeout": settings.query_timeout,
        "max_rows": settings.max_rows * 20,
        "max_result_bytes": settings.max_result_bytes,
        "worker_memory": settings.worker_memory,
        "networked": 1 if settings.service_allow else 0,  # the federation lane
        "threads": settings.query_threads,  # 0: every query in a worker process
    }


def serve(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_args(args)
    except ValueError as exc:
        return _fail(str(exc))
    try:
        configured_step()  # the query workers read it when they start: refuse a bad one now
    except ValueError as exc:
        return _fail(str(exc))
    path = settings.store_path
    if settings.processes and (settings.read_only or is_remote(path)):
        return _fail(
            "--processes serves an embedded store (its parent holds the writer): "
            "drop --read-only or the remote address"
        )
    if settings.read_only:
        return _serve_read_only(settings)
    if is_remote(path):
        return _serve_remote(settings)
    if is_published_folder(path):
        return _fail(f"{path} is a folder of published snapshots: serve it with --read-only")
    if not path.exists():
        return _fail(f"no store at {path}: run `jalinan ingest --store {path}` first")
    if not (path / "CURRENT").is_file():
        return _fail(
            f"{path} does not hold an Oxigraph store (no CURRENT file); run `jalinan ingest --store {path}`"
        )
    try:
        offline_thread().check()  # the thread that runs updates; workers use the same filter
    except SandboxUnavailable as exc:
        return _fail(f"cannot cut SPARQL evaluation off from the network, so it will not serve: {exc}")
    try:
        store = open_store(path)
    except StoreLockedError as exc:
        return _fail(str(exc))
    except StoreError as exc:
        return _fail(f"cannot open the store: {exc}")
    if settings.public_url is None and settings.host in ("0.0.0.0", "::"):
        print(
            f"jalinan serve: warning: absolute links will say {settings.base_url}, which clients "
            "cannot reach; give --public-url (or $JALINAN_PUBLIC_URL)",
            file=sys.stderr,
        )
    try:
        if store.query(ANY_NAMED_GRAPH) == AskResult(False):
            print(
                f"jalinan serve: warning: the store at {path} is empty; "
                f"run `jalinan ingest --store {path}` first",
                file=sys.stderr,
            )
        reads = read_options(settings)
        if settings.processes:  # the writer only: the serving processes read published snapshots
            reads |= {"workers": 0, "networked": 0, "threads": 0, "reserved": 0, "spares": 0}
        pooled = PooledStore(
            store, **reads, write_timeout=settings.write_timeout, write_memory=settings.write_memory
        )
    except Exception as exc:  # a store that opens but cannot be read or checkpointed
        store.close()
        return _fail(f"cannot use the store at {path}: {type(exc).__name__}: {exc}")
    try:
        if settings.processes:
            from jalinan.api.processes import serve_processes

            _raise_open_files_limit()  # the serving processes inherit it
            return serve_processes(settings, pooled, _banner(settings))
        app = create_app(settings, pooled, close_store=True)
        access_log.configure()
        print(_banner(settings), flush=True)
        _run_uvicorn(app, settings)
    finally:
        pooled.close()
    return 0


def _banner(settings: Settings) -> str:
    """What `serve` prints once it answers: where, and under which limits."""
    base = settings.base_url
    allow = ", ".join(settings.service_allow)
    outbound = (
        f"SERVICE to {allow} only (1 networked worker{' each' if settings.processes else ''})"
        if allow
        else "none"
    )
    if settings.processes:
        from jalinan.api.processes import HEADROOM, THREADS_PER_PROCESS

        threads = settings.query_threads or THREADS_PER_PROCESS
        queries = (
            f"  serving          {settings.processes} processes on one socket, the writer in their parent; "
            f"clients' queries on {threads} thread(s) each (a process whose query overruns its limit "
            "is replaced), canned queries in 1 worker each\n"
            f"  query limits     {settings.query_timeout:g} s, {settings.max_waiting} waiting per process "
            f"(per client), {(settings.worker_memory + HEADROOM) // 2**20} MiB per serving process\n"
        )
    else:
        queries = (
            f"  query limits     {settings.query_timeout:g} s, {settings.query_workers} workers "
            f"(+1 for canned queries), {settings.max_waiting} waiting per lane (per client "
            f"in the general lane), "
            f"{settings.worker_memory // 2**20} MiB each\n"
            + (
                f"  query threads    {settings.query_threads} (clients' queries; the first to overrun "
                "its limit turns them off)\n"
                if settings.query_threads
                else ""
            )
        )
    return (
        "Jalinan is serving:\n"
        f"  in a browser     {base}/\n"
        f"  SPARQL endpoint  {base}/sparql\n"
        f"  canned queries   {base}/queries\n"
        f"  example query    {base}/queries/agreements-by-party?party=Mosti\n"
        f"  friendly JSON    {base}/agreements?party=Mosti\n"
        f"  entity page      {base}/id/mosti\n"
        f"  API docs         {base}/docs\n"
        f"  writes           {'enabled (Bearer token)' if settings.writes_enabled else 'disabled'}\n"
        f"  outbound         {outbound}\n"
        + queries
        + f"  connections      at most {settings.max_connections}"
        + (" per process" if settings.processes else "")
        + f"; headers within {settings.header_timeout:g} s, idle {settings.keep_alive_timeout} s, "
        f"send stalled {settings.send_timeout:g} s\n"
        f"  result cache     "
        + (
            f"{settings.cache_bytes} bytes{' per process' if settings.processes else ''}, "
            "until the next write"
            if settings.cache_bytes
            else "off"
        )
    )


def _serve_remote(settings: Settings) -> int:
    """Serve a remote SPARQL server's data: no workers (the server runs the queries and enforces
    its own limits, and Jalinan's time limit is the HTTP client's), and no lock to take."""
    try:
        store = open_store(settings.store_path, read_only=not settings.writes_enabled)
        graphs = store.graph_names()
    except StoreError as exc:
        return _fail(f"cannot use the SPARQL backend at {settings.store_path}: {exc}")
    if not graphs:
        print(
            f"jalinan serve: warning: the backend at {settings.store_path} holds no Jalinan graph; run "
            f"`jalinan ingest --store {settings.store_path}` first",
            file=sys.stderr,
        )
    app = create_app(settings, store, close_store=True)
    access_log.configure()
    replica = " (a read replica: writes refused)" if settings.read_only else ""
    print(f"Jalinan is serving {settings.store_path} at {settings.base_url}/sparql{replica}", flush=True)
    _run_uvicorn(app, settings)
    return 0


def _serve_read_only(settings: Settings) -> int:
    """A read replica: of a remote backend, or of the snapshots published into a folder. It takes
    no write token (a token would promise writes it refuses)."""
    path = settings.store_path
    if settings.write_token:
        return _fail("--read-only refuses every write: drop --write-token (and $JALINAN_WRITE_TOKEN)")
    if is_remote(path):
        return _serve_remote(settings)
    if not is_published_folder(path):
        hint = (
            f"; {path} is a store: publish it (`jalinan publish DIR --store {path}`) and serve DIR"
            if (path / "CURRENT").is_file()
            else ""
        )
        return _fail(
            f"--read-only serves a folder of published snapshots or a remote backend (sparql+http://…); "
            f"{path} holds no {POINTER}{hint}"
        )
    try:
        offline_thread().check()  # the workers install the same filter
    except SandboxUnavailable as exc:
        return _fail(f"cannot cut SPARQL evaluation off from the network, so it will not serve: {exc}")
    try:
        replica = ReplicaStore(path, poll_interval=settings.poll_interval, **read_options(settings))
    except StoreError as exc:
        return _fail(f"cannot serve the snapshots in {path}: {exc}")
    try:
        app = create_app(settings, replica, close_store=True)
        access_log.configure()
        print(
            f"Jalinan is serving a read replica at {settings.base_url}/\n"
            f"  snapshots        {path} (snapshot {replica.version}; a newer one is taken within "
            f"{settings.poll_interval:g} s of its publication)\n"
            f"  writes           refused (403/405)\n"
            f"  query limits     {settings.query_timeout:g} s, {settings.query_workers} workers "
            "(+1 for canned queries)",
            flush=True,
        )
        _run_uvicorn(app, settings)
    finally:
        replica.close()
    return 0
