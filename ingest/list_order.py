"""Where each thing stands in the list users read it in, prepared at ingest.

Users expect agreements newest first (by date as precise as known, undated last), then by
label (or, as a reader may choose, oldest first or by label alone); visits by start date
(earliest first, undated last), then by label; organisations and people by label. Oxigraph
has no top-k sort and decodes every string it compares, so a page ordered by date and label
sorted all the agreements on every request: 440 ms for the first page at 10,000 articles
(14,000 agreements), where ordering the same agreements by one integer took 4 ms (measured; see
`queries/README.md`). So ingest gives each node of a list a sort key, `jl:listPosition`, an
integer (smaller first) in the list's own bookkeeping graph
(`https://w3id.org/jalinan/graph/list-order/agreements`, `…/agreements-oldest`,
`…/agreements-a-z`, `…/organisations`, `…/visits`, `…/people`); a list's page query reads
its graph and orders by it, which any SPARQL engine reads the same way.

The key is mostly the node's own: `coarse × 100,000 + rank`. `coarse` is computed from the
node alone (its day, then the first letters of its label, encoded so that a smaller key never
follows a larger one in the list's order; `coarse_day`, `coarse_label`); `rank` orders the few
nodes that share a coarse value (same day and same first letters) exactly, by the full order.
So a changed or new node moves only itself and the nodes of its small group, never the whole
list: `jalinan ingest FILE` re-ranks only what the changed articles touch (`rerank`), where
numbering 1, 2, … rewrote every position after the new one (82 s for ≈56,000 positions at
10,000 articles). A full ingest and a re-ingest of single files give the same keys, since
both are a function of the list's members only.

A position is derived bookkeeping, not a fact (no quote). A full ingest ranks the corpus in
memory (`positions_from_graphs`) and writes the keys in the data's own transaction; a
re-ingest of single files re-ranks what they touched on a scratch copy of the store holding
its data, and the keys go in the data's transaction too (`pipeline._ingest_articles`,
`graph/staging.py`). Writes that bypass ingest (`/update`, the Graph Store Protocol) do not re-rank:
the next ingest does.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, Triple

from jalinan.graph import GraphStore, SelectResult
from jalinan.graph.namespaces import CONCEPT, ID, JL, RDF, RDFS, SKOS, XSD
from jalinan.graph.packed import selected
from jalinan.graph.results import Term
from jalinan.queries.catalogue import holds_values_block, load_query

LIST_ORDER_GRAPH = "https://w3id.org/jalinan/graph/list-order"  # + "/" + the list's name
# the lists of agreements by date and by party "involving" (`ingest/agreement_lists.py`)
AGREEMENT_LISTS_GRAPH = f"{LIST_ORDER_GRAPH}/agreement-lists"
POSITION = NamedNode(JL + "listPosition")
_LOOKUPS = Path(str(files("jalinan.ingest.lookups")))
_INTEGER = NamedNode(XSD + "integer")
# A key is a whole number written as an `xsd:decimal`: Virtuoso 7 reads an `xsd:integer` past
# 32 bits as a decimal (openlink/virtuoso-opensource#607), so a decimal reads the same everywhere.
_DECIMAL = NamedNode(XSD + "decimal")
_TYPE, _LABEL, _SUBCLASS, _DATE = RDF + "type", RDFS + "label", RDFS + "subClassOf", JL + "date"
_START, _EARLIEST, _LATEST = JL + "startDate", JL + "earliestDateTime", JL + "latestDateTime"
_BROADER = SKOS + "broader"
_STATUS, _TOPIC, _PARTY = JL + "hasStatus", JL + "hasTopic", JL + "hasParty"
_QUALIFIED, _SIDE = JL + "qualifiedParty", JL + "side"
# What `positions_from_graphs` reads: of a packed graph only these lines are parsed (a sixth of
# an article's; its evidence and search keys are most of the rest)
_DATES = (_DATE, _START, _EARLIEST, _LATEST)
_POSITION_READS = frozenset(
    map(NamedNode, (_TYPE, _LABEL, _SUBCLASS, _BROADER, *_DATES, _STATUS, _TOPIC, _PARTY, _QUALIFIED, _SIDE))
)

# ---- the key: coarse (the node's own) × RANK_SPAN + rank within the nodes sharing it --------

RANK_SPAN = 100_000  # at most this many nodes of one list share a coarse value (same day, same first letters)
# Every key stays below 10**18, well within the whole numbers every engine's decimals hold.
MAX_KEY = 10**18
_BASE = 42  # label buckets: 0 = end of the label, 1..41 = the buckets of `_bucket`


def _bucket(char: str) -> tuple[int, bool]:
    """A character's bucket (in code point order), and whether the bucket holds it alone (a
    space, a digit, a letter a-z): after a shared bucket the next letters cannot be compared."""
    code = ord(char)
    if code < 32:
        return 1, False
    if code == 32:
        return 2, True
    if code < 48:
        return 3, False
    if code <= 57:
        return 4 + code - 48, True  # 4..13: the digits
    if code < 97:
        return 14, False
    if code <= 122:
        return 15 + code - 97, True  # 15..40: a..z
    return 41, False


def coarse_label(label: str, chars: int) -> int:
    """The first `chars` characters of the case-folded label as a number that never decreases
    as the label increases (`label.casefold()` order): each character's bucket, the end of the
    label as 0, and nothing more read after a character that shares its bucket (é, -, …)."""
    folded = label.casefold()
    code = 0
    reading = True
    for index in range(chars):
        bucket = 0
        if reading and index < len(folded):
            bucket, reading = _bucket(folded[index])
        else:
            reading = False
        code = code * _BASE + bucket
    return code


_FIRST_YEAR, _YEARS = 1900, 256
DAY_SLOTS = _YEARS * 416 + 2  # 0: before 1900; then each day, month and year; last: from 2156


def day_number(date: str) -> int:
    """`YYYY[-MM[-DD]]` as a number in the same order as the text (2025 < 2025-04 < 2025-04-01)."""
    year, month, day = int(date[:4]), int(date[5:7] or 0), int(date[8:10] or 0)
    return year * 10_000 + month * 100 + day


def coarse_day(date: str) -> tuple[int, bool]:
    """`YYYY[-MM[-DD]]` as one of `DAY_SLOTS` slots in the same order, and whether the slot holds
    that date alone (years before 1900 share the first slot, from 2156 the last)."""
    year, month, day = int(date[:4]), int(date[5:7] or 0), int(date[8:10] or 0)
    if year < _FIRST_YEAR:
        return 0, False
    if year >= _FIRST_YEAR + _YEARS:
        return DAY_SLOTS - 1, False
    return (year - _FIRST_YEAR) * 416 + month * 32 + day + 1, True


Member = tuple[str, str | None]  # a node's label, and its date (or instant) if the list orders by one


def _label_key(iri: str, member: Member) -> tuple[object, ...]:
    return (member[0].casefold(), member[0], iri)


def _label_coarse(member: Member) -> int:
    return coarse_label(member[0], 8)


def _newest_key(iri: str, member: Member) -> tuple[object, ...]:
    date = member[1]
    return (date is None, -day_number(date) if date else 0, *_label_key(iri, member))


def _newest_coarse(member: Member) -> int:
    label, date = member
    if date is None:
        slot, exact = DAY_SLOTS, True
    else:
        day, exact = coarse_day(date)
        slot = DAY_SLOTS - 1 - day
    return slot * _BASE**4 + (coarse_label(label, 4) if exact else 0)


def _oldest_key(iri: str, member: Member) -> tuple[object, ...]:
    date = member[1]
    return (date is None, day_number(date) if date else 0, *_label_key(iri, member))


def _oldest_coarse(member: Member) -> int:
    label, date = member
    slot, exact = (DAY_SLOTS, True) if date is None else coarse_day(date)
    return slot * _BASE**4 + (coarse_label(label, 4) if exact else 0)


def _start_key(iri: str, member: Member) -> tuple[object, ...]:
    instant = member[1]
    return (instant is None, instant or "", *_label_key(iri, member))


def _instant_slot(instant: str) -> tuple[int, bool]:
    """An instant's slot, three to a day (the day's first instant, another, its last), and
    whether the slot holds that instant alone."""
    day, exact = coarse_day(instant[:10])
    time = instant[11:] if len(instant) == 19 else ""
    moment = {"00:00:00": 0, "23:59:59": 2}.get(time, 1)
    return day * 3 + moment, exact and moment != 1


def _start_coarse(member: Member) -> int:
    label, instant = member
    slot, exact = (DAY_SLOTS * 3, True) if instant is None else _instant_slot(instant)
    return slot * _BASE**4 + (coarse_label(label, 4) if exact else 0)


def _begins_key(iri: str, member: Member) -> tuple[object, ...]:
    instant = member[1] or ""
    return (tuple(-ord(char) for char in instant), *_label_key(iri, member))  # newest first


def _begins_coarse(member: Member) -> int:
    """`_start_coarse` read backwards: the newest instant first."""
    label, instant = member
    assert instant is not None  # (only dated items are on the timeline: `dated_start_members`)
    slot, exact = _instant_slot(instant)
    return (DAY_SLOTS * 3 - 1 - slot) * _BASE**4 + (coarse_label(label, 4) if exact else 0)


def _first_label(labels: Iterable[str]) -> str:
    return min(labels, key=lambda label: (label.casefold(), label))


def agreement_members(rows: Iterable[tuple[str, str, str | None]]) -> dict[str, Member]:
    """Each agreement's label (the first in label order) and latest date (`YYYY[-MM[-DD]]`; a
    bound, "by 2025-04-17", by its date). Rows: (IRI, label, date label)."""
    labels: dict[str, list[str]] = {}
    dates: dict[str, str] = {}
    for iri, label, date in rows:
        labels.setdefault(iri, []).append(label)
        date = None if date is None else date.split(" ")[-1]
        if date is not None and date > dates.get(iri, ""):
            dates[iri] = date
    return {iri: (_first_label(its), dates.get(iri)) for iri, its in labels.items()}


def start_members(rows: Iterable[tuple[str, str, str | None]]) -> dict[str, Member]:
    """Each node's label and earliest start instant. Rows: (IRI, label, instant)."""
    labels: dict[str, list[str]] = {}
    starts: dict[str, str] = {}
    for iri, label, instant in rows:
        labels.setdefault(iri, []).append(label)
        if instant is not None and (iri not in starts or instant < starts[iri]):
            starts[iri] = instant
    return {iri: (_first_label(its), starts.get(iri)) for iri, its in labels.items()}


