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

from tests.conftest import free_port
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
        yield Backend("oxigraph-server", f"sparql+http://127.0.0.1:{port}/query?update=/update&store=/store")
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
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
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
def virtuoso_server(directory: Path) -> Iterator[Backend]:
    if VIRTUOSO is None or ISQL is None:
        missing("virtuoso")
    isql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=directory, isql_port=isql_port, http_port=http_port))
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
        )
    finally:
        _stop(process)


SERVERS = {"oxigraph-server": oxigraph_server, "virtuoso": virtuoso_server}
