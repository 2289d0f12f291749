"""What "involving" and the inferred graph cost the list pipelines, side by side on one store.

    .venv/bin/python -m bench.involving_bench STORE [--runs 15] [--parties-only | --detail]

STORE is a store `jalinan ingest` wrote (for example `bench/out/n10000/store`); a copy without
the inferred graph is made beside it once (`bench.inferred_cost.without_inferred`). Interleaved
in one process, each through `api.reading.read` (look-up, page, detail), first page, 25 rows:

- `agreements-by-party` as it was (party only, at `BEFORE`) and as it is (involving), for the
  busiest agency, a national government, a country, and `direct=true`;
- the `agreements` and `organisations` pipelines on STORE, on the copy, and with their class read
  from the typing quote instead of `?x a ?type` (which meets every inferred superclass too).

`--parties-only` leaves the other lists out (and makes no copy); `--detail` times the detail
query alone, as first merged and as it is. Each figure with its CPU time beside it.
"""

import argparse
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bench.inferred_cost import without_inferred
from jalinan.api.reading import _steps, read
from jalinan.graph import GraphStore, open_store
from jalinan.queries.catalogue import CannedQuery, Page, load_catalogue

BEFORE = "06fa99f"  # agreements-by-party before "involving"
FIRST_PASS = "e56dcbb"  # "involving" as first merged (the detail query 0.5-1.4 s at 10,000 articles)
PARTIES = [
    {"party": "MDEA"},
    {"party": "MDEA", "direct": "true"},
    {"party": "government-of-malaysia"},
    {"party": "Malaysia"},
    {"party": "Malaysia", "direct": "true"},
]
# the class from the quote that gives it (one row per agreement), not from `?agreement a ?type`
AGREEMENT_CLASS_NOW = "  ?agreement a ?type .\n"
ORGANISATION_CLASS_NOW = "  ?organisation a ?type .\n  ?type rdfs:subClassOf* jl:Organization .\n"
ORGANISATION_CLASS_FROM_QUOTE = (
    "  ?typing jl:claimSubject ?organisation ; jl:claimPredicate rdf:type ; jl:claimObject ?type .\n"
    "  ?type rdfs:subClassOf* jl:Organization .\n"
)


