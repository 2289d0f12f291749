"""Two builds' full ingest side by side: the same corpus into new stores, runs alternating.

On a shared machine a full ingest's wall time moves with the load, so a figure for one build
says little unless the other build ran in the same minutes. This bench runs each build's
`jalinan` (its own environment's console script: an editable install maps the package to its
own tree) into a new store, `--pairs` times, alternating which goes first, and prints for each
run the wall seconds, the user + sys CPU seconds of the whole process tree (its children
reaped, `os.wait4`), the peak RSS of its largest process, the load average before it, and
the CPU seconds of RocksDB's compaction threads (last seen, polled each second):

    python -m bench.ingest_ab_bench --facts F --articles A --scratch DIR \\
        --old /work/main/.venv/bin/jalinan --new .venv/bin/jalinan [--pairs 2]
"""

import argparse
import os
import shutil
import subprocess
import time
from pathlib import Path

from bench import machine
from bench.ingest_timeline import threads_cpu


def run(jalinan: str, facts: Path, articles: Path, store: Path) -> dict[str, float]:
    shutil.rmtree(store, ignore_errors=True)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    process = subprocess.Popen(
        [jalinan, "ingest", "--facts", str(facts), "--articles", str(articles), "--store", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    threads: dict[str, float] = {}
    while True:  # the main process's CPU by thread name, last seen (RocksDB's compactions apart)
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        threads = threads_cpu([process.pid]) or threads
        time.sleep(1)
    wall = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"{jalinan} ingest failed ({status}): {process.stderr.read()[-2000:]!r}")
    return {
        "wall": wall,
        "user": usage.ru_utime,
        "sys": usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "load": load,
        "compaction": threads.get("rocksdb:low", 0.0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--facts", type=Path, required=True)
    parser.add_argument("--articles", type=Path, required=True)
    parser.add_argument("--scratch", type=Path, required=True, help="where the new stores go (replaced)")
    parser.add_argument("--old", required=True, help="the old build's jalinan script")
    parser.add_argument("--new", required=True, help="the new build's jalinan script")
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep each build's last store")
    args = parser.parse_args()
    print(machine.banner(), flush=True)
    builds = {"old": args.old, "new": args.new}
    heads = ("wall s", "user s", "sys s", "CPU s", "peak MB", "load", "compact")
    print(f"{'when (UTC)':<10} {'build':<5} " + " ".join(f"{head:>8}" for head in heads))
    for pair in range(args.pairs):
        order = ["old", "new"] if pair % 2 == 0 else ["new", "old"]
        for name in order:
            when = time.strftime("%H:%M:%S", time.gmtime())
            r = run(builds[name], args.facts, args.articles, args.scratch / name)
            print(
                f"{when:<10} {name:<5} {r['wall']:8.1f} {r['user']:8.1f} {r['sys']:8.1f} "
                f"{r['user'] + r['sys']:8.1f} {r['peak_mb']:8.0f} {r['load']:8.1f} {r['compaction']:8.1f}",
                flush=True,
            )
            if not args.keep:
                shutil.rmtree(args.scratch / name, ignore_errors=True)


if __name__ == "__main__":
    main()
