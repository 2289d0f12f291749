"""Lists of the members of a ranked list that have one value, prepared at ingest.

A page of visits hosted by one country, read from the whole visits list, tested each of the
3,959 ranked visits for the host (`EXISTS`) before sorting them: 105 ms CPU for the page query
at 10,000 articles, the host (Malaysia) holding half of them. The organisations' facet counts
by kind read every `rdf:type` triple of the store (a `UNION` branch is evaluated on its own):
4.5 s. So ingest writes, for each value, the members that have it with the positions
`ingest/list_order.py` gave them, in a graph of their own, which the value names in the
index graph of the kind:

    GRAPH <…/list-members/visits-by-country> { <…/id/malaysia> rdfs:seeAlso <…/visits-by-country/malaysia> }
    GRAPH <…/list-members/visits-by-country/malaysia> { <…/id/visit-1> jl:listPosition 7 }

and the index also names the whole list under the list's class (`jl:Visit rdfs:seeAlso
<…/list-order/visits>`), so that a page query reads "the country's list, or the whole list"
with one look-up (`queries/visits/page.rq`; measured: 1 ms CPU either way).

- `visits-by-country`: visits by host country (`jl:hostCountry`, or its inverse
  `jl:hostedVisit` as stated);
- `organisations-by-kind`: organisations by each class an article or the entities file states
  (not an inferred one), for the kind facet (`queries/facets/organisations.rq`).
- `visits-by-year`: visits by the year of their date or start date when it is known within one
  year (the date's label starts with it), for the year facet (`queries/facets/visits.rq`, which
  read every date's label in the store: 0.5 s CPU); a year names nothing, so its list carries
  it as its label in the index (`<…/visits-by-year/2025> rdfs:label "2025"`).

Derived bookkeeping, not facts, like the positions. A full ingest derives them from the corpus
in memory and the positions it ranked (`members_from_graphs`), in the data's transaction; a
re-ingest of single files re-lists, from what the store holds once re-ranked, only the members
it touched or whose key moved (`refresh_list_members`: their values and positions, and where
the lists hold them now), in the data's transaction. Both read the same triples, so they give
the same graphs (`tests/test_list_members.py`).
"""

import re
from collections.abc import Iterable, Mapping
from importlib.resources import files
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, Triple

from jalinan.graph import GraphStore, SelectResult
from jalinan.graph.namespaces import JL, RDF, RDFS
from jalinan.ingest.list_order import LIST_ORDER_GRAPH, POSITION
from jalinan.queries.catalogue import load_query

_LOOKUPS = Path(str(files("jalinan.ingest.lookups")))
LIST_MEMBERS_GRAPH = "https://w3id.org/jalinan/graph/list-members"  # + "/" + the kind's name
_SEE_ALSO = NamedNode(RDFS + "seeAlso")
_TYPE, _HOST, _HOSTED = RDF + "type", JL + "hostCountry", JL + "hostedVisit"
_DATE, _START, _LABEL = JL + "date", JL + "startDate", RDFS + "label"
_YEAR = re.compile(r"[0-9]{4}")
# What `members_from_graphs` reads (a full ingest parses only these lines of the packed corpus)
READS = frozenset(map(NamedNode, (_TYPE, _HOST, _HOSTED, _DATE, _START, _LABEL)))
_INFERRED = "https://w3id.org/jalinan/graph/inferred"

# (the kind's name, the ranked list its members come from, the class that names the whole list)
KINDS = (
    ("visits-by-country", "visits", JL + "Visit"),
    ("organisations-by-kind", "organisations", JL + "Organization"),
    ("visits-by-year", "visits", JL + "Visit"),
)
# kinds whose values are literals (a year): a value's list carries it as its label in the index
# (`<…/visits-by-year/2025> rdfs:label "2025"`), since a literal names nothing
LITERAL_KINDS = ("visits-by-year",)
# the index graphs: a store without them has never had its member lists written
MEMBER_INDEXES = tuple(f"{LIST_MEMBERS_GRAPH}/{kind}" for kind, _, _ in KINDS)


