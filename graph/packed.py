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
so it is made cheaper three ways: the lines are parsed leniently (they are pyoxigraph's own
serialisation of terms it validated when they were made, so validating their IRIs again finds
nothing); a reader that reads only some predicates (the shape check reads half the triples)
gets only those lines parsed (`select`), the others dropped as bytes; and the lines of the few
bulky predicates that most readers skip are packed apart (`APART`), so that such a reader does
not even unpack them (see `APART`).
"""

import hashlib
import operator
import zlib
from collections.abc import Iterable, Iterator
from functools import lru_cache

from pyoxigraph import NamedNode, RdfFormat, Triple, parse

from jalinan.graph.namespaces import JL, PROV

# zlib's fastest level: 13.5 bytes a triple on the bench corpus, against 10.9 at level 6 for
# more than twice the time.
_LEVEL = 1
_BLOCK = 10_000  # lines digested and compressed at a time
# The graph read last, as triples: a reader that goes over one graph twice in a row (the
# statistics count its types, then its facts) parses it once. One graph at most is held so.
_last: "tuple[PackedGraph, list[Triple]] | None" = None


# Predicates whose lines are packed apart from the rest of a graph, one group per block (the rest
# is block 0). What a block holds changes no answer (`select` unpacks every block that can hold
# a wanted predicate); it only spares work. Of an article graph's lines (bench corpus), the
# search tokens and the evidence's claimed predicate and object (37 %) are read by no
# derivation and not by the shapes, only by the loader; the quote, its source and the claim's
# subject (34 %) by the shapes alone. The derivations (counts, lists, inferred graph, network
# summary: five passes over the corpus) read only block 0, a quarter of the lines; the shape
# check's three passes blocks 0 and 2.
APART: tuple[frozenset[str], ...] = (
    frozenset({JL + "searchToken", JL + "claimPredicate", JL + "claimObject"}),
    frozenset({JL + "quote", JL + "claimSubject", PROV + "wasQuotedFrom"}),
)
_BLOCK_OF = {f"<{iri}>": index for index, group in enumerate(APART, start=1) for iri in group}


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


# each block's predicates as its lines spell them (None: block 0, any predicate not set apart)
_GROUPS: tuple[frozenset[bytes] | None, ...] = (
    None,
    *(frozenset(f"<{iri}>".encode() for iri in group) for group in APART),
)
_APART_TOKENS = frozenset().union(*_GROUPS[1:])


def _compressed(lines: list[str]) -> bytes:
    """Lines as one zlib stream, each ended by " .\\n", compressed a block of lines at a time."""
    packer, packed = zlib.compressobj(_LEVEL), []
    for start in range(0, len(lines), _BLOCK):
        text = "".join(f"{line} .\n" for line in lines[start : start + _BLOCK])
        packed.append(packer.compress(text.encode()))
    packed.append(packer.flush())
    return b"".join(packed)


class PackedGraph:
    """One graph's triples as compressed, sorted N-Triples lines, with their count and digest.

    The lines are kept in `1 + len(APART)` compressed blocks by their predicate (each block's
    lines sorted); the digest is of all the lines, sorted, as `digest_of_lines` takes it."""

    __slots__ = ("_blocks", "_count", "_distinct", "digest")

    def __init__(self, triples: Iterable[Triple]):
        lines = sorted(map(str, triples))
        self._count = len(lines)
        # equal triples have equal lines, side by side once sorted
        self._distinct = len(lines) - sum(map(operator.eq, lines, lines[1:]))
        # digested a block of lines at a time: the whole text at once, three times over
        # (joined, encoded, compressed), was some 300 MB for the inferred graph of 10,000 articles
        digest = hashlib.sha256()
        for start in range(0, len(lines), _BLOCK):
            text = ("\n" if start else "") + "\n".join(lines[start : start + _BLOCK])
            digest.update(text.encode())
        self.digest = digest.hexdigest()
        parts: list[list[str]] = [[] for _ in range(len(APART) + 1)]
        block_of = _BLOCK_OF.get
        for line in lines:
            parts[block_of(line.split(" ", 2)[1], 0)].append(line)
        self._blocks = tuple(_compressed(part) for part in parts)

    def __len__(self) -> int:
        return self._count

    def distinct_count(self) -> int:
        """How many distinct triples the graph holds (`len(set(triples))`, as a store would
        hold them), counted when it was packed."""
        return self._distinct

    def __iter__(self) -> Iterator[Triple]:
        global _last
        last = _last  # (one read: readers in other threads may replace it)
        if last is not None and last[0] is self:
            return iter(last[1])
        triples = _parsed(self.ntriples())
        _last = (self, triples)
        return iter(triples)

    def select(self, predicates: frozenset[NamedNode]) -> list[Triple]:
        """The triples whose predicate is one of `predicates`, in the graph's order: only the
        blocks that can hold them are unpacked, and their other lines are dropped before
        parsing (a line is `<s> <p> <o> .`; neither a subject, an IRI or a blank node, nor a
        predicate holds a space, so its second token is the predicate). Parsing costs some
        1.4 µs a triple, dropping a line 0.25 µs, a line left packed nothing."""
        last = _last
        if last is not None and last[0] is self:
            return [t for t in last[1] if t.predicate in predicates]
        wanted = _tokens(predicates)
        kept: list[bytes] = []
        used = 0
        for index, block in enumerate(self._blocks):
            group = _GROUPS[index]
            if group is None:  # the rest: any predicate not set apart
                if wanted <= _APART_TOKENS:
                    continue
            elif not wanted & group:
                continue
            lines = zlib.decompress(block).split(b"\n")
            if group is not None and group <= wanted:
                kept += lines[:-1]  # (the empty piece after the last line break)
            else:
                kept += [line for line in lines if line and line.split(b" ", 2)[1] in wanted]
            used += 1
        if not kept:
            return []
        if used > 1:
            # each block is sorted; as bytes, UTF-8 lines sort as their text does, and the
            # " ." each ends with sorts below anything that could continue a line
            kept.sort()
        kept.append(b"")
        return _parsed(b"\n".join(kept))

    def __repr__(self) -> str:
        return f"PackedGraph({self._count} triples)"

    def ntriples(self) -> bytes:
        """The graph as an N-Triples document, one triple a line, sorted."""
        texts = [text for text in map(zlib.decompress, self._blocks) if text]
        if len(texts) <= 1:  # (one block's lines are sorted already)
            return texts[0] if texts else b""
        lines = b"".join(texts).split(b"\n")[:-1]
        lines.sort()  # (see `select`)
        lines.append(b"")
        return b"\n".join(lines)

    def _unsorted(self) -> bytes:
        """The graph as an N-Triples document, block after block."""
        return b"".join(zlib.decompress(block) for block in self._blocks)

    def nquads(self, graph: NamedNode) -> bytes:
        """The graph as N-Quads in the named graph `graph` (in no particular order: the bulk
        loader sorts what it loads). Every line ends with " .\\n" and no other "\\n" occurs in
        the text (N-Triples escapes line breaks inside literals), so naming the graph before
        each end of line is exact."""
        return self._unsorted().replace(b" .\n", f" {graph} .\n".encode())