def dated_start_members(rows: Iterable[tuple[str, str, str | None]]) -> dict[str, Member]:
    """Each dated node's label and latest start instant (its newest date: where the timeline,
    newest first, meets it); a node with no date is not a member. Rows: (IRI, label, instant)."""
    labels: dict[str, list[str]] = {}
    starts: dict[str, str] = {}
    for iri, label, instant in rows:
        labels.setdefault(iri, []).append(label)
        if instant is not None and instant > starts.get(iri, ""):
            starts[iri] = instant
    return {iri: (_first_label(its), starts[iri]) for iri, its in labels.items() if iri in starts}


def label_members(rows: Iterable[tuple[str, str, str | None]]) -> dict[str, Member]:
    """Each node's label (the first in label order). Rows: (IRI, label, unused)."""
    labels: dict[str, list[str]] = {}
    for iri, label, _ in rows:
        labels.setdefault(iri, []).append(label)
    return {iri: (_first_label(its), None) for iri, its in labels.items()}


@dataclass(frozen=True)
class RankedList:
    """One ranked list: its name (its graph's last segment), the classes whose members (of a
    narrower class too) it ranks, the look-up a store answers with their labels, which dates
    order it (a date's label, or its instant), how rows become members, and the order: the full
    key (exact) and the coarse value (the node's own, never decreasing along the order)."""

    name: str
    tops: tuple[str, ...]
    lookup: str
    dates: str | None
    members: Callable[[Iterable[tuple[str, str, str | None]]], dict[str, Member]]
    key: Callable[[str, Member], tuple[object, ...]]
    coarse: Callable[[Member], int]
    # whether every ranked store holds the list (a full ingest ranks again where one is missing);
    # not a list of one kind of item, which a corpus may lack (the lists of `LISTS` are all
    # written by one ranking, so a store holding the whole list holds these too)
    required: bool = True

    @property
    def graph(self) -> str:
        return f"{LIST_ORDER_GRAPH}/{self.name}"

    def keys(self, members: Mapping[str, Member]) -> dict[str, int]:
        """Every member's sort key: its coarse value, then its rank among those sharing it."""
        groups: dict[int, list[str]] = {}
        for iri, member in members.items():
            groups.setdefault(self.coarse(member), []).append(iri)
        keys = {}
        for coarse, group in groups.items():
            if len(group) > RANK_SPAN:
                raise ValueError(
                    f"list {self.name}: {len(group)} nodes share one day and first letters "
                    f"(at most {RANK_SPAN}); widen RANK_SPAN in ingest/list_order.py"
                )
            group.sort(key=lambda iri: self.key(iri, members[iri]))
            for rank, iri in enumerate(group):
                keys[iri] = coarse * RANK_SPAN + rank
                assert keys[iri] < MAX_KEY, (self.name, iri)
        return keys


