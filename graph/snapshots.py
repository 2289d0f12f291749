"""A folder of published snapshots: its layout, its pointer to the newest, and readers' leases.

Read replicas (`jalinan serve --read-only`) serve copies of the embedded store that one writer
publishes (`graph/publish.py`). The folder is the only thing they share:

    DIR/current.json                     the pointer: the newest snapshot's version and place
    DIR/snapshots/VERSION/snapshot.json  what the snapshot is (its version, when it was published)
    DIR/snapshots/VERSION/store/         the store itself (a RocksDB checkpoint), never written

A snapshot appears whole (it is built under another name and renamed into place), and the
pointer is replaced by a rename, so a reader sees the old pointer or the new one, never half of
either, and a pointer never names a snapshot that is not complete.

**Leases.** A snapshot may be deleted only when nobody can still be reading it. A replica holds
a shared `flock` on the snapshot's `snapshot.json` for as long as it, or any of its workers, may
open that snapshot; the pruner deletes a snapshot only when it can take the exclusive lock, and
renames it away while holding it. A replica that takes its shared lock then checks that the file
is still where it was (the same inode): if the snapshot was pruned between its reading the
pointer and taking the lock, it reads the pointer again. `flock` is kept by the kernel, so a
replica that dies lets go of its leases with it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from jalinan.graph.errors import StoreError

POINTER = "current.json"
SNAPSHOTS = "snapshots"
METADATA = "snapshot.json"
STORE = "store"
_VERSION = re.compile(r"^[0-9]{8}T[0-9]{6}\.[0-9]{6}Z-[0-9a-f]{8}$")


class SnapshotMissing(StoreError):
    """The folder holds no published snapshot (or the one its pointer names is gone)."""


@dataclass(frozen=True)
class Snapshot:
    """One published snapshot: its data version (unique, and ordered by publication time)."""

    version: str
    directory: Path  # DIR/snapshots/VERSION
    published: str  # ISO 8601, UTC

    @functools.cached_property
    def store_path(self) -> Path:
        """Built once: a replica and a serving process name it several times per request (pins,
        leases, the query threads' handles), and a `Path` joined and formatted anew each time
        was a visible share of a serving process's own CPU per answer (py-spy, session 13)."""
        return self.directory / STORE

    @property
    def metadata_path(self) -> Path:
        return self.directory / METADATA

    def to_json(self) -> dict[str, object]:
        return {"version": self.version, "published": self.published}


def new_version(now: dt.datetime | None = None) -> str:
    """A version that sorts by publication time and is unique (a random suffix)."""
    moment = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S.%fZ")
    return f"{moment}-{os.urandom(4).hex()}"


def is_version(text: str) -> bool:
    return bool(_VERSION.match(text))


def is_published_folder(path: str | os.PathLike[str]) -> bool:
    """Whether `path` is a folder of published snapshots (it has a pointer), not a store."""
    return (Path(path) / POINTER).is_file()


def snapshot_dir(folder: Path, version: str) -> Path:
    return folder / SNAPSHOTS / version


def read_snapshot(directory: Path) -> Snapshot:
    """The snapshot in `directory`, from its metadata; `SnapshotMissing` if it is not whole."""
    try:
        data = json.loads((directory / METADATA).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SnapshotMissing(f"{directory} is not a published snapshot (no {METADATA})") from None
    except (OSError, ValueError) as exc:
        raise SnapshotMissing(f"{directory / METADATA} cannot be read: {exc}") from None
    if not (directory / STORE / "CURRENT").is_file():
        raise SnapshotMissing(f"{directory} holds no store ({STORE}/CURRENT is missing)")
    return Snapshot(str(data["version"]), directory, str(data["published"]))


def read_pointer(folder: Path) -> Snapshot:
    """The snapshot the folder's pointer names now."""
    pointer = folder / POINTER
    try:
        data = json.loads(pointer.read_text(encoding="utf-8"))
        version = str(data["version"])
    except FileNotFoundError:
        raise SnapshotMissing(
            f"{folder} holds no published snapshot (no {POINTER}): run `jalinan publish {folder}`"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SnapshotMissing(f"{pointer} cannot be read: {exc}") from None
    if not is_version(version):
        raise SnapshotMissing(f"{pointer} names {version!r}, which is not a snapshot version")
    return read_snapshot(snapshot_dir(folder, version))


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` by a rename, after the new content is on disk: readers see old or new."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def published_snapshots(folder: Path) -> list[Path]:
    """Every snapshot folder, oldest first (versions sort by publication time)."""
    root = folder / SNAPSHOTS
    if not root.is_dir():
        return []
    return sorted(path for path in root.iterdir() if path.is_dir() and is_version(path.name))


class Lease:
    """A reader's shared lock on one snapshot: while it is held, the snapshot is not pruned."""

    def __init__(self, snapshot: Snapshot, descriptor: int):
        self.snapshot = snapshot
        self._descriptor: int | None = descriptor

    @classmethod
    def take(cls, snapshot: Snapshot) -> Lease | None:
        """A lease on `snapshot`, or None if it has been pruned (read the pointer again)."""
        try:
            descriptor = os.open(snapshot.metadata_path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH)  # waits only while a pruner holds it
            still_there = os.stat(snapshot.metadata_path).st_ino == os.fstat(descriptor).st_ino
        except FileNotFoundError:
            still_there = False
        if not still_there:
            os.close(descriptor)
            return None
        return cls(snapshot, descriptor)

    def release(self) -> None:
        if self._descriptor is not None:
            with contextlib.suppress(OSError):
                os.close(self._descriptor)  # closing the last descriptor drops the lock
            self._descriptor = None

    @property
    def held(self) -> bool:
        return self._descriptor is not None


@contextlib.contextmanager
def exclusive(path: Path):  # type: ignore[no-untyped-def]
    """Yield True while holding an exclusive lock on `path` (no reader holds a lease), else
    yield False at once."""
    try:
        # opened for writing: over NFS, Linux emulates flock with byte-range locks, and an
        # exclusive one needs a descriptor open for writing
        descriptor = os.open(path, os.O_RDWR)
    except OSError:  # gone, or not ours to write: either way not ours to delete
        yield False
        return
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # held by a reader (or locks refused): it may be read, so keep it
            yield False
            return
        yield True
    finally:
        os.close(descriptor)
