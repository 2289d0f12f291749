"""Every canned query's first page in-process, as the API reads it, against the 20 ms p95 target.

A list pipeline runs through `api.reading.read` (the name look-up, the page and the detail
query, each on the store); a single-file query through `query_serialized` (what the canned route
calls), JSON out. Parameters are the bench corpus's realistic values (`query_bench.parameters_for`),
the store the one `python -m bench` builds (its list-order and inferred graphs in place).

    .venv/bin/python -m bench.pipelines_bench --store bench/out/n10000/store \
        --samples bench/out/n10000/samples.json --reps 40

Prints one line per query (p50, p95, rows, the target) and the worst; also CPU time, since the
machine is shared and wall time then measures the neighbours too.
"""

import argparse
import json
import time

from pyoxigraph import QueryResultsFormat, RdfFormat

from bench import machine
from bench.generate import Samples
from bench.query_bench import add_first_page_arguments, load_samples, parameters_for, percentile, timed_runs
from jalinan.api.canned import bind_request
from jalinan.api.explorer.lists import FACETS_DIR
from jalinan.api.reading import facet_counts, read
from jalinan.graph import open_store
from jalinan.queries.catalogue import Page, load_catalogue

TARGET_MS = 20.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_first_page_arguments(parser, reps=40, only="every canned query")
    parser.add_argument("--facets", action="store_true", help="also the explorer facet counts of each list")
    args = parser.parse_args(argv)
    print(machine.banner(), flush=True)
    samples = load_samples(args.samples)
    catalogue = load_catalogue()
    worst = ("", 0.0)
    with open_store(args.store, read_only=True) as store:
        for name, query in catalogue.items():
            if args.only and name not in args.only:
                continue
            params = parameters_for(query, samples)
            if query.is_pipeline:
                assert query.paging is not None

                def run() -> int:
                    return len(read(store, query, params, Page(1, query.paging.size)).rows)  # noqa: B023
            else:
                sparql = bind_request(query, list(params.items()))

                def run() -> int:
                    _, data = store.query_serialized(sparql, QueryResultsFormat.JSON, RdfFormat.N_TRIPLES)  # noqa: B023
                    return len(json.loads(data)["results"]["bindings"]) if data.startswith(b"{") else -1

            rows = run()  # warm-up
            wall, cpu = timed_runs(run, args.reps)
            p95 = percentile(wall, 95)
            verdict = "PASS" if p95 <= TARGET_MS else "FAIL"
            if p95 > worst[1]:
                worst = (name, p95)
            print(
                f"{name:22s} {'pipeline' if query.is_pipeline else 'file':8s} rows {rows:5d}  "
                f"wall p50 {percentile(wall, 50):7.1f} p95 {p95:7.1f} ms  cpu p50 {percentile(cpu, 50):7.1f} "
                f"p95 {percentile(cpu, 95):7.1f} ms  (target p95 ≤ {TARGET_MS:.0f} ms: {verdict})  {params}",
                flush=True,
            )
        if args.facets:
            facet_cases(store, catalogue, samples, args.reps, args.only)
    print(f"worst: {worst[0]} p95 {worst[1]:.1f} ms (target {TARGET_MS:.0f} ms)")


def facet_cases(store: object, catalogue: dict, samples: Samples, reps: int, only: list[str] | None) -> None:
    """The facet counts of each list with a facets file (`queries/facets/<list>.rq`), with no
    filter and with the bench's parameters, as `api/explorer/lists.py` reads them (no memo):
    target sub-second."""
    for path in sorted(FACETS_DIR.glob("*.rq")):
        query = catalogue.get(path.stem)
        if query is None or (only and path.stem not in only):
            continue
        for params in ({}, parameters_for(query, samples)):
            wall, cpu = [], []
            for _ in range(max(1, reps // 5)):
                started, started_cpu = time.perf_counter(), time.process_time()
                facet_counts(store, query, path, params)  # type: ignore[arg-type]
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            p95 = percentile(wall, 95)
            print(
                f"facets/{path.stem:15s} wall p50 {percentile(wall, 50):7.1f} p95 {p95:7.1f} ms  "
                f"cpu p50 {percentile(cpu, 50):7.1f} p95 {percentile(cpu, 95):7.1f} ms  "
                f"(target p95 < 1000 ms: {'PASS' if p95 < 1000 else 'FAIL'})  {params}",
                flush=True,
            )


if __name__ == "__main__":
    main()
