"""`/sparql?inferred=false` against `inferred=true`, side by side on one store, in one run.

    .venv/bin/python -m bench.inferred_false_bench STORE [--runs 7] [--listed]

STORE is a store `jalinan ingest` wrote (for example the 10,000-article bench store); it is
opened read-only. For each query, interleaved run by run: the query over the union default
graph (what `inferred=true` runs), the query `api/without_inferences.py` narrows it to, run
over the union (what `inferred=false` runs now), and the time that narrowing takes (parsing
the text). `--listed` adds the old way, the default graph given as the list of every asserted
graph, only for the one-pattern queries (the two-pattern join took 56 s that way).
`--http COPY` copies STORE to COPY (once), serves it with `jalinan serve` (answer cache off)
and times `GET /sparql?query=…` with `inferred=true` and `inferred=false`, interleaved: the
narrowing, the worker and the serialisation all included.
Medians and p95 in ms, with the rows each side gave.
"""

import argparse
import shutil
import statistics
import time
from pathlib import Path

from pyoxigraph import NamedNode, Store

from bench.http_bench import uncached_client
from jalinan.api.without_inferences import asserted_only
from jalinan.graph.namespaces import INFERRED_GRAPH

PREFIXES = """PREFIX jl: <https://w3id.org/jalinan/ontology#>
PREFIX id: <https://w3id.org/jalinan/id/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
# (name, query, whether it is one pattern: cheap enough to time the old list as well)
QUERIES = [
    (
        "two-pattern join: labels of 100 MoUs",
        "SELECT ?x ?l WHERE { ?x a jl:MemorandumOfUnderstanding ; rdfs:label ?l } LIMIT 100",
        False,
    ),
    (
        "two-pattern join, all rows counted",
        "SELECT (COUNT(*) AS ?n) WHERE { ?x a jl:MemorandumOfUnderstanding ; rdfs:label ?l }",
        False,
    ),
    (
        "inverse join (only inferred)",
        "SELECT (COUNT(*) AS ?n) WHERE { ?o jl:isPartyTo ?a . ?a a jl:MemorandumOfUnderstanding }",
        False,
    ),
    (
        "two-pattern join, SELECT * (the NOT EXISTS form)",
        "SELECT * WHERE { ?x a jl:MemorandumOfUnderstanding ; rdfs:label ?l } LIMIT 100",
        False,
    ),
    ("optional", "SELECT ?x ?p WHERE { ?x a jl:Ministry OPTIONAL { ?x org:subOrganizationOf ?p } }", False),
    (
        "one party's agreements",
        "SELECT ?a WHERE { ?a jl:hasParty id:malaysian-digital-economy-authority }",
        True,
    ),
    ("count of ministries", "SELECT (COUNT(*) AS ?n) WHERE { ?x a jl:Ministry }", True),
]


def _timed(store: Store, query: str, **options: object) -> tuple[float, int]:
    started = time.perf_counter()
    rows = len(list(store.query(query, **options)))  # type: ignore[arg-type]
    return (time.perf_counter() - started) * 1000, rows


def _summary(samples: list[tuple[float, int]]) -> str:
    times = sorted(ms for ms, _ in samples)
    p95 = times[int(0.95 * (len(times) - 1))]
    return f"{statistics.median(times):.1f} / {p95:.1f} ({samples[0][1]} rows)"


def over_http(store: Path, copy: Path, runs: int) -> None:
    if not copy.exists():
        shutil.copytree(store, copy)
    with uncached_client(copy, timeout=600) as client:
        print("\nOver HTTP (`jalinan serve`, cache off)")
        print("| query | inferred=true ms (median / p95) | inferred=false ms |")
        print("|---|---:|---:|")
        for name, body, _ in QUERIES:
            samples: dict[str, list[tuple[float, int]]] = {"true": [], "false": []}
            for index in range(runs + 1):
                for inferred, kept in samples.items():
                    started = time.perf_counter()
                    answer = client.get("/sparql", params={"query": PREFIXES + body, "inferred": inferred})
                    elapsed = (time.perf_counter() - started) * 1000
                    if answer.status_code != 200 or answer.headers.get("x-jalinan-cache") == "hit":
                        raise SystemExit(f"{name}: HTTP {answer.status_code} {answer.text[:300]}")
                    if index:  # the first warms the workers up
                        kept.append((elapsed, len(answer.json()["results"]["bindings"])))
            print(f"| {name} | {_summary(samples['true'])} | {_summary(samples['false'])} |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--listed", action="store_true", help="also time the list of asserted graphs")
    parser.add_argument("--http", type=Path, metavar="COPY", help="also over HTTP, serving a copy made here")
    args = parser.parse_args(argv)
    store = Store.read_only(str(args.store))
    asserted = [g for g in store.named_graphs() if isinstance(g, NamedNode) and g.value != INFERRED_GRAPH]
    print(f"{args.store}: {len(store)} quads, {len(asserted) + 1} named graphs; {args.runs} runs each")
    print("| query | inferred=true ms (median / p95) | inferred=false ms | narrowing ms | listed graphs ms |")
    print("|---|---:|---:|---:|---:|")
    for name, body, one_pattern in QUERIES:
        query = PREFIXES + body
        union, narrowed, parsing, listed = [], [], [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            plan = asserted_only(query, INFERRED_GRAPH)
            parsing.append(((time.perf_counter() - started) * 1000, 0))
            assert plan is not None and plan.default_graphs is None, name
            union.append(_timed(store, query, use_default_graph_as_union=True))
            narrowed.append(_timed(store, plan.query, use_default_graph_as_union=True))
            if args.listed and one_pattern:
                listed.append(_timed(store, query, default_graph=asserted))
        cells = [_summary(union), _summary(narrowed), f"{statistics.median(m for m, _ in parsing):.1f}"]
        cells.append(_summary(listed) if listed else "not run")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)
    del store
    if args.http:
        over_http(args.store, args.http, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
