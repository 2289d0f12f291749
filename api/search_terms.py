"""The words a search looks for: each word the user typed, the words of the names that start
with it, and those a typo away (rapidfuzz), each with a cost that ranks the results.

Ingest writes every name's words as `jl:searchToken` (`graph.keys.search_tokens`). The
distinct words (a few thousand: the names share most of them) are read once per data version
(`queries/search/words.rq`) and kept sorted, so a prefix is two bisections and a typo is one
rapidfuzz scan of the words of a similar length and number of digits. The candidates are bound into the search
query's `VALUES` block as terms (`catalogue.search_rows`); the user's text never enters SPARQL.

Reading the words takes about 110 ms of CPU at 10,000 articles, ten times a search's own work.
A served store has a data version (`jalinan serve`'s pool), which keys them; a handle without
one (the store opened in process, as the bench and scripts do) keys them on the digest ingest
records for the inferred graph (`queries/search/words-version.rq`), which every ingest that
changes a graph moves. Words written outside ingest (SPARQL Update) are then found as typed,
and by their starts and typos from the next ingest on (what the digest cannot tell; a served
store, whose version moves with every write, reads them again at once).
"""

import bisect
import heapq
import threading
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from jalinan.graph import GraphStore, SelectResult

WORDS_QUERY = Path(str(files("jalinan.queries"))) / "search" / "words.rq"
VERSION_QUERY = WORDS_QUERY.with_name("words-version.rq")
EXACT, PREFIX, TYPO = 0, 1, 2  # costs: a word as typed, a word it starts, a word a typo away
MAX_PREFIXED = 40  # words started by one typed word ("c" starts too many to mean anything)
MAX_TYPOS = 10
MIN_PREFIX = 3  # letters typed before a word counts as the start of longer words


def allowed_edits(word: str) -> int:
    """Typos forgiven in a word: none in 1-3 letters (an acronym such as "MOA" is not "MOF"
    mistyped), one in 4-7 ("Mosty", "Huawie", "center"), two from 8."""
    if len(word) <= 3 or not word.isascii():
        return 0
    return 1 if len(word) <= 7 else 2


def _shape(word: str) -> tuple[int, int]:
    """A word's length and number of digits: one edit changes each by one at most, so a word `n`
    edits away has both within `n` of the other's."""
    return len(word), sum(c.isdigit() for c in word)


@dataclass(frozen=True)
class Vocabulary:
    """The distinct search words of a store, sorted; and by shape (`_shape`), so that a typo is
    looked for only among the words that could be so few edits away (at 100,000 articles, 126,000
    words, nearly all numbers and codes: 10 ms for each typed word, scanned all)."""

    words: list[str]
    shapes: dict[tuple[int, int], list[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        shapes: dict[tuple[int, int], list[str]] = {}
        for word in self.words:  # (in the words' order: each shape's list stays sorted)
            shapes.setdefault(_shape(word), []).append(word)
        object.__setattr__(self, "shapes", shapes)

    def near(self, word: str, edits: int) -> list[str]:
        """The words that could be `edits` or fewer edits from `word`, in the words' order."""
        length, digits = _shape(word)
        groups = [
            self.shapes.get((length + i, digits + j), [])
            for i in range(-edits, edits + 1)
            for j in range(-edits, edits + 1)
        ]
        return list(heapq.merge(*groups))

    def candidates(self, word: str) -> list[tuple[str, int]]:
        """`word` itself (always, so that an unknown word finds nothing rather than anything),
        the words it starts, and the words a typo away (Optimal String Alignment distance: a
        swap of two letters counts one), each once at its lowest cost."""
        found = {word: EXACT}
        if len(word) == 1 and not word.isascii():
            # one Chinese (or Japanese, Korean) character: names are indexed by pairs of
            # characters, so it is the pairs that hold it, at either end ("部" in "交部")
            for other in [w for w in self.words if word in w][:MAX_PREFIXED]:
                found.setdefault(other, PREFIX)
        if len(word) >= MIN_PREFIX:
            start = bisect.bisect_left(self.words, word)
            end = bisect.bisect_left(self.words, word + "\U0010ffff")
            for other in self.words[start : min(end, start + MAX_PREFIXED)]:
                found.setdefault(other, PREFIX)
        edits = allowed_edits(word)
        if edits:
            close = process.extract(
                word, self.near(word, edits), scorer=OSA.distance, score_cutoff=edits, limit=MAX_TYPOS
            )
            for other, _, _ in close:
                found.setdefault(other, TYPO)
        return list(found.items())


WORDS_TEXT = WORDS_QUERY.read_text(encoding="utf-8")
VERSION_TEXT = VERSION_QUERY.read_text(encoding="utf-8")
KEPT_VERSIONS = 4  # the words of this many data versions are kept, the least recently used dropped
_lock = threading.Lock()
_vocabularies: dict[str, Vocabulary] = {}  # data version -> its words, least recently used first


def known(version: str | None) -> Vocabulary | None:
    """The words already read at data `version` (None: not yet, or a store with no version)."""
    if version is None:
        return None
    with _lock:
        words = _vocabularies.pop(version, None)
        if words is not None:
            _vocabularies[version] = words  # now the most recently used
        return words


def forget() -> None:
    """Drop the words read so far (the bench times a search that reads them)."""
    with _lock:
        _vocabularies.clear()


def remember(version: str | None, result: SelectResult) -> Vocabulary:
    """The words of `WORDS_TEXT`'s answer, kept for `version` beside those of the last few
    versions read: one process reading stores of other versions in turn (the remote bench's
    embedded store and servers, a replica between two snapshots) read the words of one for every
    search of the other when only the newest was kept (130 ms a search at 10,000 articles)."""
    words = Vocabulary(sorted({row["token"].value for row in result.rows if "token" in row}))
    if version is not None:
        with _lock:
            _vocabularies.pop(version, None)
            _vocabularies[version] = words
            while len(_vocabularies) > KEPT_VERSIONS:
                del _vocabularies[next(iter(_vocabularies))]
    return words


def ingested_version(result: SelectResult) -> str | None:
    """The key of the words of a store with no data version, from `VERSION_TEXT`'s answer (None:
    ingest recorded no digest, so the words are read for every search)."""
    digests = sorted(row["digest"].value for row in result.rows if "digest" in row)
    return "ingest:" + digests[0] if len(digests) == 1 else None


def vocabulary(store: GraphStore, *, timeout: float | None = None) -> Vocabulary:
    """The store's search words, read once per data version (or ingested version)."""
    version = store.version
    if version is None:
        stamp = store.query(VERSION_TEXT, timeout=timeout, trusted=True)
        assert isinstance(stamp, SelectResult)
        version = ingested_version(stamp)
    words = known(version)
    if words is None:
        result = store.query(WORDS_TEXT, timeout=timeout, trusted=True)
        assert isinstance(result, SelectResult)
        words = remember(version, result)
    return words
