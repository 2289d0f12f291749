"""Load run: 32 clients for 60 s against `jalinan serve`, canned queries and SPARQL mixed, with
runaway queries mixed in; zero errors are expected other than the runaways' intended 503s.

    python -m bench.load                      # builds a store from the curated facts, starts a server
    python -m bench.load --clients 8 --duration 10 --no-report
    python -m bench.load --url http://127.0.0.1:8000   # against a running server
    python -m bench.load --attacks 8          # the run bench/LOAD.md records: issue #12's attacks mixed in

Every client is an asyncio task with its own keep-alive connection (httpx) to loopback, from a
loopback address of its own (127.0.0.2, .3, …: a host of its own to the server's fair line). Two of
them send only runaway queries (a cartesian product over the store with `timeout=2`), one after
another, so two workers are always busy with a query that must be stopped; the others pick a
light request at random from `LIGHT` (weighted). Reported: requests, throughput, counts by kind
and status, unexpected answers, and latency percentiles of the light requests. With the
default settings it writes `bench/LOAD.md`.

`--attacks N` mixes in what issue #12 tried against a public server, each by its own clients
besides the runaway ones: a runaway allocation (ORDER BY over a cross product: 503 at the
worker's memory limit or its time limit; like a runaway, a 429 when the line has no place for
it is intended too), and N clients each that ask for a large answer and never read it, that
send half their headers and stop (slowloris), and that connect and send nothing. The intended
outcome of the last three is that the server closes the connection within its send or header
timeout (plus a margin); anything else counts as unexpected.
"""

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.loadgen import _percentile

BENCH = Path(__file__).resolve().parent
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
RUNAWAY_TIMEOUT_S = 2
RUNAWAY_ORDER = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
LARGE = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 40000"  # about 21 MB of SPARQL JSON
# the server's default timeouts (api/settings.py), and how much later a close still counts as theirs
SEND_TIMEOUT_S, HEADER_TIMEOUT_S, CLOSE_MARGIN_S = 30.0, 10.0, 5.0
SLOW_ANSWER_S = 30.0  # the large answer may wait and run up to the query timeout before sending starts
TCP_ESTABLISHED = 1  # the first byte of Linux's TCP_INFO
CLOSED = -1  # "status" of a connection attack that the server closed in time (intended)
LATE = -2  # ... that the server did not close in time (unexpected)
# attack kind -> the statuses intended for it
INTENDED: dict[str, set[int]] = {
    "runaway": {503, 429},
    "allocation": {503, 429},
    "slow-reader": {CLOSED},
    "slowloris": {CLOSED},
    "idle": {CLOSED},
}
NOTES_MARKER = "<!-- written by hand: a re-run keeps what follows -->"
JSON = {"Accept": "application/sparql-results+json"}
ONTOLOGY = "https://w3id.org/jalinan/ontology#"
ASK = f"ASK {{ ?s a <{ONTOLOGY}Ministry> }}"
SELECT = (
    f"SELECT ?m ?l WHERE {{ ?m a <{ONTOLOGY}Ministry> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
)
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 200"
# (kind, weight, method, path, options)
LIGHT: list[tuple[str, int, str, str, dict[str, Any]]] = [
    ("canned", 4, "GET", "/queries/agreements-by-party", {"params": {"party": "Mosti"}}),
    ("canned", 2, "GET", "/queries/visits", {"params": {"visitor": "Anwar"}}),
    ("canned", 2, "GET", "/queries/search", {"params": {"q": "ministry"}}),
    ("friendly", 2, "GET", "/agreements", {"params": {"topic": "digital-economy"}}),
    ("friendly", 1, "GET", "/people", {"params": {"person": "Gobind"}}),
    ("page", 1, "GET", "/id/mosti", {"headers": {"Accept": "text/html"}}),
    ("sparql", 3, "GET", "/sparql", {"params": {"query": ASK}, "headers": JSON}),
    ("sparql", 3, "POST", "/sparql", {"data": {"query": SELECT}, "headers": JSON}),
    ("sparql", 1, "GET", "/sparql", {"params": {"query": CONSTRUCT}, "headers": {"Accept": "text/turtle"}}),
]


def _addresses() -> Iterator[str]:
    """A loopback address of its own for each client (127.0.0.2, .3, …), as if each were a host
    of its own: the server's waiting line is fair between client addresses, and behind one
    address every client would count as one."""
    return (f"127.0.{n // 254}.{n % 254 + 1}" for n in itertools.count(1))


async def _client(
    base_url: str,
    deadline: float,
    runaway: bool,
    rng: random.Random,
    results: list[tuple[str, int, float]],
    address: str,
) -> None:
    weights = [entry[1] for entry in LIGHT]
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, transport=transport) as client:
        while time.monotonic() < deadline:
            if runaway:
                kind, method, path = "runaway", "POST", "/sparql"
                options: dict[str, Any] = {"data": {"query": RUNAWAY, "timeout": str(RUNAWAY_TIMEOUT_S)}}
            else:
                kind, _, method, path, options = rng.choices(LIGHT, weights)[0]
            started = time.monotonic()
            try:
                response = await client.request(method, path, **options)
                status = response.status_code
            except httpx.HTTPError:
                status = 0  # a transport error: always unexpected
            results.append((kind, status, time.monotonic() - started))


