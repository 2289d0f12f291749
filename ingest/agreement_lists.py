"""Lists of the agreements of each date and of each party "involving" it, prepared at ingest.

Two canned lists read a subset of the agreements that no filter value names:

- `agreements-between` (a period): its page query read the dates overlapping the period, each
  date's agreements (`?agreement jl:date ?day` over the union of graphs) and each one's position,
  then sorted them: 50 ms p95 at 10,000 articles on a quiet machine, 100-120 ms CPU when shared.
- `agreements-by-party` ("involving", issue 15: as a party, involved, through a
  sub-organisation at any depth, a country through its government bodies): one `UNION` branch
  per way, each joining the agreements to their positions: 32 ms p95 for MDEA, ≈ 150 ms CPU for
  Malaysia (≈ 17,000 rows before `DISTINCT`).

So ingest writes, for each date node, each party (the organisation or country itself, each
organisation above it, and for a government body its country) and each direct party, the
agreements it lists with their keys from `…/list-order/agreements` (`ingest/list_order.py`), in
a graph of their own, which an index graph per family names with its value and size:

    GRAPH <…/list-order/agreement-lists/by-date> {
      <…/list-order/agreement-lists/by-date/date/2025-04-16> rdf:value <…/id/date/2025-04-16> ;
        jl:listSize 3 }
    GRAPH <…/list-order/agreement-lists/by-date/date/2025-04-16> { <…/id/mou-1> jl:listPosition 7 }

The families are `by-date`, `involving` and `as-party` (`direct=true`), under `list-order/`
like the other lists (so that what leaves the bookkeeping out, the entity page and the OWL
export, leaves these out too), which a full ingest's ranking leaves to this module
(`list_order.stale_lists`). A page query then reads its lists only (`queries/README.md`,
"Prepared lists of agreements").

Derived bookkeeping, not facts. Everything is read from the store once it holds the data (the
inferred graph included, where the sub-organisation chains and the classes `jl:GovernmentBody`
stand): a full ingest derives every list before its write, from what it is about to write, and
writes them in the data's own transaction (`full_update`: only the graphs whose content
changed); `jalinan ingest FILE` derives, once its data is written on a scratch copy of the
store, only those of the agreements that could have moved (`refresh`): the touched ones, those
sharing a coarse key with them (re-ranked), and those of the members under an organisation
whose place in the tree changed; they go in the data's transaction (`graph/staging.py`).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, Quad, Triple

from jalinan.graph import GraphStore, SelectResult, open_memory_store
from jalinan.graph.namespaces import ID, INFERRED_GRAPH, JL, RDF, XSD
from jalinan.ingest.list_order import AGREEMENT_LISTS_GRAPH, LIST_ORDER_GRAPH, LIST_SIZE, POSITION
from jalinan.queries.catalogue import load_query

_LOOKUPS = Path(str(files("jalinan.ingest.lookups")))
FAMILIES = ("by-date", "involving", "as-party")
AGREEMENT_LIST_INDEXES = tuple(f"{AGREEMENT_LISTS_GRAPH}/{family}" for family in FAMILIES)
_AGREEMENTS = f"{LIST_ORDER_GRAPH}/agreements"
_VALUE = NamedNode(RDF + "value")
_INTEGER = NamedNode(XSD + "integer")
_PARTY = JL + "hasParty"
# what places an organisation in the tree "involving" reads: a change to one of these (asserted
# or inferred) may change which parties an agreement of it, or of an organisation under it, counts for
_TREE = (
    "http://www.w3.org/ns/org#transitiveSubOrganizationOf",
    JL + "subOrganizationOf",
    "http://www.w3.org/ns/org#subOrganizationOf",
    JL + "country",
)
_TYPE, _GOVERNMENT_BODY = RDF + "type", JL + "GovernmentBody"
_EARLIEST, _LATEST = NamedNode(JL + "earliestDateTime"), NamedNode(JL + "latestDateTime")


def list_graph(family: str, value: str) -> str:
    """The graph of one list: the family and the value's IRI, short where it is one of ours."""
    local = value[len(ID) :] if value.startswith(ID) else quote(value, safe="")
    return f"{AGREEMENT_LISTS_GRAPH}/{family}/{local}"


