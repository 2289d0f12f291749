"""Issue 13/14 (`lists2` helper): the people, organisations and visits lists' first pages and
the explorer's facet counts, the queries of this tree beside those of a given folder (the
previous ones, `git show <commit>:queries/<name>/…` written out), on one store in one run.

    .venv/bin/python -m bench.lists_members_bench --store bench/out/n10000/store \
        --samples bench/out/n10000/samples.json --before /tmp/old-queries --reps 20

Each line: the list, its parameters, wall and CPU p50/p95 for the whole pipeline through
`api.reading.read` (or `facet_counts`), for the current queries and the previous ones (one run
when a run takes over `--slow` seconds). CPU is printed because the machine may be shared.
"""

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from bench.generate import Samples
from bench.query_bench import parameters_for, percentile
from jalinan.api.explorer.lists import FACETS_DIR
from jalinan.api.reading import facet_counts, read
from jalinan.graph import GraphStore, open_store
from jalinan.queries.catalogue import Page, load_catalogue, load_pipeline

LISTS = ("people", "organisations", "visits")


def _time(run: Callable[[], object], reps: int, slow: float) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    run()  # warm-up
    for _ in range(reps):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if wall[-1] > slow * 1000:
            break
    return wall, cpu


def _line(label: str, wall: list[float], cpu: list[float]) -> str:
    return (
        f"{label:48s} wall p50 {percentile(wall, 50):9.1f} p95 {percentile(wall, 95):9.1f} ms  "
        f"cpu p50 {percentile(cpu, 50):8.1f} p95 {percentile(cpu, 95):8.1f} ms  (n={len(wall)})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--samples", type=Path, required=True)
    parser.add_argument("--before", type=Path, help="a folder holding the previous <list>/ and facets/")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--slow", type=float, default=3.0, help="stop repeating past this many seconds")
    args = parser.parse_args(argv)
    samples = Samples(**json.loads(args.samples.read_text()))
    catalogue = load_catalogue()
    with open_store(args.store, read_only=True) as store:
        for name in LISTS:
            query = catalogue[name]
            for params in ({}, parameters_for(query, samples)):
                versions = [("now", query, FACETS_DIR)]
                if args.before is not None:
                    versions.append(("before", load_pipeline(args.before / name), args.before / "facets"))
                for version, pipeline, facets in versions:
                    _page(store, name, version, pipeline, params, args)
                    path = facets / f"{name}.rq"
                    if path.exists():
                        counts = lambda p=pipeline, f=path, v=params: facet_counts(store, p, f, v)  # noqa: E731
                        wall, cpu = _time(counts, args.reps, args.slow)
                        print(_line(f"facets/{name} {version} {params}", wall, cpu), flush=True)


def _page(
    store: GraphStore, name: str, version: str, pipeline: object, params: dict, args: argparse.Namespace
) -> None:
    size = pipeline.paging.size  # type: ignore[attr-defined]
    rows = len(read(store, pipeline, params, Page(1, size)).rows)  # type: ignore[arg-type]
    wall, cpu = _time(lambda: read(store, pipeline, params, Page(1, size)), args.reps, args.slow)  # type: ignore[arg-type]
    print(_line(f"{name} {version} {params} rows {rows}", wall, cpu), flush=True)


if __name__ == "__main__":
    main()