async def _allocator(
    base_url: str, deadline: float, results: list[tuple[str, int, float]], address: str
) -> None:
    """Runaway allocations, one after another (each must be stopped with a 503)."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, transport=transport) as client:
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                status = (await client.post("/sparql", data={"query": RUNAWAY_ORDER})).status_code
            except httpx.HTTPError:
                status = 0
            results.append(("allocation", status, time.monotonic() - started))


def _tcp_established(sock: socket.socket) -> bool:
    """Whether the connection is still open, without reading from it (TCP_INFO's state)."""
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0] == TCP_ESTABLISHED


async def _connection_attack(
    base_url: str, deadline: float, kind: str, results: list[tuple[str, int, float]], address: str
) -> None:
    """Open a connection, misbehave, never read, and see the server close it (in time: CLOSED)."""
    from urllib.parse import quote

    host, port = base_url.removeprefix("http://").split(":")
    payload, allowed = {
        "slow-reader": (
            f"GET /sparql?query={quote(LARGE)} HTTP/1.1\r\nHost: {host}\r\n"
            "Accept: application/sparql-results+json\r\n\r\n",
            SEND_TIMEOUT_S + SLOW_ANSWER_S,
        ),
        "slowloris": (f"GET /queries HTTP/1.1\r\nHost: {host}\r\nAccept: ", HEADER_TIMEOUT_S),
        "idle": ("", HEADER_TIMEOUT_S),
    }[kind]
    loop = asyncio.get_running_loop()
    while time.monotonic() < deadline:
        started = time.monotonic()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a large answer stalls at once
            sock.setblocking(False)
            sock.bind((address, 0))
            try:
                await loop.sock_connect(sock, (host, int(port)))
                if payload:
                    await loop.sock_sendall(sock, payload.encode())
                status = LATE
                while time.monotonic() - started < allowed + CLOSE_MARGIN_S:
                    if not _tcp_established(sock):
                        status = CLOSED
                        break
                    await asyncio.sleep(0.25)
            except OSError:
                status = 0
        results.append((kind, status, time.monotonic() - started))


async def _run(
    base_url: str, clients: int, duration: float, runaways: int, seed: int, attacks: int = 0
) -> list[tuple[str, int, float]]:
    results: list[tuple[str, int, float]] = []
    deadline = time.monotonic() + duration
    rng = random.Random(seed)
    address = _addresses()
    tasks = [
        _client(base_url, deadline, i < runaways, random.Random(rng.random()), results, next(address))
        for i in range(clients)
    ]
    if attacks:
        tasks.append(_allocator(base_url, deadline, results, next(address)))
        for kind in ("slow-reader", "slowloris", "idle"):
            for _ in range(attacks):
                tasks.append(_connection_attack(base_url, deadline, kind, results, next(address)))
    await asyncio.gather(*tasks)
    return results


def summarise(results: list[tuple[str, int, float]], duration: float) -> dict[str, Any]:
    by_kind_status = Counter((kind, status) for kind, status, _ in results)
    unexpected = sum(
        count
        for (kind, status), count in by_kind_status.items()
        if not ((status == 200 and kind not in INTENDED) or status in INTENDED.get(kind, ()))
    )
    light = sorted(latency for kind, status, latency in results if kind not in INTENDED and status == 200)
    runaway = sorted(latency for kind, status, latency in results if kind == "runaway" and status == 503)
    return {
        "requests": len(results),
        "throughput": len(results) / duration,
        "by_kind_status": dict(sorted(by_kind_status.items())),
        "unexpected": unexpected,
        "light_p50_ms": _percentile(light, 50) * 1000,
        "light_p95_ms": _percentile(light, 95) * 1000,
        "light_p99_ms": _percentile(light, 99) * 1000,
        "light_max_ms": (light[-1] if light else float("nan")) * 1000,
        "runaway_503_p50_s": _percentile(runaway, 50),
        "runaway_503_max_s": runaway[-1] if runaway else float("nan"),
    }


def run(
    base_url: str,
    *,
    clients: int = 32,
    duration: float = 60,
    runaways: int = 2,
    seed: int = 7,
    attacks: int = 0,
) -> dict:
    """Run the load against a server and return the summary (`attacks`: clients per connection attack)."""
    results = asyncio.run(_run(base_url, clients, duration, runaways, seed, attacks))
    return summarise(results, duration)


