"""Search at scale: `/search`'s reading (`reading.read` of `queries/search/`: page and detail,
the typed words' candidates from the cached vocabulary) and the facet counts, in-process on
the product's store layer (the worker pool `jalinan serve` uses), at N synthetic articles
(`bench/generate.py`).

    .venv/bin/python -m bench.search_bench --articles 10000 [--work bench/out/search-10000]

The corpus and its store are built once in `--work` (generate, then `jalinan ingest`) and
reused. Queries are what a reader types, taken from the corpus's own names: a ministry's
acronym, the same acronym with two letters swapped, a company's and a person's name, a
university's name cut to a prefix, two words of a ministry's name in another order, and one
common word ("ministry", matching thousands of names). Each: one warm-up, then `--reps` runs;
p50 and p95 in ms, wall clock and this process's CPU time. The vocabulary's first read (once per
data version) is timed apart.

Two stores: in process (`--in-process`, the default: the store opened here, each query run on
this thread, so the CPU time is the query's own: the figure to read on a shared machine, whose
other work stretches the wall clock) and through the worker pool `jalinan serve` uses
(`--pool`: the CPU is spent in the workers, so only the wall clock is shown).

`--compare DIR` (a folder holding an earlier `page.rq` and `detail.rq` of `queries/search/`,
e.g. from `git show`) times that pipeline and today's turn about, run by run, so that both
meet the same load on a shared machine; the facets are left out then. `--plain` reads the store
as opened, with no data version (as `bench.pipelines_bench` does); with `--compare`, the earlier
pipeline's words are then forgotten before each of its runs, since before the words were keyed
on the ingested version such a store read them for every search.
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

from bench.generate import generate
from jalinan.api import search_terms
from jalinan.api.explorer.search_page import FACETS_QUERY
from jalinan.api.reading import fill_parameters, read
from jalinan.graph import GraphStore, open_store
from jalinan.graph.pool import PooledStore
from jalinan.queries.catalogue import load_catalogue, load_pipeline


def corpus_store(work: Path, articles: int) -> Path:
    """The store of a generated corpus of `articles` articles in `work` (built if missing)."""
    store = work / "store"
    if not (store / "CURRENT").exists():
        generate(work, articles)
        jalinan = Path(sys.executable).parent / "jalinan"
        command = [str(jalinan), "ingest", "--store", str(store), "--facts", str(work / "facts")]
        subprocess.run([*command, "--articles", str(work / "articles")], check=True)
    return store


class Unchanging:
    """The bench's store in process, with the data version a served store has (the pool's), so
    the vocabulary is read once, as `jalinan serve` reads it (a plain handle has none: another
    process might write behind it; nothing writes the bench's store)."""

    version = "bench"

    def __init__(self, inner: GraphStore) -> None:
        self.inner = inner

    def query(self, sparql: str, **options: object) -> object:
        return self.inner.query(sparql, **options)  # type: ignore[arg-type]

    def close(self) -> None:
        self.inner.close()


def typical_queries(work: Path) -> dict[str, str]:
    """What a reader would type, from the corpus's shared entities."""
    entities = yaml.safe_load((work / "facts" / "entities.yaml").read_text(encoding="utf-8"))["entities"]
    ministry = next(e for e in entities if e["type"] == "Ministry" and e.get("acronyms"))
    acronym = ministry["acronyms"][0]
    company = next(e for e in entities if e["type"] == "Company")
    person = next(e for e in entities if e["type"] == "Person")
    university = next(e for e in entities if e["type"] == "University")
    words = ministry["label"].replace(",", "").split()
    return {
        "acronym": acronym,
        "acronym, two letters swapped": acronym[:1] + acronym[2] + acronym[1] + acronym[3:],
        "company name": company["label"],
        "person name": person["label"],
        "prefix of a name": university["label"][: max(4, len(university["label"]) * 2 // 3)],
        "two words, other order": f"{words[-1]} {words[0]}",
        "American spelling": "data center",
        "one common word": "ministry",
        "a country": "malaysia",
        "the other country": "china",
        "two common words": "data centre",
        "two words, one a ministry's": "science ministry",
        "one Chinese character": "部",
        "a curated acronym": "Mosti",
    }


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(run, reps: int) -> tuple[float, float, float, float, object]:  # type: ignore[no-untyped-def]
    """p50 and p95 of the wall clock, then of this process's CPU time (ms), and the answer."""
    answer = run()  # warm-up
    walls, cpus = [], []
    for _ in range(reps):
        start, cpu = time.perf_counter(), time.process_time()
        answer = run()
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), _p95(walls), statistics.median(cpus), _p95(cpus), answer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--pool", action="store_true", help="through the worker pool (wall clock only)")
    parser.add_argument("--compare", type=Path, default=None, help="an earlier search pipeline's folder")
    parser.add_argument(
        "--plain",
        action="store_true",
        help="the store as opened, with no data version (as bench.pipelines_bench reads it); with "
        "--compare, the earlier pipeline reads the words for every search, as it did on such a store",
    )
    args = parser.parse_args()
    work = args.work or Path("bench/out") / f"search-{args.articles}"
    opened = open_store(corpus_store(work, args.articles))
    store: GraphStore | Unchanging | PooledStore = Unchanging(opened)
    if args.pool:
        store = PooledStore(opened, workers=2, reserved=1, timeout=60)
    elif args.plain:
        store = opened
    try:
        return compare(store, work, args) if args.compare else report(store, work, args)
    finally:
        store.close()


def report(store: GraphStore | Unchanging, work: Path, args: argparse.Namespace) -> int:
    query = load_catalogue()["search"]
    page = query.page_request()
    start = time.perf_counter()
    words = search_terms.vocabulary(store)
    first = (time.perf_counter() - start) * 1000
    print(
        f"{args.articles:,} articles; {len(words.words):,} distinct words, "
        f"read in {first:.0f} ms (once per data version)"
    )
    where = "through the worker pool (CPU: in the workers, not shown)" if args.pool else "in process"
    print(f"{where}; times in ms, wall clock (CPU time of this process)")
    print("| query | text | results (first page) | page p50 | page p95 | facets p50 | facets p95 |")
    print("|---|---|---|---|---|---|---|")
    facets_text = FACETS_QUERY.read_text(encoding="utf-8")
    for name, text in typical_queries(work).items():
        values = {"q": text}
        p50, p95, c50, c95, answer = timed(lambda v=values: read(store, query, v, page), args.reps)

        def facets(v: dict[str, str | None] = values) -> object:
            return store.query(fill_parameters(store, facets_text, query, v)[0], trusted=True)

        f50, f95, fc50, fc95, _ = timed(facets, max(3, args.reps // 4))
        found = len(answer.subjects) if hasattr(answer, "subjects") else 0  # type: ignore[attr-defined]
        more = "+" if getattr(answer, "has_next", False) else ""
        cpu = not args.pool
        print(
            f"| {name} | `{text}` | {found}{more} | {_ms(p50, c50, cpu)} | {_ms(p95, c95, cpu)} "
            f"| {_ms(f50, fc50, cpu)} | {_ms(f95, fc95, cpu)} |"
        )
    return 0


def compare(store: GraphStore | Unchanging, work: Path, args: argparse.Namespace) -> int:
    """The earlier pipeline at `args.compare` and today's, turn about, in one run."""
    pipelines = {"before": load_pipeline(args.compare), "now": load_catalogue()["search"]}
    search_terms.vocabulary(store)  # type: ignore[arg-type]
    print(f"{args.articles:,} articles, in process; p50 / p95 ms, wall clock (CPU time of this process)")
    print("| query | text | before p50 | before p95 | now p50 | now p95 |")
    print("|---|---|---|---|---|---|")
    for name, text in typical_queries(work).items():
        samples: dict[str, tuple[list[float], list[float]]] = {key: ([], []) for key in pipelines}
        for run in range(args.reps + 1):
            for key, pipeline in pipelines.items():
                page = pipeline.page_request()
                if args.plain and key == "before":
                    search_terms.forget()  # (before, a store with no data version kept no words)
                start, cpu = time.perf_counter(), time.process_time()
                read(store, pipeline, {"q": text}, page)  # type: ignore[arg-type]
                if run:  # (the first, a warm-up)
                    samples[key][0].append((time.perf_counter() - start) * 1000)
                    samples[key][1].append((time.process_time() - cpu) * 1000)
        cells = [
            f"{_ms(statistics.median(w), statistics.median(c), True)} | {_ms(_p95(w), _p95(c), True)}"
            for w, c in samples.values()
        ]
        print(f"| {name} | `{text}` | {' | '.join(cells)} |")
    return 0


def _ms(wall: float, cpu: float, with_cpu: bool) -> str:
    return f"{wall:.1f} ({cpu:.1f})" if with_cpu else f"{wall:.0f}"


if __name__ == "__main__":
    sys.exit(main())
