"""A list pipeline's first page with its detail query as written and as other versions of it,
side by side in one run, the rows of each checked against the catalogue's.

A planner workaround in a detail query is kept only for its measured effect
(`queries/README.md`); this bench measures it: each version runs through `api.reading.read`
exactly as the API reads the page (the page query, then the detail query bound with the page's
subjects), the versions interleaved rep by rep so that a busy neighbour slows them alike, and
each version's rows must equal the catalogue version's, in order, or the bench stops.

    git show main:queries/people/detail.rq > /tmp/people-detail-main.rq
    .venv/bin/python -m bench.detail_variants_bench --store /work/b9/n10000/store \
        --samples /work/b9/n10000/samples.json --query people --variant /tmp/people-detail-main.rq

With `--backend virtuoso` (or `oxigraph-server`) and `--work` a folder as `remote_bench` reads
it (`data.nq`, `samples.json`), the versions run on that server instead, started on loopback
and bulk-loaded as `remote_bench` does: a workaround for Oxigraph must not slow the others.

Prints, per version, wall and CPU p50/p95 and the rows; CPU (this process's; a server's own is
not counted), since on a shared machine wall time measures the neighbours too.
"""

import argparse
import contextlib
import dataclasses
import json
import os
import time
from pathlib import Path

from bench.generate import Samples
from bench.query_bench import parameters_for, percentile
from bench.remote_bench import SERVERS
from jalinan.api.reading import read
from jalinan.graph import GraphStore, open_store
from jalinan.queries.catalogue import CannedQuery, Page, load_catalogue


def versions(query: CannedQuery, variants: list[Path]) -> dict[str, CannedQuery]:
    """The pipeline as catalogued (`catalogue`), and with each variant file as its detail query."""
    out = {"catalogue": query}
    for path in variants:
        out[str(path)] = dataclasses.replace(query, detail=path.read_text(encoding="utf-8"))
    return out


def differing(
    store: GraphStore, runs: dict[str, CannedQuery], params: dict[str, str], page: Page
) -> list[str]:
    """The versions whose rows are not the catalogue version's, in its order (a workaround must
    not change the answer)."""
    expected = read(store, runs["catalogue"], params, page).rows
    return [name for name, version in runs.items() if read(store, version, params, page).rows != expected]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="the embedded store (read-only)")
    parser.add_argument("--backend", default="embedded", choices=["embedded", *SERVERS])
    parser.add_argument("--work", type=Path, help="a remote backend's folder (data.nq), as remote_bench's")
    parser.add_argument("--samples", type=Path, required=True, help="the corpus's samples.json")
    parser.add_argument("--query", required=True, help="the pipeline's name (e.g. people)")
    parser.add_argument("--variant", type=Path, action="append", default=[], help="another detail.rq")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument(
        "--target", type=float, default=20.0, help="p95 ms (issue 13: 20 at 10,000 articles, 50 at 100,000)"
    )
    args = parser.parse_args(argv)
    samples = Samples(**json.loads(args.samples.read_text()))
    query = load_catalogue()[args.query]
    assert query.is_pipeline and query.paging is not None, f"{args.query} is not a pipeline"
    params = parameters_for(query, samples)
    page = Page(1, query.paging.size)
    runs = versions(query, args.variant)
    wall: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    with contextlib.ExitStack() as stack:
        if args.backend == "embedded":
            store = stack.enter_context(open_store(args.store, read_only=True))
        else:
            work = args.work.resolve()
            location, env, _, _, _ = stack.enter_context(
                contextlib.contextmanager(SERVERS[args.backend])(work, work / "data.nq")
            )
            os.environ.update(env)
            store = stack.enter_context(open_store(location, read_only=True))
        if wrong := differing(store, runs, params, page):  # (also the warm-up)
            raise SystemExit(f"not the catalogue version's rows in its order: {', '.join(wrong)}")
        rows = len(read(store, query, params, page).rows)
        for _ in range(args.reps):
            for name, version in runs.items():
                started, started_cpu = time.perf_counter(), time.process_time()
                read(store, version, params, page)
                wall[name].append((time.perf_counter() - started) * 1000)
                cpu[name].append((time.process_time() - started_cpu) * 1000)
    print(f"{args.query} on {args.backend}, first page {params}: {rows} rows, identical in every version")
    for name in runs:
        p95 = percentile(wall[name], 95)
        print(
            f"  {name:40s} wall p50 {percentile(wall[name], 50):7.1f} p95 {p95:7.1f} ms  "
            f"cpu p50 {percentile(cpu[name], 50):7.1f} p95 {percentile(cpu[name], 95):7.1f} ms  "
            f"(target p95 ≤ {args.target:.0f} ms: {'PASS' if p95 <= args.target else 'FAIL'})",
            flush=True,
        )


if __name__ == "__main__":
    main()
