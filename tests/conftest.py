"""Shared fixtures.

`api_server`: one real `jalinan serve` (uvicorn in a subprocess, the way users run it) over a
store built from the curated facts, on a free loopback port, for the whole session.
`run_server` starts another one with its own options (the hardening tests use short limits).
Server output goes to a file, never an unread pipe (a full pipe would stall the server once
its access log passed 64 KiB).
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from jalinan.graph import open_store
from jalinan.ingest.pipeline import build_corpus, write_corpus
from tests.browser import browser_fixture  # noqa: F401 (registers `browser`: one chromium per test module)

WRITE_TOKEN = "test-write-token"
JALINAN = Path(sys.executable).parent / "jalinan"


@dataclass(frozen=True)
class ApiServer:
    base_url: str
    write_token: str
    log_path: Path | None = None
    pid: int | None = None

    def url(self, path: str) -> str:
        return self.base_url + path

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(errors="replace").splitlines() if self.log_path else []


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_store(path: Path) -> Path:
    """A store holding the curated facts (the same as `jalinan ingest`, without a subprocess)."""
    with open_store(path) as store:
        write_corpus(store, build_corpus())
    return path


@contextlib.contextmanager
def run_server(
    store_path: Path | str,
    log_path: Path,
    *options: str,
    ready_timeout: float = 30,
    extra_env: dict[str, str] | None = None,
    write_token: str | None = WRITE_TOKEN,
) -> Iterator[ApiServer]:
    """`jalinan serve` on a free port with the write token (unless None: a read replica takes
    none) and `options` (and `extra_env`, such as a remote store's credentials), stopped after."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("JALINAN_WRITE_TOKEN", "JALINAN_SERVICE_ALLOW")}
    env.update(extra_env or {})
    command = [str(JALINAN), "serve", "--store", str(store_path), "--port", str(port)]
    command += [*(["--write-token", write_token] if write_token else []), *options]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + ready_timeout
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"`jalinan serve` exited with {process.returncode}:\n{log_path.read_text()}")
            try:
                if httpx.get(base_url + "/sparql", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"`jalinan serve` did not answer within {ready_timeout:g} s")
            time.sleep(0.1)
        yield ApiServer(base_url, write_token or "", log_path, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    directory = tmp_path_factory.mktemp("api")
    store_path = build_store(directory / "store")
    with run_server(store_path, directory / "serve.log") as server:
        yield server


@pytest.fixture(scope="session")
def http(api_server: ApiServer) -> Iterator[httpx.Client]:
    """An httpx client on the server's base URL (curl-style requests)."""
    with httpx.Client(base_url=api_server.base_url, timeout=30) as client:
        yield client
