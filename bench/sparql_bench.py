"""`/sparql` uncached against `oxigraph serve`: the same SPARQL, the same quads, 32 clients.

Every request sends a distinct query text (the same query with its own trailing comment), so
no answer comes from Jalinan's result cache: this measures the path from the socket to the
store and back, which is what the issue's target (≥ 80% of `oxigraph serve`) is about. Both
servers run as users run them (`jalinan serve` with its defaults, `oxigraph serve
--union-default-graph`), one after the other, with the load generator in its own process.
Optionally py-spy records `jalinan serve` (and its workers) under the load.

    python -m bench.sparql_bench --work bench/out/n1000 --seconds 10 [--profile DIR]
"""

import argparse
import json
import subprocess
import time
import urllib.parse
from pathlib import Path
from typing import Any

import psutil

from bench import profile
from bench.http_bench import ACCEPT, fetch, free_port, load, rows_of, start
from bench.ingest_bench import jalinan_command, oxigraph_command

# Two hops (agreement → party → label) with LIMIT 100: a light query, so the server's own
# per-request work is most of the cost, as for most queries a client sends.
TWO_HOP = (
    "PREFIX jl: <https://w3id.org/jalinan/ontology#> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "SELECT ?agreement ?party ?label WHERE { ?agreement jl:hasParty ?party . ?party rdfs:label ?label } "
    "LIMIT 100"
)
TARGET = 0.80


def _cpu_seconds(pid: int) -> dict[str, float]:
    """CPU seconds (user + system) used so far by a server process and by its children.

    Throughput on a shared machine moves with everyone else's load; the CPU a server spends per
    answer does not, so the bench reports both. A child's time is read while it lives."""
    main = psutil.Process(pid)
    own = main.cpu_times()
    children = 0.0
    switches = main.num_ctx_switches()
    for child in main.children(recursive=True):
        try:
            times = child.cpu_times()
            children += times.user + times.system
        except psutil.Error:
            pass
    return {
        "front": own.user + own.system,
        "front_system": own.system,
        "children": children,
        "front_switches": switches.voluntary + switches.involuntary,
    }


def _measured_load(pid: int, port: int, path: str, concurrency: int, seconds: float) -> dict[str, Any]:
    """One load run, with the server's CPU milliseconds per answer (front end, children)."""
    before = _cpu_seconds(pid)
    outcome = load(port, path, concurrency, seconds, ACCEPT, distinct=True)
    after = _cpu_seconds(pid)
    answered = max(outcome["requests"], 1)
    for part in ("front", "front_system", "children"):
        outcome[f"cpu_ms_per_request_{part}"] = 1000 * (after[part] - before[part]) / answered
    switches = after["front_switches"] - before["front_switches"]
    outcome["context_switches_per_request_front"] = switches / answered
    return outcome


def run(
    work: Path,
    *,
    concurrency: int = 32,
    seconds: float = 10.0,
    profile_dir: Path | None = None,
    sparql: str = TWO_HOP,
    serve_options: tuple[str, ...] = (),
) -> dict[str, Any]:
    store, oxi_store, logs = work / "store", work / "oxigraph-store", work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    encoded = urllib.parse.quote(sparql, safe="")
    result: dict[str, Any] = {"query": sparql, "concurrency": concurrency, "seconds": seconds}
    result["serve_options"] = list(serve_options)
    port = free_port()
    jalinan = start(
        "jalinan serve",
        [
            *jalinan_command(),
            "serve",
            "--store",
            str(store),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *serve_options,
        ],
        port,
        "/sparql?query=ASK%7B%7D",
        logs / "sparql-bench-jalinan.log",
    )
    try:
        path = f"/sparql?query={encoded}"
        status, _, body = fetch(jalinan.url(path))
        result["rows_jalinan"] = rows_of(body) if status == 200 else f"HTTP {status}"
        spy = None
        if profile_dir is not None and profile.py_spy() is not None:
            profile_dir.mkdir(parents=True, exist_ok=True)
            raw = profile_dir / f"sparql-{work.name}.txt"
            spy_command = [str(profile.py_spy()), "record", "--nonblocking", "--subprocesses", "-r", "100"]
            spy_command += [
                "-f",
                "raw",
                "-o",
                str(raw),
                "--pid",
                str(jalinan.process.pid),
                "-d",
                str(int(seconds) + 1),
            ]
            spy = subprocess.Popen(
                spy_command,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(0.5)
        result["jalinan"] = _measured_load(jalinan.process.pid, port, path, concurrency, seconds)
        if spy is not None:
            spy.wait(timeout=120)
            result["profile"] = profile.format_summary(raw, 25) if raw.exists() else None
    finally:
        result["peak_rss_jalinan"] = jalinan.stop()
    port = free_port()
    oxigraph = start(
        "oxigraph serve",
        [
            *oxigraph_command(),
            "serve",
            "--location",
            str(oxi_store),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        port,
        "/query?query=ASK%7B%7D",
        logs / "sparql-bench-oxigraph.log",
    )
    try:
        path = f"/query?query={encoded}"
        status, _, body = fetch(oxigraph.url(path))
        result["rows_oxigraph"] = rows_of(body) if status == 200 else f"HTTP {status}"
        result["oxigraph"] = _measured_load(oxigraph.process.pid, port, path, concurrency, seconds)
    finally:
        oxigraph.stop()
    ratio = result["jalinan"]["throughput_rps"] / max(result["oxigraph"]["throughput_rps"], 1e-9)
    result["ratio"] = ratio
    result["pass"] = ratio >= TARGET
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--work", type=Path, required=True, help="a bench size folder (store, oxigraph-store)"
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--profile", type=Path, help="record jalinan serve with py-spy into this folder")
    parser.add_argument("--serve-option", action="append", default=[], help="passed to jalinan serve")
    args = parser.parse_args()
    result = run(
        args.work,
        concurrency=args.concurrency,
        seconds=args.seconds,
        profile_dir=args.profile,
        serve_options=tuple(args.serve_option),
    )
    profile_text = result.pop("profile", None)
    print(json.dumps(result, indent=1))
    if profile_text:
        print(profile_text)


if __name__ == "__main__":
    main()
