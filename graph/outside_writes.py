"""A mark, inside the store's folder, that the store was written by something other than ingest.

Ingest keeps a digest of each graph it wrote (in the ingest-state graph) and rewrites only the
graphs whose new content differs from that digest. That is only sound while nobody else writes:
a graph changed through the public write API (SPARQL Update, Graph Store Protocol) or by
`jalinan import` would keep its stored digest, and ingest would never repair it. And nothing in
the store can record such writes safely, since those same writes can change anything in it,
the ingest-state graph included (a variable `GRAPH ?g`, `DROP ALL`, a prefixed name).

So every write that is not ingest's leaves this mark first, as a file in the store's folder
(RocksDB ignores files it did not make, and the mark moves with the folder); the write API
cannot touch files. A full ingest that finds it trusts nothing it recorded: it reads every
graph back, compares its content with what it would write, rewrites those that differ and all
of its bookkeeping, and only then removes the mark. The mark is left before the write, so a
crash between the two leaves a mark too many, never a write unmarked.
"""

import os
import time
from pathlib import Path

MARK_NAME = "JALINAN-WRITTEN-OUTSIDE-INGEST"


def _mark_path(store_path: Path | str) -> Path:
    return Path(store_path) / MARK_NAME


def mark_written_outside_ingest(store_path: Path | str | None) -> None:
    """Record (durably, before the write) that the store at `store_path` is about to be written
    by something other than ingest. A store without a folder (in memory) has nothing to mark."""
    if store_path is None or not Path(store_path).is_dir():
        return
    mark = _mark_path(store_path)
    if mark.exists():
        return
    with mark.open("w") as file:
        file.write(
            f"written outside `jalinan ingest` since {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}\n"
        )
        file.flush()
        os.fsync(file.fileno())
    directory = os.open(store_path, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def written_outside_ingest(store_path: Path | str | None) -> bool:
    """Whether anything but ingest may have written the store since ingest last checked it all."""
    return store_path is not None and _mark_path(store_path).exists()


def clear_outside_writes(store_path: Path | str | None) -> None:
    """Called by a full ingest once every graph and the bookkeeping match what it wrote."""
    if store_path is not None:
        _mark_path(store_path).unlink(missing_ok=True)
