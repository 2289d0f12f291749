"""Three reasoners on the same triples: Jalinan's rules (`ingest/entailments.py`), `reasonable`
(Rust, OWL 2 RL) and `owlrl` (Python, OWL 2 RL), on the curated facts and synthetic corpora.

    .venv/bin/python -m bench.reasoning_bench --sizes 0,1000,10000 --owlrl-max 100

Size 0 is the curated facts. Each reasoner runs in its own process with a time limit, so that
one that does not finish is reported as such and its memory is given back. The figures chose
the reasoner (see bench/RESULTS.md, "Reasoning"): the rules give what users expect (hierarchies,
inverses, transitive chains) and nothing else; the OWL 2 RL reasoners derive more (domain and
range types, `owl:sameAs` of every node with itself, schema closure), which is counted here.
"""

import argparse
import multiprocessing
import queue
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from pyoxigraph import RdfFormat, serialize

from bench.generate import generate
from jalinan.graph.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from jalinan.ingest.entailments import rules_from_ontology
from jalinan.ingest.pipeline import build_corpus


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ours(ntriples: Path, facts: Path | None) -> dict[str, Any]:
    corpus = build_corpus(facts, check_shapes=False)
    graphs = [t for name, t in corpus.graphs.items() if name != INFERRED_GRAPH]
    started = time.perf_counter()
    rules = rules_from_ontology(corpus.graphs[ONTOLOGY_GRAPH])
    inferred = rules.materialise(graphs)
    return {"seconds": time.perf_counter() - started, "new triples": len(inferred), "peak MiB": _peak_mib()}


def _reasonable(ntriples: Path, facts: Path | None) -> dict[str, Any]:
    import reasonable

    started = time.perf_counter()
    reasoner = reasonable.PyReasoner()
    reasoner.load_file(str(ntriples))
    loaded = len(reasoner.get_base_triples())
    closure = reasoner.reason()
    return {
        "seconds": time.perf_counter() - started,
        "new triples": len(closure) - loaded,
        "peak MiB": _peak_mib(),
    }


def _owlrl(ntriples: Path, facts: Path | None) -> dict[str, Any]:
    import owlrl
    from rdflib import Graph

    started = time.perf_counter()
    graph = Graph()
    graph.parse(ntriples, format="nt")
    loaded = len(graph)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "new triples": len(graph) - loaded, "peak MiB": _peak_mib()}


REASONERS = {"jalinan rules": _ours, "reasonable": _reasonable, "owlrl": _owlrl}


def _child(name: str, ntriples: str, facts: str | None, results: Any) -> None:
    try:
        results.put(("ok", REASONERS[name](Path(ntriples), Path(facts) if facts else None)))
    except BaseException as exc:  # reported in the table
        results.put(("error", f"{type(exc).__name__}: {exc}"))


def run_one(name: str, ntriples: Path, facts: Path | None, timeout: float) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    child = context.Process(target=_child, args=(name, str(ntriples), str(facts) if facts else None, results))
    child.start()
    try:
        status, value = results.get(timeout=timeout)
    except queue.Empty:
        child.kill()
        return {"error": f"did not finish in {timeout:g} s"}
    finally:
        child.join(timeout=10)
        if child.is_alive():
            child.kill()
    return value if status == "ok" else {"error": value}


def corpus_ntriples(size: int, out: Path) -> tuple[Path, Path | None, int]:
    """The asserted triples of a corpus (0: the curated facts) as N-Triples, its facts folder."""
    facts = None
    if size:
        generate(out / f"corpus-{size}", size)
        facts = out / f"corpus-{size}" / "facts"
    corpus = build_corpus(facts, check_shapes=False)
    triples = [t for name, ts in corpus.graphs.items() if name != INFERRED_GRAPH for t in ts]
    path = out / f"asserted-{size}.ttl"  # N-Triples is Turtle; reasonable reads only .ttl and .n3
    path.write_bytes(serialize(triples, format=RdfFormat.N_TRIPLES))
    return path, facts, len(triples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="0,1000,10000", help="article counts; 0 = the curated facts")
    parser.add_argument(
        "--owlrl-max", type=int, default=100, help="largest size owlrl is given (100 s at 100 articles)"
    )
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="jalinan-reasoning-"))
    out.mkdir(parents=True, exist_ok=True)
    print("| corpus | asserted triples | reasoner | seconds | new triples | peak MiB |")
    print("|---|---:|---|---:|---:|---:|")
    for size in (int(s) for s in args.sizes.split(",")):
        ntriples, facts, count = corpus_ntriples(size, out)
        label = "curated (5 articles)" if size == 0 else f"{size:,} articles"
        for name in REASONERS:
            if name == "owlrl" and size > args.owlrl_max:
                row = {"error": f"not run (above --owlrl-max {args.owlrl_max})"}
            else:
                row = run_one(name, ntriples, facts, args.timeout)
            if "error" in row:
                print(f"| {label} | {count:,} | {name} | – | – | – | {row['error']}", flush=True)
            else:
                print(
                    f"| {label} | {count:,} | {name} | {row['seconds']:.2f} | {row['new triples']:,} "
                    f"| {row['peak MiB']:.0f} |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