TIMELINE_KINDS = (JL + "Visit", JL + "Agreement", JL + "AgreementCollection", JL + "Event")
LISTS = (
    RankedList(
        "agreements",
        (JL + "Agreement", JL + "AgreementCollection"),
        "agreement-order.rq",
        "label",
        agreement_members,
        _newest_key,
        _newest_coarse,
    ),
    RankedList(
        "organisations",
        (JL + "Organization",),
        "organisation-order.rq",
        None,
        label_members,
        _label_key,
        _label_coarse,
    ),
    RankedList(
        "visits", (JL + "Visit",), "visit-order.rq", "start", start_members, _start_key, _start_coarse
    ),
    RankedList("people", (JL + "Person",), "person-order.rq", None, label_members, _label_key, _label_coarse),
    # the timeline: dated visits, agreements and events, newest first by the first instant each
    # may have begun (its latest date's), then by label; and the same list of each of the four
    # kinds (`kind=Event`): a kind few items have read from the whole list would read months of
    # it to fill a page (the first events of the 100,000-article corpus lie 27 days down it)
    RankedList(
        "timeline",
        TIMELINE_KINDS,
        "timeline-order.rq",
        "start",
        dated_start_members,
        _begins_key,
        _begins_coarse,
    ),
    *(
        RankedList(
            f"timeline-by-kind/{kind[len(JL) :]}",
            (kind,),
            "timeline-order.rq",
            "start",
            dated_start_members,
            _begins_key,
            _begins_coarse,
            required=False,
        )
        for kind in TIMELINE_KINDS
    ),
    # the agreements list's other orders, which a reader may choose (`sort=oldest`, `sort=a-z`):
    # oldest first (by the same date, undated still last, then by label), and by label alone
    RankedList(
        "agreements-oldest",
        (JL + "Agreement", JL + "AgreementCollection"),
        "agreement-order.rq",
        "label",
        agreement_members,
        _oldest_key,
        _oldest_coarse,
    ),
    RankedList(
        "agreements-a-z",
        (JL + "Agreement", JL + "AgreementCollection"),
        "agreement-order.rq",
        None,
        label_members,
        _label_key,
        _label_coarse,
    ),
)
# Agreements by each value of a filter (status, topic, year, side, kind, party): each value's
# agreements (a status or topic's narrower ones' too, a kind's narrower classes' too) with
# their keys, in their own graph (`…/list-order/agreements-by-status/signed`), which the
# facet's index graph (`…/list-order/agreements-by-status`) describes: `<list> rdf:value
# <signed> ; jl:listSize 9629`. A filtered page is then read from its lists alone, rather than
# testing every agreement against each filter on each request, and a facet's unfiltered counts
# are the lists' sizes.
FACETS = ("status", "topic", "year", "side", "kind", "party")
# Each value's list is kept in each order a reader may choose (the ranked lists of agreements
# above): `…/agreements-by-status/signed` newest first, `…/agreements-oldest-by-status/signed`
# and `…/agreements-a-z-by-status/signed` in the others, each described by its own index. A
# sorted page then reads one list already in its order: looking each agreement's key up in the
# order's whole list instead cost 30–37 ms CPU per page at 10,000 articles (queries/README.md).
FACET_ORDERS = ("agreements", "agreements-oldest", "agreements-a-z")
LIST_GRAPHS = (
    *(ranked.graph for ranked in LISTS if ranked.required),
    *(f"{LIST_ORDER_GRAPH}/{order}-by-{facet}" for order in FACET_ORDERS for facet in FACETS),
)
_VALUE = NamedNode(RDF + "value")
LIST_SIZE = NamedNode(JL + "listSize")
_YEAR = re.compile(r"^[0-9]{4}")
_PREFIXES = {
    "status": CONCEPT + "agreement-status/",
    "topic": CONCEPT + "topic/",
    "side": ID,
    "party": ID,
    "kind": JL,
}


@dataclass
class AgreementFacts:
    """What puts an agreement on a filter's lists, as rows: (agreement, status or topic
    property, concept), (concept, broader), (agreement, date label), (agreement, side),
    (agreement, class), (class, superclass), (agreement, party)."""

    tagged: list[tuple[str, str, str]] = field(default_factory=list)
    broader: list[tuple[str, str]] = field(default_factory=list)
    dated: list[tuple[str, str]] = field(default_factory=list)
    sides: list[tuple[str, str]] = field(default_factory=list)
    types: list[tuple[str, str]] = field(default_factory=list)
    superclasses: list[tuple[str, str]] = field(default_factory=list)
    parties: list[tuple[str, str]] = field(default_factory=list)


