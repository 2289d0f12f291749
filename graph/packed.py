"""A graph's triples held as compressed N-Triples: what a full ingest keeps of each built graph.

A pyoxigraph `Triple` costs about 540 bytes in memory (the Python object and its terms' strings),
so a corpus of 100,000 articles (about 25 million triples) held as triples would need some
14 GB. The same graph as its sorted N-Triples lines, compressed with zlib at its fastest level,
is about 13 bytes a triple (measured on the bench corpus: the lines repeat long IRIs), 40 times
less. The digest ingest keeps of each graph is the SHA-256 of exactly those sorted lines (see
`digest_of_lines`), so it is computed once, here, at no extra cost; and the bulk loader can read
the lines itself (`nquads`), so loading a first ingest needs no Python objects at all.

A `PackedGraph` is iterable (each iteration parses the lines back, in Rust) and sized, so code
that reads a graph's triples once, in one pass, takes it in place of a list. Parsing back is most
of what a full ingest's derivations cost (a quarter of all its CPU at 10,000 articles, profiled),
so it is made cheaper two ways: the lines are parsed leniently (they are pyoxigraph's own
serialisation of terms it validated when they were made, so validating their IRIs again finds
nothing), and a reader that reads only some predicates (the shape check reads half the triples)
gets only those lines parsed (`select`), the others dropped as bytes.
"""

import hashlib
import zlib
from collections.abc import Iterable, Iterator
from functools import lru_cache

from pyoxigraph import NamedNode, RdfFormat, Triple, parse

# zlib's fastest level: 13.5 bytes a triple on the bench corpus, against 10.9 at level 6 for
# more than twice the time.
_LEVEL = 1
_BLOCK = 10_000  # lines digested and compressed at a time
# The graph read last, as triples: a reader that goes over one graph twice in a row (the
# statistics count its types, then its facts) parses it once. One graph at most is held so.
_last: "tuple[PackedGraph, list[Triple]] | None" = None


def digest_of_lines(lines: list[str]) -> str:
    """The digest of a graph given as its triples' `str()` forms, sorted: ingest's graph digest."""
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _parsed(ntriples: bytes) -> list[Triple]:
    """Lines this module wrote, as triples (leniently: see the module's docstring)."""
    return [quad.triple for quad in parse(ntriples, format=RdfFormat.N_TRIPLES, lenient=True)]


@lru_cache(maxsize=32)
def _tokens(predicates: frozenset[NamedNode]) -> frozenset[bytes]:
    """The predicates as the lines spell them (`<iri>`)."""
    return frozenset(str(p).encode() for p in predicates)


def selected(triples: Iterable[Triple], predicates: frozenset[NamedNode]) -> Iterable[Triple]:
    """What a reader that reads only `predicates` (and skips any other triple itself) needs of
    `triples`: of a packed graph, only those triples (`PackedGraph.select`); any other as it
    is (filtering it would cost, not save)."""
    if isinstance(triples, PackedGraph):
        return triples.select(predicates)
    return triples


class PackedGraph:
    """One graph's triples as compressed, sorted N-Triples lines, with their count and digest."""

    __slots__ = ("_count", "_data", "digest")

    def __init__(self, triples: Iterable[Triple]):
        lines = sorted(map(str, triples))
        self._count = len(lines)
        # digested and compressed a block of lines at a time: the whole text at once, three
        # times over (joined, encoded, compressed), was some 300 MB for the inferred graph of
        # 10,000 articles
        digest, packer, packed = hashlib.sha256(), zlib.compressobj(_LEVEL), []
        for start in range(0, len(lines), _BLOCK):
            block = lines[start : start + _BLOCK]
            digest.update(("\n" if start else "").encode() + "\n".join(block).encode())
            packed.append(packer.compress("".join(f"{line} .\n" for line in block).encode()))
        packed.append(packer.flush())
        self.digest = digest.hexdigest()
        self._data = b"".join(packed)

    def __len__(self) -> int:
        return self._count

    def distinct_count(self) -> int:
        """How many distinct triples the graph holds (`len(set(triples))`, as a store would
        hold them), counted on the lines without parsing them: equal triples have equal lines.
        (Every line ends with a line break, so splitting adds one empty piece.)"""
        return len(set(self.ntriples().split(b"\n"))) - 1

    def __iter__(self) -> Iterator[Triple]:
        global _last
        last = _last  # (one read: readers in other threads may replace it)
        if last is not None and last[0] is self:
            return iter(last[1])
        triples = _parsed(self.ntriples())
        _last = (self, triples)
        return iter(triples)

    def select(self, predicates: frozenset[NamedNode]) -> list[Triple]:
        """The triples whose predicate is one of `predicates`, in the graph's order: the other
        lines are dropped before parsing (a line is `<s> <p> <o> .`; neither a subject, an
        IRI or a blank node, nor a predicate holds a space, so its second token is the
        predicate). Where a reader reads a few predicates, parsing only those is most of the
        saving: parsing costs some 1.4 µs a triple, dropping a line 0.25 µs."""
        last = _last
        if last is not None and last[0] is self:
            return [t for t in last[1] if t.predicate in predicates]
        wanted = _tokens(predicates)
        kept = [line for line in self.ntriples().split(b"\n") if line and line.split(b" ", 2)[1] in wanted]
        if not kept:
            return []
        kept.append(b"")
        return _parsed(b"\n".join(kept))

    def __repr__(self) -> str:
        return f"PackedGraph({self._count} triples)"

    def ntriples(self) -> bytes:
        """The graph as an N-Triples document, one triple a line, sorted."""
        return zlib.decompress(self._data)

    def nquads(self, graph: NamedNode) -> bytes:
        """The graph as N-Quads in the named graph `graph`. Every line of `ntriples` ends with
        " .\\n" and no other "\\n" occurs in it (N-Triples escapes line breaks inside
        literals), so naming the graph before each end of line is exact."""
        return self.ntriples().replace(b" .\n", f" {graph} .\n".encode())