def _at(commit: str, name: str) -> str:
    """`queries/agreements-by-party/{name}` as it was at `commit`."""
    return subprocess.run(
        ["git", "show", f"{commit}:queries/agreements-by-party/{name}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _old_party_pipeline(query: CannedQuery) -> CannedQuery:
    return replace(
        query, text=_at(BEFORE, "page.rq"), detail=_at(BEFORE, "detail.rq"), parameters=query.parameters[:1]
    )


def _detail_texts(store: GraphStore, query: CannedQuery, values: dict[str, str], page: Page) -> str:
    """The detail query the runner sends for the first page (look-up and page query run first)."""
    steps = _steps(query, values, page, store.version)
    text = next(steps)
    text = steps.send(store.query(text))  # type: ignore[arg-type]
    return steps.send(store.query(text))  # type: ignore[arg-type]


def detail_only(store_path: Path, runs: int) -> None:
    """The detail query alone, filled for the first page of 25, as it was at `FIRST_PASS` and as
    it is, interleaved: the part of the pipeline the first pass left at 0.5-1.4 s."""
    query = load_catalogue()["agreements-by-party"]
    forms = {f"detail.rq at {FIRST_PASS}": replace(query, detail=_at(FIRST_PASS, "detail.rq")), "now": query}
    page = Page(1, 25)
    print("| parameters | detail.rq | rows | p50 / p95 ms | p50 CPU ms |")
    print("|---|---|---:|---:|---:|")
    with open_store(store_path, read_only=True) as store:
        for values in PARTIES:
            texts = {name: _detail_texts(store, form, values, page) for name, form in forms.items()}
            cases = [(lambda text=text: store.query(text)) for text in texts.values()]  # type: ignore[misc]
            shown = ", ".join(f"{k}={v}" for k, v in values.items())
            for name, (p50, p95, cpu, rows) in zip(texts, _interleaved(cases, runs), strict=True):
                print(f"| {shown} | {name} | {rows} | {p50:.1f} / {p95:.1f} | {cpu:.1f} |", flush=True)


def _interleaved(cases: list[Callable[[], object]], runs: int) -> list[tuple[float, float, float, int]]:
    """Each case once per round, `runs` rounds (the shared machine's load drifts), then
    (p50 ms, p95 ms, p50 CPU ms, rows) per case. CPU time is the process's (the store's threads
    included): on a shared machine it says what the query costs, where wall time says how busy
    the machine was."""
    samples: list[list[float]] = [[] for _ in cases]
    cpu: list[list[float]] = [[] for _ in cases]
    rows = [0] * len(cases)
    for _ in range(runs):
        for index, run in enumerate(cases):
            started, started_cpu = time.perf_counter(), time.process_time()
            reading = run()
            samples[index].append(time.perf_counter() - started)
            cpu[index].append(time.process_time() - started_cpu)
            rows[index] = len(reading.rows)  # type: ignore[attr-defined]
    out = []
    for index, taken in enumerate(samples):
        taken.sort()
        p95 = taken[int(0.95 * (len(taken) - 1))] * 1000
        out.append((statistics.median(taken) * 1000, p95, statistics.median(cpu[index]) * 1000, rows[index]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--parties-only", action="store_true", help="agreements-by-party only")
    parser.add_argument("--detail", action="store_true", help="the detail query alone, then and now")
    args = parser.parse_args(argv)
    if args.detail:
        detail_only(args.store, args.runs)
        return 0
    copy = args.store if args.parties_only else without_inferred(args.store)  # (the copy only for the lists)
    catalogue = load_catalogue()
    party_now = catalogue["agreements-by-party"]
    party_before = _old_party_pipeline(party_now)
    agreements = catalogue["agreements"]
    assert agreements.detail is not None and AGREEMENT_CLASS_NOW in agreements.detail
    agreements_fixed = replace(agreements, detail=agreements.detail.replace(AGREEMENT_CLASS_NOW, ""))
    organisations = catalogue["organisations"]
    organisations_fixed = replace(
        organisations, text=organisations.text.replace(ORGANISATION_CLASS_NOW, ORGANISATION_CLASS_FROM_QUOTE)
    )
    page = Page(1, 25)
    with open_store(args.store, read_only=True) as store, open_store(copy, read_only=True) as bare:
        print("| pipeline | parameters | rows | p50 / p95 ms | p50 CPU ms |")
        print("|---|---|---:|---:|---:|")
        cases: list[tuple[str, object, CannedQuery, dict[str, str]]] = []
        for values in PARTIES:
            if "direct" not in values:
                cases.append(("agreements-by-party, party only (before)", store, party_before, values))
            cases.append(("agreements-by-party, involving (now)", store, party_now, values))
        chinese_bodies = {"country": "China", "kind": "GovernmentBody"}
        others = (
            ("agreements", agreements, agreements_fixed, {}),
            ("organisations", organisations, organisations_fixed, chinese_bodies),
        )
        for name, query, fixed, values in () if args.parties_only else others:
            cases.append((f"{name}, as written, without the inferred graph", bare, query, values))
            cases.append((f"{name}, as written, with the inferred graph", store, query, values))
            cases.append((f"{name}, class from the typing quote, with inferences", store, fixed, values))
        runs = [
            (lambda target=target, query=query, values=values: read(target, query, values, page))  # type: ignore[misc]
            for _, target, query, values in cases
        ]
        for (label, _, _, values), (p50, p95, cpu, rows) in zip(
            cases, _interleaved(runs, args.runs), strict=True
        ):
            shown = ", ".join(f"{k}={v}" for k, v in values.items()) or "–"
            print(f"| {label} | {shown} | {rows} | {p50:.1f} / {p95:.1f} | {cpu:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
