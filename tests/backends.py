"""Real SPARQL servers on loopback for the remote-backend tests: `oxigraph serve` (PyPI) and
Virtuoso 7 (Debian's `virtuoso-opensource-7-bin`), each with its own configuration in a
temporary folder, on free ports, stopped after.

Where a server is not installed the tests skip with one line saying how to install it, except
under `CI=true`, where a missing server fails (CI installs both: `make test` does).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.conftest import ApiServer, free_port
from tests.support import missing_component

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt")
VIRTUOSO_PASSWORD = "jalinan-test-dba"
INSTALL = {
    "oxigraph": "pip install oxigraph (the `bench` extra of Jalinan)",
    "virtuoso": "apt-get install virtuoso-opensource-7-bin (or `make backends` as root)",
}


@dataclass(frozen=True)
class Backend:
    name: str
    location: str  # the --store address
    env: dict[str, str] = field(default_factory=dict)  # its credentials
    isql: str = ""  # Virtuoso's ISQL address (the bench bulk-loads through it), as host:port
    pid: int = 0  # the server's process (the bench reads its CPU time)

    @contextlib.contextmanager
    def environment(self) -> Iterator[None]:
        saved = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def missing(name: str) -> None:
    message = f"{name} is not installed: {INSTALL[name]}"
    missing_component(message)


def _wait(url: str, process: subprocess.Popen, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            pytest.fail(
                f"{url}: the server exited with {process.returncode}:\n{log.read_text(errors='replace')}"
            )
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        if time.monotonic() > deadline:
            pytest.fail(
                f"{url} did not answer within {seconds:g} s:\n{log.read_text(errors='replace')[-2000:]}"
            )
        time.sleep(0.2)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def oxigraph_server(directory: Path) -> Iterator[Backend]:
    if not OXIGRAPH.exists():
        missing("oxigraph")
    port = free_port()
    log = directory / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(OXIGRAPH),
                "serve",
                "--location",
                str(directory / "db"),
                "--bind",
                f"127.0.0.1:{port}",
                "--union-default-graph",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait(f"http://127.0.0.1:{port}/query", process, log, 30)
        yield Backend(
            "oxigraph-server",
            f"sparql+http://127.0.0.1:{port}/query?update=/update&store=/store",
            pid=process.pid,
        )
    finally:
        _stop(process)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
; ISQL and HTTP listen on loopback only
ServerPort = 127.0.0.1:{isql_port}
DisableUnixSocket = 1
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
DirsAllowed = {dir}
MaxQueryMem = 500M

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
EnabledDavVSP = 0
HTTPProxyEnabled = 0

[SPARQL]
; Virtuoso cuts answers at 10,000 rows by default, silently: Jalinan's lists page, so a higher
; cap only matters to /sparql clients
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


@contextlib.contextmanager
def virtuoso_server(directory: Path, *, buffers: int = 20_000) -> Iterator[Backend]:
    """Virtuoso 7 in `directory`; `buffers` of 8 KiB pages of memory (the bench loads millions of
    quads: Virtuoso's guide asks for about 1 GiB per 10 million quads)."""
    if VIRTUOSO is None or ISQL is None:
        missing("virtuoso")
    isql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(
        VIRTUOSO_INI.format(
            dir=directory,
            isql_port=isql_port,
            http_port=http_port,
            buffers=buffers,
            dirty_buffers=buffers * 3 // 4,
        )
    )
    log = directory / "virtuoso.out"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(ini)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=directory,
        )
    try:
        _wait(f"http://127.0.0.1:{http_port}/sparql", process, log, 120)
        # a new database's dba password is "dba": set the test's own before anything is written
        subprocess.run(
            [
                ISQL,
                f"127.0.0.1:{isql_port}",
                "dba",
                "dba",
                f"exec=USER_SET_PASSWORD('dba', '{VIRTUOSO_PASSWORD}');",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield Backend(
            "virtuoso",
            f"sparql+http://127.0.0.1:{http_port}/sparql?update=/sparql-auth&store=/sparql-graph-crud-auth",
            {
                "JALINAN_STORE_AUTH": "digest",
                "JALINAN_STORE_USER": "dba",
                "JALINAN_STORE_PASSWORD": VIRTUOSO_PASSWORD,
            },
            f"127.0.0.1:{isql_port}",
            process.pid,
        )
    finally:
        _stop(process)


SERVERS = {"oxigraph-server": oxigraph_server, "virtuoso": virtuoso_server}


# -- every suite over every backend -----------------------------------------------------------
# The embedded store, `oxigraph serve` and Virtuoso, each holding the curated facts, each with a
# `jalinan serve` over it: a suite that takes `api_server, http = over_every_backend()` runs once
# per backend (the embedded one is the session's own `api_server`).
BACKENDS = ("embedded", *sorted(SERVERS))


class BackendServers:
    """One server per remote backend for the whole session, started (and ingested into) when a
    suite first asks for it, and one `jalinan serve` over each; stopped at the session's end."""

    def __init__(self, embedded: ApiServer, tmp_path_factory: pytest.TempPathFactory):
        self._embedded = embedded
        self._tmp = tmp_path_factory
        self._stack = contextlib.ExitStack()
        self._backends: dict[str, Backend] = {}
        self._apis: dict[str, ApiServer] = {}

    def backend(self, name: str) -> Backend:
        """The remote backend `name`, holding the curated facts."""
        if name not in self._backends:
            from jalinan.graph import open_store
            from jalinan.ingest.pipeline import ingest

            server = self._stack.enter_context(SERVERS[name](self._tmp.mktemp(name)))
            with server.environment(), open_store(server.location) as store:
                ingest(store)
            self._backends[name] = server
        return self._backends[name]

    def api(self, name: str) -> ApiServer:
        """`jalinan serve` over backend `name` (the embedded store's is the session's own)."""
        if name == "embedded":
            return self._embedded
        if name not in self._apis:
            from tests.conftest import run_server

            backend = self.backend(name)
            log = self._tmp.mktemp(f"{name}-serve") / "serve.log"
            self._apis[name] = self._stack.enter_context(
                run_server(backend.location, log, extra_env=backend.env)
            )
        return self._apis[name]

    def close(self) -> None:
        self._stack.close()


# What a backend is known to answer otherwise, by query: each such test runs there as a strict
# xfail, so that it is seen to fail for this reason, and the day it passes the list must shrink.
KNOWN_DIFFERENCES: dict[str, dict[str, str]] = {
    # (none since session 10: `agreements` and `search` now answer alike on Virtuoso 7)
    "virtuoso": {},
}


def known_difference(backend: str, query: str) -> str | None:
    """Why `backend` answers the canned query `query` otherwise than the embedded store, if it does."""
    return KNOWN_DIFFERENCES.get(backend, {}).get(query)


def over_every_backend(known: dict[str, tuple[str, ...]] | None = None) -> tuple[object, object, object]:
    """Module fixtures that run the module's tests once per backend: `api_server`, `http`, and an
    autouse one marking the tests `known` to meet a known difference (test name fragment → the
    canned queries of `KNOWN_DIFFERENCES` it runs) strict xfails on that backend.
    `api_server, http, _known = over_every_backend({...})` at the top of a test module."""

    @pytest.fixture(scope="module", params=BACKENDS, name="api_server")
    def api_server(request: pytest.FixtureRequest, backend_servers: BackendServers) -> ApiServer:
        return backend_servers.api(request.param)

    @pytest.fixture(scope="module", name="http")
    def http(api_server: ApiServer) -> Iterator[httpx.Client]:
        with httpx.Client(base_url=api_server.base_url, timeout=60) as client:
            yield client

    @pytest.fixture(autouse=True, name="_known_differences")
    def marks(request: pytest.FixtureRequest) -> None:
        callspec = getattr(request.node, "callspec", None)
        backend = callspec.params.get("api_server") if callspec else None
        for fragment, queries in (known or {}).items():
            if backend and fragment in request.node.name:
                reasons = [r for r in (known_difference(backend, q) for q in queries) if r]
                if reasons:
                    request.applymarker(pytest.mark.xfail(strict=True, reason="; ".join(reasons)))

    return api_server, http, marks
