"""Work a series of writes out on a scratch copy, then make them one transaction on the store.

Some writes derive what they write from what earlier ones left: `jalinan ingest FILE` writes an
article's data, then re-ranks the lists, their members, the agreements' prepared lists and the
network summary, each read back from the store as the data left it. Written to the store one
after the other, a crash between them left new data with old lists until the next full ingest,
and a reader could meet the two out of step. No backend here offers a transaction that its
reads can see into (pyoxigraph has none in Python; a SPARQL server has none at all), so the
series runs against a private copy of the store (`GraphStore.scratch_copy`: a RocksDB
checkpoint, hard links, for the embedded store), which records what each write did; `commit`
then writes the net change to the store itself with one `replace_graphs`: all of it or none.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pyoxigraph import NamedNode, Quad, Triple

from jalinan.graph.errors import StoreError
from jalinan.graph.store import GraphStore


class UnrecordedWriteError(StoreError):
    """A write a `StagedWrites` cannot record (a SPARQL Update): made on the copy alone, it would
    be lost at `commit`, so it is refused rather than silently dropped."""


class StagedWrites:
    """A `GraphStore` over a scratch copy that records its writes (reads go to the copy).

    The net change is kept as each graph replaced (its content from then on) and, for every
    other graph, each quad's last operation (removed or added): removing an absent quad and
    adding a present one change nothing, so the last operation alone says what the quad ends as.
    """

    def __init__(self, scratch: GraphStore):
        self._scratch = scratch
        self._replaced: dict[str, set[Triple]] = {}
        self._quads: dict[Quad, bool] = {}  # quad → added (True) or removed (False) last

    def __getattr__(self, name: str) -> Any:  # reads (query, quads, graph_names…): the copy's
        return getattr(self._scratch, name)

    def replace_graphs(
        self,
        graphs: Mapping[str, Iterable[Triple]],
        *,
        remove: Iterable[Quad] = (),
        add: Iterable[Quad] = (),
        before_commit: Callable[[], None] | None = None,
    ) -> None:
        """As the store's: graphs dropped, quads removed, then graphs and quads inserted."""
        materialised = {name: list(triples) for name, triples in graphs.items()}
        removed, added = list(remove), list(add)
        self._scratch.replace_graphs(materialised, remove=removed, add=added, before_commit=before_commit)
        replaced = {NamedNode(name) for name in materialised}
        self._quads = {q: a for q, a in self._quads.items() if q.graph_name not in replaced}
        for name in materialised:
            self._replaced[name] = set()
        for q in removed:
            self._record(q, added=False)
        for name, triples in materialised.items():
            self._replaced[name].update(triples)
        for q in added:
            self._record(q, added=True)

    def add_quads(self, quads: Iterable[Quad]) -> None:
        quads = list(quads)
        self._scratch.add_quads(quads)
        for q in quads:
            self._record(q, added=True)

    def update(self, sparql_update: str, *, base_iri: str | None = None) -> None:
        """Refused: what an update changed is not known without diffing the copy, and an
        unrecorded change would vanish at `commit`. Derivations write graphs and quads."""
        raise UnrecordedWriteError("a staged write records graphs and quads, not SPARQL Update")

    def _record(self, q: Quad, *, added: bool) -> None:
        content = self._replaced.get(q.graph_name.value) if isinstance(q.graph_name, NamedNode) else None
        if content is None:
            self._quads[q] = added
        elif added:
            content.add(q.triple)
        else:
            content.discard(q.triple)

    @property
    def wrote(self) -> bool:
        return bool(self._replaced or self._quads)

    def commit(self, store: GraphStore, *, before_commit: Callable[[], None] | None = None) -> None:
        """Write the net change to `store` in one transaction (`replace_graphs`)."""
        store.replace_graphs(
            {name: sorted(triples, key=str) for name, triples in self._replaced.items()},
            remove=[q for q, added in self._quads.items() if not added],
            add=[q for q, added in self._quads.items() if added],
            before_commit=before_commit,
        )


@contextmanager
def staged(store: GraphStore) -> Iterator[StagedWrites]:
    """A `StagedWrites` over a scratch copy of `store`, discarded on leaving; `commit` it to
    `store` to write what it recorded."""
    with store.scratch_copy() as scratch:
        yield StagedWrites(scratch)
