"""Shared fixtures.

`api_server`: one real `jalinan serve` (uvicorn in a subprocess, the way users run it) over a
store built from the curated facts, on a free loopback port, for the whole session.
"""

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

WRITE_TOKEN = "test-write-token"


@dataclass(frozen=True)
class ApiServer:
    base_url: str
    write_token: str

    def url(self, path: str) -> str:
        return self.base_url + path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    store_path = tmp_path_factory.mktemp("api") / "store"
    corpus = build_corpus()
    with open_store(store_path) as store:
        write_corpus(store, corpus)
    port = _free_port()
    command = Path(sys.executable).parent / "jalinan"
    env = {k: v for k, v in os.environ.items() if k != "JALINAN_WRITE_TOKEN"}
    process = subprocess.Popen(
        [
            str(command),
            "serve",
            "--store",
            str(store_path),
            "--port",
            str(port),
            "--write-token",
            WRITE_TOKEN,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"`jalinan serve` exited with {process.returncode}:\n{output}")
            try:
                if httpx.get(base_url + "/sparql", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("`jalinan serve` did not answer within 30 s")
            time.sleep(0.1)
        yield ApiServer(base_url, WRITE_TOKEN)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def http(api_server: ApiServer) -> Iterator[httpx.Client]:
    """An httpx client on the server's base URL (curl-style requests)."""
    with httpx.Client(base_url=api_server.base_url, timeout=30) as client:
        yield client