def facet_lists(facts: AgreementFacts) -> dict[str, tuple[Literal | NamedNode, set[str]]]:
    """Each filter value's list graph: the value, and the agreements on it."""
    concepts = _closure(facts.broader)
    classes = _closure(facts.superclasses)
    # (facet, agreement, value: an IRI, or a year); each list's value made a term once, not
    # once per agreement (70,000 terms at 1,000 articles)
    values: list[tuple[str, str, str]] = []
    for agreement, prop, concept in facts.tagged:
        facet = "status" if prop == JL + "hasStatus" else "topic"
        values.extend((facet, agreement, c) for c in concepts(concept))
    for agreement, date in facts.dated:
        if _YEAR.match(date):
            values.append(("year", agreement, date[:4]))
    values.extend(("side", agreement, side) for agreement, side in facts.sides)
    for agreement, cls in facts.types:
        values.extend(("kind", agreement, c) for c in classes(cls) if c.startswith(JL))
    values.extend(("party", agreement, party) for agreement, party in facts.parties)
    lists: dict[str, tuple[Literal | NamedNode, set[str]]] = {}
    for facet, agreement, value in values:
        if facet == "year":
            local = value
        else:
            prefix = _PREFIXES[facet]
            local = value[len(prefix) :]
            if not value.startswith(prefix) or not local or (facet in ("status", "topic") and "/" in local):
                continue
        graph = f"{LIST_ORDER_GRAPH}/agreements-by-{facet}/{local}"
        entry = lists.get(graph)
        if entry is None:
            term = Literal(value, datatype=_INTEGER) if facet == "year" else NamedNode(value)
            entry = lists[graph] = (term, set())
        entry[1].add(agreement)
    return lists


def _in_order(graph: str, order: str) -> str:
    """A value's list (`…/agreements-by-status/signed`) in another of `FACET_ORDERS`."""
    return graph.replace(f"{LIST_ORDER_GRAPH}/agreements-by-", f"{LIST_ORDER_GRAPH}/{order}-by-", 1)


def _index_of(graph: str) -> str:
    return graph.rsplit("/", 1)[0] if graph.count("/") > LIST_ORDER_GRAPH.count("/") + 1 else graph


def _rows(
    store: GraphStore, lookup: str, subjects: Iterable[str] | None = None, tops: Iterable[str] = ()
) -> list[dict[str, str]]:
    """A look-up's rows; `subjects`: only theirs (its `VALUES ?subject` block filled); `tops`:
    only nodes of these classes, for a look-up with a `VALUES ?top` block (the timeline's)."""
    query = load_query(_LOOKUPS / lookup)
    values: dict[str | tuple[str, ...], list[NamedNode] | None] = {}
    if subjects is not None:
        values["subject"] = [NamedNode(s) for s in sorted(subjects)]
    if tops and holds_values_block(query.text, ("top",)):
        values["top"] = [NamedNode(top) for top in tops]
    text = query.bind(values) if values else query.text
    result = store.query(text)
    assert isinstance(result, SelectResult)
    return [{name: term.value for name, term in row.items()} for row in result.rows]


class _Terms:
    """The terms of list graphs, each made once: an agreement is a member of some 30 lists of
    each order (every filter value's), with the same key in each; making its IRI, key and block
    anew for each was a third of ranking the lists."""

    def __init__(self) -> None:
        self._nodes: dict[str, NamedNode] = {}
        self._keys: dict[int, Literal] = {}
        self._integers: dict[int, Literal] = {}

    def node(self, iri: str) -> NamedNode:
        node = self._nodes.get(iri)
        if node is None:
            node = self._nodes[iri] = NamedNode(iri)
        return node

    def key(self, value: int) -> Literal:
        key = self._keys.get(value)
        if key is None:
            key = self._keys[value] = _key(value)
        return key

    def integer(self, value: int) -> Literal:
        integer = self._integers.get(value)
        if integer is None:
            integer = self._integers[value] = _integer(value)
        return integer


def _positions(keys: Mapping[str, int], graph: str, terms: _Terms | None = None) -> list[Triple]:
    """A list graph's triples: each member's key, and for a list of agreements its blocks (as
    `with_blocks` adds them, from the keys themselves)."""
    terms = terms or _Terms()
    ordered = sorted(keys.items(), key=lambda item: item[1])
    positions = [Triple(terms.node(iri), POSITION, terms.key(key)) for iri, key in ordered]
    span = block_span(graph)
    if span is None:
        return positions
    members = [Triple(terms.node(iri), BLOCK, terms.integer(block_of(key, span))) for iri, key in ordered]
    blocks = sorted({block_of(key, span) for _, key in ordered})
    node = NamedNode(graph)
    named = [Triple(node, BLOCK, terms.integer(block)) for block in blocks]
    first = [Triple(node, FIRST_BLOCK, terms.integer(blocks[0]))] if blocks else []
    return [*positions, *members, *named, *first]


def _closure(broader: Iterable[tuple[str, str]]) -> Callable[[str], set[str]]:
    above: dict[str, set[str]] = {}
    for concept, parent in broader:
        above.setdefault(concept, set()).add(parent)

    def closure(concept: str) -> set[str]:
        found, todo = set(), [concept]
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo.extend(above.get(current, ()))
        return found

    return closure


def _facet_graphs(
    agreement_keys: Mapping[str, int],
    lists: Mapping[str, tuple[Literal | NamedNode, set[str]]],
    order: str = "agreements",
) -> dict[str, list[Triple]]:
    """The agreements' lists by filter value, each with the agreements' keys in `order` (one of
    `FACET_ORDERS`), and their indexes."""
    graphs: dict[str, list[Triple]] = {f"{LIST_ORDER_GRAPH}/{order}-by-{facet}": [] for facet in FACETS}
    terms = _Terms()
    for newest, (value, chosen) in sorted(lists.items()):
        graph = _in_order(newest, order)
        keys = {iri: agreement_keys[iri] for iri in chosen if iri in agreement_keys}
        if not keys:  # a topic only visits or projects have
            continue
        node = NamedNode(graph)
        graphs[_index_of(graph)] += [
            Triple(node, _VALUE, value),
            Triple(node, LIST_SIZE, _integer(len(keys))),
        ]
        graphs[graph] = _positions(keys, graph, terms)
    return graphs


