"""Over HTTP on loopback: `jalinan serve` against `oxigraph serve`, both on the same data.

Both servers run as users run them, each in its own process on 127.0.0.1: `jalinan serve
--store` on the product's store, and the Rust `oxigraph serve --union-default-graph` on a store
loaded from the same N-Quads (so its default graph is the union, like Jalinan's). The load
generator (`bench.loadgen`) is a third process. Requests:

- `jalinan-canned`: `GET /queries/<name>?<params>`, the canned query a user calls;
- `jalinan-sparql`: `GET /sparql?query=<that query's bound SPARQL>` (a form POST past 6,000 bytes);
- `oxigraph-sparql`: the same on oxigraph serve's `/query`;
- `jalinan-canned-304`: the canned request with `If-None-Match`, only if Jalinan sends an ETag;
- `jalinan-canned-uncached`: the canned request again, after restarting `jalinan serve` with
  `--cache-bytes 0`, so every request runs the query (the engine against engine comparison;
  the runs above it show what the result cache and conditional requests add).

Before timing, one request to each must return the same number of rows. The server's resident
memory (with any children) is sampled every 50 ms from start to stop; the peak is reported.
"""

import contextlib
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench import profile
from bench.ingest_bench import jalinan_command, oxigraph_command

JSON_RESULTS = "application/sparql-results+json"
ACCEPT = {"Accept": JSON_RESULTS}  # every run asks for what `fetch` asked for (ETags vary by it)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MemorySampler(threading.Thread):
    """Peak RSS of a process and its children, sampled until stopped."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                processes = [self.process, *self.process.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in processes)
                self.peak = max(self.peak, rss)
            except psutil.Error:
                pass
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join(timeout=2)
        return self.peak


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    sampler: MemorySampler
    log: Path

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> int:
        """Stop the process we started (by its own handle) and return its peak memory."""
        peak = self.sampler.stop()
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        return peak


def start(name: str, command: list[str], port: int, probe: str, log: Path, timeout: float = 120) -> Server:
    """Start a server and wait until `probe` answers; raise with its log if it never does."""
    handle = log.open("wb")
    process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT)
    sampler = MemorySampler(process.pid)
    sampler.start()
    server = Server(name, process, port, sampler, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(server.url(probe), timeout=5) as response:
                response.read()
                return server
        except urllib.error.HTTPError:
            return server  # it answers: up
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} did not start: {log.read_text(errors='replace')[-1500:]}")


@contextlib.contextmanager
def uncached_client(store: Path, timeout: float) -> Iterator[httpx.Client]:
    """A JSON client of `jalinan serve` over `store` with its result cache off (every request
    runs its query), on a free loopback port; the server is stopped on leaving."""
    port = free_port()
    command = [*jalinan_command(), "serve", "--store", str(store), "--port", str(port), "--cache-bytes", "0"]
    with tempfile.TemporaryDirectory() as logs:
        server = start("jalinan serve", command, port, "/sparql?query=ASK%7B%7D", Path(logs) / "serve.log")
        try:
            with httpx.Client(
                base_url=server.url(""), timeout=timeout, headers={"Accept": "application/json"}
            ) as client:
                yield client
        finally:
            server.stop()


def _as_form(path: str) -> bool:
    """A long SPARQL protocol request goes as a form POST (to both servers alike): a canned
    query's bound text can pass `oxigraph serve`'s 8 KB limit on a GET's headers."""
    return path.startswith(("/sparql?", "/query?")) and len(path) > 6000


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    where, _, form = url.partition("?")
    parts = urllib.parse.urlsplit(url)
    post = _as_form(f"{parts.path}?{parts.query}")
    request = urllib.request.Request(
        where if post else url,
        data=form.encode() if post else None,
        headers={"Accept": JSON_RESULTS, **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def rows_of(body: bytes) -> int:
    return len(json.loads(body)["results"]["bindings"])


def load(
    port: int,
    path: str,
    concurrency: int,
    duration: float,
    headers: dict[str, str],
    *,
    distinct: bool = False,
) -> dict[str, Any]:
    """One load run in the load generator's own process."""
    command = [
        sys.executable,
        "-m",
        "bench.loadgen",
        "--port",
        str(port),
        "--path",
        path,
        "--concurrency",
        str(concurrency),
        "--duration",
        str(duration),
    ]
    for key, value in headers.items():
        command += ["--header", f"{key}: {value}"]
    if distinct:
        command.append("--distinct")
    if _as_form(path):
        command.append("--post")
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 180, check=True)
    return json.loads(done.stdout)


@dataclass
class HttpResult:
    query: str
    params: dict[str, str]
    rows: dict[str, int] = field(default_factory=dict)
    runs: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    peak_rss: dict[str, int] = field(default_factory=dict)
    etag: str | None = None
    cache_note: str = ""
    errors: list[str] = field(default_factory=list)
    profile: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "params": self.params,
            "rows": self.rows,
            "runs": {k: {str(c): v for c, v in r.items()} for k, r in self.runs.items()},
            "peak_rss": self.peak_rss,
            "etag": self.etag,
            "cache_note": self.cache_note,
            "errors": self.errors,
            "profile": self.profile,
        }


