"""The network JSON (`/id/{id}/network`, issue 16) of the most connected entity, in-process.

What the route computes for one request, without HTTP: `neighbourhood` (the neighbours and
their first ties from the summary ingest prepared, `ingest/network_summary.py`, or the live ties
on a store without it; the cut, the sources and the labels, each a query through the product's
store layer) then the JSON document, serialised. CPU time (this process: the queries run in its
thread) beside wall time, since the machine may be shared. The entity is the one party to the
most agreements (at 10,000 articles a country, party to thousands). One warm-up, then up to
`reps` runs; p50 and p95 against the 200 ms p95 target.
`python -m bench.network_bench --store bench/out/n10000/store`.
"""

import argparse
import json
import time
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode

from bench.query_bench import percentile
from jalinan.api.network.neighbourhood import neighbourhood
from jalinan.api.network.views import network_document
from jalinan.graph import SelectResult, open_store
from jalinan.ingest import network_summary

TARGET_P95_MS = 200.0
BUSIEST = """PREFIX jl: <https://w3id.org/jalinan/ontology#>
SELECT ?entity (COUNT(?agreement) AS ?n) WHERE { ?entity jl:isPartyTo ?agreement }
GROUP BY ?entity ORDER BY DESC(?n) ?entity LIMIT 1 OFFSET %d"""


def run(
    store_path: Path, *, reps: int = 30, hops: int = 1, rank: int = 1, live: bool = False
) -> dict[str, Any]:
    """Time the network JSON of the `rank`-th busiest party (1: the most connected entity);
    `live`: from the live ties, as a store without the summary is served (for comparison)."""
    if live:
        import jalinan.api.network.neighbourhood as module

        module._from_summary = lambda *args: None  # type: ignore[assignment]  # (this process only)
    with open_store(store_path, read_only=True) as store:
        busiest = store.query(BUSIEST % (rank - 1))
        assert isinstance(busiest, SelectResult) and busiest.rows, "the store holds no agreement"
        centre = busiest.rows[0]["entity"]
        assert isinstance(centre, NamedNode)
        prepared = network_summary.is_built(store) and not live

        def once() -> dict[str, Any]:
            network = neighbourhood(store, centre, hops=hops)
            assert network is not None
            document = network_document(network, "/id/x/network", [])
            json.dumps(document, ensure_ascii=False)
            return document

        document = once()  # warm-up (and the ontology read once per process)
        samples, cpu = [], []
        for _ in range(reps):
            started, cpu_started = time.perf_counter(), time.process_time()
            once()
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)  # (queries run in this thread)
    p95 = percentile(samples, 95)
    return {
        "entity": centre.value,
        "hops": hops,
        "agreements": int(busiest.rows[0]["n"].value),
        "nodes": document["showing"]["nodes"],
        "total_nodes": document["showing"]["totalNodes"],
        "edges": document["showing"]["edges"],
        "total_edges": document["showing"]["totalEdges"],
        "p50_ms": percentile(samples, 50),
        "p95_ms": p95,
        "cpu_p50_ms": percentile(cpu, 50),
        "cpu_p95_ms": percentile(cpu, 95),
        "prepared": prepared,
        "target_p95_ms": TARGET_P95_MS,
        "pass": p95 <= TARGET_P95_MS if hops == 1 and rank == 1 else None,
        "samples": len(samples),
    }


def line(result: dict[str, Any]) -> str:
    verdict = {True: "PASS", False: "FAIL", None: "(no target)"}[result["pass"]]
    return (
        f"network JSON, hops={result['hops']}, {result['entity'].rsplit('/', 1)[-1]} "
        f"(party to {result['agreements']:,} agreements): showing {result['nodes']} of "
        f"{result['total_nodes']:,} nodes, {result['edges']:,} of {result['total_edges']:,} ties; "
        f"p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms "
        f"(CPU p50 {result['cpu_p50_ms']:.0f} ms, p95 {result['cpu_p95_ms']:.0f} ms; "
        f"{'from the summary ingest prepared' if result['prepared'] else 'live ties: no summary'}) "
        f"(target ≤ {result['target_p95_ms']:.0f} ms p95) {verdict}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--hops", type=int, default=1, choices=(1, 2))
    parser.add_argument(
        "--ranks", default="1,10,50", help="which busiest parties to time (1: the target's entity)"
    )
    parser.add_argument("--live", action="store_true", help="read the live ties, not the summary")
    args = parser.parse_args(argv)
    for rank in (int(r) for r in args.ranks.split(",")):
        result = run(args.store, reps=args.reps, hops=args.hops, rank=rank, live=args.live)
        print(f"rank {rank}: " + line(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