def _rows(
    store: GraphStore, lookup: str, values: Mapping[str, Iterable[str]] | None = None
) -> list[dict[str, str]]:
    """A look-up's rows as strings; `values`: its `VALUES` blocks filled (never with nothing:
    an empty block would be UNDEF, every node)."""
    query = load_query(_LOOKUPS / lookup)
    text = query.text
    if values:
        text = query.bind({name: [NamedNode(v) for v in sorted(set(its))] for name, its in values.items()})
    result = store.query(text)
    assert isinstance(result, SelectResult)
    return [{name: term.value for name, term in row.items()} for row in result.rows]


def keys_of(store: GraphStore, agreements: Iterable[str]) -> dict[str, int]:
    """Each given agreement's key in the whole list (absent: not listed)."""
    chosen = {a for a in agreements if a.startswith("http")}
    if not chosen:
        return {}
    return {
        row["agreement"]: int(row["position"])
        for row in _rows(store, "agreement-keys.rq", {"agreement": chosen})
    }


Description = tuple[tuple[NamedNode, NamedNode | Literal], ...]  # a list's entry in its index


@dataclass
class AgreementList:
    """One list: its entry in its family's index (besides its size), its agreements' keys."""

    description: Description
    keys: dict[str, int] = field(default_factory=dict)

    def entry(self, graph: str) -> list[Triple]:
        node = NamedNode(graph)
        return [
            *(Triple(node, p, o) for p, o in self.description),
            Triple(node, LIST_SIZE, _integer(len(self.keys))),
        ]


def _date_lists(day: str) -> list[tuple[str, AgreementList]]:
    """A date's list (`by-date/date/2025-04-16`), which its index names by the date: a period's
    page reads the dates whose span overlaps it (in the dates graph), then their lists. (The
    index once carried the date's instants too, with the dates' own properties: every query
    that starts from `jl:earliestDateTime` then met each list as one more date.)"""
    return [(list_graph("by-date", day), AgreementList(((_VALUE, NamedNode(day)),)))]


def _wanted(
    store: GraphStore, keys: Mapping[str, int], agreements: set[str] | None
) -> dict[str, AgreementList]:
    """Each list's agreements with their keys, for `agreements` (None: every one) as the store says now."""
    chosen = {"agreement": agreements} if agreements is not None else None
    links = _rows(store, "agreement-links.rq", chosen)
    members = {row["node"] for row in links}
    above: dict[str, set[str]] = {}
    if members:
        for row in _rows(
            store, "involving-parties.rq", {"member": members} if agreements is not None else None
        ):
            above.setdefault(row["member"], set()).add(row["party"])
    lists: dict[str, AgreementList] = {}

    def put(graph: str, empty: AgreementList, agreement: str) -> None:
        if agreement in keys:  # an agreement of the whole list
            lists.setdefault(graph, empty).keys[agreement] = keys[agreement]

    def of(value: str) -> AgreementList:
        return AgreementList(((_VALUE, NamedNode(value)),))

    for row in links:
        agreement, link, node = row["agreement"], row["link"], row["node"]
        if link == _PARTY:
            put(list_graph("as-party", node), of(node), agreement)
        for party in {node} | above.get(node, set()):
            put(list_graph("involving", party), of(party), agreement)
    for row in _rows(store, "agreement-dates.rq", chosen):
        for graph, empty in _date_lists(row["day"]):
            put(graph, empty, row["agreement"])
    return lists


def _family(graph: str) -> str:
    return graph[len(AGREEMENT_LISTS_GRAPH) + 1 :].split("/", 1)[0]


def _index(graph: str) -> NamedNode:
    return NamedNode(f"{AGREEMENT_LISTS_GRAPH}/{_family(graph)}")


def _integer(value: int) -> Literal:
    return Literal(str(value), datatype=_INTEGER)


def _key(value: int) -> Literal:
    return Literal(str(value), datatype=NamedNode(XSD + "decimal"))


def _list_triples(entries: Mapping[str, int]) -> list[Triple]:
    ordered = sorted(entries.items(), key=lambda item: item[1])
    return [Triple(NamedNode(a), POSITION, _key(k)) for a, k in ordered]


