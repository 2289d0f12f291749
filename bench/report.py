"""Turn the bench's results into the targets' verdicts, `RESULTS.md` and two PNG plots.

The figures come from one `results` dict (also saved as JSON beside the report), so the
Markdown, the plots and the printed verdicts can never disagree.
"""

import math
from pathlib import Path
from typing import Any

INGEST_TARGET_S = 60.0
REINGEST_TARGET_S = 1.0
QUERY_P95_TARGET_MS = 20.0
HTTP_RATIO_TARGET = 0.5
SPARQL_RATIO_TARGET = 0.8
MEMORY_TARGET_BYTES = 1024**3
TARGET_SIZE = 10_000
MIB = 1024 * 1024


def _floor_note(sparql: dict[str, Any]) -> str:
    """The floor's figure beside the ratio (`sparql_bench`: Python's least, not the product)."""
    floor = sparql.get("floor")
    if not floor:
        return ""
    return (
        f" (the floor, a minimal Python server: {floor['load']['throughput_rps']:.0f} req/s = "
        f"{sparql['floor_ratio']:.0%})"
    )


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with its measured value at the largest size run, and PASS/FAIL."""
    sizes = results["sizes"]
    if not sizes:
        return []
    last = sizes[-1]
    n = last["articles"]
    at = f"{n:,} articles" + ("" if n >= TARGET_SIZE else f" (target set at {TARGET_SIZE:,})")
    out = []
    ingest = last.get("ingest") or {}
    if ingest:
        out.append(
            {
                "target": f"full ingest ≤ {INGEST_TARGET_S:.0f} s",
                "measured": f"{ingest['ingest_s']:.1f} s",
                "at": at,
                "pass": ingest["ingest_s"] <= INGEST_TARGET_S,
            }
        )
        out.append(
            {
                "target": f"one changed article re-ingested ≤ {REINGEST_TARGET_S:.0f} s "
                "(`jalinan ingest FILE`)",
                "measured": f"{ingest['reingest_file_s']:.2f} s (whole folder again: "
                f"{ingest['reingest_folder_s']:.1f} s)",
                "at": at,
                "pass": ingest["reingest_file_s"] <= REINGEST_TARGET_S,
            }
        )
    queries = [q for q in last.get("queries", []) if "product" in q["latency"]]
    if queries:
        worst = max(queries, key=lambda q: q["latency"]["product"]["p95_ms"])
        failing = [q["name"] for q in queries if q["latency"]["product"]["p95_ms"] > QUERY_P95_TARGET_MS]
        out.append(
            {
                "target": f"every canned query p95 ≤ {QUERY_P95_TARGET_MS:.0f} ms in-process",
                "measured": f"worst {worst['name']} {worst['latency']['product']['p95_ms']:.1f} ms; "
                f"{len(failing)} of {len(queries)} over" + (f" ({', '.join(failing)})" if failing else ""),
                "at": at,
                "pass": not failing,
            }
        )
    http = last.get("http") or {}
    runs = http.get("runs", {})
    top = max((int(c) for c in runs.get("oxigraph-sparql", {})), default=None)
    # The verdict compares engine with engine: every request runs the query (cache off). The
    # result cache and conditional requests are what the product adds beyond that.
    engine = "jalinan-canned-uncached" if "jalinan-canned-uncached" in runs else "jalinan-canned"
    if top is not None and str(top) in runs.get(engine, {}):
        theirs = runs["oxigraph-sparql"][str(top)]["throughput_rps"]
        rows = [(engine, "every request runs the query", True)] + [
            (name, label, False)
            for name, label in (
                ("jalinan-canned", "with the result cache"),
                ("jalinan-canned-304", "revalidated with If-None-Match (304)"),
            )
            if name != engine
        ]
        for name, label, judged in rows:
            if str(top) not in runs.get(name, {}):
                continue
            ours = runs[name][str(top)]["throughput_rps"]
            ratio = ours / theirs if theirs else float("nan")
            out.append(
                {
                    "target": f"canned query over HTTP at {top} clients, {label}, "
                    + (f"≥ {HTTP_RATIO_TARGET:.0%} of oxigraph serve" if judged else "beyond oxigraph serve"),
                    "measured": f"{ours:,.0f} vs {theirs:,.0f} req/s = {ratio:.0%}",
                    "at": at,
                    "pass": ratio >= (HTTP_RATIO_TARGET if judged else 1.0),
                }
            )
    else:
        out.append(
            {
                "target": f"canned query over HTTP ≥ {HTTP_RATIO_TARGET:.0%} of oxigraph serve",
                "measured": "not measured: "
                + "; ".join(http.get("errors", []) or ["HTTP bench skipped"])[:300],
                "at": at,
                "pass": False,
            }
        )
    for size in sizes:  # /sparql uncached: judged at every size measured (the issue names 1,000 and 10,000)
        sparql = size.get("sparql_uncached")
        if sparql and "ratio" in sparql:
            out.append(
                {
                    "target": f"/sparql at {sparql['concurrency']} clients, uncached (a distinct query "
                    f"text per request), ≥ {SPARQL_RATIO_TARGET:.0%} of oxigraph serve",
                    "measured": f"{sparql['jalinan']['throughput_rps']:.0f} vs "
                    f"{sparql['oxigraph']['throughput_rps']:.0f} req/s = {sparql['ratio']:.0%}"
                    + _floor_note(sparql),
                    "at": f"{size['articles']:,} articles",
                    "pass": sparql["ratio"] >= SPARQL_RATIO_TARGET,
                }
            )
    for size in sizes:  # the network JSON of the most connected entity (issue 16)
        network = size.get("network")
        if network:
            out.append(
                {
                    "target": f"network JSON (hops=1) of the most connected entity ≤ "
                    f"{network['target_p95_ms']:.0f} ms p95",
                    "measured": f"{network['entity'].rsplit('/', 1)[-1]} (party to {network['agreements']:,} "
                    f"agreements, {network['total_edges']:,} ties): p95 {network['p95_ms']:.0f} ms",
                    "at": f"{size['articles']:,} articles",
                    "pass": bool(network["pass"]),
                }
            )
    peak = max((v for k, v in http.get("peak_rss", {}).items() if k.startswith("jalinan")), default=0)
    if peak:
        out.append(
            {
                "target": "server peak memory < 1 GiB",
                "measured": f"{peak / MIB:,.0f} MiB",
                "at": at,
                "pass": peak < MEMORY_TARGET_BYTES,
            }
        )
    return out


def print_targets(rows: list[dict[str, Any]]) -> None:
    print("\nTargets")
    for row in rows:
        print(f"  {'PASS' if row['pass'] else 'FAIL'}  {row['target']}: {row['measured']}  [{row['at']}]")


def plot(results: dict[str, Any], folder: Path) -> list[Path]:
    """latency-vs-size.png and throughput-vs-concurrency.png (matplotlib, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    sizes = results["sizes"]
    fig, ax = plt.subplots(figsize=(9, 6))
    names = sorted({q["name"] for s in sizes for q in s.get("queries", [])})
    for name in names:
        xs, ys = [], []
        for s in sizes:
            for q in s.get("queries", []):
                if q["name"] == name and math.isfinite(
                    q["latency"].get("product", {}).get("p95_ms", math.inf)
                ):
                    xs.append(s["articles"])
                    ys.append(q["latency"]["product"]["p95_ms"])
        if xs:
            ax.plot(xs, ys, marker="o", label=name)
    ax.axhline(QUERY_P95_TARGET_MS, color="red", linestyle="--", label=f"target {QUERY_P95_TARGET_MS:.0f} ms")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("articles")
    ax.set_ylabel("p95 latency, in-process (ms)")
    ax.set_title("Canned queries: p95 latency against corpus size (jalinan store layer)")
    ax.legend(fontsize=7, ncol=2)
    ax.grid(True, which="both", alpha=0.3)
    path = folder / "latency-vs-size.png"
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    written.append(path)

    with_http = [s for s in sizes if s.get("http", {}).get("runs")]
    if with_http:
        last = with_http[-1]
        fig, ax = plt.subplots(figsize=(8, 5))
        for name, per_level in sorted(last["http"]["runs"].items()):
            levels = sorted(int(c) for c in per_level)
            ax.plot(levels, [per_level[str(c)]["throughput_rps"] for c in levels], marker="o", label=name)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("concurrent clients")
        ax.set_ylabel("requests per second")
        ax.set_title(
            f"Throughput against concurrency ({last['articles']:,} articles, query {last['http']['query']})"
        )
        ax.legend()
        ax.grid(True, alpha=0.3)
        path = folder / "throughput-vs-concurrency.png"
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written


def markdown(results: dict[str, Any], target_rows: list[dict[str, Any]], plots: list[Path]) -> str:
    meta = results["meta"]
    lines = [
        "# Jalinan benchmark results",
        "",
        f"- date: {meta['date']}",
        f"- machine: {meta['machine']}",
        f"- software: {meta['software']}",
        f"- commit: {meta['commit']}",
        f"- command: `{meta['command']}` (seed {meta['seed']}; corpus from `bench/generate.py`)",
        "",
        "## Targets",
        "",
        "| target | measured | at | verdict |",
        "|---|---|---|---|",
    ]
    for row in target_rows:
        lines.append(
            f"| {row['target']} | {row['measured']} | {row['at']} | {'PASS' if row['pass'] else 'FAIL'} |"
        )

    lines += [
        "",
        "## Ingest",
        "",
        "`jalinan ingest` as a subprocess (validation, quote checks, SHACL, write) against "
        "pyoxigraph `Store.bulk_load` of the same N-Quads (the floor) and `oxigraph load`.",
        "",
        "| articles | quads | jalinan ingest s | bulk_load s | ratio | oxigraph load s | re-ingest 1 changed "
        "(folder) s | re-ingest 1 changed (file) s | store MiB | bulk_load store MiB | N-Quads MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in results["sizes"]:
        i = s.get("ingest")
        if not i:
            continue
        lines.append(
            f"| {s['articles']:,} | {i['quads']:,} | {_fmt(i['ingest_s'], 2)} | "
            f"{_fmt(i['bulk_load_s'], 2)} | "
            f"{_fmt(i['ingest_s'] / i['bulk_load_s'] if i['bulk_load_s'] else None, 0)}× | "
            f"{_fmt(i['oxigraph_load_s'], 2)} | {_fmt(i['reingest_folder_s'], 2)} | "
            f"{_fmt(i['reingest_file_s'], 2)} | "
            f"{_fmt(i['store_bytes'] / MIB)} | {_fmt(i['bulk_store_bytes'] / MIB)} | "
            f"{_fmt(i['nquads_bytes'] / MIB)} |"
        )

    for s in results["sizes"]:
        lines += ["", f"## Canned queries in-process, {s['articles']:,} articles", ""]
        rdf = s.get("rdflib", {})
        if rdf.get("skipped"):
            lines.append(f"rdflib: skipped — {rdf['skipped']}")
        elif rdf:
            lines.append(
                "rdflib: N-Quads loaded into `Dataset(default_union=True)` in "
                f"{_fmt(rdf.get('load_s'), 1)} s "
                f"(peak RSS {_fmt((rdf.get('load_peak_rss_bytes') or 0) / MIB, 0)} MiB)"
                + (f"; {rdf['error']}" if rdf.get("error") else "")
            )
        lines += [
            "",
            "| query | params | rows | product p50 / p95 ms | pyoxigraph p50 / p95 ms | product÷raw p50 "
            "| rdflib p50 / p95 ms | rdflib÷product p50 |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for q in s.get("queries", []):
            lat = q["latency"]
            p, r, x = lat.get("product"), lat.get("pyoxigraph"), lat.get("rdflib")
            params = ", ".join(f"{k}={v}" for k, v in q["params"].items()) or "–"
            rows = q["rows"].get("product")
            mismatch = {k: v for k, v in q["rows"].items() if v != rows}
            rows_text = ("–" if rows is None else f"{rows:,}") + (f" (≠ {mismatch})" if mismatch else "")
            if q.get("notes"):
                rows_text += " — " + "; ".join(q["notes"])
            lines.append(
                f"| {q['name']} | {params} | {rows_text} | "
                f"{_fmt(p and p['p50_ms'], 2)} / {_fmt(p and p['p95_ms'], 2)} | "
                f"{_fmt(r and r['p50_ms'], 2)} / {_fmt(r and r['p95_ms'], 2)} | "
                f"{_fmt(p['p50_ms'] / r['p50_ms'] if p and r and r['p50_ms'] else None, 2)} | "
                f"{_fmt(x and x['p50_ms'], 1)} / {_fmt(x and x['p95_ms'], 1)} | "
                f"{_fmt(x['p50_ms'] / p['p50_ms'] if x and p and p['p50_ms'] else None, 0)} |"
            )

    for s in results["sizes"]:
        http = s.get("http")
        if not http:
            continue
        lines += [
            "",
            f"## HTTP on loopback, {s['articles']:,} articles",
            "",
            f"Query `{http['query']}` with {http['params']}; "
            f"rows per endpoint before timing: {http['rows']}. "
            f"{http.get('cache_note', '')}.",
            "Peak RSS: "
            + ", ".join(f"{k} serve {v / MIB:,.0f} MiB" for k, v in http.get("peak_rss", {}).items()),
            "",
        ]
        if http.get("errors"):
            lines.append("Errors: " + "; ".join(http["errors"]))
            lines.append("")
        lines += [
            "| endpoint | clients | req/s | p50 ms | p99 ms | errors / non-200 | ÷ oxigraph req/s |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        oxi = http.get("runs", {}).get("oxigraph-sparql", {})
        for name, per_level in sorted(http.get("runs", {}).items()):
            for level in sorted(per_level, key=int):
                run = per_level[level]
                non_ok = sum(v for k, v in run["statuses"].items() if k not in ("200", "304"))
                base = oxi.get(level, {}).get("throughput_rps")
                lines.append(
                    f"| {name} | {level} | {_fmt(run['throughput_rps'], 0)} | {_fmt(run['p50_ms'], 1)} | "
                    f"{_fmt(run['p99_ms'], 1)} | {run['errors']} / {non_ok} | "
                    f"{_fmt(run['throughput_rps'] / base if base else None, 2)} |"
                )

    profiles = [
        (f"ingest, {s['articles']:,} articles", s["ingest"]["profile"])
        for s in results["sizes"]
        if s.get("ingest", {}).get("profile")
    ]
    profiles += [
        (f"jalinan serve under load, {s['articles']:,} articles", s["http"]["profile"])
        for s in results["sizes"]
        if s.get("http", {}).get("profile")
    ]
    profiles += [
        (f"jalinan serve, /sparql uncached, {s['articles']:,} articles", s["sparql_uncached"]["profile"])
        for s in results["sizes"]
        if (s.get("sparql_uncached") or {}).get("profile")
    ]
    if profiles:
        lines += ["", "## Profiles (py-spy, inclusive % / self %)"]
        for title, text in profiles:
            lines += ["", f"### {title}", "", "```", text, "```"]
    if plots:
        lines += ["", "## Plots", ""] + [f"![{p.stem}]({p.name})" for p in plots]
    return "\n".join(lines) + "\n"
