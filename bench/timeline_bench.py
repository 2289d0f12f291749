"""`python -m bench.timeline_bench`: the timeline's JSON and the charts at 10,000 articles.

    .venv/bin/python -m bench.timeline_bench                      # 10,000 articles
    .venv/bin/python -m bench.timeline_bench --articles 100 --reps 10

Issue 16's target: at 10,000 articles the timeline's JSON answers in at most 100 ms p95. Two
measurements, side by side with the target:

- in-process: `api.timeline.timeline_items` (what the route runs: the page query, the detail
  query, the folding into items) on the product store, for the default page (50 items) and
  for each filter; and `api.charts.chart_data` for each chart;
- over HTTP: `jalinan serve --cache-bytes 0` (so every answer is computed, none replayed from
  the cache) on loopback, `GET /timeline` with `Accept: application/json`, one request at a
  time, the answer checked (200, a full page).

The corpus and store are `python -m bench`'s (`bench.generate`, `jalinan ingest`), written to
`--work` (a store already there is reused: ingesting 10,000 articles takes minutes).
"""

import argparse
import json
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.generate import generate
from bench.ingest_bench import jalinan_command
from bench.query_bench import percentile
from jalinan.api.charts import chart_data
from jalinan.api.timeline import QUERY_NAME, timeline_items
from jalinan.graph import open_store
from jalinan.queries.catalogue import Page, load_catalogue

BENCH = Path(__file__).resolve().parent
TARGET_P95_MS = 100.0
PAGE = Page(number=1, size=50)  # the default page of /timeline


def ensure_store(work: Path, articles: int, seed: int) -> tuple[Path, str]:
    """The store of `articles` synthetic articles under `work` (built if missing), and a party
    name the corpus uses often (for the party filter)."""
    store = work / "store"
    corpus = generate(work, articles, seed) if not store.exists() else None
    if corpus is not None:
        command = [*jalinan_command(), "ingest", "--facts", str(corpus.facts_dir)]
        command += ["--articles", str(corpus.articles_dir), "--store", str(store)]
        subprocess.run(command, check=True, capture_output=True)
    party = corpus.samples.party if corpus is not None else _busiest_party(store)
    return store, party


def _busiest_party(store_path: Path) -> str:
    query = """PREFIX jl: <https://w3id.org/jalinan/ontology#>
    SELECT ?party (COUNT(*) AS ?n) WHERE { ?a jl:hasParty ?party FILTER NOT EXISTS { ?party a jl:Country } }
    GROUP BY ?party ORDER BY DESC(?n) LIMIT 1"""
    with open_store(store_path) as store:
        rows = store.query(query).rows
    return rows[0]["party"].value if rows else "Malaysia"


def _timed(call: Any, reps: int) -> dict[str, float]:
    call()  # warm-up
    samples = []
    for _ in range(reps):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": percentile(samples, 50), "p95_ms": percentile(samples, 95), "runs": len(samples)}


def in_process(store_path: Path, party: str, reps: int) -> list[dict[str, Any]]:
    query = load_catalogue()[QUERY_NAME]
    cases: list[tuple[str, Any]] = []
    with open_store(store_path) as store:
        for label, values in [
            ("timeline, default page", {}),
            ("timeline, kind=Visit", {"kind": "Visit"}),
            ("timeline, topic=digital-economy", {"topic": "digital-economy"}),
            (f"timeline, party={party}", {"party": party}),
        ]:
            cases.append((label, lambda v=values: timeline_items(store, query, v, PAGE)))
        for label, name, by in [
            ("chart agreements-per-year by=kind", "agreements-per-year", "kind"),
            ("chart agreements-per-year by=topic", "agreements-per-year", "topic"),
            ("chart most-connected", "most-connected", ""),
        ]:
            cases.append((label, lambda n=name, b=by: chart_data(store, n, b)))
        measured = []
        for label, call in cases:
            items = call()
            count = len(items.items) if hasattr(items, "items") else len(items.rows)
            figures = _timed(call, reps if label.startswith("timeline") else max(3, reps // 5))
            measured.append({"case": label, "items": count, **figures})
            p50, p95 = figures["p50_ms"], figures["p95_ms"]
            print(f"  {label:42s} {count:5d} items  p50 {p50:8.1f} ms  p95 {p95:8.1f} ms")
    return measured


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def over_http(store_path: Path, reps: int, expected: int) -> dict[str, Any]:
    """`GET /timeline` one at a time, no cache; each answer checked to hold `expected` items."""
    port = _free_port()
    command = [
        *jalinan_command(),
        "serve",
        "--store",
        str(store_path),
        "--port",
        str(port),
        "--cache-bytes",
        "0",
    ]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/sparql", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"`jalinan serve` did not start: {log.read()[-2000:]!r}")
                time.sleep(0.2)
            samples = []
            with httpx.Client(base_url=base, timeout=30, headers={"Accept": "application/json"}) as client:
                for index in range(reps + 1):
                    started = time.perf_counter()
                    answer = client.get("/timeline")
                    elapsed = (time.perf_counter() - started) * 1000
                    if answer.status_code != 200 or answer.json()["count"] != expected:
                        raise RuntimeError(f"/timeline answered {answer.status_code}: {answer.text[:300]}")
                    if answer.headers.get("x-jalinan-cache") == "hit":
                        raise RuntimeError(f"an answer came from the cache: {answer.headers}")
                    if index:  # the first warms the workers up
                        samples.append(elapsed)
        finally:
            server.terminate()
            server.wait(timeout=20)
    return {"p50_ms": percentile(samples, 50), "p95_ms": percentile(samples, 95), "runs": len(samples)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        prog="python -m bench.timeline_bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--work", type=Path, help="corpus and store folder (default bench/out/timeline-n<articles>)"
    )
    parser.add_argument("--reps", type=int, default=40, help="timed runs per timeline case and over HTTP")
    args = parser.parse_args(argv)
    work = args.work or BENCH / "out" / f"timeline-n{args.articles}"
    work.mkdir(parents=True, exist_ok=True)
    started = time.strftime("%Y-%m-%d %H:%M %Z")
    store, party = ensure_store(work, args.articles, args.seed)
    print(f"[{args.articles}] {store} ({started}); in-process:")
    measured = in_process(store, party, args.reps)
    default = next(m for m in measured if m["case"] == "timeline, default page")
    http = over_http(store, args.reps, default["items"])
    verdict = "PASS" if http["p95_ms"] <= TARGET_P95_MS else "FAIL"
    print(f"  HTTP GET /timeline (no cache)  p50 {http['p50_ms']:.1f} ms  p95 {http['p95_ms']:.1f} ms")
    print(f"target: timeline JSON p95 <= {TARGET_P95_MS:.0f} ms at {args.articles:,} articles: "
          f"HTTP {http['p95_ms']:.1f} ms, in-process {default['p95_ms']:.1f} ms -> {verdict}")  # fmt: skip
    results = {"articles": args.articles, "started": started, "in_process": measured, "http": http,
               "target_p95_ms": TARGET_P95_MS, "verdict": verdict}  # fmt: skip
    (work / "timeline-results.json").write_text(json.dumps(results, indent=1))
    return results


if __name__ == "__main__":
    main()