def derive_all(store: GraphStore) -> dict[str, list[Triple]]:
    """Every list and index graph, from what the store holds (its whole list ranked)."""
    keys = {q.subject.value: int(q.object.value) for q in store.quads(_AGREEMENTS) if q.predicate == POSITION}
    graphs: dict[str, list[Triple]] = {index: [] for index in AGREEMENT_LIST_INDEXES}
    for graph, listed in sorted(_wanted(store, keys, None).items()):
        graphs[_index(graph).value] += listed.entry(graph)
        graphs[graph] = _list_triples(listed.keys)
    return graphs


# What the look-ups of `derive_all` read: a full ingest derives the lists before its write, from
# these triples of the graphs it is about to write, so that they go in the same transaction.
_READ = frozenset(
    NamedNode(iri) for iri in (_PARTY, JL + "involves", JL + "date", *_TREE, _EARLIEST.value, _LATEST.value)
)


# What `full_update` reads of the graphs it is given (a full ingest parses only these lines of
# the packed corpus)
READS = frozenset({*_READ, NamedNode(_TYPE)})


def full_update(
    store: GraphStore, graphs: Mapping[str, Sequence[Triple]], inferred: Iterable[Triple]
) -> dict[str, list[Triple]]:
    """The list graphs a full ingest writes in its own transaction: derived as `derive_all`
    would from the store once written, but from `graphs` (every graph the store will hold, the
    whole agreements list's order included) and `inferred` (the inferred graph as it will be),
    loaded into a small in-memory store of only what the look-ups read. Written apart, after the
    data, a crash between the two writes left the data new and the lists old (the SIGKILL test
    in `tests/test_hardening_faults.py` found it). Only the graphs whose content changes, and
    those no longer derived (emptied), are returned."""
    view = open_memory_store()  # a store of the lists' inputs only
    type_ = NamedNode(_TYPE)
    body = NamedNode(_GOVERNMENT_BODY)

    def read(triples: Iterable[Triple], graph: NamedNode) -> Iterable[Quad]:
        for t in triples:
            if t.predicate in _READ or (t.predicate == type_ and t.object == body):
                yield Quad(t.subject, t.predicate, t.object, graph)

    quads = [q for name, triples in graphs.items() for q in read(triples, NamedNode(name))]
    quads += read(inferred, NamedNode(INFERRED_GRAPH))
    quads += [
        Quad(t.subject, t.predicate, t.object, NamedNode(_AGREEMENTS)) for t in graphs.get(_AGREEMENTS, ())
    ]
    view.add_quads(quads)
    wanted = derive_all(view)
    changed: dict[str, list[Triple]] = {}
    for name, triples in wanted.items():
        if {q.triple for q in store.quads(name)} != set(triples):
            changed[name] = triples
    for name in store.graph_names():
        if name.startswith(AGREEMENT_LISTS_GRAPH + "/") and name not in wanted:
            changed[name] = []
    return changed


def stored_inferred(store: GraphStore, also: Iterable[str] = ()) -> list[Triple]:
    """What `full_update` reads of the inferred graph the store holds now (with the triples of
    the predicates `also`, for another reader of the same graph)."""
    wanted = {*_READ, *(NamedNode(p) for p in also)}
    predicates = " ".join(str(p) for p in sorted(wanted, key=str))
    result = store.query(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ "
        f"{{ VALUES ?p {{ {predicates} }} ?s ?p ?o }} UNION "
        f"{{ BIND (<{_TYPE}> AS ?p) BIND (<{_GOVERNMENT_BODY}> AS ?o) ?s ?p ?o }} }} }}"
    )
    assert isinstance(result, SelectResult)
    return [Triple(row["s"], row["p"], row["o"]) for row in result.rows]


def tree_nodes(changes: Iterable[Triple]) -> set[str]:
    """The organisations whose place in the tree `changes` (triples added or removed) may move:
    a sub-organisation link, a country, or the class `jl:GovernmentBody`."""
    return {
        t.subject.value
        for t in changes
        if t.predicate.value in _TREE or (t.predicate.value == _TYPE and t.object.value == _GOVERNMENT_BODY)
    }


