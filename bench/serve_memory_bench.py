"""Server memory under a realistic load: where it is, per process, and old against new.

`jalinan serve --cache-bytes 0` (as a user runs it, in its own process on loopback), one or more
variants of it (other options, other environment) one after the other in one run, each given
the same requests: every canned query's first page and the explorer's pages once, then each
canned query at `--clients` clients for `--seconds` seconds (bench.loadgen). Every 0.25 s each
process of the server (the front end, the writer, the query workers, the spares) is read from
`/proc/PID/smaps_rollup`: RSS, PSS (shared pages split between the processes that map them),
anonymous memory (heap, arenas, RocksDB's caches and table readers) and file-backed memory
(the Python and Rust libraries' code, mapped once and shared). Printed per variant: the peak of
the sum of RSS and of PSS over all the server's processes (the issue's measure is the RSS sum),
what each process held at that moment and its own peaks, with how many of the store's files it
holds open (a process that opened the store holds its tables), and requests per second and p99
under load, and the RSS sum at rest 3 s after the load (what the workers kept).

    .venv/bin/python -m bench.serve_memory_bench --store /work/data-mem5/rw100k \
        --samples /work/b9/n100000/samples.json --seconds 5 \
        --variant 'main||PYTHONPATH=/tmp/old/pkg' --variant 'this|' --variant 'two|--query-workers 2' \
        --variant 'replica|--read-only --store /work/data-mem5/pub'

A variant is `NAME|SERVE OPTIONS|ENV=VALUE ENV=VALUE` (options and environment optional; its
options come last, so its `--store` wins; `PYTHONPATH` naming a folder that holds another
checkout's `jalinan` package, as `one_file_bench --baseline` takes, serves that code instead).
The store must be one this run may open as the variant does: a read-write serve opens it
read-write (and writes checkpoints beside it), so give it a store of your own (a hard-link copy
of a shared one's `.sst` files is enough), never a shared read-only one; `--read-only` serves a
folder of published snapshots.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench import machine
from bench.generate import Samples
from bench.http_bench import ACCEPT, fetch, free_port, load, start
from bench.ingest_bench import jalinan_command
from bench.query_bench import parameters_for
from jalinan.queries.catalogue import load_catalogue

PAGES = [
    "/", "/agreements", "/agreements?sort=a-z", "/people", "/visits", "/organisations", "/timeline",
    "/search?q=ministry", "/id/china", "/id/china/network", "/id/malaysia",
]  # fmt: skip
FIELDS = ("Rss", "Pss", "Anonymous", "Private_Clean", "Private_Dirty")


@dataclass
class Variant:
    name: str
    options: list[str]
    env: dict[str, str]

    @classmethod
    def parse(cls, text: str) -> Variant:
        name, _, rest = text.partition("|")
        options, _, env = rest.partition("|")
        pairs = dict(item.split("=", 1) for item in shlex.split(env))
        return cls(name.strip(), shlex.split(options), pairs)


def smaps_rollup(pid: int) -> dict[str, int]:
    """The process's memory by kind, in bytes (`/proc/PID/smaps_rollup`)."""
    values: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            key, _, rest = line.partition(":")
            if key in FIELDS:
                values[key] = int(rest.split()[0]) * 1024
    values["Uss"] = values.get("Private_Clean", 0) + values.get("Private_Dirty", 0)
    values["File"] = values.get("Rss", 0) - values.get("Anonymous", 0)
    return values


def store_files_open(pid: int) -> int:
    """How many of a store's table files (`.sst`) the process holds open."""
    count = 0
    try:
        for entry in os.scandir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(entry.path).endswith(".sst"):
                    count += 1
            except OSError:
                continue
    except OSError:
        return 0
    return count


@dataclass
class ProcessPeaks:
    pid: int
    started: float
    peaks: dict[str, int] = field(default_factory=dict)
    sst: int = 0
    cpu: float = 0.0

    def update(self, values: dict[str, int], sst: int, cpu: float) -> None:
        for key, value in values.items():
            self.peaks[key] = max(self.peaks.get(key, 0), value)
        self.sst = max(self.sst, sst)
        self.cpu = max(self.cpu, cpu)


class Sampler(threading.Thread):
    """Every `interval` s: each process of the server, its memory by kind; the peak sums."""

    def __init__(self, pid: int, interval: float = 0.25):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.processes: dict[int, ProcessPeaks] = {}
        self.peak_rss = 0
        self.peak_pss = 0
        self.at_peak: dict[int, int] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                family = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                break
            rss = pss = 0
            now: dict[int, int] = {}
            for process in family:
                try:
                    values = smaps_rollup(process.pid)
                    times = process.cpu_times()
                    entry = self.processes.setdefault(
                        process.pid, ProcessPeaks(process.pid, process.create_time())
                    )
                    entry.update(values, store_files_open(process.pid), times.user + times.system)
                except (OSError, psutil.Error):
                    continue
                rss += values.get("Rss", 0)
                pss += values.get("Pss", 0)
                now[process.pid] = values.get("Rss", 0)
            if rss > self.peak_rss:
                self.at_peak = now  # what each process held when the sum peaked
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)


def _family(pid: int) -> list[int]:
    root = psutil.Process(pid)
    return [root.pid, *(child.pid for child in root.children(recursive=True))]