def run(
    store: Path,
    oxigraph_store: Path,
    query: str,
    params: dict[str, str],
    sparql: str,
    *,
    concurrency: list[int],
    duration: float,
    logs: Path,
    profile_dir: Path | None = None,
    label: str = "",
) -> HttpResult:
    """Serve both stores, check they agree, then load each endpoint at each concurrency."""
    result = HttpResult(query, params)
    logs.mkdir(parents=True, exist_ok=True)
    jport, oport = free_port(), free_port()
    canned_path = f"/queries/{query}?{urllib.parse.urlencode(params)}"
    sparql_path = f"/sparql?{urllib.parse.urlencode({'query': sparql})}"
    oxigraph_path = f"/query?{urllib.parse.urlencode({'query': sparql})}"
    servers: dict[str, Server] = {}
    try:
        servers["jalinan"] = start(
            "jalinan serve",
            [*jalinan_command(), "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(jport)],
            jport,
            "/sparql?query=ASK%7B%7D",
            logs / f"jalinan-serve{label}.log",
        )
        servers["oxigraph"] = start(
            "oxigraph serve",
            [
                *oxigraph_command(),
                "serve",
                "--location",
                str(oxigraph_store),
                "--bind",
                f"127.0.0.1:{oport}",
                "--union-default-graph",
            ],
            oport,
            "/query?query=ASK%7B%7D",
            logs / f"oxigraph-serve{label}.log",
        )
        targets: dict[str, tuple[Server, str, dict[str, str]]] = {
            "jalinan-canned": (servers["jalinan"], canned_path, ACCEPT),
            "jalinan-sparql": (servers["jalinan"], sparql_path, ACCEPT),
            "oxigraph-sparql": (servers["oxigraph"], oxigraph_path, ACCEPT),
        }
        for name, (server, path, _) in targets.items():
            status, headers, body = fetch(server.url(path))
            if status != 200:
                raise RuntimeError(f"{name}: HTTP {status}: {body[:300]!r}")
            result.rows[name] = rows_of(body)
            if name == "jalinan-canned":
                result.etag = next((v for k, v in headers.items() if k.lower() == "etag"), None)
        if len(set(result.rows.values())) != 1:
            result.errors.append(f"row counts differ between servers: {result.rows}; not timed")
            return result
        if result.etag:
            status, _, _ = fetch(servers["jalinan"].url(canned_path), {"If-None-Match": result.etag})
            result.cache_note = f"If-None-Match answered HTTP {status}"
            targets["jalinan-canned-304"] = (
                servers["jalinan"],
                canned_path,
                {**ACCEPT, "If-None-Match": result.etag},
            )
        else:
            result.cache_note = "no ETag on canned-query responses: conditional requests not possible"
        for level in concurrency:
            for name, (server, path, headers) in targets.items():
                spy = None
                if (
                    profile_dir is not None
                    and name == "jalinan-canned"
                    and level == max(concurrency)
                    and profile.py_spy() is not None
                ):
                    raw = profile_dir / f"serve{label}-c{level}.txt"
                    spy = subprocess.Popen(
                        [
                            str(profile.py_spy()),
                            "record",
                            "--nonblocking",
                            "-r",
                            "50",
                            "-f",
                            "raw",
                            "-o",
                            str(raw),
                            "--pid",
                            str(server.process.pid),
                            "-d",
                            str(int(duration) + 1),
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                    time.sleep(0.5)
                result.runs.setdefault(name, {})[level] = load(server.port, path, level, duration, headers)
                if spy is not None:
                    spy.wait(timeout=60)
                    if raw.exists():
                        result.profile = profile.format_summary(raw)
        result.peak_rss["jalinan"] = servers.pop("jalinan").stop()
        servers["jalinan-uncached"] = uncached = start(
            "jalinan serve --cache-bytes 0",
            [
                *jalinan_command(),
                "serve",
                "--store",
                str(store),
                "--host",
                "127.0.0.1",
                "--port",
                str(jport),
                "--cache-bytes",
                "0",
            ],
            jport,
            "/sparql?query=ASK%7B%7D",
            logs / f"jalinan-serve-uncached{label}.log",
        )
        for level in concurrency:
            result.runs.setdefault("jalinan-canned-uncached", {})[level] = load(
                uncached.port, canned_path, level, duration, ACCEPT
            )
    except (RuntimeError, subprocess.CalledProcessError, OSError) as exc:
        result.errors.append(str(exc)[-1500:])
    finally:
        for name, server in servers.items():
            result.peak_rss[name] = server.stop()
    return result
