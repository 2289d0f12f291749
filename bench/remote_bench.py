"""Every canned query's first page on the embedded store, `oxigraph serve` and Virtuoso 7, side by
side in one run, against the issue's target: each remote backend's p95 within 3x the embedded
store's.

The corpus is the one `python -m bench` (or `timeline_bench.ensure_store`) builds in `--work`:
its `store`, its export `data.nq` and its `samples.json`. Each remote server starts on loopback
with its own configuration (`tests/backends.py`, the same servers the tests run) and is
bulk-loaded from `data.nq` with its own loader (`oxigraph load` before it serves; Virtuoso's
`ld_dir` + `rdf_loader_run` through ISQL), since a bench of reading should not wait for ten
thousand Graph Store PUTs. Then each query, bound as the API binds it, runs as the API runs it
(`api.reading.read` for a list pipeline, `query_serialized` for a single file) on each store in
turn, interleaved query by query, so that the three share the machine's moments alike.

    .venv/bin/python -m bench.remote_bench --work bench/out/n10000 --reps 20 --json figures.json

`samples.json` (the parameter values) is taken from the bench's `results.json` (`sizes[0].samples`)
when the folder has none. Prints the load times, then one line per query: rows, p50/p95 and the
CPU milliseconds per run of each backend (the embedded store's is this process's; a server's is
its process's, from /proc), each remote p95 over the embedded one, whether the rows are the
embedded store's, and the machine's load average when the query started: the machine may be
shared, and the load says how much the figures measure the neighbours.

For every remote query beyond the target, the plan the server gives for each SPARQL query the
page sent (Virtuoso's `explain=on` page: its SQL and execution plan, with the optimiser's row
estimates) is saved under `WORK/plans/`, so that the reason can be given in its words.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from pyoxigraph import QueryResultsFormat, RdfFormat

from bench import machine
from bench.generate import Samples
from bench.query_bench import parameters_for, percentile
from jalinan.api.canned import bind_request
from jalinan.api.reading import read
from jalinan.graph import StoreError, open_store
from jalinan.graph.remote_store import VIRTUOSO_ORDER, WRITTEN_ORDER
from jalinan.graph.store import GraphStore
from jalinan.queries.catalogue import CannedQuery, Page, load_catalogue

TARGET_RATIO = 3.0
OXIGRAPH = Path(sys.executable).parent / "oxigraph"


# address, credentials, load seconds, process id, ISQL address (Virtuoso's; "" for another server)
Server = tuple[str, dict[str, str], float, int, str]


def _oxigraph(work: Path, nquads: Path) -> Iterator[Server]:
    from tests.backends import oxigraph_server

    directory = work / "oxigraph-server"
    loaded = directory / "loaded"  # the load's seconds, once it finished: reused by a later run
    if not loaded.exists():
        subprocess.run(["rm", "-rf", str(directory)], check=True)
        directory.mkdir()
        started = time.perf_counter()
        subprocess.run(
            [str(OXIGRAPH), "load", "--location", str(directory / "db"), "--file", str(nquads)],
            check=True,
            capture_output=True,
        )
        loaded.write_text(f"{time.perf_counter() - started:.1f}")
    load_s = float(loaded.read_text())
    with oxigraph_server(directory) as backend:
        yield backend.location, backend.env, load_s, backend.pid, ""


def _virtuoso(work: Path, nquads: Path) -> Iterator[Server]:
    from tests.backends import ISQL, VIRTUOSO_PASSWORD, virtuoso_server

    directory = work / "virtuoso"
    subprocess.run(["rm", "-rf", str(directory)], check=True)
    directory.mkdir()
    os.link(nquads, directory / "data.nq")  # Virtuoso reads only from its DirsAllowed
    with virtuoso_server(directory, buffers=170_000) as backend:
        started = time.perf_counter()
        for statement in (
            f"ld_dir('{directory}', 'data.nq', 'https://w3id.org/jalinan/graph/unnamed');",
            "rdf_loader_run();",
            "checkpoint;",
        ):
            subprocess.run(
                [ISQL, backend.isql, "dba", VIRTUOSO_PASSWORD, f"exec={statement}"],
                check=True,
                capture_output=True,
                timeout=3600,
            )
        load_s = time.perf_counter() - started
        # the loader reports a file it failed on (a "Transaction deadlock" was seen once under
        # load) only in its list, and carries on: a partial store must not be measured
        failed = subprocess.run(
            [
                ISQL,
                backend.isql,
                "dba",
                VIRTUOSO_PASSWORD,
                "exec=select ll_file, ll_error from DB.DBA.load_list where ll_error is not null;",
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        if "0 Rows." not in failed:
            raise SystemExit(f"Virtuoso's bulk loader failed on {nquads}:\n{failed}")
        yield backend.location, backend.env, load_s, backend.pid, backend.isql


SERVERS: dict[str, Callable[[Path, Path], Iterator[Server]]] = {
    "oxigraph-server": _oxigraph,
    "virtuoso": _virtuoso,
}


def _cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far: this process's own for 0."""
    if not pid:
        return time.process_time()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Recording:
    """A store that remembers the SPARQL it is asked (a page's pipeline sends several)."""

    def __init__(self, store: GraphStore):
        self._store = store
        self.texts: list[str] = []

    def query(self, sparql: str, *args: object, **kwargs: object) -> object:
        self.texts.append(sparql)
        return self._store.query(sparql, *args, **kwargs)  # type: ignore[arg-type]

    def query_serialized(self, sparql: str, *args: object, **kwargs: object) -> object:
        self.texts.append(sparql)
        return self._store.query_serialized(sparql, *args, **kwargs)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


