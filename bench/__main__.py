"""`python -m bench` (`make bench`, `make bench FULL=1`): generate, ingest, query, serve, report.

One run measures every size in turn and writes one report, so the figures in RESULTS.md all
come from the same machine, the same commit and the same minutes. The quick default (100
articles, short HTTP runs) writes under `bench/out/` so it never overwrites the committed full
results; `--full` (100, 1,000 and 10,000 articles) writes `bench/RESULTS.md` and the plots.
"""

import argparse
import contextlib
import datetime as dt
import json
import platform
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench import http_bench, ingest_bench, machine, network_bench, profile, query_bench, report, sparql_bench
from bench.generate import generate

BENCH = Path(__file__).resolve().parent
RDFLIB_MAX_QUADS = 400_000  # beyond this rdflib takes minutes to load and GiBs to hold


def _software() -> str:
    parts = [f"Python {platform.python_version()}"]
    for package in ("pyoxigraph", "oxigraph", "rdflib", "fastapi", "uvicorn", "pyshacl"):
        with contextlib.suppress(Exception):
            parts.append(f"{package} {version(package)}")
    return ", ".join(parts)


def _commit() -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=BENCH
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            cwd=BENCH,
        ).stdout.strip()
        return done.stdout.strip() + (" (with uncommitted changes in the checkout)" if dirty else "")
    except OSError:
        return "unknown"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--full", action="store_true", help="100, 1,000 and 10,000 articles; writes bench/RESULTS.md"
    )
    parser.add_argument("--sizes", help="comma-separated article counts (overrides the default sizes)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--out", type=Path, default=BENCH / "out", help="scratch folder (corpora, stores, logs)"
    )
    parser.add_argument("--results-dir", type=Path, help="where RESULTS.md and the plots go")
    parser.add_argument("--http-seconds", type=float, help="seconds per HTTP load run")
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--reps", type=int, help="samples per in-process query")
    parser.add_argument("--budget", type=float, help="seconds of repeated runs per in-process query")
    parser.add_argument(
        "--query-timeout", type=float, default=60.0, help="stop one in-process query after this"
    )
    parser.add_argument("--rdflib-timeout", type=float, help="stop the rdflib worker after this many seconds")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--no-rdflib", action="store_true")
    parser.add_argument("--no-plots", action="store_true")
    parser.add_argument(
        "--profile", action="store_true", help="record ingest and the server under load with py-spy"
    )
    return parser.parse_args(argv)


