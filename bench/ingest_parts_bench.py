"""CPU of the parts of a full ingest that read the packed corpus, in one process, on one corpus.

A whole `jalinan ingest` at 10,000 articles shares two cores with its own workers and its
background load, so its phases cannot be timed apart from the outside; and on a shared machine
its wall time says little. This bench builds the corpus once (`build_corpus`, without the
check), then times, in CPU seconds of this process, each part that reads it: packing the
article graphs again, each derivation's selection of the lines it reads (the counts, the lists'
order, the member and agreement lists, the network summary, the shape check), the distinct
count, the loader's N-Quads text, building one checker's rdflib data graph and ranking the
lists. Run it under two trees (`PYTHONPATH` naming another checkout's package first) to compare
them side by side, alternating:

    python -m bench.ingest_parts_bench --facts F --articles A [--reps 2]
"""

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode

from jalinan.graph.namespaces import ARTICLE
from jalinan.graph.packed import PackedGraph
from jalinan.ingest import agreement_lists, list_members, list_order, network_summary, shape_check, statistics
from jalinan.ingest.pipeline import build_corpus
from jalinan.ingest.vocabulary import ontology_source


def _cpu(work: Callable[[], Any]) -> float:
    start = time.process_time()
    work()
    return time.process_time() - start


def parts(graphs: dict[str, Any]) -> dict[str, float]:
    """CPU seconds of each part, on `graphs` (a built corpus's graphs, packed)."""
    articles = {name: g for name, g in graphs.items() if name.startswith(ARTICLE)}
    plain = {name: list(g) for name, g in articles.items()}
    read_by_shapes = shape_check.predicates_read_by_shapes(shape_check._shapes())
    selections = {
        "select: counts": statistics.TYPE_ONLY,
        "select: lists' order": list_order._POSITION_READS,
        "select: member + agreement lists": list_members.READS | agreement_lists.READS,
        "select: network summary": frozenset(map(NamedNode, network_summary.PREDICATES)),
        "select: shapes": frozenset(map(NamedNode, read_by_shapes)),
    }
    out = {"pack the article graphs": _cpu(lambda: [PackedGraph(t) for t in plain.values()])}
    packed = {name: PackedGraph(t) for name, t in plain.items()}
    for label, predicates in selections.items():
        out[label] = _cpu(lambda p=predicates: [g.select(p) for g in packed.values()])
    out["distinct counts"] = _cpu(lambda: [g.distinct_count() for g in packed.values()])
    out["loader's N-Quads text"] = _cpu(lambda: [g.nquads(NamedNode(n)) for n, g in packed.items()])
    shape_check._evaluated_shapes()
    shape_check.ontology_graph(ontology_source())
    out["a checker's data graph"] = _cpu(
        lambda: shape_check.data_graph(packed, ontology_source(), read_by_shapes)
    )
    out["rank the lists"] = _cpu(lambda: list_order.positions_from_graphs(graphs))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--facts", type=Path, required=True)
    parser.add_argument("--articles", type=Path, required=True)
    parser.add_argument("--reps", type=int, default=2, help="runs of each part (the least is kept)")
    args = parser.parse_args()
    graphs = build_corpus(args.facts, args.articles, check_shapes=False).graphs
    runs = [parts(graphs) for _ in range(args.reps)]
    best = {label: min(run[label] for run in runs) for label in runs[0]}
    print(json.dumps({label: round(seconds, 3) for label, seconds in best.items()}, indent=1))


if __name__ == "__main__":
    main()