def _save_plans(
    store: GraphStore, location: str, isql: str, runner: Callable[[GraphStore], object], out: Path
) -> list[str]:
    """Run the page once through a recording store, then ask the server (Virtuoso: `explain=on`)
    for the plan of each query it sent, and where its ISQL is known, the query's profile (each
    step's share of the time and the rows it read and gave, which a plan's estimates do not
    show); the files written."""
    import httpx

    recording = _Recording(store)
    runner(recording)  # type: ignore[arg-type]
    endpoint = location.removeprefix("sparql+").split("?", 1)[0]
    written = []
    for n, text in enumerate(recording.texts, 1):
        if isql and WRITTEN_ORDER in text:  # as the store sends it to Virtuoso
            text = VIRTUOSO_ORDER + text
        response = httpx.post(endpoint, data={"query": text, "explain": "on"}, timeout=300)
        path = out.with_name(f"{out.name}-{n}.html")
        path.write_text(f"<!-- {response.status_code} -->\n{response.text}")
        written.append(str(path))
        if isql:
            path = out.with_name(f"{out.name}-{n}.profile.txt")
            path.write_text(f"{text}\n\n{virtuoso_profile(isql, text)}")
            written.append(str(path))
    return written


def virtuoso_profile(isql: str, sparql: str) -> str:
    """Virtuoso's profile of one SPARQL query, run once through ISQL (`profile('sparql …')`):
    for each step of its plan the share of the time (`time 12%`), the rows it was given
    (`input 300 rows`) and how many each gave on average (`fanout 4`)."""
    from tests.backends import ISQL, VIRTUOSO_PASSWORD

    # (on its standard input: given as `exec=…`, ISQL reads a `+` as a space)
    statement = "profile('sparql " + sparql.replace("'", "''") + "');"
    done = subprocess.run(
        [ISQL, isql, "dba", VIRTUOSO_PASSWORD],
        input=f"set blobs on;\n{statement}\n",
        capture_output=True,
        encoding="utf-8",
        errors="replace",  # (it writes the query's own text back in another encoding)
        timeout=600,
    )
    return done.stdout + done.stderr


ROUND_TRIP = "SELECT ?one WHERE { VALUES ?one { 1 } }"


