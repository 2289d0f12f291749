"""A serving process's CPU per `/sparql` answer, in-process: the app over a real store's query threads.

What one serving process of `jalinan serve --processes N` spends per uncached answer between
the ASGI call and the response's last message, with everything but HTTP: the front end, the
cache's bookkeeping, the fair line, the hand-off to a query thread and back, the query and its
serialisation, the access line. `sparql_bench` measures the same under HTTP and a load
generator on a shared machine, where its CPU per answer moves by ±0.4 ms between runs; here
one process drives `concurrency` requests at once (as 32 clients keep a serving process's
line full) and counts its own CPU (`os.times`, every thread) and the event loop's
(`time.thread_time`), which move much less. Every request is a distinct text.

    python -m bench.serving_app_bench --store DIR --answers 3000 --runs 3

The store is read by a `PooledStore` with the serving process's read options
(`processes.child_read_options`), which writes checkpoints beside it: give it a store of your
own, never a shared one. Run it from two checkouts, alternating, for an A/B.
"""

import argparse
import asyncio
import json
import os
import time
import urllib.parse
from pathlib import Path
from typing import Any

import uvloop

from bench.sparql_app_bench import access_lines_as_served, get
from bench.sparql_bench import TWO_HOP
from jalinan.api.app import create_app
from jalinan.api.processes import child_read_options
from jalinan.api.settings import Settings
from jalinan.graph.oxigraph_store import open_store
from jalinan.graph.pool import PooledStore

EMPTY = "SELECT ?x WHERE { }"  # one empty row: the fixed cost of an answer
QUERIES = {"empty": EMPTY, "two-hop": TWO_HOP}


async def _one(app: Any, query_string: bytes, client: int) -> int:
    status, _ = await get(app, "/sparql", query_string, client)
    return status


async def _measure(app: Any, sparql: str, answers: int, concurrency: int, tag: str) -> dict[str, float]:
    texts = [urllib.parse.urlencode({"query": f"{sparql} # {tag} {n}"}).encode() for n in range(answers)]
    for n in range(100):  # warm: the checkpoint open in each thread, the line's history
        await _one(app, urllib.parse.urlencode({"query": f"{sparql} # warm {tag} {n}"}).encode(), 0)
    numbers = iter(texts)
    statuses: dict[int, int] = {}

    async def client(number: int) -> None:
        for text in numbers:
            status = await _one(app, text, number)
            statuses[status] = statuses.get(status, 0) + 1

    before, loop_before, wall = os.times(), time.thread_time(), time.perf_counter()
    await asyncio.gather(*(client(number) for number in range(concurrency)))
    after, loop_after, wall = os.times(), time.thread_time(), time.perf_counter() - wall
    assert statuses == {200: answers}, statuses
    cpu = (after.user - before.user) + (after.system - before.system)
    return {
        "process_us": 1e6 * cpu / answers,
        "loop_us": 1e6 * (loop_after - loop_before) / answers,
        "answers_per_s": answers / wall,
    }


def run(store: Path, answers: int, runs: int, concurrency: int, queries: dict[str, str]) -> dict[str, Any]:
    settings = Settings(store_path=store)
    pooled = PooledStore(open_store(store), **child_read_options(settings))
    app = create_app(settings, pooled)  # type: ignore[arg-type]
    result: dict[str, Any] = {"load_average_before": os.getloadavg(), "runs": []}
    try:
        with access_lines_as_served():
            for number in range(runs):
                for name, sparql in queries.items():
                    figures = uvloop.run(_measure(app, sparql, answers, concurrency, f"{name}{number}"))
                    result["runs"].append({"query": name, **figures})
                    print(_line(name, figures), flush=True)
    finally:
        pooled.close()
    result["load_average_after"] = os.getloadavg()
    return result


def _line(name: str, figures: dict[str, float]) -> str:
    return (
        f"{name:8s} process {figures['process_us']:6.0f} µs/answer  "
        f"loop {figures['loop_us']:6.0f} µs/answer  {figures['answers_per_s']:6.0f} answers/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="a store of your own (see above)")
    parser.add_argument("--answers", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--concurrency", type=int, default=16, help="requests at once (32 clients over 2 serving processes)"
    )
    parser.add_argument("--queries", nargs="+", choices=sorted(QUERIES), default=sorted(QUERIES))
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    queries = {name: QUERIES[name] for name in args.queries}
    result = run(args.store, args.answers, args.runs, args.concurrency, queries)
    if args.json:
        print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