def _store_members(
    store: GraphStore, ranked: RankedList, subjects: Iterable[str] | None = None
) -> dict[str, Member]:
    dates: dict[str, list[str]] = {}
    if ranked.dates:
        lookup, column = ("dated.rq", "date") if ranked.dates == "label" else ("started.rq", "instant")
        for row in _rows(store, lookup, subjects):
            dates.setdefault(row["subject"], []).append(row[column])
    rows = [
        (row["subject"], row["label"], date)
        for row in _rows(store, ranked.lookup, subjects, ranked.tops)
        for date in (dates.get(row["subject"]) or [None])
    ]
    return ranked.members(rows)


def _store_facts(store: GraphStore, subjects: Iterable[str] | None = None) -> AgreementFacts:
    def pairs(
        lookup: str, first: str, second: str, only: Iterable[str] | None = subjects
    ) -> list[tuple[str, str]]:
        return [(row[first], row[second]) for row in _rows(store, lookup, only)]

    return AgreementFacts(
        tagged=[
            (row["subject"], row["property"], row["concept"]) for row in _rows(store, "tagged.rq", subjects)
        ],
        broader=pairs("broader.rq", "concept", "broader", None),
        dated=pairs("dated.rq", "subject", "date"),
        sides=pairs("sided.rq", "subject", "side"),
        types=pairs("typed.rq", "subject", "class"),
        superclasses=pairs("superclasses.rq", "class", "superclass", None),
        parties=pairs("parties.rq", "subject", "party"),
    )


def list_positions(store: GraphStore) -> dict[str, list[Triple]]:
    """Each ranked list's graph, from what the store holds: a key for every node of the list."""
    graphs = {}
    order_keys: dict[str, dict[str, int]] = {}
    for ranked in LISTS:
        keys = ranked.keys(_store_members(store, ranked))
        graphs[ranked.graph] = _positions(keys, ranked.graph)
        if ranked.name in FACET_ORDERS:
            order_keys[ranked.name] = keys
    lists = facet_lists(_store_facts(store))
    for order in FACET_ORDERS:
        graphs.update(_facet_graphs(order_keys[order], lists, order))
    return graphs


def positions_from_graphs(graphs: Mapping[str, Iterable[Triple]]) -> dict[str, list[Triple]]:
    """The ranked lists' graphs computed from a whole corpus in memory (the ontology graph
    included, for the class tree), so that a full ingest writes them in the same transaction as
    the data: the same keys `list_positions` reads from a store holding that corpus."""
    parents: dict[str, set[str]] = {}
    types: dict[str, set[str]] = {}
    labels: dict[str, list[str]] = {}
    day_of: dict[str, list[str]] = {}  # jl:date
    start_of: dict[str, list[str]] = {}  # jl:date or jl:startDate
    day_label: dict[str, str] = {}
    earliest: dict[str, str] = {}
    latest: dict[str, str] = {}
    facts = AgreementFacts()
    roles: list[tuple[str, str]] = []  # (agreement, its qualified party)
    side_of: dict[str, str] = {}
    for triples in graphs.values():
        for t in selected(triples, _POSITION_READS):
            p = t.predicate.value
            if p == _SUBCLASS:
                parents.setdefault(t.subject.value, set()).add(t.object.value)
            elif p == _TYPE:
                types.setdefault(t.subject.value, set()).add(t.object.value)
            elif p == _LABEL and isinstance(t.object, Literal):
                language = t.object.language or ""
                if language.lower() == "en" or language.lower().startswith("en-"):
                    labels.setdefault(t.subject.value, []).append(t.object.value)
                elif not language:
                    day_label[t.subject.value] = t.object.value  # a date node's plain label
            elif p == _DATE:
                day_of.setdefault(t.subject.value, []).append(t.object.value)
                start_of.setdefault(t.subject.value, []).append(t.object.value)
            elif p == _START:
                start_of.setdefault(t.subject.value, []).append(t.object.value)
            elif p == _EARLIEST:
                earliest[t.subject.value] = t.object.value
            elif p == _LATEST:
                latest[t.subject.value] = t.object.value
            elif p in (_STATUS, _TOPIC):
                facts.tagged.append((t.subject.value, p, t.object.value))
            elif p == _BROADER:
                facts.broader.append((t.subject.value, t.object.value))
            elif p == _PARTY:
                facts.parties.append((t.subject.value, t.object.value))
            elif p == _QUALIFIED:
                roles.append((t.subject.value, t.object.value))
            elif p == _SIDE:
                side_of[t.subject.value] = t.object.value

    def under(cls: str, tops: tuple[str, ...], seen: frozenset[str] = frozenset()) -> bool:
        above = parents.get(cls, set()) - seen
        return cls in tops or any(under(parent, tops, seen | {cls}) for parent in above)

    def dates(subject: str, kind: str | None) -> list[str | None]:
        if kind == "label":
            return [day_label.get(day) for day in day_of.get(subject, [])] or [None]
        if kind == "start":
            found = [earliest.get(day) or latest.get(day) for day in start_of.get(subject, [])]
            return [instant for instant in found if instant] or [None]
        return [None]

    every_class = {cls for its in types.values() for cls in its}
    out = {}
    order_keys: dict[str, dict[str, int]] = {}
    for ranked in LISTS:
        classes = {cls for cls in every_class if under(cls, ranked.tops)}
        rows = [
            (subject, label, date)
            for subject, its in types.items()
            if its & classes
            for label in labels.get(subject, [])
            for date in dates(subject, ranked.dates)
        ]
        keys = ranked.keys(ranked.members(rows))
        out[ranked.graph] = _positions(keys, ranked.graph)
        if ranked.name in FACET_ORDERS:
            order_keys[ranked.name] = keys
    facts.dated = [(s, day_label[d]) for s, days in day_of.items() for d in days if d in day_label]
    facts.sides = [(agreement, side_of[role]) for agreement, role in roles if role in side_of]
    facts.types = [(s, cls) for s, its in types.items() for cls in its if cls.startswith(JL)]
    facts.superclasses = [(cls, parent) for cls, its in parents.items() for parent in its]
    lists = facet_lists(facts)
    for order in FACET_ORDERS:
        out.update(_facet_graphs(order_keys[order], lists, order))
    return out