def _round_trips(stores: dict[str, GraphStore], pids: dict[str, int], reps: int) -> dict[str, object]:
    """Each store's wall and CPU time for a query that reads nothing (`ROUND_TRIP`), printed: what
    every query of a page pays before any reading on a server (the request, the server's parsing,
    compiling and answering; Jalinan's parsing of the answer), against which a page of a few
    milliseconds on the embedded store is compared."""
    figures: dict[str, object] = {}
    parts = []
    for name, store in stores.items():
        store.query(ROUND_TRIP)  # (a first request opens the connection)
        wall, cpu_before = [], _cpu_seconds(pids[name])
        for _ in range(reps):
            started = time.perf_counter()
            store.query(ROUND_TRIP)
            wall.append((time.perf_counter() - started) * 1000)
        cpu_ms = (_cpu_seconds(pids[name]) - cpu_before) / reps * 1000
        p50, p95 = percentile(wall, 50), percentile(wall, 95)
        figures[name] = {"p50_ms": round(p50, 2), "p95_ms": round(p95, 2), "cpu_ms": round(cpu_ms, 1)}
        parts.append(f"{name} p50 {p50:6.2f} p95 {p95:6.2f} cpu {cpu_ms:5.1f} ms")
    print(
        f"{'round trip (no reading)':22s} load {os.getloadavg()[0]:4.1f} | " + " | ".join(parts), flush=True
    )
    return figures


def _samples(work: Path) -> Samples:
    """The corpus's parameter values: samples.json, or the bench's results.json."""
    path = work / "samples.json"
    if not path.exists():
        results = json.loads((work.parent / "results.json").read_text())
        path.write_text(json.dumps(results["sizes"][0]["samples"], indent=1))
    return Samples(**json.loads(path.read_text()))


