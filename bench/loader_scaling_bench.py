"""Does the bulk loader cost more per quad as the store grows? Load one store's quads N times.

A full ingest at 100,000 articles loads some 22 million quads into one new store, ten times what
10,000 articles load; if RocksDB (its sorted files overlapping, compactions) made each quad
dearer as the store fills, that would be one reason the ingest grows faster than the corpus.
This bench loads the N-Quads of a store (`--store`, opened read-only) `--copies` times into a
new store, each copy with every IRI of the project renamed (`…/jalinan/` → `…/jalinanK/`, so
every copy's terms are new, as another 10,000 articles' would be), through `Store.bulk_load` in
calls of `--chunk` lines as ingest makes them, and prints the process's CPU seconds (all its
threads: RocksDB's own included) and wall seconds per million quads for each copy, then the
final `optimize`. `--lenient` loads as pyoxigraph's `lenient=True` does (no IRI validation),
for comparing the two on the same input:

    python -m bench.loader_scaling_bench --store S --into NEW [--copies 5] [--chunk 100000] \\
        [--lenient] [--stream]
"""

import argparse
import itertools
import resource
import shutil
import time
from pathlib import Path

from pyoxigraph import RdfFormat, Store

from jalinan.graph.oxigraph_store import PiecesReader

PROJECT = b"<https://w3id.org/jalinan/"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _chunks(text: bytes, lines: int) -> list[bytes]:
    out, start = [], 0
    while start < len(text):
        end = start
        for _ in range(lines):
            end = text.find(b"\n", end) + 1
            if end == 0:
                end = len(text)
                break
        out.append(text[start:end])
        start = end
    return out


def _stream(store: Store, chunks: list[bytes], args: argparse.Namespace, quads: int) -> None:
    """All copies in one loader call, read as ingest's first load reads its graphs; the CPU
    and wall seconds of each copy are taken when the loader's reading reaches the next one
    (its sorting threads lag a batch behind)."""
    marks: list[tuple[float, float]] = []

    def pieces():
        for copy in range(args.copies):
            marks.append((_cpu(), time.perf_counter()))
            for chunk in chunks:
                yield chunk.replace(PROJECT, b"<https://w3id.org/jalinan%d/" % copy)

    start = (_cpu(), time.perf_counter())
    store.bulk_load(input=PiecesReader(pieces()), format=RdfFormat.N_QUADS, lenient=args.lenient)
    marks.append((_cpu(), time.perf_counter()))
    print(f"one call: {marks[-1][0] - start[0]:.1f} s CPU, {marks[-1][1] - start[1]:.1f} s wall")
    for copy, (before, after) in enumerate(itertools.pairwise(marks)):
        cpu, wall = after[0] - before[0], after[1] - before[1]
        per_million = cpu / quads * 1e6
        print(f"copy {copy + 1} (read): {cpu:6.1f} s CPU, {wall:6.1f} s wall, {per_million:5.2f} s a million")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a store to read (read-only)")
    parser.add_argument("--into", type=Path, required=True, help="a new folder to load into (replaced)")
    parser.add_argument("--copies", type=int, default=5)
    parser.add_argument("--chunk", type=int, default=100_000, help="lines per bulk_load call")
    parser.add_argument("--lenient", action="store_true")
    parser.add_argument(
        "--stream", action="store_true", help="one loader call for all copies (ingest's `PiecesReader`)"
    )
    args = parser.parse_args()
    source = Store.read_only(str(args.store))
    text = source.dump(format=RdfFormat.N_QUADS)
    del source
    quads = text.count(b"\n")
    chunks = _chunks(text, args.chunk)
    del text
    print(f"{quads:,} quads a copy, {len(chunks)} calls of {args.chunk:,} lines")
    shutil.rmtree(args.into, ignore_errors=True)
    store = Store(str(args.into))
    if args.stream:
        _stream(store, chunks, args, quads)
    for copy in range(0 if args.stream else args.copies):
        renamed = [c.replace(PROJECT, b"<https://w3id.org/jalinan%d/" % copy) for c in chunks]
        cpu, wall = _cpu(), time.perf_counter()
        for chunk in renamed:
            store.bulk_load(input=chunk, format=RdfFormat.N_QUADS, lenient=args.lenient)
        cpu, wall = _cpu() - cpu, time.perf_counter() - wall
        files = len(list(args.into.glob("*.sst")))
        print(
            f"copy {copy + 1}: {cpu:6.1f} s CPU, {wall:6.1f} s wall, "
            f"{cpu / quads * 1e6:5.2f} s CPU per million quads, {files} SST files"
        )
    cpu, wall = _cpu(), time.perf_counter()
    store.flush()
    store.optimize()
    cpu, wall = _cpu() - cpu, time.perf_counter() - wall
    files = len(list(args.into.glob("*.sst")))
    total = quads * args.copies
    print(f"optimize: {cpu:.1f} s CPU, {wall:.1f} s wall ({total:,} quads), {files} SST files")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MB")


if __name__ == "__main__":
    main()
