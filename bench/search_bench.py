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
p50 and p95 in ms. The vocabulary's first read (once per data version) is timed apart.
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
from jalinan.graph import open_store
from jalinan.graph.pool import PooledStore
from jalinan.queries.catalogue import load_catalogue


def corpus_store(work: Path, articles: int) -> Path:
    """The store of a generated corpus of `articles` articles in `work` (built if missing)."""
    store = work / "store"
    if not (store / "CURRENT").exists():
        generate(work, articles)
        jalinan = Path(sys.executable).parent / "jalinan"
        command = [str(jalinan), "ingest", "--store", str(store), "--facts", str(work / "facts")]
        subprocess.run([*command, "--articles", str(work / "articles")], check=True)
    return store


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
    }


def timed(run, reps: int) -> tuple[float, float, object]:  # type: ignore[no-untyped-def]
    answer = run()  # warm-up
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        answer = run()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95, answer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--reps", type=int, default=20)
    args = parser.parse_args()
    work = args.work or Path("bench/out") / f"search-{args.articles}"
    # as `jalinan serve` reads it: the worker pool, whose data version keeps the vocabulary
    store = PooledStore(open_store(corpus_store(work, args.articles)), workers=2, reserved=1, timeout=60)
    try:
        return report(store, work, args)
    finally:
        store.close()


def report(store: PooledStore, work: Path, args: argparse.Namespace) -> int:
    query = load_catalogue()["search"]
    page = query.page_request()
    start = time.perf_counter()
    words = search_terms.vocabulary(store)
    first = (time.perf_counter() - start) * 1000
    print(
        f"{args.articles:,} articles; {len(words.words):,} distinct words, "
        f"read in {first:.0f} ms (once per data version)"
    )
    print("| query | text | results (first page) | page p50 | page p95 | facets p50 | facets p95 |")
    print("|---|---|---|---|---|---|---|")
    facets_text = FACETS_QUERY.read_text(encoding="utf-8")
    for name, text in typical_queries(work).items():
        values = {"q": text}
        p50, p95, answer = timed(lambda v=values: read(store, query, v, page), args.reps)

        def facets(v: dict[str, str | None] = values) -> object:
            return store.query(fill_parameters(store, facets_text, query, v)[0], trusted=True)

        f50, f95, _ = timed(facets, max(3, args.reps // 4))
        found = len(answer.subjects) if hasattr(answer, "subjects") else 0  # type: ignore[attr-defined]
        more = "+" if getattr(answer, "has_next", False) else ""
        print(
            f"| {name} | `{text}` | {found}{more} | {p50:.0f} ms | {p95:.0f} ms "
            f"| {f50:.0f} ms | {f95:.0f} ms |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