def _runner(store: GraphStore, query: CannedQuery, params: dict[str, str]) -> Callable[[], list[str]]:
    """The first page as the API reads it; returns its rows, comparable across stores."""
    if query.is_pipeline:
        assert query.paging is not None

        def run() -> list[str]:
            result = read(store, query, params, Page(1, query.paging.size))  # type: ignore[union-attr]
            return sorted(
                json.dumps({k: str(v) for k, v in row.items()}, sort_keys=True) for row in result.rows
            )

        return run
    sparql = bind_request(query, list(params.items()))

    def run_file() -> list[str]:
        _, data = store.query_serialized(sparql, QueryResultsFormat.JSON, RdfFormat.N_TRIPLES)
        if data.startswith(b"{"):
            return sorted(json.dumps(b, sort_keys=True) for b in json.loads(data)["results"]["bindings"])
        return sorted(data.decode().splitlines())

    return run_file


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("bench/out/n10000"))
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--backends", nargs="*", default=sorted(SERVERS))
    parser.add_argument("--only", nargs="*", help="query names (default: every canned query)")
    parser.add_argument(
        "--skip", nargs="*", default=[], help="query names left out (one that does not answer)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--no-count", action="store_true", help="do not count each server's quads (minutes under load)"
    )
    args = parser.parse_args(argv)
    print(machine.banner(), flush=True)
    args.work = args.work.resolve()  # the servers run in folders of their own
    samples = _samples(args.work)
    catalogue = load_catalogue()
    plans = args.work / "plans"
    plans.mkdir(exist_ok=True)
    figures: dict[str, object] = {
        "articles": args.work.name,
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "cpus": os.cpu_count(),
        "loads": {},
        "queries": [],
    }
    with contextlib.ExitStack() as stack:
        stores: dict[str, GraphStore] = {
            "embedded": stack.enter_context(open_store(args.work / "store", read_only=True))
        }
        locations: dict[str, str] = {}
        pids: dict[str, int] = {"embedded": 0}
        isqls: dict[str, str] = {}
        for name in args.backends:
            location, env, load_s, pid, isql = stack.enter_context(
                contextlib.contextmanager(SERVERS[name])(args.work, args.work / "data.nq")
            )
            os.environ.update(env)
            os.environ["JALINAN_STORE_TIMEOUT"] = "300"  # counting 2 million quads takes a while
            stores[name] = stack.enter_context(open_store(location, read_only=True))
            locations[name], pids[name], isqls[name] = location, pid, isql
            try:
                count: int | str = "not counted" if args.no_count else stores[name].quad_count()
            except StoreError as exc:  # (Virtuoso once timed out counting, just after its load)
                count = f"not counted: {str(exc)[:80]}"
            figures["loads"][name] = {"seconds": round(load_s, 1), "quads": count}  # type: ignore[index]
            print(f"{name}: loaded {count} quads in {load_s:.0f} s", flush=True)
        figures["round_trip"] = _round_trips(stores, pids, args.reps * 2)
        worst: dict[str, tuple[str, float]] = {}
        for query_name, query in catalogue.items():
            if (args.only and query_name not in args.only) or query_name in args.skip:
                continue
            load_average = os.getloadavg()
            params = parameters_for(query, samples)
            runs = {name: _runner(store, query, params) for name, store in stores.items()}
            rows: dict[str, list[str] | str] = {}
            for name, run in runs.items():  # warm-up, and the answer compared
                try:
                    rows[name] = run()
                except Exception as exc:
                    rows[name] = f"{type(exc).__name__}: {str(exc)[:160]}"
            wall: dict[str, list[float]] = {name: [] for name in runs if isinstance(rows[name], list)}
            cpu: dict[str, float] = dict.fromkeys(wall, 0.0)
            for _ in range(args.reps):
                for name in wall:
                    cpu_before, started = _cpu_seconds(pids[name]), time.perf_counter()
                    runs[name]()
                    wall[name].append((time.perf_counter() - started) * 1000)
                    cpu[name] += _cpu_seconds(pids[name]) - cpu_before
            record = {
                "query": query_name,
                "params": params,
                "load_average": [round(x, 1) for x in load_average],
                "backends": {},
            }
            embedded_p95 = percentile(wall["embedded"], 95) if "embedded" in wall else float("nan")
            parts = []
            for name in runs:
                if name not in wall:
                    record["backends"][name] = {"error": rows[name]}  # type: ignore[index]
                    parts.append(f"{name} ERROR {rows[name]}")
                    continue
                p50, p95 = percentile(wall[name], 50), percentile(wall[name], 95)
                cpu_ms = cpu[name] / args.reps * 1000
                entry = {
                    "rows": len(rows[name]),
                    "p50_ms": round(p50, 2),
                    "p95_ms": round(p95, 2),
                    "cpu_ms": round(cpu_ms, 1),
                }
                text = f"{name} {len(rows[name]):4d} rows p50 {p50:7.1f} p95 {p95:7.1f} cpu {cpu_ms:6.1f} ms"
                if name != "embedded":
                    ratio = p95 / embedded_p95
                    same = rows[name] == rows.get("embedded")
                    entry.update(ratio=round(ratio, 2), same_rows=same)
                    text += f" ({ratio:4.1f}x{'' if same else ', OTHER ROWS'})"
                    if ratio > worst.get(name, ("", 0.0))[1]:
                        worst[name] = (query_name, ratio)
                    if ratio > TARGET_RATIO and name == "virtuoso":
                        entry["plans"] = _save_plans(
                            stores[name],
                            locations[name],
                            isqls[name],
                            lambda store, q=query, p=params: _runner(store, q, p)(),
                            plans / f"{name}-{query_name}",
                        )
                record["backends"][name] = entry  # type: ignore[index]
                parts.append(text)
            figures["queries"].append(record)  # type: ignore[union-attr]
            print(f"{query_name:22s} load {load_average[0]:4.1f} | " + " | ".join(parts), flush=True)
            if args.json:  # (written as it goes: a run stopped early keeps its figures)
                args.json.write_text(json.dumps(figures, indent=1))
        for name, (query_name, ratio) in worst.items():
            verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
            print(
                f"worst on {name}: {query_name} {ratio:.1f}x the embedded p95 "
                f"(target ≤ {TARGET_RATIO:g}x: {verdict})"
            )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.backends starts the servers
    main()
