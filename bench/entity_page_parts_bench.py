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

`--virtuoso WORK` also starts Virtuoso 7 on loopback, bulk-loads `WORK/data.nq` into it (as
`bench.remote_bench` does: a few minutes at 10,000 articles) and measures both forms there too,
its CPU the server's (from /proc), after the embedded store's lines.
"""

import argparse
import contextlib
import dataclasses
import json
import os
import time
from pathlib import Path

from bench.generate import Samples
from bench.query_bench import percentile
from bench.remote_bench import SERVERS, _cpu_seconds
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
    parser.add_argument("--virtuoso", type=Path, help="a folder holding data.nq: measure on Virtuoso too")
    args = parser.parse_args(argv)
    samples = Samples(**json.loads(args.samples.read_text()))
    parts = load_catalogue()["entity-page"]
    assert parts.paging is not None
    union = dataclasses.replace(parts, text=args.before.read_text(encoding="utf-8"), continuations=())
    entities = args.entities or [samples.entity, "malaysia", "china"]
    print(f"store {args.store}  reps {args.reps}  started {time.strftime('%H:%M:%S UTC', time.gmtime())}")
    with contextlib.ExitStack() as stack:
        stores = [("embedded", stack.enter_context(open_store(args.store, read_only=True)), 0)]
        if args.virtuoso is not None:
            work = args.virtuoso.resolve()
            location, env, load_s, pid, _ = stack.enter_context(
                contextlib.contextmanager(SERVERS["virtuoso"])(work, work / "data.nq")
            )
            os.environ.update(env)
            print(f"virtuoso: loaded in {load_s:.0f} s", flush=True)
            stores.append(("virtuoso", stack.enter_context(open_store(location, read_only=True)), pid))
        for backend, store, pid in stores:
            for entity in entities:
                for number in (1, 2):
                    page = Page(number, parts.paging.size)
                    _compare(backend, store, pid, entity, page, union, parts, args.reps)


def _compare(
    backend: str, store: object, pid: int, entity: str, page: Page, union: object, parts: object, reps: int
) -> None:
    """One line: both forms on one store, interleaved run by run."""
    load = os.getloadavg()[0]
    forms = (("union", union), ("parts", parts))
    picked = {name: read(store, query, {"id": entity}, page).subjects for name, query in forms}  # type: ignore[arg-type]
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name, _ in forms}
    for _ in range(reps):
        for name, query in forms:
            started, started_cpu = time.perf_counter(), _cpu_seconds(pid)
            read(store, query, {"id": entity}, page)  # type: ignore[arg-type]
            times[name][0].append((time.perf_counter() - started) * 1000)
            times[name][1].append((_cpu_seconds(pid) - started_cpu) * 1000)
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
    head = f"{backend:8s} {entity[:28]:28s} page {page.number} load {load:4.1f}"
    print(f"{head} | {' | '.join(cells)} ms | {same}", flush=True)


if __name__ == "__main__":
    main()
