"""Each canned query in-process: the product's store layer, raw pyoxigraph, and rdflib.

Parameters are realistic values drawn from the generated corpus (its busiest party's acronym, a
visit with agreements, a person's name…), bound exactly as the API binds a request
(`jalinan.api.canned.bind_request`, falling back to the catalogue's `bind_parameters`), so the
bound SPARQL is the text the product runs. The three engines get that same text:

- product: `open_store(read_only=True).query_serialized(…)` (what the API calls), JSON out;
- raw pyoxigraph: `Store.read_only(…).query(…, use_default_graph_as_union=True)`, serialised
  the same way, so the difference is the product's own overhead;
- rdflib: an in-memory `Dataset(default_union=True)` loaded from the same N-Quads, in a worker
  process with a time limit (rdflib can take minutes on one query), skipped above a size it
  cannot load in reasonable time.

Latency: one warm-up, then runs until `reps` samples or `budget_s` seconds, p50 and p95.
"""

import argparse
import json
import math
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Store

from bench.generate import Samples
from jalinan.graph import open_store
from jalinan.queries.catalogue import CannedQuery, Page, load_catalogue

# Per query: the request parameters a user would send (others are left out, i.e. unbound).
OVERRIDES: dict[str, dict[str, str]] = {
    "organisations": {"country": "China", "kind": "GovernmentBody"},
    "companies": {"sector": "data-centres"},
    "visits": {"country": "Malaysia"},
}


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation; the samples need not be sorted."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def timed_runs(run: Callable[[], object], reps: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each of `reps` calls of `run` (this process's CPU: an
    in-process query runs in this thread; on a shared machine CPU is the figure to compare)."""
    wall, cpu = [], []
    for _ in range(reps):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def add_first_page_arguments(parser: argparse.ArgumentParser, *, reps: int, only: str) -> None:
    """The arguments of the benches that read first pages from a bench corpus's store:
    `--store`, `--samples` (read with `load_samples`), `--reps` and `--only` (`only`: its help)."""
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--samples", type=Path, required=True, help="the corpus's samples.json")
    parser.add_argument("--reps", type=int, default=reps)
    parser.add_argument("--only", nargs="*", help=f"query names (default: {only})")


def load_samples(path: Path) -> Samples:
    return Samples(**json.loads(path.read_text()))


def parameters_for(query: CannedQuery, samples: Samples) -> dict[str, str]:
    """The request parameters the bench sends to one canned query."""
    by_name = {
        "party": samples.party,
        "visit": samples.visit,
        "person": samples.person,
        "visitor": samples.person,
        "country": samples.country,
        "status": "signed",
        "topic": "digital-economy",
        "sector": "data-centres",
        "q": samples.search,
        "from": samples.date_from,
        "to": samples.date_to,
        "kind": "GovernmentBody",
        "id": samples.agreement if query.name == "evidence" else samples.entity,
    }
    chosen = dict(OVERRIDES.get(query.name, {}))
    for parameter in query.parameters:
        if parameter.name in chosen or not parameter.required:
            continue
        value = by_name.get(parameter.name) or parameter.example
        if value:
            chosen[parameter.name] = value
    return chosen


def bind(query: CannedQuery, params: dict[str, str]) -> str:
    """The bound SPARQL, the way the API binds a request's parameters."""
    try:
        from jalinan.api.canned import bind_request
    except ImportError:  # the API not importable: the catalogue binds the same way
        return query.bind_parameters(params)
    return bind_request(query, list(params.items()))