def run_size(args: argparse.Namespace, n: int, quick: bool) -> dict[str, Any]:
    work = args.out / f"n{n}"
    work.mkdir(parents=True, exist_ok=True)
    profile_dir = args.out / "profiles" if args.profile else None
    record: dict[str, Any] = {"articles": n}
    started = time.perf_counter()
    corpus = generate(work, n, args.seed)
    record.update(
        entities=corpus.entities,
        generate_s=time.perf_counter() - started,
        classes=dict(corpus.counts),
        samples=vars(corpus.samples),
    )
    print(
        f"[{n}] generated {n} articles, {corpus.entities} shared entities in {record['generate_s']:.1f} s",
        flush=True,
    )

    ingest, store, oxi_store = ingest_bench.run(corpus, work, profile_dir=profile_dir)
    record["ingest"] = ingest.as_dict()
    print(
        f"[{n}] ingest {ingest.ingest_s:.1f} s for {ingest.quads:,} quads "
        f"(bulk_load {ingest.bulk_load_s:.1f} s); "
        f"re-ingest one article: folder {ingest.reingest_folder_s:.2f} s, "
        f"file {ingest.reingest_file_s:.2f} s",
        flush=True,
    )

    reps = args.reps or (15 if quick else 30)
    budget = args.budget if args.budget is not None else (1.0 if quick else 3.0)
    cases = query_bench.cases(corpus.samples, store)
    query_bench.run_oxigraph(store, cases, reps=reps, budget_s=budget, timeout_s=args.query_timeout)
    if args.no_rdflib:
        record["rdflib"] = {"skipped": "--no-rdflib"}
    elif ingest.quads > RDFLIB_MAX_QUADS:
        record["rdflib"] = {
            "skipped": f"{ingest.quads:,} quads is beyond what rdflib loads in reasonable time "
            f"(limit set at {RDFLIB_MAX_QUADS:,}; see the smaller sizes for its load time)"
        }
    else:
        record["rdflib"] = query_bench.run_rdflib(
            work / "data.nq",
            cases,
            reps=min(reps, 10),
            budget_s=budget,
            timeout_s=args.rdflib_timeout or (120 if quick else 900),
        )
    record["queries"] = [vars(c) for c in cases]
    record["network"] = network_bench.run(store, reps=args.reps or (5 if quick else 30))
    print(f"[{n}] {network_bench.line(record['network'])}", flush=True)
    for c in cases:
        p = c.latency.get("product")
        if p is None or "pyoxigraph" not in c.latency:
            print(f"[{n}]   {c.name:22s} {'; '.join(c.notes)}", flush=True)
            continue
        print(
            f"[{n}]   {c.name:22s} rows {c.rows.get('product', 0):6d}  p50 {p['p50_ms']:8.2f} ms  "
            f"p95 {p['p95_ms']:8.2f} ms  (pyoxigraph p50 {c.latency['pyoxigraph']['p50_ms']:.2f}"
            + (f", rdflib p50 {c.latency['rdflib']['p50_ms']:.1f}" if "rdflib" in c.latency else "")
            + ")",
            flush=True,
        )

    if not args.no_http:
        canned = next(c for c in cases if c.name == "agreements-by-party")
        levels = [int(x) for x in args.concurrency.split(",")]
        seconds = args.http_seconds or (3.0 if quick else 8.0)
        http = http_bench.run(
            store,
            oxi_store,
            canned.name,
            canned.params,
            canned.sparql,
            concurrency=levels,
            duration=seconds,
            logs=work / "logs",
            profile_dir=profile_dir,
            label=f"-{n}",
        )
        record["http"] = http.as_dict()
        for name, per_level in http.runs.items():
            for level, run in per_level.items():
                print(
                    f"[{n}]   http {name:20s} c={level:<3d} {run['throughput_rps']:8.0f} req/s  "
                    f"p50 {run['p50_ms']:7.1f} ms  p99 {run['p99_ms']:7.1f} ms",
                    flush=True,
                )
        for error in http.errors:
            print(f"[{n}]   http error: {error}", flush=True)
        # /sparql uncached (the target is set at 1,000 and 10,000 articles; measured at
        # every size, at the highest concurrency asked for)
        try:
            sparql = sparql_bench.run(work, concurrency=max(levels), seconds=seconds, profile_dir=profile_dir)
        except (RuntimeError, subprocess.CalledProcessError, OSError) as exc:
            sparql = {"error": str(exc)[-1500:]}
        record["sparql_uncached"] = sparql
        if "ratio" in sparql:
            print(
                f"[{n}]   /sparql uncached c={max(levels)}: {sparql['jalinan']['throughput_rps']:.0f} vs "
                f"oxigraph {sparql['oxigraph']['throughput_rps']:.0f} req/s = {sparql['ratio']:.0%}",
                flush=True,
            )
    return record


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    if args.profile and profile.py_spy() is None:
        # Asked for profiles and getting none is worse than stopping: say what is missing.
        raise SystemExit("--profile needs py-spy (installed by `make install`; or `pip install py-spy`)")
    sizes = (
        [int(x) for x in args.sizes.split(",")]
        if args.sizes
        else ([100, 1_000, 10_000] if args.full else [100])
    )
    quick = not args.full
    results_dir = args.results_dir or (BENCH if args.full else args.out)
    args.out.mkdir(parents=True, exist_ok=True)
    results_dir.mkdir(parents=True, exist_ok=True)
    command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    results: dict[str, Any] = {
        "meta": {
            "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": machine.describe(),
            "software": _software(),
            "commit": _commit(),
            "command": command.strip(),
            "seed": args.seed,
        },
        "sizes": [],
    }
    for n in sizes:
        results["sizes"].append(run_size(args, n, quick))
        (args.out / "results.json").write_text(json.dumps(results, indent=1, default=str))
    rows = report.targets(results)
    results["targets"] = rows
    plots = [] if args.no_plots else report.plot(results, results_dir)
    (results_dir / "RESULTS.md").write_text(report.markdown(results, rows, plots), encoding="utf-8")
    (args.out / "results.json").write_text(json.dumps(results, indent=1, default=str))
    report.print_targets(rows)
    print(f"\nwrote {results_dir / 'RESULTS.md'}" + "".join(f", {p}" for p in plots))
    return results


if __name__ == "__main__":
    main()
