"""Which machine a bench ran on, printed first by the benches whose figures go into RESULTS.

Sessions ran on different hosts (an Intel Xeon, an AMD EPYC, a slower Xeon): the same code's
10,000-article ingest took 67 s on one and 125 s on another. A figure is only comparable with
one from the same CPU, so each run says which CPU it had, and how busy the machine was.
"""

import os
import platform
import time
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name (`/proc/cpuinfo`, as `lscpu` prints it), else the architecture."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe() -> str:
    """One line: system, CPU, cores and memory."""
    import psutil

    memory = psutil.virtual_memory().total / 1024**3
    system = f"{platform.system()} {platform.release()}"
    return f"{system}, {cpu_model()}, {os.cpu_count()} cores, {memory:.0f} GiB RAM"


def banner() -> str:
    """`describe()` with the time and the load average, for the first line of a bench's output."""
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"machine: {describe()}; load {load}; {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC"
