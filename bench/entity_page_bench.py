"""How long an entity page takes on a large store: each of its reads, and the whole page.

    python -m bench.entity_page_bench --store bench/out/entity/store10000 [--reps 15]

The store is one `jalinan ingest` wrote from `bench/generate.py`'s corpus (10,000 articles:
`python -c "from bench.generate import generate; generate(Path('…/n10000'), 10000)"`, then
`jalinan ingest --facts …/facts --articles …/articles --store …`). Pages measured: the busiest
party (most agreements), a ministry of middling size, an agreement, and a visit with
agreements concluded, found by query. For each:

- in process, on the store (`OxigraphStore`, read-only): every query the page runs (the reads
  of `api/explorer/entity_reads.py`, timed one by one through a wrapper) and the shaping of the
  rows into the page (`entity_page.context`), p50 and p95 over `--reps` runs after one warm-up;
- over HTTP: `jalinan serve --cache-bytes 0` on a free loopback port, the page as a browser asks
  for it (50 statements), the same page of 100 statements (the default before), beside the same
  URL as Turtle (the RDF answer programs get, which reads one page of
  50 statements): p50 and p95 of `--reps` requests, no cache.
"""

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from jalinan.api.explorer import entity_layouts
from jalinan.api.explorer.entity_page import HTML_SIZE, context
from jalinan.api.explorer.entity_reads import read_page
from jalinan.graph import GraphStore, open_store
from jalinan.graph.namespaces import ID
from jalinan.queries.catalogue import load_catalogue

PICK = {
    "busiest party": """PREFIX jl: <https://w3id.org/jalinan/ontology#>
        SELECT ?x (COUNT(?a) AS ?n) WHERE { ?a jl:hasParty ?x } GROUP BY ?x ORDER BY DESC(?n) LIMIT 1""",
    "a ministry": """PREFIX jl: <https://w3id.org/jalinan/ontology#>
        SELECT ?x (COUNT(?a) AS ?n) WHERE { ?x a jl:Ministry . ?a jl:hasParty ?x }
        GROUP BY ?x ORDER BY ?n OFFSET 5 LIMIT 1""",
    "an agreement": """PREFIX jl: <https://w3id.org/jalinan/ontology#>
        SELECT ?x WHERE { ?x jl:qualifiedParty ?r ; jl:signatory ?s ; jl:concludedDuring ?v } LIMIT 1""",
    "a visit": """PREFIX jl: <https://w3id.org/jalinan/ontology#>
        SELECT ?x WHERE { ?a jl:concludedDuring ?x . ?x jl:visitor ?p } LIMIT 1""",
}


class TimingStore:
    """A store that times each query it runs, by the title line of its text (or its start)."""

    def __init__(self, inner: GraphStore) -> None:
        self.inner = inner
        self.times: list[tuple[str, float]] = []

    @property
    def version(self) -> str | None:
        return self.inner.version

    def query(self, sparql: str, **options: Any) -> Any:
        start = time.perf_counter()
        result = self.inner.query(sparql, **options)
        title = next((line[9:] for line in sparql.splitlines() if line.startswith("# title: ")), sparql[:40])
        self.times.append((title, time.perf_counter() - start))
        return result


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def in_process(store: GraphStore, iri: str, reps: int) -> dict[str, tuple[float, float]]:
    pipeline = load_catalogue()["entity-page"]
    page = pipeline.page_request(HTML_SIZE[1])  # as a browser's page reads it
    per_read: dict[str, list[float]] = {}
    shaping: list[float] = []
    whole: list[float] = []
    for run in range(reps + 1):
        timed = TimingStore(store)
        start = time.perf_counter()
        rows = read_page(timed, pipeline, iri, page, entity_layouts.layout)  # type: ignore[arg-type]
        shaped = time.perf_counter()
        context(iri, iri.removeprefix(ID), rows)
        end = time.perf_counter()
        if run == 0:
            continue  # warm-up
        for title, seconds in timed.times:
            per_read.setdefault(title, []).append(seconds)
        shaping.append(end - shaped)
        whole.append(end - start)
    result = {title: _ms(samples) for title, samples in per_read.items()}
    result["(shaping the rows into the page)"] = _ms(shaping)
    result["(all, in process)"] = _ms(whole)
    return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def over_http(store_path: Path, paths: list[str], reps: int) -> dict[str, dict[str, tuple[float, float]]]:
    port = _free_port()
    jalinan = str(Path(sys.executable).parent / "jalinan")
    command = [jalinan, "serve", "--store", str(store_path), "--host", "127.0.0.1",
               "--port", str(port), "--cache-bytes", "0"]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results: dict[str, dict[str, tuple[float, float]]] = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for _ in range(600):
                try:
                    client.get("/queries")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            for path in paths:
                results[path] = {}
                kinds = (
                    ("HTML page", "text/html", ""),
                    ("HTML page of 100 (the default before)", "text/html", "?_size=100"),
                    ("Turtle (programs)", "text/turtle", ""),
                )
                for kind, accept, query in kinds:
                    samples = []
                    for run in range(reps + 1):
                        start = time.perf_counter()
                        response = client.get(path + query, headers={"Accept": accept})
                        elapsed = time.perf_counter() - start
                        assert response.status_code == 200, (path, response.status_code)
                        if run:
                            samples.append(elapsed)
                    results[path][kind] = _ms(samples)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--no-http", action="store_true")
    args = parser.parse_args()
    found: dict[str, str] = {}
    report: dict[str, Any] = {"in_process": {}, "http": {}}
    with open_store(args.store, read_only=True) as store:
        for name, sparql in PICK.items():
            rows = store.query(sparql).rows  # type: ignore[union-attr]
            if rows:
                found[name] = rows[0]["x"].value
        for name, iri in found.items():
            report["in_process"][f"{name} ({iri.removeprefix(ID)})"] = in_process(store, iri, args.reps)
    if not args.no_http:
        http = over_http(args.store, ["/id/" + iri.removeprefix(ID) for iri in found.values()], args.reps)
        report["http"] = http
    print(json.dumps(report, indent=1, ensure_ascii=False))
    for page_name, reads in report["in_process"].items():
        print(f"\n{page_name}")
        for title, (p50, p95) in reads.items():
            print(f"  {p50:9.1f} {p95:9.1f}  {title}")
    for path, kinds in report["http"].items():
        print(
            f"\nHTTP {path}: "
            + "; ".join(f"{k} p50 {a:.1f} ms p95 {b:.1f} ms" for k, (a, b) in kinds.items())
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
