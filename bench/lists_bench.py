"""The explorer's lists at scale: one page and its facet counts, as the list pages read them.

For each list (`agreements`, `organisations`, `visits` when it is a pipeline) and a few filter
combinations a reader clicks, times the page (`reading.read`, 25 subjects) and the facet counts
(`reading.facet_counts`, `queries/facets/<name>.rq`) on an existing store, in-process, one
warm-up then `--reps` runs; prints the median and worst of each, side by side.

    .venv/bin/python -m bench.lists_bench --store bench/out/n10000/store   # a store `python -m bench` built
    .venv/bin/python -m bench.lists_bench --articles 1000                   # generate and ingest first
    .venv/bin/python -m bench.lists_bench --store … --baseline main         # and main's facet queries beside

Figures go to stdout (and `--json`); the section in bench/RESULTS.md is written by hand from
a run, with its date and the load on the machine.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from jalinan.api.reading import facet_counts, read
from jalinan.graph import open_store
from jalinan.queries.catalogue import Page, load_catalogue

FACETS = Path(__file__).resolve().parents[1] / "queries" / "facets"
CASES = {
    "agreements": [
        {},
        {"topic": "digital-economy"},
        {"year": "2024"},
        {"topic": "digital-economy", "year": "2024"},
        {"status": "signed"},
        {"side": "china"},
        {"kind": "MemorandumOfUnderstanding", "side": "china"},
        # the orders a reader may choose (the facet counts do not depend on them: timed once more)
        {"sort": "oldest"},
        {"sort": "a-z"},
        {"status": "signed", "sort": "a-z"},
        {"topic": "digital-economy", "year": "2024", "sort": "oldest"},
    ],
    "organisations": [{}, {"kind": "Company"}, {"sector": "data-centres"}],
    "visits": [{}, {"year": "2024"}],
}


def _time(run: object, reps: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each run after a warm-up (CPU: this process's, which the
    query's thread is; on a shared machine the wall time measures the neighbours too)."""
    run()  # type: ignore[operator]
    walls, cpus = [], []
    for _ in range(reps):
        start, cpu = time.perf_counter(), time.process_time()
        run()  # type: ignore[operator]
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return walls, cpus


def baseline_facets(revision: str, name: str, work: Path) -> Path | None:
    """The facet query of list `name` as git `revision` has it, in `work` (None: it has none),
    so that a run times it beside the worktree's on the same store and the same load."""
    shown = subprocess.run(
        ["git", "show", f"{revision}:queries/facets/{name}.rq"], capture_output=True, text=True, check=False
    )
    if shown.returncode != 0:
        return None
    text = shown.stdout
    query = load_catalogue().get(name)
    for parameter in query.parameters if query is not None else []:
        block = f"VALUES ?{parameter.variables[0]} {{"
        if len(parameter.variables) == 1 and block not in text:  # a parameter it did not have yet
            text = text.replace(" WHERE {", f" WHERE {{\n  VALUES ?{parameter.variables[0]} {{ UNDEF }}", 1)
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"{name}-{revision.replace('/', '-')}.rq"
    path.write_text(text, encoding="utf-8")
    return path


def measure(
    store_path: Path, reps: int, lists: list[str] | None = None, baseline: str | None = None
) -> list[dict[str, object]]:
    catalogue = load_catalogue()
    results = []
    with open_store(store_path, read_only=True) as store:
        for name, cases in CASES.items():
            if lists and name not in lists:
                continue
            query = catalogue.get(name)
            if query is None or not query.is_pipeline:
                print(f"{name}: not a pipeline here, skipped", file=sys.stderr)
                continue
            known = {p.name for p in query.parameters}
            for values in cases:
                if not set(values) <= known:
                    continue
                page, page_cpu = _time(lambda q=query, v=values: read(store, q, v, Page(1, 25)), reps)
                facets_path = FACETS / f"{name}.rq"
                facets, facets_cpu = (
                    _time(lambda q=query, v=values, f=facets_path: facet_counts(store, q, f, v), reps)
                    if facets_path.exists()
                    else ([], [])
                )
                before = baseline_facets(baseline, name, Path("bench/out/lists")) if baseline else None
                if before is not None and "sort" not in values:  # (counts do not depend on the order)
                    then, then_cpu = _time(
                        lambda q=query, v=values, f=before: facet_counts(store, q, f, v), reps
                    )
                else:
                    then, then_cpu = [], []
                row = {
                    "list": name,
                    "filters": values,
                    "page_ms_median": statistics.median(page),
                    "page_ms_max": max(page),
                    "facets_ms_median": statistics.median(facets) if facets else None,
                    "facets_ms_max": max(facets) if facets else None,
                    "page_cpu_ms_median": statistics.median(page_cpu),
                    "facets_cpu_ms_median": statistics.median(facets_cpu) if facets_cpu else None,
                    "baseline": baseline if then else None,
                    "baseline_facets_ms_median": statistics.median(then) if then else None,
                    "baseline_facets_cpu_ms_median": statistics.median(then_cpu) if then_cpu else None,
                }
                results.append(row)
                print(
                    f"{name:14} {json.dumps(values):55} page {row['page_ms_median']:8.1f} ms "
                    f"(max {row['page_ms_max']:8.1f}, CPU {row['page_cpu_ms_median']:7.1f})  facets "
                    + (
                        f"{row['facets_ms_median']:8.1f} ms (max {row['facets_ms_max']:8.1f}, "
                        f"CPU {row['facets_cpu_ms_median']:7.1f})"
                        if facets
                        else "-"
                    )
                    + (
                        f"  | {baseline} facets {row['baseline_facets_ms_median']:8.1f} ms "
                        f"(CPU {row['baseline_facets_cpu_ms_median']:7.1f})"
                        if then
                        else ""
                    ),
                    flush=True,
                )
    return results


def build(articles: int, work: Path) -> Path:
    from bench.generate import generate

    generate(work, articles, 1)
    store = work / "store"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "jalinan"),
            "ingest",
            "--facts",
            str(work / "facts"),
            "--articles",
            str(work / "articles"),
            "--store",
            str(store),
        ],
        check=True,
    )
    return store


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", type=Path, help="an ingested store (else --articles builds one)")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=Path("bench/out/lists"))
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--lists", help="only these lists, comma-separated (agreements,visits,…)")
    parser.add_argument(
        "--baseline", help="also time the facet queries as this git revision has them (`main`), side by side"
    )
    args = parser.parse_args()
    store = args.store or build(args.articles, args.work / f"n{args.articles}")
    print(f"store {store}; load average {os.getloadavg()[0]:.1f}", flush=True)
    results = measure(store, args.reps, args.lists.split(",") if args.lists else None, args.baseline)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
