"""The pool's hand-off alone: `PooledStore.query_serialized_async` in a loop, in-process.

What the front end spends per answer to hand a query to a worker process and take its answer
back (the job's framing and write, the wait on the worker's pipe, the answer's read and
decoding, the lane's turn), apart from HTTP and the app: the server process's CPU
(`time.process_time`, which leaves out the workers) over the answers, and the workers' CPU
apart. Every request is a distinct text (a trailing comment), as `sparql_bench` sends them.

    python -m bench.hop_bench --store /work/data-x/n1000/store --answers 3000 --concurrency 1 32

The store is opened read-write by the pool's writer process, and the pool writes its
checkpoints beside it (`STORE.snapshots`): give it a store of your own, never a shared one.
"""

import argparse
import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

import psutil
import uvloop
from pyoxigraph import QueryResultsFormat, RdfFormat

from bench.sparql_bench import TWO_HOP
from jalinan.graph.oxigraph_store import open_store
from jalinan.graph.pool import PooledStore

ASK = "ASK {}"


def _children_cpu() -> float:
    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


async def _measure(pool: PooledStore, sparql: str, answers: int, concurrency: int) -> dict[str, Any]:
    counter = iter(range(answers))

    async def client(number: int) -> None:
        for n in counter:
            await pool.query_serialized_async(
                f"{sparql} # {n}",
                QueryResultsFormat.JSON,
                RdfFormat.N_TRIPLES,
                client=f"client-{number}",
            )

    for n in range(50):  # warm: every worker has the checkpoint open, the line has its history
        await pool.query_serialized_async(
            f"{sparql} # warm {n}", QueryResultsFormat.JSON, RdfFormat.N_TRIPLES
        )
    front, children, wall = os.times(), _children_cpu(), time.perf_counter()
    await asyncio.gather(*(client(number) for number in range(concurrency)))
    after = os.times()
    user, system = after.user - front.user, after.system - front.system
    children = _children_cpu() - children
    wall = time.perf_counter() - wall
    return {
        "concurrency": concurrency,
        "answers": answers,
        "front_us_per_answer": 1e6 * (user + system) / answers,
        "front_system_us_per_answer": 1e6 * system / answers,
        "workers_us_per_answer": 1e6 * children / answers,
        "answers_per_s": answers / wall,
    }


def run(store: Path, answers: int, levels: list[int], queries: dict[str, str]) -> dict[str, Any]:
    """Each query at each concurrency, on one pool, on the event loop the server runs (uvloop)."""
    pool = PooledStore(open_store(store), spares=0)
    try:
        result: dict[str, Any] = {"load_average_before": os.getloadavg(), "runs": []}
        for name, sparql in queries.items():
            for level in levels:
                run_result = uvloop.run(_measure(pool, sparql, answers, level))
                run_result["query"] = name
                result["runs"].append(run_result)
                print(
                    f"{name:8s} c={level:3d}  front {run_result['front_us_per_answer']:6.0f} µs/answer "
                    f"(system {run_result['front_system_us_per_answer']:4.0f})  "
                    f"workers {run_result['workers_us_per_answer']:6.0f} µs/answer  "
                    f"{run_result['answers_per_s']:6.0f} answers/s",
                    flush=True,
                )
        result["load_average_after"] = os.getloadavg()
        return result
    finally:
        pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="a store of your own (see above)")
    parser.add_argument("--answers", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    result = run(args.store, args.answers, args.concurrency, {"two-hop": TWO_HOP, "ask": ASK})
    if args.json:
        print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
