"""Several whole-corpus readers fed by one pass over the corpus's packed graphs.

A full ingest keeps its graphs packed (`graph.packed.PackedGraph`), and reading one back costs
about 1.5 µs a triple (parsing it into Python objects): at 10,000 articles, 3.5 s of CPU for
each reader that goes over the whole corpus (less for a reader that reads a few predicates: only
their lines are parsed, `PackedGraph.select`; the shared pass below parses only what its readers
read together, `predicates`). The readers that derive the statistics, the
inferred graph and the lists' order each go over it once, in order, and none needs another's
result, so they run together: each in its own thread, on a view of the corpus whose first
`items()` or `values()` yields the graphs one pass parses once for all. The readers only read
(the GIL makes them take turns), and a view holds at most a few graphs ahead of its reader, so
memory stays bounded by a few graphs, not the corpus. Readers that run together hold their
working sets together, though: the counts, the lists' order and the inferred graph together
raised peak RSS at 10,000 articles by about 240 MB more than one after the other
(bench/RESULTS.md, "Full ingest in batches"), so a full ingest runs those one after the other
and only the member and agreement lists together.
"""

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from pyoxigraph import NamedNode, Triple

from jalinan.graph.packed import PackedGraph, selected

_AHEAD = 4  # graphs a reader may lag behind the pass
_END = object()


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


class _PassView(Mapping[str, Iterable[Triple]]):
    """`graphs` as a reader sees it: its first `items()`/`values()` follows the shared pass,
    anything else (a look-up, a second iteration) reads `graphs` itself."""

    def __init__(self, graphs: Mapping[str, Iterable[Triple]]):
        self._graphs = graphs
        self._feed: queue.Queue[Any] = queue.Queue(maxsize=_AHEAD)
        self._streamed = False
        self._ended = False  # the pass's end (or failure) taken from the feed

    def __getitem__(self, name: str) -> Iterable[Triple]:
        return self._graphs[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._graphs)

    def __len__(self) -> int:
        return len(self._graphs)

    def items(self) -> Iterator[tuple[str, Iterable[Triple]]]:  # type: ignore[override]
        if self._streamed:
            return iter(self._graphs.items())
        self._streamed = True
        return self._stream()

    def values(self) -> Iterator[Iterable[Triple]]:  # type: ignore[override]
        return (triples for _, triples in self.items())

    def _stream(self) -> Iterator[tuple[str, Iterable[Triple]]]:
        while not self._ended:
            item = self._feed.get()
            if item is _END or isinstance(item, _Failed):
                self._ended = True
                if isinstance(item, _Failed):
                    raise RuntimeError("reading the corpus failed") from item.error
                return
            yield item

    def drain(self) -> None:
        """Take what the pass still sends (the reader is done), so that it never waits on us."""
        self._streamed = True
        while not self._ended:
            item = self._feed.get()
            self._ended = item is _END or isinstance(item, _Failed)


def in_one_pass(
    graphs: Mapping[str, Iterable[Triple]],
    readers: Sequence[Callable[[Mapping[str, Iterable[Triple]]], Any]],
    *,
    together: bool = True,
    predicates: frozenset[NamedNode] | None = None,
) -> list[Any]:
    """Each reader's result on `graphs`, with each packed graph parsed once for all of them
    (`together`), or one reader after the other, each parsing every graph itself: slower, but
    only one reader's working set is held at a time. `predicates`, given when the readers
    together read no others, are the only triples the shared pass parses and hands them.

    The last reader runs in this thread (so it may use a store, whose results must be read in
    the thread that asked), the others in threads of their own; the first exception of a
    reader is raised here once all are done.
    """
    if not together:
        return [reader(graphs) for reader in readers]
    views = [_PassView(graphs) for _ in readers]
    results: list[Any] = [None] * len(readers)
    errors: list[BaseException | None] = [None] * len(readers)

    def produce() -> None:
        try:
            for name, triples in graphs.items():
                if predicates is not None:
                    parsed = selected(triples, predicates)
                else:
                    parsed = list(triples) if isinstance(triples, PackedGraph) else triples
                for view in views:
                    view._feed.put((name, parsed))
            end: Any = _END
        except BaseException as exc:  # the readers raise it
            end = _Failed(exc)
        for view in views:
            view._feed.put(end)

    def run(index: int) -> None:
        try:
            results[index] = readers[index](views[index])
        except BaseException as exc:
            errors[index] = exc
        finally:
            views[index].drain()

    producer = threading.Thread(target=produce, name="corpus-pass", daemon=True)
    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(readers) - 1)]
    producer.start()
    for thread in threads:
        thread.start()
    run(len(readers) - 1)
    for thread in threads:
        thread.join()
    producer.join()
    for error in errors:
        if error is not None:
            raise error
    return results
