"""The entity page's statements read in parts (`queries/entity-page/page.rq` and its `then:`)
against an earlier one-query form of `page.rq` (a `UNION` of the four parts), side by side in
one run, interleaved entity by entity, on one store.

    git show bd24b74:queries/entity-page/page.rq > /tmp/page-union.rq
    .venv/bin/python -m bench.entity_page_parts_bench --store /work/b10/n10000/store \\
        --samples /work/b9/n10000/samples.json --before /tmp/page-union.rq --reps 30

For the bench corpus's entity (`samples.json`) and the two busiest countries: the whole
pipeline as `api.reading.read` runs it (name look-up, page, detail), first page and second, at
the canned query's default size (100), p50/p95 wall and CPU milliseconds; whether both forms
give the same statements on the page, as a set and in order; the load average at the start
of each line (the machine may be shared: CPU time is the steadier figure).
"""

import argparse
import dataclasses
import json
import os
import time
from pathlib import Path

from bench.generate import Samples
from bench.query_bench import percentile
from jalinan.api.reading import read
from jalinan.graph import open_store
from jalinan.queries.catalogue import Page, load_catalogue


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--samples", type=Path, required=True, help="the corpus's samples.json")
    parser.add_argument("--before", type=Path, required=True, help="a one-query page.rq to compare")
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--entities", nargs="*", help="ids (default: the sample's entity, malaysia, china)")
    args = parser.parse_args(argv)
    samples = Samples(**json.loads(args.samples.read_text()))
    parts = load_catalogue()["entity-page"]
    assert parts.paging is not None
    union = dataclasses.replace(parts, text=args.before.read_text(encoding="utf-8"), continuations=())
    entities = args.entities or [samples.entity, "malaysia", "china"]
    print(f"store {args.store}  reps {args.reps}  started {time.strftime('%H:%M:%S UTC', time.gmtime())}")
    with open_store(args.store, read_only=True) as store:
        for entity in entities:
            for number in (1, 2):
                page = Page(number, parts.paging.size)
                load = os.getloadavg()[0]
                picked = {}
                times: dict[str, tuple[list[float], list[float]]] = {"union": ([], []), "parts": ([], [])}
                for name, query in (("union", union), ("parts", parts)):
                    picked[name] = read(store, query, {"id": entity}, page).subjects  # (warm-up)
                for _ in range(args.reps):
                    for name, query in (("union", union), ("parts", parts)):
                        started, started_cpu = time.perf_counter(), time.process_time()
                        read(store, query, {"id": entity}, page)
                        times[name][0].append((time.perf_counter() - started) * 1000)
                        times[name][1].append((time.process_time() - started_cpu) * 1000)
                same = (
                    "same order"
                    if picked["union"] == picked["parts"]
                    else "same set"
                    if set(picked["union"]) == set(picked["parts"])
                    else f"{len(set(picked['union']) ^ set(picked['parts']))} statements differ"
                )
                cells = [
                    f"{name} wall p50 {percentile(wall, 50):6.1f} p95 {percentile(wall, 95):6.1f}"
                    f" cpu p50 {percentile(cpu, 50):6.1f} p95 {percentile(cpu, 95):6.1f}"
                    for name, (wall, cpu) in times.items()
                ]
                head = f"{entity[:28]:28s} page {number} load {load:4.1f}"
                print(f"{head} | {' | '.join(cells)} ms | {same}", flush=True)


if __name__ == "__main__":
    main()
