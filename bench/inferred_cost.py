"""What the inferred graph costs queries, side by side on the same articles.

    .venv/bin/python -m bench.inferred_cost STORE

STORE is a store `jalinan ingest` wrote (for example `bench/out/n10000/store`). A copy of it,
with the inferred graph dropped, is made beside it; then, interleaved in one process:

- every canned query as it is now on STORE (A), and as it was before the inferred graph (the
  lines naming that graph taken out) on the copy (B);
- three plain queries over the union, with `inferred=false`'s dataset (every asserted graph as
  the default graph) and with the graphs named (`GRAPH ?g { … } FILTER (?g != inferred)`).
"""

import argparse
import shutil
import statistics
import time
from pathlib import Path

from pyoxigraph import NamedNode, Store

from jalinan.graph.namespaces import INFERRED_GRAPH
from jalinan.queries.catalogue import load_catalogue

CANNED = {
    "agreements": {},
    "agreements-between": {},
    "agreements-by-party": {"party": "MDEA"},
    "agreements-by-status": {"status": "signed"},
    "agreements-by-topic": {"topic": "digital-economy"},
    "agreements-by-visit": {"visit": "visit-00010"},
    "organisations": {"country": "China", "kind": "GovernmentBody"},
    "people": {},
    "search": {"q": "ministry"},
    "visits": {"country": "Malaysia"},
    "entity": {"id": "malaysian-digital-economy-authority"},
    "describe": {"id": "malaysian-digital-economy-authority"},
    "companies": {"sector": "data-centres"},
    "concepts": {},
    "evidence": {"id": "memorandumof-04994-1"},
    "stats-by-article": {},
    "stats-by-class": {},
}
JL = "https://w3id.org/jalinan/ontology#"
MDEA = "<https://w3id.org/jalinan/id/malaysian-digital-economy-authority>"
INF = f"<{INFERRED_GRAPH}>"
PLAIN = {
    "one party's agreements": (
        f"SELECT ?a WHERE {{ ?a <{JL}hasParty> {MDEA} }}",
        f"SELECT ?a WHERE {{ GRAPH ?g {{ ?a <{JL}hasParty> {MDEA} }} FILTER (?g != {INF}) }}",
    ),
    "count of ministries": (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x a <{JL}Ministry> }}",
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?x a <{JL}Ministry> }} FILTER (?g != {INF}) }}",
    ),
    "labels of 100 MoUs": (
        f"SELECT ?x ?l WHERE {{ ?x a <{JL}MemorandumOfUnderstanding> ; "
        f"<http://www.w3.org/2000/01/rdf-schema#label> ?l }} LIMIT 100",
        f"SELECT ?x ?l WHERE {{ GRAPH ?g1 {{ ?x a <{JL}MemorandumOfUnderstanding> }} "
        f"FILTER (?g1 != {INF}) "
        f"GRAPH ?g2 {{ ?x <http://www.w3.org/2000/01/rdf-schema#label> ?l }} "
        f"FILTER (?g2 != {INF}) }} LIMIT 100",
    ),
}


def _p95(samples: list[float]) -> float:
    return sorted(samples)[int(0.95 * (len(samples) - 1))]


def _timed(store: Store, query: str, **options: object) -> tuple[float, int]:
    started = time.perf_counter()
    rows = len(list(store.query(query, **options)))  # type: ignore[arg-type]
    return time.perf_counter() - started, rows


def without_inferred(store_path: Path) -> Path:
    """A copy of the store with the inferred graph dropped (made once, beside it)."""
    copy = store_path.with_name(store_path.name + "-without-inferred")
    if not copy.exists():
        shutil.copytree(store_path, copy)
        store = Store(str(copy))
        store.remove_graph(NamedNode(INFERRED_GRAPH))
        store.flush()
        del store
    return copy


def canned_side_by_side(with_inferred: Store, without: Store, runs: int) -> None:
    catalogue = load_catalogue()
    print("| query | rows A / B | A p50 / p95 ms | B p50 / p95 ms | A÷B p50 |")
    print("|---|---|---:|---:|---:|")
    for name, params in CANNED.items():
        now = catalogue[name].bind_parameters(params)
        lines = now.splitlines()
        before = "\n".join(line for line in lines if "graph/inferred" not in line or "NOT IN" in line)
        before = before.replace(f", {INF})", ")")
        a: list[float] = []
        b: list[float] = []
        for _ in range(runs):
            seconds, rows_b = _timed(without, before, use_default_graph_as_union=True)
            b.append(seconds)
            seconds, rows_a = _timed(with_inferred, now, use_default_graph_as_union=True)
            a.append(seconds)
        ma, mb = statistics.median(a), statistics.median(b)
        print(
            f"| {name} | {rows_a} / {rows_b} | {ma * 1000:.1f} / {_p95(a) * 1000:.1f} "
            f"| {mb * 1000:.1f} / {_p95(b) * 1000:.1f} | {ma / mb:.2f} |",
            flush=True,
        )


def leaving_inferences_out(store: Store, runs: int) -> None:
    asserted = [g for g in store.named_graphs() if isinstance(g, NamedNode) and g.value != INFERRED_GRAPH]
    print(f"\n{len(asserted)} asserted graphs")
    print("| query | rows | union ms | inferred=false ms | GRAPH ?g … FILTER ms |")
    print("|---|---:|---:|---:|---:|")
    for name, (union_query, named_query) in PLAIN.items():
        union = [_timed(store, union_query, use_default_graph_as_union=True) for _ in range(runs)]
        listed = [_timed(store, union_query, default_graph=asserted) for _ in range(runs)]
        named = [_timed(store, named_query) for _ in range(runs)]
        medians = [statistics.median(s for s, _ in samples) * 1000 for samples in (union, listed, named)]
        cells = " | ".join(f"{m:.1f}" for m in medians)
        print(f"| {name} | {union[0][1]} | {cells} |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args(argv)
    copy = without_inferred(args.store)
    with_inferred, without = Store.read_only(str(args.store)), Store.read_only(str(copy))
    canned_side_by_side(with_inferred, without, args.runs)
    leaving_inferences_out(with_inferred, max(3, args.runs // 4))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
