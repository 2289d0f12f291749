"""Child processes (query workers, the store writer) that never outlive the server.

A child of a killed server would otherwise run its query to the end (a runaway: forever), and
the writer would finish, commit and keep the store's lock after the server died, so that a
server started again at once could not open the store. Linux can kill a child the moment its
parent dies (`PR_SET_PDEATHSIG`), but "parent" there means the *thread* that started it, and
replacements are started from short-lived threads; so every child is started from one thread
that lives as long as the process (`start`), and sets the signal first thing (`die_with_parent`).
Where `prctl` is missing, a thread in the child polls for the parent instead.
"""

import contextlib
import ctypes
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.process import BaseProcess

_PR_SET_PDEATHSIG = 1
_starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jalinan-child-starter")


def start(process: BaseProcess) -> None:
    """`process.start()`, from the one long-lived thread (so its death signal means the process's)."""
    _starter.submit(process.start).result()


def die_with_parent(parent_pid: int) -> None:
    """In the child: be killed when the parent dies; exit now if it already has."""
    armed = False
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    if os.getppid() != parent_pid:
        os._exit(1)
    if armed:
        return

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()