@dataclass
class Case:
    name: str
    params: dict[str, str]
    sparql: str  # for a pipeline: its last step (the detail query), bound for the first page
    form: str = ""
    # a list pipeline (`queries/<name>/`): every SPARQL text the runner sent for the first page
    # (look-up, page, detail), run in turn by the raw engines; the product runs the runner itself
    # (a list paged by rows, `people`, sends several detail queries: the raw engines' rows are
    # the last one's, a part of the page's)
    steps: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    latency: dict[str, dict[str, float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class _Recording:
    """A store that keeps the SPARQL the runner sends it (to replay a pipeline elsewhere)."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.sent: list[str] = []

    @property
    def version(self) -> str | None:
        return self.inner.version

    def query(self, sparql: str, **options: Any) -> Any:
        self.sent.append(sparql)
        return self.inner.query(sparql, **options)


def _first_page(store: Any, query: CannedQuery, params: dict[str, str]) -> Any:
    from jalinan.api.reading import read

    assert query.paging is not None
    return read(store, query, params, Page(1, query.paging.size))


def cases(samples: Samples, store_path: Path | None = None) -> list[Case]:
    """Every canned query with the bench's parameters; a pipeline's steps are recorded by running
    it once on the store at `store_path` (without a store, pipelines are left out)."""
    catalogue = load_catalogue()
    out = []
    opened = open_store(store_path, read_only=True) if store_path is not None else None
    try:
        for name, query in sorted(catalogue.items()):
            params = parameters_for(query, samples)
            if not query.is_pipeline:
                out.append(Case(name, params, bind(query, params)))
            elif opened is not None:
                recording = _Recording(opened)
                _first_page(recording, query, params)
                out.append(Case(name, params, recording.sent[-1], steps=recording.sent))
    finally:
        if opened is not None:
            opened.close()
    return out


def _count(form: str, data: bytes) -> int:
    """Rows of a SPARQL JSON result, or lines of N-Triples, or 1 for ASK."""
    if form == "SELECT":
        return len(json.loads(data)["results"]["bindings"])
    if form == "ASK":
        return 1
    return sum(1 for line in data.splitlines() if line.strip())


def _measure(
    run: Callable[[], tuple[str, bytes]], reps: int, budget_s: float
) -> tuple[str, int, list[float]]:
    form, data = run()  # warm-up; also the answer whose size is reported
    samples: list[float] = []
    deadline = time.perf_counter() + budget_s
    while not samples or (len(samples) < reps and time.perf_counter() < deadline):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return form, _count(form, data), samples


def _summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": percentile(samples, 50),
        "p95_ms": percentile(samples, 95),
        "mean_ms": statistics.fmean(samples),
        "n": len(samples),
    }


def _engine_runner(
    engine: str, store_path: Path
) -> tuple[Callable[[dict[str, Any]], tuple[str, bytes]], Callable[[], None]]:
    """A function running one case (bound SPARQL, or a pipeline) on one engine, and how to close it."""
    if engine == "product":
        store = open_store(store_path, read_only=True)
        catalogue = load_catalogue()

        def product(item: dict[str, Any]) -> tuple[str, bytes]:
            if item["steps"]:  # the runner, as the API runs it
                from jalinan.api.reading import serialize

                reading = _first_page(store, catalogue[item["name"]], item["params"])
                return "SELECT", serialize(reading, QueryResultsFormat.JSON)
            return store.query_serialized(item["sparql"], QueryResultsFormat.JSON, RdfFormat.N_TRIPLES)

        return product, store.close
    raw = Store.read_only(str(store_path))

    def direct(item: dict[str, Any]) -> tuple[str, bytes]:
        for step in item["steps"][:-1]:  # a pipeline's earlier steps, read in full
            list(raw.query(step, use_default_graph_as_union=True))  # type: ignore[call-overload]
        result = raw.query(item["sparql"], use_default_graph_as_union=True)
        if isinstance(result, QuerySolutions):
            return "SELECT", result.serialize(format=QueryResultsFormat.JSON)
        if isinstance(result, QueryBoolean):
            return "ASK", result.serialize(format=QueryResultsFormat.JSON)
        return "GRAPH", result.serialize(format=RdfFormat.N_TRIPLES)

    return direct, lambda: None


def run_oxigraph(
    store_path: Path, all_cases: list[Case], *, reps: int, budget_s: float, timeout_s: float = 60.0
) -> None:
    """Product store layer, then raw pyoxigraph, in worker processes with a time limit per query.

    pyoxigraph cannot cancel a running query, and some canned queries can run for minutes on a
    large store. So one worker per engine runs the queries in turn, printing one JSON line each;
    a query that has not answered within `timeout_s` has its worker stopped, is marked as such,
    and a fresh worker goes on with the next query.
    """
    for engine in ("product", "pyoxigraph"):
        pending = list(all_cases)
        while pending:
            spec = _spec_file(json.dumps([_item(c) for c in pending]))
            command = [
                sys.executable,
                "-m",
                "bench.query_bench",
                "batch",
                engine,
                str(store_path),
                spec,
                str(reps),
                str(budget_s),
            ]
            worker = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            lines: queue.Queue[str | None] = queue.Queue()
            threading.Thread(target=_pump, args=(worker, lines), daemon=True).start()
            while pending:
                case = pending[0]
                try:
                    line = lines.get(timeout=timeout_s)
                except queue.Empty:
                    worker.kill()
                    worker.wait()
                    pending.pop(0)
                    case.notes.append(f"{engine}: no answer within {timeout_s:.0f} s (stopped)")
                    case.latency[engine] = {
                        "p50_ms": math.inf,
                        "p95_ms": math.inf,
                        "mean_ms": math.inf,
                        "n": 0,
                        "timeout_s": timeout_s,
                    }
                    break
                if line is None:  # the worker died: report and go on without this query
                    pending.pop(0)
                    case.notes.append(
                        f"{engine}: failed: {(worker.stderr.read() if worker.stderr else '')[-300:]}"
                    )
                    break
                pending.pop(0)
                record = json.loads(line)
                case.form = record["form"]
                case.rows[engine] = record["rows"]
                case.latency[engine] = _summary(record["samples"])
            else:
                worker.wait(timeout=30)


def _item(case: Case) -> dict[str, Any]:
    return {"name": case.name, "params": case.params, "sparql": case.sparql, "steps": case.steps}


def _pump(worker: "subprocess.Popen[str]", lines: "queue.Queue[str | None]") -> None:
    assert worker.stdout is not None
    for line in worker.stdout:
        if line.strip():
            lines.put(line)
    lines.put(None)


def _batch_worker(engine: str, store_path: str, spec_json: str, reps: int, budget_s: float) -> None:
    run, close = _engine_runner(engine, Path(store_path))
    for item in _read_spec(spec_json):
        form, rows, samples = _measure(lambda item=item: run(item), reps, budget_s)
        print(json.dumps({"form": form, "rows": rows, "samples": samples}), flush=True)
    close()


def _oxigraph_worker(engine: str, store_path: str, sparql: str, reps: int, budget_s: float) -> None:
    run, close = _engine_runner(engine, Path(store_path))
    item = {"name": "", "params": {}, "sparql": sparql, "steps": []}
    form, rows, samples = _measure(lambda: run(item), reps, budget_s)
    close()
    print(json.dumps({"form": form, "rows": rows, "samples": samples}), flush=True)


def _spec_file(spec_json: str) -> str:
    """The cases for a worker, in a file (its path is the argument): on the command line they
    passed the system's limit on argument length once the search's word blocks were bound."""
    handle, name = tempfile.mkstemp(prefix="jalinan-bench-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(spec_json)
    return name


def _read_spec(path: str) -> list[dict[str, Any]]:
    """The cases `_spec_file` wrote (the file is removed: each worker gets its own)."""
    spec = json.loads(Path(path).read_text(encoding="utf-8"))
    Path(path).unlink(missing_ok=True)
    return spec  # type: ignore[no-any-return]


def run_rdflib(
    nquads: Path, all_cases: list[Case], *, reps: int, budget_s: float, timeout_s: float
) -> dict[str, Any]:
    """rdflib in a worker process; a query it does not finish in time is marked so, and the
    queries after it run in a fresh worker (each worker gets `timeout_s`), so one slow query
    does not hide the others' figures."""
    info: dict[str, Any] = {}
    by_name = {c.name: c for c in all_cases}
    remaining = list(all_cases)
    while remaining:
        spec = [{"name": c.name, "sparql": c.sparql, "steps": c.steps} for c in remaining]
        command = [sys.executable, "-m", "bench.query_bench", "rdflib", str(nquads)]
        command += [_spec_file(json.dumps(spec)), str(reps), str(budget_s)]
        lines: list[str] = []
        stopped = False
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
            lines = done.stdout.splitlines()
            if done.returncode != 0:
                info["error"] = done.stderr[-1500:]
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout or b""
            lines = (out.decode() if isinstance(out, bytes) else out).splitlines()
            stopped = True
        finished: set[str] = set()
        for line in lines:
            record = json.loads(line)
            if "load_s" in record:
                info.setdefault("load_s", record["load_s"])
                info.setdefault("load_peak_rss_bytes", record["load_peak_rss_bytes"])
                continue
            finished.add(record["name"])
            case = by_name[record["name"]]
            if "error" in record:
                case.notes.append(f"rdflib: {record['error'][:200]}")
                continue
            case.rows["rdflib"] = record["rows"]
            case.latency["rdflib"] = _summary(record["samples"])
        left = [c for c in remaining if c.name not in finished]
        if not stopped or not left or "load_s" not in info:
            if stopped:
                info["error"] = f"stopped after {timeout_s:.0f} s (time limit); unfinished ones left out"
            break
        left[0].notes.append(f"rdflib: no answer within the worker's {timeout_s:.0f} s; left out")
        remaining = left[1:]
    return info


def _rdflib_worker(nquads: str, spec_json: str, reps: int, budget_s: float) -> None:
    """Runs in its own process: load the N-Quads, then each query, one JSON line per result."""
    import resource

    from rdflib import Dataset

    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(nquads, format="nquads")
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps({"load_s": time.perf_counter() - started, "load_peak_rss_bytes": peak_kb * 1024}),
        flush=True,
    )
    for item in _read_spec(spec_json):

        def run(sparql: str = item["sparql"], steps: list[str] = item["steps"]) -> tuple[str, bytes]:
            for step in steps[:-1]:  # a pipeline's earlier steps, read in full
                list(dataset.query(step))
            result = dataset.query(sparql)
            if result.type == "SELECT":
                return "SELECT", result.serialize(format="json")
            if result.type == "ASK":
                return "ASK", result.serialize(format="json")
            return "GRAPH", result.serialize(format="nt")

        try:
            _, rows, samples = _measure(run, reps, budget_s)
        except Exception as exc:  # rdflib's own limits (unsupported syntax) are reported, not fatal
            print(json.dumps({"name": item["name"], "error": f"{type(exc).__name__}: {exc}"}), flush=True)
            continue
        print(json.dumps({"name": item["name"], "rows": rows, "samples": samples}), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "rdflib":
        _rdflib_worker(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
    elif len(sys.argv) == 7 and sys.argv[1] == "batch":
        _batch_worker(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), float(sys.argv[6]))
    elif len(sys.argv) == 6 and sys.argv[1] in ("product", "pyoxigraph"):
        _oxigraph_worker(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
    else:
        raise SystemExit(
            "usage: python -m bench.query_bench rdflib|product|pyoxigraph PATH SPEC|SPARQL REPS BUDGET_S"
        )
