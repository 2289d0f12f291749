"""`python -m bench.replicas_bench`: what publishing a snapshot and switching a read replica cost.

For each size, a generated corpus (`bench/generate.py`) is ingested with `jalinan ingest`; then:

- **publish**: `jalinan publish` as a subprocess (process start included), and `publish()`
  in-process, three times each; the snapshot's own bytes (files not shared with the store by a
  hard link) against its total;
- **switch**: a `ReplicaStore` (one worker) serves the folder; after a new publish, `check()`
  (lease, one opening of the new snapshot to check it, the swap), then the first query on the new
  snapshot (its worker opens it) against the same query once warm: `stats-by-class` as the API
  binds it, and `ASK { ?s ?p ?o }`.

Figures are printed as a Markdown table (and JSON with `--json`). The machine may be shared:
they indicate orders of magnitude, side by side in one run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import machine
from bench.generate import generate
from bench.ingest_bench import disk_size, jalinan_command
from jalinan.graph import open_store
from jalinan.graph.publish import publish
from jalinan.graph.replica import ReplicaStore
from jalinan.graph.snapshots import read_pointer
from jalinan.queries.catalogue import load_catalogue


def own_bytes(path: Path) -> int:
    """Bytes of the files under `path` that no other name links to (what the snapshot adds)."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and f.stat().st_nlink == 1)


def _timed(function: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value


def run_size(articles: int, work: Path, seed: int) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    corpus = generate(work, articles, seed)
    store, folder = work / "store", work / "published"
    for old in (store, folder):
        shutil.rmtree(old, ignore_errors=True)
    ingest = [*jalinan_command(), "ingest", "--facts", str(corpus.facts_dir), "--store", str(store)]
    ingest_s, _ = _timed(lambda: subprocess.run(ingest, check=True, capture_output=True))
    command = [*jalinan_command(), "publish", str(folder), "--store", str(store)]
    cli_s = [_timed(lambda: subprocess.run(command, check=True, capture_output=True))[0] for _ in range(3)]
    with open_store(store) as opened:
        quads = opened.quad_count()
        in_process_s = [_timed(lambda: publish(opened, folder, keep=2))[0] for _ in range(3)]
    snapshot = read_pointer(folder)
    sizes = disk_size(snapshot.store_path), own_bytes(snapshot.store_path)  # before it is pruned
    stats = load_catalogue()["stats-by-class"].bind_parameters({}, None)
    replica = ReplicaStore(folder, workers=1, poll_interval=3600)
    try:
        replica.query(stats, trusted=True)
        with open_store(store) as opened:
            newer = publish(opened, folder, keep=2)
        check_s, switched = _timed(replica.check)
        assert switched and replica.version == newer.version
        first_s, _ = _timed(lambda: replica.query(stats, trusted=True))
        warm_s = statistics.median(_timed(lambda: replica.query(stats, trusted=True))[0] for _ in range(5))
        with open_store(store) as opened:
            publish(opened, folder, keep=2)
        replica.check()
        ask_first_s, _ = _timed(lambda: replica.query("ASK { ?s ?p ?o }"))
        ask_warm_s = statistics.median(_timed(lambda: replica.query("ASK { ?s ?p ?o }"))[0] for _ in range(5))
    finally:
        replica.close()
    return {
        "articles": articles,
        "quads": quads,
        "ingest_s": ingest_s,
        "publish_cli_s": statistics.median(cli_s),
        "publish_in_process_s": statistics.median(in_process_s),
        "snapshot_bytes": sizes[0],
        "snapshot_own_bytes": sizes[1],
        "check_s": check_s,
        "stats_first_s": first_s,
        "stats_warm_s": warm_s,
        "ask_first_s": ask_first_s,
        "ask_warm_s": ask_warm_s,
    }


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| articles | quads | publish (CLI) s | publish (in-process) s | snapshot MiB | of it not shared MiB "
        "| switch (check) s | stats-by-class first / warm ms | ASK first / warm ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['articles']:,} | {r['quads']:,} | {r['publish_cli_s']:.2f} "
            f"| {r['publish_in_process_s']:.3f} | {r['snapshot_bytes'] / 2**20:.1f} "
            f"| {r['snapshot_own_bytes'] / 2**20:.2f} | {r['check_s']:.3f} "
            f"| {r['stats_first_s'] * 1000:.1f} / {r['stats_warm_s'] * 1000:.1f} "
            f"| {r['ask_first_s'] * 1000:.1f} / {r['ask_warm_s'] * 1000:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.replicas_bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--out", type=Path, default=Path("bench/out/replicas"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args(argv)
    print(machine.banner(), flush=True)
    rows = []
    for size in args.sizes:
        rows.append(run_size(size, args.out / f"n{size}", args.seed))
        print(f"[{size}] done", file=sys.stderr, flush=True)
    print(table(rows))
    if args.json:
        print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