def stale_lists(existing: Iterable[str], ranked: Mapping[str, object]) -> list[str]:
    """The list-order graphs a store holds that a new ranking no longer has (a status no
    agreement has any more): emptied in the same transaction. (Not those under
    `AGREEMENT_LISTS_GRAPH`, which `ingest/agreement_lists.py` derives and keeps.)"""
    ours = (LIST_ORDER_GRAPH + "/", AGREEMENT_LISTS_GRAPH + "/")
    return [
        name
        for name in existing
        if name.startswith(ours[0]) and not name.startswith(ours[1]) and name not in ranked
    ]


def _integer(value: int) -> Literal:
    return Literal(str(value), datatype=_INTEGER)


# ---- blocks: a page of a long list reads the part it needs, not the whole list ----------------
#
# Reading a list's every key and sorting them was most of an agreements page at 100,000
# articles (150,000 keys for the list of every agreement: 54 ms; queries/README.md, "Blocks").
# So each member of a list of agreements (and of the timeline) also carries its block,
# `jl:listBlock`, a whole number computed from its key alone (`key // span`: the coarse day's
# month for the newest and oldest orders and the timeline, the first three letters for the order
# by label), which never decreases along the list;
# and the list names each block that holds a member (`<list> jl:listBlock 1690`, in its graph)
# and its first (`<list> jl:listFirstBlock 1690`). A page query reads the blocks from the first
# of the whole list in its order up to a window the runner widens until the page is full
# (`api/reading.py`), each by an exact look-up. (The first as a `MIN` over the blocks named, in
# the page query: Oxigraph then read every list's blocks, 300 ms at 10,000 articles.) A key's
# block is its own, so a re-ingest changes only the blocks of the keys it moves
# (`block_changes`).

BLOCK = NamedNode(JL + "listBlock")
FIRST_BLOCK = NamedNode(JL + "listFirstBlock")
_MONTH_SPAN = RANK_SPAN * _BASE**4 * 32  # a coarse day's slots, 32 to a month (`coarse_day`)
_LETTERS_SPAN = RANK_SPAN * _BASE**5  # `coarse_label(…, 8)`'s first three letters
_TIMELINE_SPAN = RANK_SPAN * _BASE**4 * 3  # a day of the timeline (three slots to a day)
_SPANS = {
    "agreements": _MONTH_SPAN,
    "agreements-oldest": _MONTH_SPAN,
    "agreements-a-z": _LETTERS_SPAN,
    "timeline": _TIMELINE_SPAN,
}


def block_span(graph: str) -> int | None:
    """The span of a block of the list `graph` (None: a list without blocks, or no list): the
    agreements' lists of each order, of every agreement and by filter value, and the timeline's.
    (Not the lists of `ingest/agreement_lists.py`, which no page reads by blocks: a period's page
    reads the whole list's; 18% of the blocks at 10,000 articles.)"""
    if not graph.startswith(LIST_ORDER_GRAPH + "/") or graph.startswith(AGREEMENT_LISTS_GRAPH + "/"):
        return None
    name = graph[len(LIST_ORDER_GRAPH) + 1 :]
    order = name.split("-by-", 1)[0] if "-by-" in name else name
    return _SPANS.get(order) if ("-by-" not in name or "/" in name) else None


def has_blocks(store: GraphStore) -> bool:
    """Whether the list of every agreement names its first block, or holds nothing: a store
    ingested before lists had blocks has none, and its pages read by blocks would be empty, so a
    full ingest ranks its lists again."""
    whole = NamedNode(f"{LIST_ORDER_GRAPH}/agreements")
    result = store.query(
        f"SELECT ?first WHERE {{ {{ GRAPH {whole} {{ {whole} {FIRST_BLOCK} ?first }} }} UNION "
        f"{{ FILTER NOT EXISTS {{ GRAPH {whole} {{ ?member {POSITION} ?key }} }} BIND (0 AS ?first) }} }}"
    )
    assert isinstance(result, SelectResult)
    return bool(result.rows)


def block_of(key: int, span: int) -> int:
    return key // span


def with_blocks(graph: str, positions: list[Triple]) -> list[Triple]:
    """A list graph's key triples with, for a list of agreements, each member's block and the
    list's blocks."""
    span = block_span(graph)
    if span is None:
        return positions
    blocks: dict[int, None] = {}
    members = []
    for t in positions:
        block = block_of(int(t.object.value), span)
        members.append(Triple(t.subject, BLOCK, _integer(block)))
        blocks[block] = None
    node = NamedNode(graph)
    named = [Triple(node, BLOCK, _integer(block)) for block in sorted(blocks)]
    first = [Triple(node, FIRST_BLOCK, _integer(min(blocks)))] if blocks else []
    return [*positions, *members, *named, *first]


