"""Profile a product command with py-spy and say where its time goes, as a short table.

The targets are met or missed by code outside `bench/`; the report must point at functions with
their share of time, not guess. py-spy samples the real subprocess (`jalinan ingest`, `jalinan
serve`) without changing it; its collapsed stacks ("raw" format) are summed here per function,
inclusive (on the stack) and self (at the top). py-spy comes with the `bench` extra (the issue
names it as the profiler); `python -m bench --profile` stops with a clear message without it,
rather than running for an hour and recording nothing.

    python -m bench.profile summary bench/out/profiles/ingest-10000.txt
"""

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path


def py_spy() -> str | None:
    """The py-spy executable beside this Python, or on PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def record(command: list[str], output: Path, *, rate: int = 50, timeout: float | None = None) -> bool:
    """Run `command` under py-spy, writing collapsed stacks to `output`; False if py-spy is absent.

    `--subprocesses`: ingest checks shapes in forked workers, whose time would otherwise be missing.
    """
    exe = py_spy()
    if exe is None:
        return False
    output.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [exe, "record", "--subprocesses", "-r", str(rate), "-f", "raw", "-o", str(output), "--", *command],
        check=True,
        capture_output=True,
        timeout=timeout,
    )
    return True


def _frame_name(frame: str) -> str:
    """`func (path/to/module.py:123)` → `func (module.py)`, so lines of one function add up."""
    name, _, where = frame.partition(" (")
    file = where.rsplit(":", 1)[0].rsplit("/", 1)[-1]
    return f"{name} ({file})" if file else name


def summarise(raw: Path, top: int = 15) -> list[tuple[str, float, float]]:
    """(function, inclusive share, self share) for the `top` functions by inclusive share."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [_frame_name(f) for f in stack.split(";") if f]
        for name in set(frames):
            inclusive[name] += count
        if frames:
            own[frames[-1]] += count
    if total == 0:
        return []
    ranked = sorted(inclusive, key=lambda n: (-inclusive[n], n))
    # drop the interpreter's outer frames (`<module>`, `main`) that are on every stack
    ranked = [n for n in ranked if inclusive[n] < total * 0.995][:top]
    return [(n, inclusive[n] / total, own[n] / total) for n in ranked]


def top_self(raw: Path, top: int = 10) -> list[tuple[str, float]]:
    """The functions where samples land (self time), largest first."""
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        total += int(count_text)
        own[_frame_name(stack.split(";")[-1])] += int(count_text)
    return [(n, c / total) for n, c in own.most_common(top)] if total else []


def format_summary(raw: Path, top: int = 15) -> str:
    lines = [f"profile {raw.name}: inclusive% self%  function"]
    for name, inc, own in summarise(raw, top):
        lines.append(f"  {inc * 100:6.1f} {own * 100:6.1f}  {name}")
    lines.append("  top self time:")
    for name, share in top_self(raw, 8):
        lines.append(f"  {share * 100:6.1f}  {name}")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] != "summary":
        raise SystemExit("usage: python -m bench.profile summary RAW_FILE [TOP]")
    print(format_summary(Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 25))