@contextmanager
def local_server(workers: int | None = None) -> Iterator[str]:
    """A store built from the curated facts and `jalinan serve` on a free loopback port."""
    from jalinan.graph import open_store
    from jalinan.ingest.pipeline import build_corpus, write_corpus

    with tempfile.TemporaryDirectory(prefix="jalinan-load-") as directory:
        store = Path(directory) / "store"
        with open_store(store) as opened:
            write_corpus(opened, build_corpus())
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        command = [
            str(Path(sys.executable).parent / "jalinan"),
            "serve",
            "--store",
            str(store),
            "--port",
            str(port),
        ]
        if workers:
            command += ["--query-workers", str(workers)]
        with (Path(directory) / "serve.log").open("wb") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(base_url + "/sparql", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            yield base_url
        finally:
            process.terminate()
            process.wait(timeout=15)


def report(summary: dict[str, Any], clients: int, duration: float, runaways: int, attacks: int = 0) -> str:
    cpu = platform.machine()
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=BENCH
    )
    names = {0: "transport error", CLOSED: "closed by the server in time", LATE: "not closed in time"}
    rows = "\n".join(
        f"| {kind} | {names.get(status, status)} | {count} |"
        for (kind, status), count in summary["by_kind_status"].items()
    )
    attack_text = (
        f"""

Attacks mixed in (`--attacks {attacks}`, issue #12): the runaway clients above (a runaway
refused 429 because its share of the general lane's waiting line, or the line, is full is
intended too); one client sending runaway allocations (ORDER BY over a cross product: 503 at
the worker's 2 GiB memory limit or its time limit; refused 429 like a runaway is intended
too); and {attacks} clients each that ask for a 21 MB answer and never read it, that
send half their headers and stop (slowloris), and that connect and send nothing. The last three
must see the server close the connection within its send timeout ({SEND_TIMEOUT_S:g} s, plus
{SLOW_ANSWER_S:g} s, the query timeout, to compute the answer) or header timeout
({HEADER_TIMEOUT_S:g} s), plus {CLOSE_MARGIN_S:g} s, and they never read. "Unexpected" is
anything else: a light request not answered 200, an attack answered otherwise than intended."""
        if attacks
        else ""
    )
    command = "python -m bench.load" + (f" --attacks {attacks}" if attacks else "")
    return f"""# Load run

`{command}` ({dt.date.today().isoformat()}, commit {commit.stdout.strip() or "unknown"}):
{clients} clients for {duration:g} s against `jalinan serve` (default settings: 30 s query
timeout, 4 query workers plus 1 for canned queries and 2 spares, 32 waiting per client in the
general lane, 256 in all) over the curated facts, all on
one machine ({cpu}, {os.cpu_count()} cores, shared; Python {platform.python_version()}). The load
generator runs on the same cores as the server, so the figures are a floor, not a ceiling.

Mix: {clients - runaways} clients send light requests at random (canned queries, friendly JSON,
an entity page, SPARQL ASK/SELECT/CONSTRUCT); {runaways} clients send only runaway queries (a
cartesian product over the whole store) with `timeout={RUNAWAY_TIMEOUT_S}`, which must be
stopped with a 503. On two cores those two runaways each keep a core busy until they are
stopped, so the light requests share what is left with 30 clients and the server: their
latency here is mostly waiting for CPU.{attack_text}

| | |
|---|---|
| requests | {summary["requests"]} ({summary["throughput"]:.0f}/s) |
| unexpected answers (anything but 200, or the intended refusal of an attack) | **{summary["unexpected"]}** |
| light requests p50 / p95 / p99 / max | {summary["light_p50_ms"]:.0f} / {summary["light_p95_ms"]:.0f} / **{summary["light_p99_ms"]:.0f}** / {summary["light_max_ms"]:.0f} ms |
| runaway queries answered 503 after (p50 / max) | {summary["runaway_503_p50_s"]:.2f} / {summary["runaway_503_max_s"]:.2f} s |

| kind | status | count |
|---|---|---|
{rows}
"""  # noqa: E501


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (default: build a store and start one)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--runaways", type=int, default=2, help="clients sending only runaway queries")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--attacks", type=int, default=0, metavar="N", help="N clients for each connection attack (see above)"
    )
    parser.add_argument("--no-report", action="store_true", help="do not write bench/LOAD.md")
    args = parser.parse_args(argv)

    def go(base_url: str) -> dict[str, Any]:
        return run(
            base_url,
            clients=args.clients,
            duration=args.duration,
            runaways=args.runaways,
            seed=args.seed,
            attacks=args.attacks,
        )

    if args.url:
        summary = go(args.url)
    else:
        with local_server() as base_url:
            summary = go(base_url)
    for key, value in summary.items():
        print(f"{key}: {value}")
    if not args.no_report:
        target = BENCH / "LOAD.md"
        notes = ""  # what was written by hand below the marker stays, for whoever re-runs it to update
        if target.exists() and NOTES_MARKER in target.read_text():
            notes = "\n" + NOTES_MARKER + target.read_text().split(NOTES_MARKER, 1)[1]
        target.write_text(report(summary, args.clients, args.duration, args.runaways, args.attacks) + notes)
        print(f"wrote {target}")
    return 1 if summary["unexpected"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