def block_changes(store: GraphStore, remove: list[Quad], add: list[Quad]) -> tuple[list[Quad], list[Quad]]:
    """`remove` and `add` (single quads of a re-ingest, keys among them) with the blocks their
    keys change: each member's block, and a list's entry for a block that gains its first
    member or loses its last (read from `store`, before the change)."""
    change: dict[Quad, int] = {}
    for sign, quads in ((-1, remove), (1, add)):
        for q in quads:
            span = block_span(q.graph_name.value) if q.predicate == POSITION else None
            if span is not None:
                block = Quad(q.subject, BLOCK, _integer(block_of(int(q.object.value), span)), q.graph_name)
                change[block] = change.get(block, 0) + sign
    gone: dict[tuple[NamedNode, Literal], set[Term]] = {}  # (list, block) → members leaving it
    came: set[tuple[NamedNode, Literal]] = set()
    extra_remove, extra_add = [], []
    named: dict[NamedNode, list[tuple[Literal, int]]] = {}  # the blocks each list names or no longer does
    for q, sign in change.items():
        pair = (q.graph_name, q.object)
        if sign < 0:
            gone.setdefault(pair, set()).add(q.subject)
            extra_remove.append(q)
        elif sign > 0:
            came.add(pair)
            extra_add.append(q)
    for graph, block in sorted({*gone, *came}, key=str):
        entry = Quad(graph, BLOCK, block, graph)
        listed = _block_members(store, graph, block, len(gone.get((graph, block), ())) + 2)
        held = graph in listed
        left = listed - {graph} - gone.get((graph, block), set())
        if (graph, block) in came or left:
            if not held:
                extra_add.append(entry)
                named.setdefault(graph, []).append((block, 1))
        elif held:
            extra_remove.append(entry)
            named.setdefault(graph, []).append((block, -1))
    for graph, changes in sorted(named.items(), key=str):  # a list whose blocks change: its first
        blocks, first = _blocks_named(store, graph)
        for block, sign in changes:
            (blocks.add if sign > 0 else blocks.discard)(int(block.value))
        now = min(blocks) if blocks else None
        if now != first:
            if first is not None:
                extra_remove.append(Quad(graph, FIRST_BLOCK, _integer(first), graph))
            if now is not None:
                extra_add.append(Quad(graph, FIRST_BLOCK, _integer(now), graph))
    return [*remove, *extra_remove], [*add, *extra_add]


def _blocks_named(store: GraphStore, graph: NamedNode) -> tuple[set[int], int | None]:
    """The blocks a list names now, and its first block as it says."""
    result = store.query(
        f"SELECT ?block ?first WHERE {{ GRAPH {graph} {{ {{ {graph} {BLOCK} ?block }}"
        f" UNION {{ {graph} {FIRST_BLOCK} ?first }} }} }}"
    )
    assert isinstance(result, SelectResult)
    blocks = {int(row["block"].value) for row in result.rows if row.get("block") is not None}
    first = next((int(row["first"].value) for row in result.rows if row.get("first") is not None), None)
    return blocks, first


def _block_members(store: GraphStore, graph: NamedNode, block: Literal, most: int) -> set[Term]:
    """Up to `most` of what a list names in `block` (its members, and the list if it names the block)."""
    result = store.query(
        f"SELECT ?member WHERE {{ {{ GRAPH {graph} {{ {graph} {BLOCK} {block} BIND ({graph} AS ?member) }} }}"
        f" UNION {{ SELECT ?member WHERE {{ GRAPH {graph} {{ ?member {BLOCK} {block} }} }}"
        f" LIMIT {int(most)} }} }}"
    )
    assert isinstance(result, SelectResult)
    return {row["member"] for row in result.rows}


def _key(value: int) -> Literal:
    return Literal(str(value), datatype=_DECIMAL)


def _keys_in_groups(store: GraphStore, graph: str, groups: set[int]) -> dict[str, int]:
    """The members of a list whose key falls in one of the coarse values `groups`, with their keys."""
    return _keys_between(
        store, graph, [(group * RANK_SPAN, (group + 1) * RANK_SPAN) for group in sorted(groups)]
    )


def _keys_between(store: GraphStore, graph: str, ranges: list[tuple[int, int]]) -> dict[str, int]:
    """The members of a list whose key falls in one of `ranges` (low included, high not)."""
    if not ranges:
        return {}
    query = load_query(_LOOKUPS / "keys-between.rq")
    rows = [(NamedNode(graph), _integer(low), _integer(high)) for low, high in ranges]
    result = store.query(query.bind({("list", "low", "high"): rows}))
    assert isinstance(result, SelectResult)
    return {row["subject"].value: int(row["position"].value) for row in result.rows}


