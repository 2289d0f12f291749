"""Run the HermiT reasoner over RDF/XML or N-Triples files and report what it finds.

One function, :func:`check_with_hermit`, used by the ontology tests and meant to be reused for
"ontology plus all facts": pass it ``jalinan.owl`` and one or more N-Triples dumps.

Why a child process: owlready2 starts HermiT (Java) with no time limit. The check runs in a
spawned Python process that leads its own process group, so that on timeout the group (Python
and its Java child) can be killed without touching anything else.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
from collections.abc import Iterable
from pathlib import Path

DEFAULT_TIMEOUT_S = 120.0
_OWL_NOTHING = "http://www.w3.org/2002/07/owl#Nothing"  # unsatisfiable by definition: not news


class ReasonerError(RuntimeError):
    """HermiT could not be run, failed, or did not finish in time."""


class InconsistentOntologyError(ReasonerError):
    """HermiT found the ontology (with the given data) inconsistent: no model exists."""


def _hermit_in_child(paths: list[str], results: multiprocessing.Queue) -> None:
    """Load ``paths`` into a fresh owlready2 World, run HermiT, put one result on the queue."""
    os.setsid()  # lead a process group, so the parent can kill us together with Java
    try:
        from owlready2 import OwlReadyInconsistentOntologyError, World, sync_reasoner

        world = World()
        for path in paths:
            world.get_ontology(Path(path).resolve().as_uri()).load()
        try:
            sync_reasoner(world, infer_property_values=False, debug=0)
        except OwlReadyInconsistentOntologyError as exc:
            results.put(("inconsistent", str(exc)))
            return
        unsatisfiable = sorted(
            iri
            for cls in world.inconsistent_classes()
            if (iri := getattr(cls, "iri", None)) and iri != _OWL_NOTHING
        )
        results.put(("ok", unsatisfiable))
    except BaseException as exc:  # report anything, the parent turns it into ReasonerError
        results.put(("error", f"{type(exc).__name__}: {exc}"))


def check_with_hermit(
    rdf_paths: Iterable[str | os.PathLike[str]], *, timeout: float = DEFAULT_TIMEOUT_S
) -> list[str]:
    """Reason over the union of the given RDF/XML or N-Triples files with HermiT.

    Returns the IRIs of the unsatisfiable named classes, sorted (empty when all is well).
    Raises :class:`InconsistentOntologyError` when the files together are inconsistent, and
    :class:`ReasonerError` when HermiT fails or takes longer than ``timeout`` seconds.
    Turtle is not accepted (owlready2 cannot read it): export it to N-Triples first.
    """
    paths = [str(Path(p)) for p in rdf_paths]
    if not paths:
        raise ValueError("check_with_hermit needs at least one file")
    for path in paths:
        if not Path(path).is_file():
            raise FileNotFoundError(path)
        if path.endswith(".ttl"):
            raise ValueError(f"{path}: owlready2 reads RDF/XML, OWL/XML or N-Triples, not Turtle")

    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    child = context.Process(target=_hermit_in_child, args=(paths, results), daemon=True)
    child.start()
    try:
        status, payload = results.get(timeout=timeout)
    except queue.Empty:
        _kill(child)
        raise ReasonerError(f"HermiT did not finish within {timeout:g} s on {paths}") from None
    finally:
        child.join(timeout=10)
        if child.is_alive():
            _kill(child)
            child.join()
        results.close()

    if status == "inconsistent":
        raise InconsistentOntologyError(f"HermiT: inconsistent ({', '.join(paths)}): {payload}")
    if status == "error":
        raise ReasonerError(f"HermiT check failed on {paths}: {payload}")
    return list(payload)


def _kill(child: multiprocessing.process.BaseProcess) -> None:
    """Kill our own child and the process group it leads (its Java), nothing else.

    The child first, so it cannot start Java any more; then the group, which outlives the
    child while Java runs. If the child had not yet called setsid there is no group (and no
    Java), and killpg finds nothing.
    """
    child.kill()
    if child.pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
