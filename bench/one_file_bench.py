"""`jalinan ingest FILE` timed as a user runs it, optionally against another checkout, interleaved.

    python -m bench.one_file_bench --store bench/out/n10000/store --facts bench/out/n10000/facts \
        --articles bench/out/n10000/articles --baseline /tmp/old/pkg --reps 8

Each run edits one article's label (as `bench.generate.change_one_article` does, back and forth)
and re-ingests that file alone into a copy of the store, in its own process; wall time and CPU
time (the process and the helpers it waited for: user + system). With `--baseline` (a folder
holding another checkout's `jalinan` package, put first on `PYTHONPATH`), the runs alternate
between the baseline and this checkout on the same store copy, so that both meet the same load
on a shared machine. The copy is deleted at the end.
"""

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import machine


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _relabel(path: Path, run: int) -> None:
    """Give the file's first label a suffix that differs from the last run's: one graph changes."""
    text = path.read_text(encoding="utf-8")
    match = re.search(r"^  label: (.*?)( \(run \d+\))?$", text, flags=re.MULTILINE)
    if match is None:
        raise SystemExit(f"{path}: no label to revise")
    start, end = match.start(1), match.end(0)
    path.write_text(text[:start] + f"{match.group(1)} (run {run})" + text[end:], encoding="utf-8")


def _one(store: Path, file: Path, articles: Path | None, pythonpath: str | None) -> tuple[float, float]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    command = [sys.executable, "-m", "jalinan.cli", "ingest", "--store", str(store), str(file)]
    if articles is not None:
        command[4:4] = ["--articles", str(articles)]
    cpu, started = _cpu_of_children(), time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd="/")
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"ingest failed ({done.returncode}): {done.stderr[-2000:]}")
    return wall, _cpu_of_children() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--facts", type=Path, required=True, help="the corpus's facts folder")
    parser.add_argument("--articles", type=Path)
    parser.add_argument("--article", help="the article file's stem (default: the middle one)")
    parser.add_argument("--baseline", help="a folder holding another checkout's `jalinan` package")
    parser.add_argument("--reps", type=int, default=6)
    args = parser.parse_args()
    print(machine.banner(), flush=True)
    args.store, args.facts = args.store.resolve(), args.facts.resolve()
    args.articles = args.articles.resolve() if args.articles else None
    names = sorted(p.stem for p in (args.facts / "articles").glob("*.yaml"))
    stem = args.article or names[len(names) // 2]
    original = args.facts / "articles" / f"{stem}.yaml"
    work = args.store.parent / f".one-file-bench-{os.getpid()}"
    store = work / "store"
    file = work / original.name
    shutil.copytree(args.store, store)
    shutil.copy(original, file)
    sides: dict[str, str | None] = {"this checkout": None}
    if args.baseline:
        sides = {"baseline": args.baseline, **sides}
    figures: dict[str, list[tuple[float, float]]] = {side: [] for side in sides}
    try:
        run = 0
        for _ in range(args.reps):
            for side, pythonpath in sides.items():
                run += 1
                _relabel(file, run)
                figures[side].append(_one(store, file, args.articles, pythonpath))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()[0]
    print(f"`jalinan ingest FILE` ({stem}), {args.reps} runs each, interleaved, load {load:.1f}:")
    for side, runs in figures.items():
        walls, cpus = sorted(w for w, _ in runs), sorted(c for _, c in runs)
        print(
            f"  {side:14} wall median {statistics.median(walls):.2f} s "
            f"(min {walls[0]:.2f}, max {walls[-1]:.2f}); "
            f"CPU median {statistics.median(cpus):.2f} s (min {cpus[0]:.2f}, max {cpus[-1]:.2f})"
        )


if __name__ == "__main__":
    main()
