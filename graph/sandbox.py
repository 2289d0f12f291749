"""Take away a process's (or one thread's) ability to open network connections.

pyoxigraph fetches URLs for `SERVICE <…>` in a query and for `LOAD <…>` in an update, and it has
no switch to turn either off; checking the text beforehand means a second parser that can read
it differently from the engine. So the processes and the thread that run client SPARQL are
forbidden by the kernel from opening any socket but a Unix one: whatever a query says and however
it is spelled, the engine cannot reach a host, and a closed port looks exactly like an open one.

How: a seccomp filter (installed with plain `prctl`/`seccomp` system calls through ctypes; no
root needed thanks to `PR_SET_NO_NEW_PRIVS`) that makes `socket()` fail with EACCES for every
address family but `AF_UNIX` (the pipes to the parent stay usable), makes `io_uring_setup()` fail
too (io_uring can open sockets without `socket()`), and refuses every system call made through
another ABI (x32, or 32-bit calls on a 64-bit kernel, where `socketcall` would be a way round).
DNS look-ups fail the same way, since they need a socket too.

A filter can only be added, never removed, and it is inherited by every thread and process
started afterwards. `deny_network()` applies it to the whole calling process (all its threads,
`SECCOMP_FILTER_FLAG_TSYNC`), `deny_network(thread_only=True)` to the calling thread only (the
server's writer thread). Where the kernel refuses (no seccomp, an architecture this module does
not know, a container profile that forbids it), `SandboxUnavailable` is raised: the callers
refuse to start rather than run client SPARQL with network access.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import socket
import struct
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from jalinan.graph.errors import StoreError

T = TypeVar("T")

# The errno a refused socket() returns. EACCES reads "Permission denied" in every error message.
REFUSED_ERRNO = errno.EACCES

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1

_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000

# BPF opcodes (linux/filter.h)
_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K

# Offsets into struct seccomp_data: nr (int), arch (u32), instruction_pointer (u64), args[6] (u64)
_NR, _ARCH, _ARG0_LOW = 0, 4, 16


# machine → (AUDIT_ARCH_*, __NR_socket, __NR_io_uring_setup, __NR_seccomp, first syscall number
# of another ABI that shares this architecture value: x32 sets bit 30 on x86_64)
_ARCHITECTURES = {
    "x86_64": (0xC000003E, 41, 425, 317, 0x40000000),
    "aarch64": (0xC00000B7, 198, 425, 277, None),
}


class SandboxUnavailable(StoreError):
    """The kernel would not take away network access, so client SPARQL must not run here."""


class OutboundRefused(StoreError):
    """The query or update asked for remote data (SERVICE, LOAD) that was not fetched.

    Raised for every such failure alike (a refused socket, a port the HTTP client will not use,
    a failed name look-up, an allowlisted endpoint that failed), so that no answer tells an open
    port from a closed one or repeats what a remote host said."""


def outbound_failure(exc: BaseException, networked: bool = False) -> bool:
    """Whether the engine's error `exc` came from fetching remote data.

    pyoxigraph reports a failed HTTP fetch (refused socket, refused port, name look-up, scheme)
    as an OSError; RocksDB's own I/O errors read "IO error: …" or "Corruption: …" and stay store
    errors. A RuntimeError is a SERVICE that could not be called ("The variable encoding the
    service name is unbound": spaces, so no IRI in a message can fake it) or, in a `networked`
    worker, a remote answer that did not parse."""
    # `OxigraphStore._run` wraps the engine's OSError in a plain StoreError; its subclasses
    # (a checkpoint that cannot be opened, …) are the store's own trouble, never a fetch.
    cause = exc.__cause__ if type(exc) is StoreError and exc.__cause__ is not None else exc
    if isinstance(cause, OSError):
        return not str(cause).startswith(("IO error", "Corruption"))
    if isinstance(cause, RuntimeError):
        return networked or "variable encoding the service name" in str(cause)
    return False


def _filter_program(machine: str) -> bytes:
    try:
        arch, nr_socket, nr_io_uring, _, foreign_abi = _ARCHITECTURES[machine]
    except KeyError:
        raise SandboxUnavailable(f"no network sandbox for the {machine} architecture") from None
    deny = _SECCOMP_RET_ERRNO | REFUSED_ERRNO
    # Each instruction: (code, jump-if-true, jump-if-false, k). Jumps count instructions skipped.
    program = [
        (_LD_W_ABS, 0, 0, _ARCH),
        (_JEQ_K, 1, 0, arch),  # this ABI: go on; another: refuse every call
        (_RET_K, 0, 0, deny),
        (_LD_W_ABS, 0, 0, _NR),
    ]
    if foreign_abi is not None:
        program += [(_JGE_K, 0, 1, foreign_abi), (_RET_K, 0, 0, deny)]
    program += [
        (_JEQ_K, 0, 1, nr_io_uring),
        (_RET_K, 0, 0, deny),
        (_JEQ_K, 1, 0, nr_socket),
        (_RET_K, 0, 0, _SECCOMP_RET_ALLOW),
        (_LD_W_ABS, 0, 0, _ARG0_LOW),  # socket(domain, …): the address family
        (_JEQ_K, 0, 1, socket.AF_UNIX),
        (_RET_K, 0, 0, _SECCOMP_RET_ALLOW),
        (_RET_K, 0, 0, deny),
    ]
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in program)


def _install(*, thread_only: bool) -> None:
    machine = platform.machine()
    code = _filter_program(machine)
    count = len(code) // 8
    buffer = ctypes.create_string_buffer(code, len(code))

    class _Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    program = _Program(count, ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxUnavailable(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}")
    if thread_only:
        result = libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0)
    else:
        nr_seccomp = _ARCHITECTURES[machine][3]
        libc.syscall.restype = ctypes.c_long
        result = libc.syscall(
            ctypes.c_long(nr_seccomp),
            ctypes.c_ulong(_SECCOMP_SET_MODE_FILTER),
            ctypes.c_ulong(_SECCOMP_FILTER_FLAG_TSYNC),
            ctypes.byref(program),
        )
    if result != 0:  # -1 and errno, or (TSYNC) the id of a thread that could not be synchronised
        reason = os.strerror(ctypes.get_errno()) if result == -1 else f"thread {result} could not take it"
        raise SandboxUnavailable(f"the kernel refused the seccomp filter: {reason}")


def _verify() -> None:
    """Prove the filter holds: an Internet socket must now be refused."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            probe = socket.socket(family, socket.SOCK_STREAM)
        except OSError as exc:
            if exc.errno == REFUSED_ERRNO:
                continue
            if exc.errno == errno.EAFNOSUPPORT:  # no IPv6 in this kernel: nothing to reach either
                continue
            raise SandboxUnavailable(f"an Internet socket failed for another reason: {exc}") from exc
        probe.close()
        raise SandboxUnavailable("an Internet socket could still be opened after the filter")


def deny_network(*, thread_only: bool = False) -> None:
    """From now on, this process (or, with `thread_only`, this thread and the threads it starts)
    cannot open a network socket. Raises `SandboxUnavailable` if that cannot be ensured."""
    _install(thread_only=thread_only)
    _verify()


def enter_worker_sandbox(networked: bool) -> str | None:
    """Called by a query worker before it serves: None once it is cut off from the network
    (or is a `networked` worker, which keeps it), else why it could not be, so that the worker
    refuses every job rather than run one with network access."""
    if networked:
        return None
    try:
        deny_network()
    except SandboxUnavailable as exc:
        return f"the query worker could not be cut off from the network, so it runs nothing: {exc}"
    except Exception as exc:  # anything from ctypes: the same answer
        return f"the query worker could not be cut off from the network, so it runs nothing: {exc!r}"
    return None


def network_denied() -> bool:
    """Whether the calling thread is already cut off (a cheap probe, for start-up checks)."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except OSError as exc:
        return exc.errno == REFUSED_ERRNO
    return False


class OfflineThread:
    """One thread, cut off from the network, that runs the calls handed to it in turn.

    The server process must keep its network (it listens), so the client SPARQL it runs itself
    (updates, which need the one read-write handle on the store) runs on this thread instead.
    The thread installs its filter before it runs anything; if that fails, every call raises
    `SandboxUnavailable` and nothing runs.
    """

    def __init__(self, name: str = "jalinan-offline") -> None:
        self._ready = threading.Event()
        self._failure: SandboxUnavailable | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name, initializer=self._enter)
        self._executor.submit(lambda: None).result()

    def _enter(self) -> None:
        try:
            deny_network(thread_only=True)
        except SandboxUnavailable as exc:
            self._failure = exc
        except Exception as exc:  # anything else from ctypes: the same answer, never run unsandboxed
            self._failure = SandboxUnavailable(f"{type(exc).__name__}: {exc}")

    def check(self) -> None:
        """Raise `SandboxUnavailable` unless the thread is cut off (call at start-up)."""
        if self._failure is not None:
            raise self._failure

    def run(self, function: Callable[..., T], *args: object) -> T:
        """Run `function(*args)` on the offline thread and return (or raise) what it does."""
        self.check()
        return self._executor.submit(function, *args).result()

    def close(self) -> None:
        self._executor.shutdown(wait=True)


_shared: OfflineThread | None = None
_shared_lock = threading.Lock()


def offline_thread() -> OfflineThread:
    """The process's one offline thread, started on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = OfflineThread()
        return _shared


def run_offline(function: Callable[..., T], *args: object) -> T:
    """Run `function(*args)` where it cannot reach the network (see `OfflineThread`)."""
    return offline_thread().run(function, *args)


def offline_update(store: object, sparql_update: str, **options: object) -> None:
    """`store.update(sparql_update, **options)` (a pyoxigraph `Store`) on the offline thread.

    A `LOAD` or `SERVICE` in it fails there, whatever the address, and becomes `OutboundRefused`;
    every other error is raised as pyoxigraph raised it, for the caller to translate."""

    def update() -> None:
        try:
            store.update(sparql_update, **options)  # type: ignore[attr-defined]
        except (OSError, RuntimeError) as exc:
            if outbound_failure(exc):
                raise OutboundRefused("the update asked for remote data, which is not fetched") from exc
            raise

    run_offline(update)
