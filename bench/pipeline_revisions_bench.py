"""A list pipeline's first page, this checkout's query files against another revision's, interleaved.

    python -m bench.pipeline_revisions_bench --store bench/out/n10000/store --baseline 2acf6cc \
        --case agreements '{"sort": "a-z"}' --case timeline '{}' --reps 20

For each case, runs `api.reading.read` (the name look-up, the page and the detail query) with the
pipeline's `page.rq` and `detail.rq` as this checkout has them and as `--baseline` (a git revision)
had them, alternately on the same store, and prints each step's CPU time (p50 and p95, this
process's: the query runs in its thread) side by side, and whether both gave the same rows in
the same order. CPU rather than wall time, since the machine is shared.
"""

import argparse
import json
import statistics
import subprocess
import tempfile
from pathlib import Path

from bench.pipeline_steps_bench import TimedStore
from jalinan.api.reading import read
from jalinan.graph import open_store
from jalinan.queries.catalogue import CannedQuery, Page, load_catalogue, load_pipeline

ROOT = Path(__file__).resolve().parents[1]


def _baseline(query: CannedQuery, revision: str, scratch: Path) -> CannedQuery:
    """The pipeline as `revision` had it, header included (its paging may differ: a page query
    read by blocks there or here): its folder taken out of git into `scratch` and loaded."""
    folder = query.path if query.path.is_dir() else query.path.parent
    relative = folder.resolve().relative_to(ROOT)
    archive = subprocess.run(
        ["git", "archive", revision, str(relative)], cwd=ROOT, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(scratch)], input=archive.stdout, check=True)
    return load_pipeline(scratch / relative)


def _p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * (len(values) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--baseline", required=True, help="a git revision")
    parser.add_argument("--case", nargs=2, action="append", metavar=("QUERY", "JSON"), required=True)
    parser.add_argument("--reps", type=int, default=20)
    args = parser.parse_args()
    catalogue = load_catalogue()
    with open_store(args.store, read_only=True) as opened, tempfile.TemporaryDirectory() as scratch:
        store = TimedStore(opened)  # each query's CPU, as pipeline_steps_bench times them
        for name, raw in args.case:
            params = json.loads(raw)
            sides = {
                "baseline": _baseline(catalogue[name], args.baseline, Path(scratch)),
                "this checkout": catalogue[name],
            }
            size = catalogue[name].paging.size  # type: ignore[union-attr]
            rows = {side: read(opened, query, params, Page(1, size)).rows for side, query in sides.items()}
            runs: dict[str, list[list[float]]] = {side: [] for side in sides}
            for _ in range(args.reps):
                for side, query in sides.items():
                    store.steps = []
                    read(store, query, params, Page(1, size))  # type: ignore[arg-type]
                    runs[side].append([ms for _step, ms, _rows in store.steps])
            print(f"{name} {raw}  (same rows in the same order: {rows['baseline'] == rows['this checkout']})")
            for side, its in runs.items():
                page = [run[-2] for run in its]  # the page query (the detail is last)
                total = [sum(run) for run in its]
                print(
                    f"  {side:14} page query p50 {statistics.median(page):5.1f} p95 {_p95(page):5.1f} ms; "
                    f"whole read p50 {statistics.median(total):5.1f} p95 {_p95(total):5.1f} ms CPU"
                )


if __name__ == "__main__":
    main()
