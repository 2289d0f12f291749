"""The names Jalinan already knows, and where they occur in a text.

A gazetteer maps every label, alias and acronym (English, Malay, Chinese) of the graph's people,
organisations, countries and places to the entity's id. Matching folds case, accents and
punctuation and forgives one slip per long word ("Science, Technology and Innovation Ministry
(Mosti)", "MOSTI", "data center" for "data centre"), so a curator does not have to type ids.
Acronyms match only where the text capitalises them, so that a short acronym is not found
inside ordinary words.

It is built from the store (the graph's own names, read through `graph/`) or, for the drafting
benchmark, from curated records.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files

from pyoxigraph import NamedNode

from jalinan.graph import GraphStore
from jalinan.graph.namespaces import ID
from jalinan.graph.results import SelectResult
from jalinan.ingest.records import FactsFile

# Kinds of node a curator names in running text: the gazetteer's entries.
NAMED_KINDS = {
    "Person": "person",
    "Country": "country",
    "Place": "place",
    "City": "place",
    "Region": "place",
    "Building": "place",
}
ORGANIZATION_CLASSES = {
    "Organization",
    "GovernmentBody",
    "NationalGovernment",
    "Ministry",
    "GovernmentAgency",
    "Company",
    "University",
    "Association",
    "InternationalOrganization",
    "MediaOrganization",
    "JointMechanism",
}

_GENERAL_CLASSES = {"Organization", "GovernmentBody", "Place"}
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower case, no accents, curly quotes straightened: the form names are compared in."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("’", "'").replace("‘", "'").casefold()


def words(text: str) -> list[str]:
    """The folded words of a name or a text (punctuation dropped)."""
    return _WORD.findall(fold(text))


def near(a: str, b: str) -> bool:
    """Equal, or long enough and one edit (or one swap of neighbours) apart: "centre"/"center"."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1 or a[0] != b[0]:
        return False
    return _edit_distance(a, b) <= 1


def _edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (insert, delete, substitute, swap neighbours)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def kind_of(class_name: str) -> str | None:
    if class_name in ORGANIZATION_CLASSES:
        return "organization"
    return NAMED_KINDS.get(class_name)


@dataclass
class Entry:
    """One known entity and its names."""

    id: str
    type: str
    label: str
    country: str | None = None
    names: list[tuple[str, str]] = field(default_factory=list)  # (name, "label" | "alias" | "acronym")

    @property
    def kind(self) -> str | None:
        return kind_of(self.type)


@dataclass(frozen=True)
class Mention:
    """Where a known entity's name occurs in a text."""

    entry: Entry
    start: int
    end: int
    text: str