def rerank(store: GraphStore, touched: Iterable[str]) -> set[str]:
    """Re-rank only what the nodes in `touched` (those whose facts a re-ingest changed) move:
    each such node's key and lists, and the keys of the nodes sharing its old or new coarse
    value. Writes the changes in one transaction; returns the nodes whose keys it moved."""
    touched = {iri for iri in touched if iri.startswith("http")}
    if not touched:
        return set()
    remove: list[Quad] = []
    add: list[Quad] = []
    # each order's key now of each touched or moved agreement (None: not listed), and those moved
    order_keys: dict[str, dict[str, int | None]] = {order: {} for order in FACET_ORDERS}
    moved: dict[str, set[str]] = {order: set() for order in FACET_ORDERS}
    listed: dict[str, dict[str, int]] = {}  # each touched node's keys now, by list graph
    read: dict[tuple[object, ...], dict[str, Member]] = {}

    def members_of(ranked: RankedList, subjects: Iterable[str]) -> dict[str, Member]:
        """`_store_members`, read once for the lists that share a look-up (the agreements' orders)."""
        chosen = frozenset(subjects)
        key = (ranked.lookup, ranked.tops, ranked.dates, ranked.members, chosen)
        if key not in read:
            read[key] = _store_members(store, ranked, chosen)
        return read[key]

    for row in _rows(store, "listed.rq", touched):
        listed.setdefault(row["subject"], {})[row["graph"]] = int(row["position"])
    for ranked in LISTS:
        graph = NamedNode(ranked.graph)
        was = {iri: keys[ranked.graph] for iri, keys in listed.items() if ranked.graph in keys}
        fresh = members_of(ranked, touched)
        groups = {key // RANK_SPAN for key in was.values()} | {
            ranked.coarse(member) for member in fresh.values()
        }
        if was and set(was) == set(fresh):
            # ranks are dense within a group: each one's nearest untouched neighbours are this near
            reach = len(was) + 1
            near = _keys_between(
                store, ranked.graph, [(key - reach, key + reach + 1) for key in was.values()]
            )
            if _keep_their_places(ranked, fresh, {**near, **was}, members_of):
                if ranked.name in FACET_ORDERS:  # no key of this list moves
                    order_keys[ranked.name] = {iri: was.get(iri) for iri in touched}
                continue
        stored = {**_keys_in_groups(store, ranked.graph, groups), **was}
        others = [iri for iri in stored if iri not in touched]
        members = {**(members_of(ranked, others) if others else {}), **fresh}
        keys = ranked.keys(members)
        for iri in sorted(set(keys) | {iri for iri in touched if iri in stored}):
            old, new = stored.get(iri), keys.get(iri)
            if old == new:
                continue
            if old is not None:
                remove.append(Quad(NamedNode(iri), POSITION, _key(old), graph))
            if new is not None:
                add.append(Quad(NamedNode(iri), POSITION, _key(new), graph))
            if ranked.name in FACET_ORDERS:
                moved[ranked.name].add(iri)
        if ranked.name in FACET_ORDERS:
            order_keys[ranked.name] = {iri: keys.get(iri) for iri in touched | set(keys)}
    # the lists by filter value, in each order: the touched agreements' memberships, every moved key
    newest = facet_lists(_store_facts(store, touched))
    held = _held_lists(store, set(touched).union(*moved.values()))
    wanted: dict[str, tuple[Literal | NamedNode, set[str]]] = {}
    sizes: dict[str, int] = {}
    for order in FACET_ORDERS:
        in_order = {_in_order(graph, order): entry for graph, entry in newest.items()}
        wanted.update(in_order)
        prefix = f"{LIST_ORDER_GRAPH}/{order}-by-"
        for iri in sorted(touched | moved[order]):
            key = order_keys[order].get(iri)
            now = {graph: k for graph, k in held.get(iri, {}).items() if graph.startswith(prefix)}
            # a touched agreement's lists as its facts say now; one moved within its group keeps its own
            lists = (
                {graph for graph, (_, chosen) in in_order.items() if iri in chosen}
                if iri in touched
                else set(now)
            )
            for graph_name in sorted(lists | set(now)):
                old_key = now.get(graph_name)
                new_key = key if graph_name in lists else None
                if old_key == new_key:
                    continue
                graph = NamedNode(graph_name)
                if old_key is not None:
                    remove.append(Quad(NamedNode(iri), POSITION, _key(old_key), graph))
                    sizes[graph_name] = sizes.get(graph_name, 0) - 1
                if new_key is not None:
                    add.append(Quad(NamedNode(iri), POSITION, _key(new_key), graph))
                    sizes[graph_name] = sizes.get(graph_name, 0) + 1
    # each list's size in its index; a list that appears or empties, its entry
    before = _list_sizes(store, [name for name, change in sizes.items() if change])
    for graph_name, change in sorted(sizes.items()):
        if not change:
            continue
        node, index = NamedNode(graph_name), NamedNode(_index_of(graph_name))
        value, old = before.get(graph_name, (None, 0))
        if old:
            remove.append(Quad(node, LIST_SIZE, _integer(old), index))
        if old + change:
            add.append(Quad(node, LIST_SIZE, _integer(old + change), index))
        if not old:
            add.append(Quad(node, _VALUE, wanted[graph_name][0], index))
        elif not old + change and value is not None:
            remove.append(Quad(node, _VALUE, value, index))
    if remove or add:
        moved_keys = {q.subject.value for q in (*remove, *add)}
        remove, add = block_changes(store, remove, add)
        store.replace_graphs({}, remove=remove, add=add)
        return moved_keys
    return set()


def _keep_their_places(
    ranked: RankedList,
    fresh: Mapping[str, Member],
    stored: Mapping[str, int],
    members_of: Callable[[RankedList, Iterable[str]], dict[str, Member]],
) -> bool:
    """Whether the touched nodes `fresh` (each listed before, and still) keep their coarse value
    and their place among the nodes of their group, so that no key of the list moves (a
    revised label that still sorts where it did). Reads only each one's nearest untouched
    neighbours, not the whole group: a group of labels sharing their first letters holds
    thousands of agreements ("Ministry of …"), which re-ranking reads whole."""
    if any(ranked.coarse(member) != stored[iri] // RANK_SPAN for iri, member in fresh.items()):
        return False
    order = sorted(stored, key=stored.__getitem__)
    place = {iri: n for n, iri in enumerate(order)}
    neighbours: set[str] = set()
    for iri in fresh:
        group = stored[iri] // RANK_SPAN
        for step in (-1, 1):
            n = place[iri] + step
            while 0 <= n < len(order) and order[n] in fresh:
                n += step
            if 0 <= n < len(order) and stored[order[n]] // RANK_SPAN == group:
                neighbours.add(order[n])
    known = {**members_of(ranked, neighbours), **fresh} if neighbours else dict(fresh)
    if not neighbours <= set(known):
        return False  # a neighbour no longer a member (cannot be: untouched); re-rank whole
    window = [iri for iri in order if iri in known]
    return window == sorted(window, key=lambda iri: ranked.key(iri, known[iri]))


def _held_lists(store: GraphStore, subjects: set[str]) -> dict[str, dict[str, int]]:
    """For each subject, the lists by filter value that hold it now (in every order), with its key there."""
    held: dict[str, dict[str, int]] = {}
    prefixes = tuple(f"{LIST_ORDER_GRAPH}/{order}-by-" for order in FACET_ORDERS)
    for row in _rows(store, "listed.rq", subjects):
        if row["graph"].startswith(prefixes):
            held.setdefault(row["subject"], {})[row["graph"]] = int(row["position"])
    return held


def _list_sizes(store: GraphStore, graphs: list[str]) -> dict[str, tuple[Literal | NamedNode, int]]:
    """Each list graph's value and size, as its index says now (a list not there: absent)."""
    if not graphs:
        return {}
    query = load_query(_LOOKUPS / "list-sizes.rq")
    result = store.query(query.bind({"list": [NamedNode(g) for g in sorted(graphs)]}))
    assert isinstance(result, SelectResult)
    found = {}
    for row in result.rows:
        value = row["value"]
        assert isinstance(value, (Literal, NamedNode))
        found[row["list"].value] = (value, int(row["size"].value))
    return found
