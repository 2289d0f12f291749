"""Where each thing stands in the list users read it in, prepared at ingest.

Users expect agreements newest first (by date as precise as known, undated last), then by
label; visits by start date (earliest first, undated last), then by label; organisations and
people by label. Oxigraph has no top-k sort and decodes every string it
compares, so a page ordered by date and label sorted all the agreements on every request:
440 ms for the first page at 10,000 articles (14,000 agreements), where ordering the same
agreements by one integer took 4 ms (measured; see `queries/README.md`). So ingest ranks each
list once and writes each node's place as `jl:listPosition` (1, 2, …) into its own bookkeeping
graph, one per list (`https://w3id.org/jalinan/graph/list-order/agreements`, `…/organisations`,
`…/visits`, `…/people`);
a list's page query reads its graph and orders by the position, which any SPARQL engine reads
the same way.

A position is derived bookkeeping, not a fact (no quote). A full ingest ranks the corpus in
memory (`positions_from_graphs`) and writes the positions in the data's own transaction; a
re-ingest of single files ranks what the store then holds (`rank_lists`, six look-ups) in the
transaction right after the data's, so after a crash between the two a new agreement may miss
its place (it is left out of the lists) until the next ingest. Writes that bypass ingest
(`/update`, the Graph Store Protocol) do not re-rank: the next ingest does.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from jalinan.graph import GraphStore, SelectResult
from jalinan.graph.namespaces import CONCEPT, JL, RDF, RDFS, SKOS, XSD
from jalinan.queries.catalogue import load_query

LIST_ORDER_GRAPH = "https://w3id.org/jalinan/graph/list-order"  # + "/" + the list's name
POSITION = NamedNode(JL + "listPosition")
_LOOKUPS = Path(str(files("jalinan.ingest.lookups")))
_INTEGER = NamedNode(XSD + "integer")
_TYPE, _LABEL, _SUBCLASS, _DATE = RDF + "type", RDFS + "label", RDFS + "subClassOf", JL + "date"
_START, _EARLIEST, _LATEST = JL + "startDate", JL + "earliestDateTime", JL + "latestDateTime"
_BROADER = SKOS + "broader"


def agreement_order(rows: list[tuple[str, str, str | None]]) -> list[str]:
    """Agreement IRIs newest first: by date (`YYYY[-MM[-DD]]`, a day before its month, which
    is before its year: the more precise first), undated last, then by label (case-insensitive),
    then IRI, so that the order is total and the same on every run. Rows: (IRI, label, date)."""
    labels: dict[str, str] = {}
    dates: dict[str, str] = {}
    for iri, label, date in rows:  # one label (the first in that order) and the latest date each
        if iri not in labels or (label.casefold(), label) < (labels[iri].casefold(), labels[iri]):
            labels[iri] = label
        date = None if date is None else date.split(" ")[-1]  # a bound ("by 2025-04-17") by its date
        if date is not None and date > dates.get(iri, ""):
            dates[iri] = date
    ordered = sorted(labels, key=lambda iri: (labels[iri].casefold(), labels[iri], iri))
    ordered.sort(key=lambda iri: dates.get(iri, ""), reverse=True)  # stable: ties keep the label order
    return ordered


def label_order(rows: list[tuple[str, str, str | None]]) -> list[str]:
    """IRIs by label (case-insensitive; one label each, the first in that order), then IRI."""
    labels: dict[str, str] = {}
    for iri, label, _ in rows:
        if iri not in labels or (label.casefold(), label) < (labels[iri].casefold(), labels[iri]):
            labels[iri] = label
    return sorted(labels, key=lambda iri: (labels[iri].casefold(), labels[iri], iri))


def start_order(rows: list[tuple[str, str, str | None]]) -> list[str]:
    """IRIs by when they start, earliest first (the key: the first instant of the date or start
    date, or for a bound known only at its end, "by 2025-04-16", that end), undated last, then
    by label as `label_order`. Rows: (IRI, label, instant as `xsd:dateTime` lexical form)."""
    starts: dict[str, str] = {}
    for iri, _, instant in rows:
        if instant is not None and (iri not in starts or instant < starts[iri]):
            starts[iri] = instant
    ordered = label_order(rows)
    ordered.sort(key=lambda iri: (iri not in starts, starts.get(iri, "")))  # stable: ties by label
    return ordered


@dataclass(frozen=True)
class RankedList:
    """One ranked list: its name (its graph's last segment), the classes whose members (of a
    narrower class too) it ranks, the look-up a store answers with their labels, which dates
    order it (a date's label, or its instant), and the order."""

    name: str
    tops: tuple[str, ...]
    lookup: str
    dates: str | None
    order: Callable[[list[tuple[str, str, str | None]]], list[str]]

    @property
    def graph(self) -> str:
        return f"{LIST_ORDER_GRAPH}/{self.name}"


# Positions count from 1 in each list.
LISTS = (
    RankedList(
        "agreements",
        (JL + "Agreement", JL + "AgreementCollection"),
        "agreement-order.rq",
        "label",
        agreement_order,
    ),
    RankedList("organisations", (JL + "Organization",), "organisation-order.rq", None, label_order),
    RankedList("visits", (JL + "Visit",), "visit-order.rq", "start", start_order),
    RankedList("people", (JL + "Person",), "person-order.rq", None, label_order),
)
# Agreements by a concept (a status, a topic): each concept's agreements (with it or a narrower
# one) in the agreements' order, ranked in their own graph (`…/agreements-by-status/signed`),
# which the concept names in the list's own graph (`<signed> rdfs:seeAlso <…/signed>`): a page
# of one status is then read from its list alone, rather than sorting its thousands of members
# on each request. (name, property, the concepts' IRI prefix)
BY_CONCEPT = (
    ("agreements-by-status", JL + "hasStatus", CONCEPT + "agreement-status/"),
    ("agreements-by-topic", JL + "hasTopic", CONCEPT + "topic/"),
)
LIST_GRAPHS = (
    *(ranked.graph for ranked in LISTS),
    *(f"{LIST_ORDER_GRAPH}/{name}" for name, _, _ in BY_CONCEPT),
)
_SEE_ALSO = NamedNode(RDFS + "seeAlso")


def _rows(store: GraphStore, lookup: str) -> list[dict[str, str]]:
    result = store.query(load_query(_LOOKUPS / lookup).text)
    assert isinstance(result, SelectResult)
    return [{name: term.value for name, term in row.items()} for row in result.rows]


def _positions(ordered: Iterable[str]) -> list[Triple]:
    return [
        Triple(NamedNode(iri), POSITION, Literal(str(place), datatype=_INTEGER))
        for place, iri in enumerate(ordered, start=1)
    ]


def _by_concept(
    agreements: list[str], tagged: Iterable[tuple[str, str, str]], broader: Iterable[tuple[str, str]]
) -> dict[str, list[Triple]]:
    """The lists of agreements by concept (`BY_CONCEPT`), from the agreements in their order,
    (agreement, property, concept) rows, and (concept, broader concept) rows."""
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

    members: dict[tuple[str, str], set[str]] = {}
    for agreement, prop, concept in tagged:
        for value in closure(concept):
            members.setdefault((prop, value), set()).add(agreement)
    graphs = {}
    for name, prop, prefix in BY_CONCEPT:
        index = f"{LIST_ORDER_GRAPH}/{name}"
        graphs[index] = []
        for (its_prop, concept), chosen in sorted(members.items()):
            if its_prop != prop or not concept.startswith(prefix) or "/" in concept[len(prefix) :]:
                continue
            ranked = [agreement for agreement in agreements if agreement in chosen]
            if not ranked:  # a topic only visits or projects have
                continue
            graph = f"{index}/{concept[len(prefix) :]}"
            graphs[index].append(Triple(NamedNode(concept), _SEE_ALSO, NamedNode(graph)))
            graphs[graph] = _positions(ranked)
    return graphs


def list_positions(store: GraphStore) -> dict[str, list[Triple]]:
    """Each ranked list's graph: a `jl:listPosition` triple for every node of the list."""
    dates: dict[str, dict[str, list[str]]] = {"label": {}, "start": {}}
    for lookup, kind, column in (("dated.rq", "label", "date"), ("started.rq", "start", "instant")):
        for row in _rows(store, lookup):
            dates[kind].setdefault(row["subject"], []).append(row[column])
    graphs = {}
    ordered: dict[str, list[str]] = {}
    for ranked in LISTS:
        its = dates[ranked.dates] if ranked.dates else {}
        rows = [
            (row["subject"], row["label"], date)
            for row in _rows(store, ranked.lookup)
            for date in (its.get(row["subject"]) or [None])
        ]
        ordered[ranked.name] = ranked.order(rows)
        graphs[ranked.graph] = _positions(ordered[ranked.name])
    tagged = [(row["subject"], row["property"], row["concept"]) for row in _rows(store, "tagged.rq")]
    broader = [(row["concept"], row["broader"]) for row in _rows(store, "broader.rq")]
    graphs.update(_by_concept(ordered["agreements"], tagged, broader))
    return graphs


def positions_from_graphs(graphs: Mapping[str, Iterable[Triple]]) -> dict[str, list[Triple]]:
    """The ranked lists' graphs computed from a whole corpus in memory (the ontology graph
    included, for the class tree), so that a full ingest writes them in the same transaction as
    the data: the same positions `list_positions` reads from a store holding that corpus."""
    parents: dict[str, set[str]] = {}
    types: dict[str, set[str]] = {}
    labels: dict[str, list[str]] = {}
    day_of: dict[str, list[str]] = {}  # jl:date
    start_of: dict[str, list[str]] = {}  # jl:date or jl:startDate
    day_label: dict[str, str] = {}
    earliest: dict[str, str] = {}
    latest: dict[str, str] = {}
    tagged: list[tuple[str, str, str]] = []
    broader: list[tuple[str, str]] = []
    by_concept = {prop for _, prop, _ in BY_CONCEPT}
    for triples in graphs.values():
        for t in triples:
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
            elif p in by_concept:
                tagged.append((t.subject.value, p, t.object.value))
            elif p == _BROADER:
                broader.append((t.subject.value, t.object.value))

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
    ordered: dict[str, list[str]] = {}
    for ranked in LISTS:
        classes = {cls for cls in every_class if under(cls, ranked.tops)}
        rows = [
            (subject, label, date)
            for subject, its in types.items()
            if its & classes
            for label in labels.get(subject, [])
            for date in dates(subject, ranked.dates)
        ]
        ordered[ranked.name] = ranked.order(rows)
        out[ranked.graph] = _positions(ordered[ranked.name])
    out.update(_by_concept(ordered["agreements"], tagged, broader))
    return out


def stale_lists(existing: Iterable[str], ranked: Mapping[str, object]) -> list[str]:
    """The list-order graphs a store holds that a new ranking no longer has (a status no
    agreement has any more): emptied in the same transaction."""
    return [name for name in existing if name.startswith(LIST_ORDER_GRAPH + "/") and name not in ranked]


def rank_lists(store: GraphStore) -> None:
    """Rewrite the list-order graphs from what the store holds now (one transaction)."""
    graphs = list_positions(store)
    graphs.update({name: [] for name in stale_lists(store.graph_names(), graphs)})
    store.replace_graphs(graphs)