class Gazetteer:
    def __init__(self, entries: Iterable[Entry]):
        self.entries: dict[str, Entry] = {}
        # first two letters of a name's first word -> (its words, entry, is an acronym)
        self._index: dict[str, list[tuple[list[str], Entry, bool]]] = defaultdict(list)
        self._cjk: list[tuple[str, Entry]] = []
        self._by_word: dict[str, list[Entry]] = defaultdict(list)  # for "closest known"
        for entry in entries:
            self.add(entry)

    def add(self, entry: Entry) -> None:
        self.entries[entry.id] = entry
        for name, name_kind in entry.names:
            if _CJK.search(name):
                self._cjk.append((fold(name), entry))
                continue
            name_words = words(name)
            for word in set(name_words):
                if len(word) >= 4 and entry not in self._by_word[word]:
                    self._by_word[word].append(entry)
            if name_words:
                self._index[name_words[0][:2]].append((name_words, entry, name_kind == "acronym"))

    def __len__(self) -> int:
        return len(self.entries)

    def names(self) -> Iterable[tuple[str, Entry]]:
        for entry in self.entries.values():
            for name, _ in entry.names:
                yield name, entry

    def find(self, text: str) -> list[Mention]:
        """Every known name in the text, longest first where names overlap, left to right."""
        tokens = [(m.start(), m.end(), fold(m.group(0))) for m in _WORD.finditer(text)]
        found: list[Mention] = []
        position = 0
        while position < len(tokens):
            best: tuple[int, Entry] | None = None
            for name_words, entry, acronym in self._index.get(tokens[position][2][:2], ()):
                size = len(name_words)
                if position + size > len(tokens) or (best and size <= best[0]):
                    continue
                window = tokens[position : position + size]
                if acronym and not text[window[0][0]].isupper():
                    continue
                if acronym or (size == 1 and len(name_words[0]) < 6):
                    matched = all(w[2] == n for w, n in zip(window, name_words, strict=True))
                else:
                    matched = all(near(w[2], n) for w, n in zip(window, name_words, strict=True))
                if matched:
                    best = (size, entry)
            if best is None:
                position += 1
                continue
            size, entry = best
            start, end = tokens[position][0], tokens[position + size - 1][1]
            found.append(Mention(entry, start, end, text[start:end]))
            position += size
        folded = fold(text)
        for name, entry in self._cjk:
            for match in re.finditer(re.escape(name), folded):
                found.append(Mention(entry, match.start(), match.end(), text[match.start() : match.end()]))
        return sorted(found, key=lambda m: m.start)

    def closest(self, name: str, limit: int = 3) -> list[Entry]:
        """Known entities whose names read closest to `name` (for "did you mean")."""
        import difflib

        wanted = " ".join(words(name))
        scored = []
        shared = {e.id: e for w in words(name) if len(w) >= 4 for e in self._by_word.get(w, ())}
        for known, entry in ((n, e) for e in shared.values() for n, _ in e.names):
            ratio = difflib.SequenceMatcher(None, wanted, " ".join(words(known))).ratio()
            scored.append((ratio, entry.id, entry))
        best: list[Entry] = []
        for ratio, _, entry in sorted(scored, key=lambda s: (-s[0], s[1])):
            if ratio < 0.6 or len(best) == limit:
                break
            if entry not in best:
                best.append(entry)
        return best


def entries_from_records(files_read: Iterable[FactsFile], leave_out: set[str] = frozenset()) -> list[Entry]:
    """Entries for the people, organisations, countries and places the records define."""
    entries: dict[str, Entry] = {}
    for facts_file in files_read:
        for node in facts_file.nodes:
            if node.id in leave_out or kind_of(node.type) is None:
                continue
            names = [(node.label, "label")]
            names += [(v, "label") for v in node.labels.values()]
            names += [(a, "alias") for a in node.aliases]
            names += [(a, "acronym") for a in node.acronyms]
            entries[node.id] = Entry(node.id, node.type, node.label, names=names)
    for facts_file in files_read:
        for claim in facts_file.claims:
            if claim.subject in entries and claim.prop == "country" and isinstance(claim.value, str):
                entries[claim.subject].country = claim.value
    return list(entries.values())


def entries_from_store(store: GraphStore) -> list[Entry]:
    """Entries for the people, organisations, countries and places in the store."""
    query = (files("jalinan.ingest.lookups") / "gazetteer.rq").read_text(encoding="utf-8")
    result = store.query(query, trusted=True)
    assert isinstance(result, SelectResult)
    entries: dict[str, Entry] = {}
    for row in result.rows:
        iri = row["node"].value
        if not iri.startswith(ID):
            continue
        node_id = iri.removeprefix(ID)
        class_name = row["class"].value.rsplit("#", 1)[-1]
        if kind_of(class_name) is None:
            continue
        entry = entries.get(node_id)
        if entry is None:
            entry = entries[node_id] = Entry(node_id, class_name, row["label"].value)
        elif entry.type in _GENERAL_CLASSES:  # a superclass (inferred typing): keep the specific one
            entry.type = class_name
        name = (row["name"].value, row["nameKind"].value)
        if name not in entry.names:
            entry.names.append(name)
        if "country" in row and isinstance(row["country"], NamedNode):
            entry.country = row["country"].value.removeprefix(ID)
    return list(entries.values())