def changed_triples(
    before: Mapping[str, Sequence[Triple]], after: Mapping[str, Sequence[Triple]], quads: Iterable[Quad]
) -> list[Triple]:
    """What a re-ingest added or removed: each replaced graph's difference, and the inferred quads."""
    out = [q.triple for q in quads]
    for name in set(before) | set(after):
        out.extend(set(before.get(name, ())) ^ set(after.get(name, ())))
    return out


def refresh(
    store: GraphStore,
    touched: Iterable[str],
    old_keys: Mapping[str, int],
    changes: Iterable[Triple],
    reranked: Iterable[str] = (),
) -> int:
    """Bring the lists up to date after `jalinan ingest FILE` (its data written, the lists
    re-ranked): `touched`, the nodes whose facts it changed; `old_keys`, their keys in the
    whole list before the re-ranking (`keys_of`); `changes`, the triples it added or removed;
    `reranked`, the nodes whose keys the re-ranking moved (`list_order.rerank`'s answer).
    Writes the changes in one transaction; returns how many triples it added or removed.

    An agreement's place in these lists is its key in the whole list, so only the touched
    agreements and those whose key moved can change place. (Reading every agreement sharing
    a touched one's coarse key instead cost 5 s of CPU at 100,000 articles, where 21,599
    agreements share one year: the one-file ingest's whole budget many times over.)"""
    agreements = {iri for iri in (*touched, *reranked) if iri.startswith("http")}
    # the agreements of the organisations whose place in the tree moved, and of those under them
    moved = tree_nodes(changes)
    if moved:
        under = {row["member"] for row in _rows(store, "members-under.rq", {"node": moved})}
        agreements |= {
            row["agreement"] for row in _rows(store, "agreements-of.rq", {"member": moved | under})
        }
    if not agreements:
        return 0
    keys = keys_of(store, agreements)
    # only agreements listed now or before matter (a touched quote or date node is in no list)
    agreements = set(keys) | set(old_keys)
    if not agreements:
        return 0
    wanted = _wanted(store, keys, agreements)
    held: dict[str, dict[str, int]] = {}
    for row in _rows(store, "agreement-lists-held.rq", {"agreement": agreements}):
        held.setdefault(row["list"], {})[row["agreement"]] = int(row["position"])
    remove: list[Quad] = []
    add: list[Quad] = []
    sizes: dict[str, int] = {}
    for graph in sorted(set(wanted) | set(held)):
        now, then = (wanted[graph].keys if graph in wanted else {}), held.get(graph, {})
        node = NamedNode(graph)
        for agreement in sorted(set(now) | set(then)):
            old, new = then.get(agreement), now.get(agreement)
            if old == new:
                continue
            if old is not None:
                remove.append(Quad(NamedNode(agreement), POSITION, _key(old), node))
            if new is not None:
                add.append(Quad(NamedNode(agreement), POSITION, _key(new), node))
            sizes[graph] = sizes.get(graph, 0) + (new is not None) - (old is not None)
    # each list's size in its index; a list that appears or empties, its whole entry
    grown = [graph for graph, change in sizes.items() if change]
    entries: dict[str, list[Quad]] = {}
    if grown:
        query = load_query(_LOOKUPS / "agreement-list-entries.rq")
        result = store.query(query.bind({"list": [NamedNode(g) for g in sorted(grown)]}))
        assert isinstance(result, SelectResult)
        for row in result.rows:
            node, predicate, term = row["list"], row["predicate"], row["object"]
            assert isinstance(node, NamedNode) and isinstance(predicate, NamedNode)
            assert isinstance(term, (NamedNode, Literal))
            entries.setdefault(node.value, []).append(Quad(node, predicate, term, _index(node.value)))
    for graph in sorted(grown):
        node, index = NamedNode(graph), _index(graph)
        held_entry = entries.get(graph, [])
        old = next((int(q.object.value) for q in held_entry if q.predicate == LIST_SIZE), 0)
        new = old + sizes[graph]
        if new and old:
            remove.extend(q for q in held_entry if q.predicate == LIST_SIZE)
            add.append(Quad(node, LIST_SIZE, _integer(new), index))
        elif new:
            add.extend(Quad(t.subject, t.predicate, t.object, index) for t in wanted[graph].entry(graph))
        else:
            remove.extend(held_entry)
    if remove or add:
        store.replace_graphs({}, remove=remove, add=add)
    return len(remove) + len(add)
