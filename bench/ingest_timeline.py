"""Where a running ingest spends its time, seen from outside: a timeline of phases.

A full `jalinan ingest` runs in several processes (a forked YAML reader, shape-check workers)
and threads (the background loader), so timing its phases from inside needs wrapping the
pipeline's functions, a different program from the one a user runs. This script watches the
process a user runs instead, by id (so an ingest already running, even a long 100,000-article
one, can be watched without a second run), or runs the command it is given. Every `--every`
seconds it records the CPU seconds of the process tree (user + sys of the live processes and
of the children they reaped), the summed resident memory, and the main process's Python stack
(`py-spy dump --nonblocking`, which does not stop the process); each sample's stack is named by
the innermost pipeline phase it is in (`PHASES`). At the end it prints, per phase, the wall
seconds and the tree's CPU seconds spent while the main thread was in it, and the peak memory:

    python -m bench.ingest_timeline --pid PID [--every 10] [--log FILE]
    python -m bench.ingest_timeline -- jalinan ingest --facts F --articles A --store NEW

Samples are `--every` apart, so a phase's figures are good to about that many seconds.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

# Pipeline functions (as py-spy names them), outermost first; a sample belongs to the last one
# its main-thread stack holds (so "translate" within "build_corpus" counts as translate).
PHASES = (
    ("read_facts", "read YAML"),
    ("Translator.translate", "translate"),
    ("ontology_triples", "ontology"),
    ("corpus_digests", "digests"),
    ("stored_digests", "stored digests"),
    ("corpus_statistics", "counts"),
    ("positions_from_graphs", "lists' order"),
    ("Rules.materialise", "inferred graph"),
    ("list_members_update", "member lists"),
    ("full_update (ingest/agreement_lists.py", "agreement lists"),
    ("full_update (ingest/network_summary.py", "network summary"),
    ("OxigraphStore.replace_graphs", "write"),
    ("ShapeCheck.result", "wait for the shape check"),
    ("_Preload.finish", "finish the first load"),
)


def _ticks() -> int:
    return os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[float, float] | None:
    """(own CPU, reaped children's CPU) in seconds, or None once the process is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    if fields[0] == "Z":  # ended, not yet reaped (a command this script runs)
        return None
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime) / _ticks(), (cutime + cstime) / _ticks()


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found.append(child)
            todo.append(child)
    return found


def threads_cpu(pids: list[int]) -> dict[str, float]:
    """CPU seconds by thread name (`comm`) over the processes: RocksDB's compaction threads
    ("rocksdb:low") run no Python, so a Python profiler never sees them."""
    by_name: dict[str, float] = {}
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                name = (task / "comm").read_text().strip()
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            by_name[name] = by_name.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / _ticks()
    return {name: round(cpu, 1) for name, cpu in by_name.items()}


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _main_stack(pid: int, py_spy: str) -> str:
    done = subprocess.run(
        [py_spy, "dump", "--pid", str(pid), "--nonblocking"], capture_output=True, text=True, timeout=60
    )
    text = done.stdout
    start = text.find('"MainThread"')
    if start < 0:
        return ""
    end = text.find("\nThread ", start)
    return text[start : end if end > 0 else None]


def phase_of(stack: str) -> str:
    """The innermost pipeline phase a main-thread stack is in (py-spy lists innermost first)."""
    best, best_at = "other", len(stack) + 1
    for marker, name in PHASES:
        at = stack.find(marker)
        if 0 <= at < best_at:
            best, best_at = name, at
    return best


@dataclass
class Sample:
    t: float
    cpu: float
    rss_mb: float
    phase: str
    threads: dict[str, float] = field(default_factory=dict)


@dataclass
class Timeline:
    samples: list[Sample] = field(default_factory=list)

    def summary(self) -> list[tuple[str, float, float]]:
        """(phase, wall s, CPU s) in the order phases first appear; each interval goes to the
        phase of the sample that ends it."""
        order: dict[str, list[float]] = {}
        for before, after in zip(self.samples, self.samples[1:], strict=False):
            wall, cpu = order.setdefault(after.phase, [0.0, 0.0])
            order[after.phase] = [wall + after.t - before.t, cpu + after.cpu - before.cpu]
        return [(name, wall, cpu) for name, (wall, cpu) in order.items()]


def watch(pid: int, every: float, py_spy: str, log: Path | None) -> Timeline:
    timeline = Timeline()
    start = time.monotonic()
    seen: dict[int, float] = {}  # each descendant's last CPU: workers that exit keep counting
    while True:
        own = _stat(pid)
        if own is None:
            break
        tree = _descendants(pid)
        for child in tree:
            stat = _stat(child)
            if stat is not None:
                seen[child] = sum(stat)
        # a reaped child's CPU is in the parent's cutime: count each child once, by the larger
        cpu = own[0] + max(own[1], sum(seen.values()))
        rss = _rss_mb(pid) + sum(_rss_mb(c) for c in tree)
        stack = _main_stack(pid, py_spy)
        sample = Sample(
            round(time.monotonic() - start, 1),
            round(cpu, 1),
            round(rss),
            phase_of(stack),
            threads_cpu([pid]),
        )
        timeline.samples.append(sample)
        if log is not None:
            with log.open("a") as out:
                out.write(json.dumps({**asdict(sample), "stack": stack[:3000]}) + "\n")
        time.sleep(every)
    return timeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pid", type=int, help="watch this running process")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--log", type=Path, help="append each sample (with its stack) as JSON lines")
    parser.add_argument("command", nargs="*", help="run and watch this command instead")
    args = parser.parse_args()
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if args.pid is not None:
        pid, process = args.pid, None
    else:
        process = subprocess.Popen(args.command)
        pid = process.pid
    started = time.monotonic()
    timeline = watch(pid, args.every, py_spy, args.log)
    if process is not None:
        process.wait()
    wall = time.monotonic() - started
    peak = max((s.rss_mb for s in timeline.samples), default=0)
    print(f"watched {pid}: {wall:.1f} s wall, peak tree RSS {peak:,.0f} MB (sampled)")
    print(f"{'phase':<26} {'wall s':>8} {'CPU s':>8}")
    for name, phase_wall, cpu in timeline.summary():
        print(f"{name:<26} {phase_wall:8.1f} {cpu:8.1f}")
    last = timeline.samples[-1] if timeline.samples else None
    if last is not None:
        print(f"{'(sampled total)':<26} {last.t:8.1f} {last.cpu:8.1f}")
        print("main process's threads, CPU s at the last sample:", json.dumps(last.threads))


if __name__ == "__main__":
    main()