def paths_for(samples: Samples) -> list[str]:
    paths = []
    for name, query in load_catalogue().items():
        paths.append(f"/queries/{name}?{urllib.parse.urlencode(parameters_for(query, samples))}")
    return paths


def run_variant(variant: Variant, store: Path, samples: Samples, clients: int, seconds: float) -> dict:
    port = free_port()
    command = [
        *jalinan_command(), "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(port),
        "--cache-bytes", "0", *variant.options,
    ]  # fmt: skip
    log = Path(f"/tmp/serve_memory_bench-{os.getpid()}-{variant.name}.log")
    environment = {**os.environ, **variant.env}
    saved = os.environ.copy()
    os.environ.update(environment)  # `start` passes this process's environment on
    try:
        server = start(f"jalinan serve ({variant.name})", command, port, "/sparql?query=ASK%7B%7D", log, 300)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    sampler = Sampler(server.process.pid)
    sampler.start()
    try:
        began = time.perf_counter()
        canned = paths_for(samples)
        bad = {}
        for path in canned + PAGES:
            if path.startswith("/queries/"):
                headers = {"Accept": "text/turtle"} if "describe" in path else ACCEPT
            else:
                headers = {"Accept": "text/html"}
            status, _, _ = fetch(server.url(path), headers)
            if status != 200:
                bad[path] = status
        after_pages = dict(rss=sampler.peak_rss, pss=sampler.peak_pss)
        loads = {}
        for path in canned:
            result = load(port, path, clients, seconds, ACCEPT)
            loads[path.split("?")[0].rsplit("/", 1)[1]] = result
        time.sleep(3)  # the last answers sent, the workers idle
        at_rest = sum(smaps_rollup(pid).get("Rss", 0) for pid in _family(server.process.pid))
    finally:
        sampler.stop()
        server.stop()
    root = server.process.pid
    processes = sorted(sampler.processes.values(), key=lambda p: p.started)
    return {
        "variant": variant.name,
        "options": variant.options,
        "env": variant.env,
        "not_200": bad,
        "seconds": time.perf_counter() - began,
        "peak_rss": sampler.peak_rss,
        "peak_pss": sampler.peak_pss,
        "after_pages": after_pages,
        "at_rest": at_rest,
        "processes": [
            {
                "pid": p.pid,
                "role": "front end" if p.pid == root else "child",
                "sst_open": p.sst,
                "cpu_s": round(p.cpu, 1),
                "rss_at_peak": sampler.at_peak.get(p.pid, 0),
                **p.peaks,
            }
            for p in processes
        ],
        "load": {
            name: {
                "rps": r.get("throughput_rps"),
                "p99_ms": r.get("p99_ms"),
                "errors": r.get("errors"),
                "statuses": r.get("statuses"),
            }
            for name, r in loads.items()
        },
    }


def mib(value: int) -> str:
    return f"{value / 2**20:,.0f}"


def report(result: dict) -> str:
    lines = [
        f"## {result['variant']}: serve {' '.join(result['options'])} "
        f"{' '.join(f'{k}={v}' for k, v in result['env'].items())}".rstrip(),
        f"peak RSS sum {mib(result['peak_rss'])} MiB, PSS sum {mib(result['peak_pss'])} MiB "
        f"(after the pages alone: RSS {mib(result['after_pages']['rss'])}, PSS "
        f"{mib(result['after_pages']['pss'])}; at rest after the load: RSS {mib(result['at_rest'])}); "
        f"not 200: {result['not_200'] or 'none'}; "
        f"{result['seconds']:.0f} s",
        "| process | .sst open | CPU s | RSS at the sum's peak | its own peak: RSS | PSS | USS | anonymous "
        "| file-backed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in result["processes"]:
        lines.append(
            f"| {p['role']} {p['pid']} | {p['sst_open']} | {p['cpu_s']} | {mib(p['rss_at_peak'])} | "
            f"{mib(p.get('Rss', 0))} | "
            f"{mib(p.get('Pss', 0))} | {mib(p.get('Uss', 0))} | {mib(p.get('Anonymous', 0))} | "
            f"{mib(p.get('File', 0))} |"
        )
    total = sum((r["rps"] or 0) for r in result["load"].values())
    lines.append(
        "load (req/s, p99 ms): "
        + ", ".join(f"{n} {r['rps'] or 0:.0f}/{r['p99_ms'] or 0:.0f}" for n, r in result["load"].items())
        + f"; sum of req/s {total:,.0f}"
    )
    errors = {n: r["errors"] for n, r in result["load"].items() if r["errors"]}
    if errors:
        lines.append(f"load errors: {errors}")
    return "\n".join(lines)


def moment() -> str:
    return f"load average {os.getloadavg()[0]:.1f}, {time.strftime('%H:%M:%S', time.gmtime())} UTC"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--samples", type=Path, required=True, help="the corpus's samples.json")
    parser.add_argument("--seconds", type=float, default=5.0, help="load per canned query")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--variant", action="append", type=Variant.parse, default=None,
                        help="NAME|SERVE OPTIONS|ENV=VALUE …; repeat to compare (run in order)")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    print(machine.banner(), flush=True)
    samples = Samples(**json.loads(args.samples.read_text()))
    variants = args.variant or [Variant("default", [], {})]
    print(moment(), flush=True)
    results = []
    for variant in variants:
        result = run_variant(variant, args.store, samples, args.clients, args.seconds)
        results.append(result)
        print(report(result), flush=True)
        print(moment(), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
