"""A graph's triples held as compressed N-Triples: what a full ingest keeps of each built graph.

A pyoxigraph `Triple` costs about 540 bytes in memory (the Python object and its terms' strings),
so a corpus of 100,000 articles (about 25 million triples) held as triples would need some
14 GB. The same graph as its sorted N-Triples lines, compressed with zlib at its fastest level,
is about 13 bytes a triple (measured on the bench corpus: the lines repeat long IRIs), 40 times
less. The digest ingest keeps of each graph is the SHA-256 of exactly those sorted lines (see
`digest_of_lines`), so it is computed once, here, at no extra cost; and the bulk loader can read
the lines itself (`nquads`), so loading a first ingest needs no Python objects at all.

A `PackedGraph` is iterable (each iteration parses the lines back, in Rust) and sized, so code
that reads a graph's triples once, in one pass, takes it in place of a list.
"""

import hashlib
import zlib
from collections.abc import Iterable, Iterator

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

    def __iter__(self) -> Iterator[Triple]:
        global _last
        last = _last  # (one read: readers in other threads may replace it)
        if last is not None and last[0] is self:
            return iter(last[1])
        triples = [quad.triple for quad in parse(self.ntriples(), format=RdfFormat.N_TRIPLES)]
        _last = (self, triples)
        return iter(triples)

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
