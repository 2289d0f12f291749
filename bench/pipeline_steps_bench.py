"""Where a list's first page goes: each SPARQL query `api.reading.read` runs, timed on its own.

`pipelines_bench` says which first pages miss the target; this says which of their steps (the
name look-up, the page query or its parts and windows, the detail query) costs what, so a change
aims at the step that matters. The store is wrapped so that every query the runner sends is
timed (wall and this process's CPU: the query runs in this thread) while its rows are read, as
`read` reads them; the Python around the queries (filling blocks, ordering rows) is the rest.

    .venv/bin/python -m bench.pipeline_steps_bench --store /work/b13/n10000/store \\
        --samples /work/b13/n10000/samples.json --only entity-page timeline --reps 20

Prints, per query, the whole page's p50 (wall and CPU), then each step's CPU p50 and rows, the
step named by its first words (its `# title:` line, or its `SELECT`).
"""

import argparse
import json
import time
from collections.abc import Sequence
from typing import Any

from bench.query_bench import add_first_page_arguments, load_samples, parameters_for, percentile, timed_runs
from jalinan.api.reading import read
from jalinan.graph import GraphStore, open_store
from jalinan.graph.results import QueryResult, SelectResult
from jalinan.queries.catalogue import CannedQuery, Page, load_catalogue


class TimedStore:
    """A store whose `query` records each text's CPU and rows; all else is the wrapped store's."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self.steps: list[tuple[str, float, int]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def query(self, sparql: str, **options: Any) -> QueryResult:
        started = time.process_time()
        result = self._store.query(sparql, **options)
        rows = len(result.rows) if isinstance(result, SelectResult) else -1
        self.steps.append((_step_name(sparql), (time.process_time() - started) * 1000, rows))
        return result


def _step_name(sparql: str) -> str:
    for line in sparql.splitlines():
        if line.startswith("# title:"):
            return line[len("# title:") :].strip()[:48]
    select = next((line for line in sparql.splitlines() if line.startswith("SELECT")), "?")
    return select[:48]


def _first_pages(
    timed: TimedStore, query: CannedQuery, params: dict[str, str], reps: int
) -> tuple[list[float], list[float], dict[tuple[int, str, int], list[float]]]:
    """`reps` first pages after a warm-up: wall and CPU ms of each, and each step's CPU ms
    (keyed by its place in the read, its name and its rows)."""
    page = Page(1, query.paging.size)  # type: ignore[union-attr]
    read(timed, query, params, page)  # type: ignore[arg-type]  # warm-up
    per_step: dict[tuple[int, str, int], list[float]] = {}

    def run() -> None:
        timed.steps = []
        read(timed, query, params, page)  # type: ignore[arg-type]
        for index, (step, ms, rows) in enumerate(timed.steps):
            per_step.setdefault((index, step, rows), []).append(ms)

    wall, cpu = timed_runs(run, reps)
    return wall, cpu, per_step


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_first_page_arguments(parser, reps=20, only="every list pipeline")
    parser.add_argument("--params", help="JSON parameters instead of the corpus's (with one --only)")
    args = parser.parse_args(argv)
    samples = load_samples(args.samples)
    catalogue = load_catalogue()
    with open_store(args.store, read_only=True) as store:
        for name, query in catalogue.items():
            if not query.is_pipeline or (args.only and name not in args.only):
                continue
            assert query.paging is not None
            params = json.loads(args.params) if args.params else parameters_for(query, samples)
            wall, cpu, per_step = _first_pages(TimedStore(store), query, params, args.reps)
            steps = sum(percentile(values, 50) for values in per_step.values())
            print(
                f"{name}  {params}  wall p50 {percentile(wall, 50):.1f} ms  "
                f"cpu p50 {percentile(cpu, 50):.1f} ms  (steps {steps:.1f})",
                flush=True,
            )
            for (index, step, rows), values in sorted(per_step.items()):
                print(f"  {index:2d} {step:50s} rows {rows:5d}  cpu p50 {percentile(values, 50):6.2f} ms")


if __name__ == "__main__":
    main()
