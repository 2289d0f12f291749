"""Give the memory a finished query freed back to the system, so a worker does not keep its peak.

glibc's allocator keeps what a process frees for reuse, and returns it to the system only from
the top of its heap, which a few live allocations left behind by a query (a table reader, a
cached block) pin in place. So a query worker that once ran a heavy query (the search at
100,000 articles builds some 200 MB) held that memory for the rest of its life, doing nothing
with it, and the server's memory became the sum of each worker's worst query rather than of
what they use (`bench/RESULTS.md`, "Server memory at 100,000 articles").

`malloc_trim(0)` hands the free pages inside the heap back (`madvise`), whatever pins its top.
It walks the heap, tens of milliseconds for a few hundred MB on a busy machine, so a worker
calls it only once a job has left its heap `step` bytes above where the last trim left it:
after the heavy queries, which take seconds, and never after the light ones, which are most.
Where the C library has no `malloc_trim` (musl, macOS), nothing is done.

`JALINAN_HEAP_TRIM_STEP` (in the server's environment, which its workers inherit) sets the step
in bytes (`0`: after every job; `off`: never), for a host that wants it otherwise.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Callable, Mapping

DEFAULT_TRIM_STEP = 64 * 1024**2  # bytes a worker's heap may grow past its last trim before the next
STEP_ENV_VAR = "JALINAN_HEAP_TRIM_STEP"
_PAGE = os.sysconf("SC_PAGE_SIZE")


def private_bytes() -> int:
    """Resident memory not backed by a file (`/proc/self/statm`: resident minus shared), bytes:
    the heap, arenas and anonymous mappings, read in microseconds."""
    with open("/proc/self/statm", "rb") as statm:
        fields = statm.read().split()
    return (int(fields[1]) - int(fields[2])) * _PAGE


def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


def configured_step(environ: Mapping[str, str] = os.environ) -> int | None:
    """The step `STEP_ENV_VAR` asks for (None: `off`), else the default; ValueError naming the
    variable for anything but a whole number of bytes or `off`."""
    text = environ.get(STEP_ENV_VAR, "").strip()
    if not text:
        return DEFAULT_TRIM_STEP
    if text.lower() == "off":
        return None
    if not text.isdigit():
        raise ValueError(f"{STEP_ENV_VAR}={text!r}: give a whole number of bytes, or off")
    return int(text)


class HeapTrimmer:
    """After each job, `maybe_trim()`: trims the heap once it has grown `step` bytes past the
    level the last trim left (or the first job started from). `step` None: never trims."""

    def __init__(self, step: int | None = DEFAULT_TRIM_STEP):
        self.step = step
        self._trim = _malloc_trim() if step is not None else None
        self.level = private_bytes()
        self.trims = 0

    @property
    def available(self) -> bool:
        return self._trim is not None

    def maybe_trim(self) -> bool:
        """Trim if the heap grew past the step; True if it did."""
        if self._trim is None or self.step is None:
            return False
        if private_bytes() - self.level < self.step:
            return False
        self._trim(0)
        self.level = private_bytes()
        self.trims += 1
        return True
