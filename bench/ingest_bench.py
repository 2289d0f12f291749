"""Ingest as a user runs it (`jalinan ingest` in its own process), against pyoxigraph's floor.

The product's time includes everything a curator waits for: reading YAML, validating, checking
quotes against the texts, SHACL shapes and the one-transaction write. The floor is
`Store.bulk_load` of the very quads the product wrote (exported with `jalinan export`), which is
the least any loader on this store can take. Re-ingesting one changed article is measured both
ways the product offers: the whole folder again (only changed graphs are written) and the
single file (`jalinan ingest FILE`).
"""

import contextlib
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import RdfFormat, Store

from bench import profile
from bench.generate import GeneratedCorpus, change_one_article


def jalinan_command() -> list[str]:
    """The `jalinan` console script of this environment (as a user runs it)."""
    script = Path(sys.executable).parent / "jalinan"
    return [str(script)] if script.exists() else [sys.executable, "-m", "jalinan.cli"]


def oxigraph_command() -> list[str]:
    script = Path(sys.executable).parent / "oxigraph"
    return [str(script) if script.exists() else "oxigraph"]


def disk_size(path: Path) -> int:
    """Bytes used by the files under `path` (what `du -b` reports)."""
    total = 0
    for folder, _, names in os.walk(path):
        for name in names:
            with contextlib.suppress(OSError):
                total += (Path(folder) / name).stat().st_size
    return total


def _timed(command: list[str], *, timeout: float | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])}… failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, done.stdout.strip()


@dataclass
class IngestResult:
    articles: int
    quads: int
    ingest_s: float
    ingest_output: str
    bulk_load_s: float
    oxigraph_load_s: float
    reingest_folder_s: float
    reingest_folder_output: str
    reingest_file_s: float
    reingest_file_output: str
    store_bytes: int
    bulk_store_bytes: int
    oxigraph_store_bytes: int
    nquads_bytes: int
    profile: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run(
    corpus: GeneratedCorpus, work: Path, *, profile_dir: Path | None = None
) -> tuple[IngestResult, Path, Path]:
    """Ingest, export, bulk-load, re-ingest; returns the result, the product store and oxigraph's."""
    store = work / "store"
    nquads = work / "data.nq"
    bulk = work / "bulk-store"
    oxi = work / "oxigraph-store"
    for old in (store, bulk, oxi):
        if old.exists():
            subprocess.run(["rm", "-rf", str(old)], check=True)
    command = [
        *jalinan_command(),
        "ingest",
        "--facts",
        str(corpus.facts_dir),
        "--articles",
        str(corpus.articles_dir),
        "--store",
        str(store),
    ]
    raw_profile = None
    if profile_dir is not None and profile.py_spy() is not None:
        raw_profile = profile_dir / f"ingest-{corpus.articles}.txt"
        started = time.perf_counter()
        profile.record(command, raw_profile)
        ingest_s, ingest_out = time.perf_counter() - started, "(under py-spy)"
    else:
        ingest_s, ingest_out = _timed(command)
    store_bytes = disk_size(store)

    _timed([*jalinan_command(), "export", "--store", str(store), "--format", "nquads", "-o", str(nquads)])
    with nquads.open("rb") as handle:
        quads = sum(1 for _ in handle)

    started = time.perf_counter()
    floor = Store(str(bulk))
    floor.bulk_load(path=str(nquads), format=RdfFormat.N_QUADS)
    floor.flush()
    bulk_load_s = time.perf_counter() - started
    del floor
    oxigraph_load_s, _ = _timed([*oxigraph_command(), "load", "--location", str(oxi), "--file", str(nquads)])

    change_one_article(corpus)
    reingest_folder_s, folder_out = _timed(command)
    changed = change_one_article(corpus)
    reingest_file_s, file_out = _timed(
        [
            *jalinan_command(),
            "ingest",
            "--articles",
            str(corpus.articles_dir),
            "--store",
            str(store),
            str(changed),
        ]
    )
    result = IngestResult(
        articles=corpus.articles,
        quads=quads,
        ingest_s=ingest_s,
        ingest_output=ingest_out,
        bulk_load_s=bulk_load_s,
        oxigraph_load_s=oxigraph_load_s,
        reingest_folder_s=reingest_folder_s,
        reingest_folder_output=folder_out,
        reingest_file_s=reingest_file_s,
        reingest_file_output=file_out,
        store_bytes=store_bytes,
        bulk_store_bytes=disk_size(bulk),
        oxigraph_store_bytes=disk_size(oxi),
        nquads_bytes=nquads.stat().st_size,
        profile=profile.format_summary(raw_profile) if raw_profile and raw_profile.exists() else None,
    )
    subprocess.run(["rm", "-rf", str(bulk)], check=True)
    return result, store, oxi
