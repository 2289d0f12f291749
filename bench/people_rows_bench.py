"""`people` by rows against `people` by people, side by side in one run, and what the pages
after the first cost.

The first page as the API reads it (`api.reading.read`: the page query, then the detail query
for a few people at a time), at its default size (100 rows), interleaved rep by rep with a
former version of the pipeline read as that version paged (25 people with all their rows):

    mkdir -p /tmp/people-before && for f in page.rq detail.rq; do
      git show 3016995:queries/people/$f > /tmp/people-before/$f; done
    .venv/bin/python -m bench.people_rows_bench --store /work/b10/n10000/store \\
        --before /tmp/people-before --reps 40 --follow 40

Then `--follow N` pages from the first by their next `_start`, once each, printing each page's
CPU time and the people it holds: a page costs its rows and the whole of each person it
touches (a person's rows are sorted, so read whole), so pages inside a prolific signatory cost
all their rows. Prints the load average before and after (the machine is shared; CPU time of
this process is given beside wall time).
"""

import argparse
import os
import time
from pathlib import Path

from bench.query_bench import percentile
from jalinan.api.reading import read
from jalinan.graph import open_store
from jalinan.queries.catalogue import CannedQuery, Page, load_catalogue, load_pipeline


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def _short(term: object) -> str:
    return str(getattr(term, "value", term)).rsplit("/", 1)[-1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--before", type=Path, help="a folder holding a former page.rq and detail.rq")
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--follow", type=int, default=0, help="pages to follow from the first")
    parser.add_argument("--size", type=int, help="rows a page (default: the query's)")
    args = parser.parse_args(argv)
    rows_query = load_catalogue()["people"]
    assert rows_query.paging is not None
    size = args.size or rows_query.paging.size
    versions: dict[str, tuple[CannedQuery, Page]] = {"by rows": (rows_query, Page(size=size))}
    if args.before:
        before = load_pipeline(args.before)
        assert before.paging is not None
        versions["before"] = (before, Page(1, before.paging.size))
    print(f"load before: {_load()}", flush=True)
    with open_store(args.store, read_only=True) as store:
        wall: dict[str, list[float]] = {name: [] for name in versions}
        cpu: dict[str, list[float]] = {name: [] for name in versions}
        rows: dict[str, int] = {}
        for name, (query, page) in versions.items():  # warm-up
            rows[name] = len(read(store, query, {}, page).rows)
        for _ in range(args.reps):
            for name, (query, page) in versions.items():
                started, started_cpu = time.perf_counter(), time.process_time()
                read(store, query, {}, page)
                wall[name].append((time.perf_counter() - started) * 1000)
                cpu[name].append((time.process_time() - started_cpu) * 1000)
        for name in versions:
            print(
                f"first page, {name:8s} rows {rows[name]:5d}  wall p50 {percentile(wall[name], 50):7.1f} "
                f"p95 {percentile(wall[name], 95):7.1f} ms  cpu p50 {percentile(cpu[name], 50):7.1f} "
                f"p95 {percentile(cpu[name], 95):7.1f} ms",
                flush=True,
            )
        if args.follow:
            follow(store, rows_query, size, args.follow)
    print(f"load after: {_load()}")


def follow(store: object, query: CannedQuery, size: int, pages: int) -> None:
    """Each page from the first by its next `_start`: its CPU time, rows and people."""
    start: tuple[int, int] | None = None
    costs = []
    for number in range(1, pages + 1):
        started_cpu = time.process_time()
        reading = read(store, query, {}, Page(size=size, start=start))  # type: ignore[arg-type]
        spent = (time.process_time() - started_cpu) * 1000
        costs.append(spent)
        people = [_short(subject[0]) for subject in reading.subjects]
        shown = ", ".join(people[:4]) + (f" and {len(people) - 4} more" if len(people) > 4 else "")
        print(f"page {number:3d}: cpu {spent:8.1f} ms  rows {len(reading.rows):4d}  {shown}", flush=True)
        if reading.next_start is None:
            break
        position, skip = reading.next_start.split(":")
        start = (int(position), int(skip))
    print(
        f"{len(costs)} pages followed: cpu p50 {percentile(costs, 50):.1f} p95 {percentile(costs, 95):.1f} "
        f"max {max(costs):.1f} ms",
        flush=True,
    )


if __name__ == "__main__":
    main()