def _local(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _lists(
    kind: str,
    whole: str,
    whole_class: str,
    positions: Mapping[str, Literal],
    pairs: Iterable[tuple[str, str]],
) -> dict[str, list[Triple]]:
    """The index graph of `kind` and one graph per value: (member, value) pairs of members of
    the ranked list (`positions`, by member IRI); others are left out."""
    index = f"{LIST_MEMBERS_GRAPH}/{kind}"
    members: dict[str, set[str]] = {}
    for member, value in pairs:
        if member in positions:
            members.setdefault(value, set()).add(member)
    graphs = {index: [Triple(NamedNode(whole_class), _SEE_ALSO, NamedNode(f"{LIST_ORDER_GRAPH}/{whole}"))]}
    for value in sorted(members):
        graph = f"{index}/{_local(value)}"
        if kind in LITERAL_KINDS:
            graphs[index].append(Triple(NamedNode(graph), NamedNode(_LABEL), Literal(value)))
        else:
            graphs[index].append(Triple(NamedNode(value), _SEE_ALSO, NamedNode(graph)))
        graphs[graph] = [
            Triple(NamedNode(member), POSITION, positions[member]) for member in sorted(members[value])
        ]
    return graphs


def _positions(triples: Iterable[Triple]) -> dict[str, Literal]:
    return {
        t.subject.value: t.object
        for t in triples
        if t.predicate == POSITION and isinstance(t.object, Literal)
    }


def members_from_graphs(
    graphs: Mapping[str, Iterable[Triple]], ranked: Mapping[str, Iterable[Triple]]
) -> dict[str, list[Triple]]:
    """The member lists from a whole corpus in memory (the inferred graph not among them) and
    the ranked lists' graphs (`list_order.positions_from_graphs`)."""
    hosts: list[tuple[str, str]] = []
    types: list[tuple[str, str]] = []
    days: list[tuple[str, str]] = []  # (subject, its jl:date or jl:startDate)
    day_label: dict[str, set[str]] = {}  # a node's plain labels (a date's: "2025-04-16", "by 2025")
    for name, triples in graphs.items():
        if name == _INFERRED or name.startswith((LIST_ORDER_GRAPH + "/", LIST_MEMBERS_GRAPH + "/")):
            continue
        for t in triples:
            p = t.predicate.value
            if p == _HOST:
                hosts.append((t.subject.value, t.object.value))
            elif p == _HOSTED:
                hosts.append((t.object.value, t.subject.value))
            elif p == _TYPE and t.object.value.startswith(JL):
                types.append((t.subject.value, t.object.value))
            elif p in (_DATE, _START):
                days.append((t.subject.value, t.object.value))
            elif p == _LABEL and isinstance(t.object, Literal) and not t.object.language:
                day_label.setdefault(t.subject.value, set()).add(t.object.value)
    years = [
        (subject, label[:4])
        for subject, day in days
        for label in day_label.get(day, ())
        if _YEAR.match(label)
    ]
    pairs = {"visits-by-country": hosts, "organisations-by-kind": types, "visits-by-year": years}
    out: dict[str, list[Triple]] = {}
    for kind, whole, whole_class in KINDS:
        positions = _positions(ranked.get(f"{LIST_ORDER_GRAPH}/{whole}", []))
        out.update(_lists(kind, whole, whole_class, positions, pairs[kind]))
    return out


def members_from_store(store: GraphStore) -> dict[str, list[Triple]]:
    """The member lists from what the store holds (its ranked lists in place)."""
    out: dict[str, list[Triple]] = {}
    read: dict[str, dict[str, Literal]] = {}  # each ranked list's positions, read once
    for kind, whole, whole_class in KINDS:
        if whole not in read:
            read[whole] = _positions(q.triple for q in store.quads(f"{LIST_ORDER_GRAPH}/{whole}"))
        positions = read[whole]
        result = store.query(load_query(_LOOKUPS / f"{kind}.rq").text)
        assert isinstance(result, SelectResult)
        pairs = [(row["member"].value, row["value"].value) for row in result.rows]
        out.update(_lists(kind, whole, whole_class, positions, pairs))
    return out


def stale_members(existing: Iterable[str], graphs: Mapping[str, object]) -> list[str]:
    """The member graphs a store holds that the new derivation no longer has (a country that
    hosts no visit any more): emptied in the same transaction."""
    return [name for name in existing if name.startswith(LIST_MEMBERS_GRAPH + "/") and name not in graphs]


def list_members_update(
    existing: Iterable[str], graphs: Mapping[str, Iterable[Triple]], ranked: Mapping[str, Iterable[Triple]]
) -> dict[str, list[Triple]]:
    """What a full ingest writes (in the data's transaction): the member lists derived from the
    corpus and its ranking, and the stale ones of the store (`existing` graph names) emptied."""
    wanted = members_from_graphs(graphs, ranked)
    return {**wanted, **{name: [] for name in stale_members(existing, wanted)}}


def refresh_list_members(store: GraphStore, members: Iterable[str], changes: Iterable[Triple] = ()) -> int:
    """Bring the member lists up to date after a re-ingest of single files has re-ranked the
    lists: `members`, the nodes whose facts it changed or whose position moved; `changes`, the
    triples it added or removed (a visit named only as the object of `jl:hostedVisit`). Only
    the lists that hold one of them, before or now, change, by single quads, in one
    transaction; a list that appears or empties gets or loses its entry in the index. Reading
    every list back instead (`members_from_store`) was 0.8–2 s at 10,000 articles, most of
    `jalinan ingest FILE`. Returns how many quads it wrote or removed."""
    chosen = {iri for iri in members if iri.startswith("http")}
    hosted = {t.object for t in changes if t.predicate.value == _HOSTED}
    chosen |= {node.value for node in hosted if isinstance(node, NamedNode)}
    if not chosen:
        return 0
    terms = [NamedNode(iri) for iri in sorted(chosen)]
    remove: list[Quad] = []
    add: list[Quad] = []
    positions: dict[str, dict[str, Literal]] = {}
    for kind, whole, whole_class in KINDS:
        if whole not in positions:
            positions[whole] = _positions_of(store, f"{LIST_ORDER_GRAPH}/{whole}", terms)
        result = store.query(load_query(_LOOKUPS / f"{kind}.rq").bind({"member": terms}))
        assert isinstance(result, SelectResult)
        pairs = [(row["member"].value, row["value"].value) for row in result.rows]
        wanted = _lists(kind, whole, whole_class, positions[whole], pairs)
        index = f"{LIST_MEMBERS_GRAPH}/{kind}"
        entries = wanted.pop(index)[1:]  # (the first names the whole list)
        now = {(name, t) for name, triples in wanted.items() for t in triples}
        held = _held(store, index, terms)
        gone, new = held - now, now - held
        remove += [Quad(t.subject, t.predicate, t.object, NamedNode(name)) for name, t in gone]
        add += [Quad(t.subject, t.predicate, t.object, NamedNode(name)) for name, t in new]
        # a list that empties loses its entry in the index, one that appears gets it
        node = NamedNode(index)
        for name in sorted({name for name, _ in gone | new}):
            size = len(list(store.quads(name)))
            after = size - sum(n == name for n, _ in gone) + sum(n == name for n, _ in new)
            if bool(size) == bool(after):
                continue
            entry = _entry(store, index, name, entries)
            if entry is not None:
                (add if after else remove).append(Quad(entry.subject, entry.predicate, entry.object, node))
    if remove or add:
        store.replace_graphs({}, remove=remove, add=add)
    return len(remove) + len(add)


def _positions_of(store: GraphStore, graph: str, members: list[NamedNode]) -> dict[str, Literal]:
    """The positions of `members` in one ranked list (those it holds)."""
    values = " ".join(str(m) for m in members)
    result = store.query(
        f"SELECT ?member ?position WHERE {{ VALUES ?member {{ {values} }} "
        f"GRAPH {NamedNode(graph)} {{ ?member {POSITION} ?position }} }}"
    )
    assert isinstance(result, SelectResult)
    return {
        row["member"].value: row["position"] for row in result.rows if isinstance(row["position"], Literal)
    }


def _held(store: GraphStore, index: str, members: list[NamedNode]) -> set[tuple[str, Triple]]:
    """Where the member lists of a kind hold `members` now: (list graph, entry triple)."""
    values = " ".join(str(m) for m in members)
    result = store.query(
        f"SELECT ?list ?member ?position WHERE {{ VALUES ?member {{ {values} }} "
        f"GRAPH ?list {{ ?member {POSITION} ?position }} "
        f'FILTER (STRSTARTS(STR(?list), "{index}/")) }}'
    )
    assert isinstance(result, SelectResult)
    return {(row["list"].value, Triple(row["member"], POSITION, row["position"])) for row in result.rows}


def _entry(store: GraphStore, index: str, name: str, entries: Iterable[Triple]) -> Triple | None:
    """A member list's entry in its index: as derived now, or (a list that empties) as held."""
    graph = NamedNode(name)
    for t in entries:
        if graph in (t.subject, t.object):
            return t
    held = store.query(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH {NamedNode(index)} {{ ?s ?p ?o }} "
        f"FILTER (?s = {graph} || ?o = {graph}) }}"
    )
    assert isinstance(held, SelectResult)
    return next((Triple(row["s"], row["p"], row["o"]) for row in held.rows), None)
