"""Each entity's neighbours in the network, with tie counts by kind, prepared at ingest.

The network JSON (`/id/{id}/network`, issue 16) shows an entity's most connected neighbours.
Choosing them from the live ties needs every tie of the entity: for a country at 10,000
articles, 7,400 ties through 3,250 agreements, 1–1.7 s in Oxigraph, against a 200 ms target.
So ingest writes, for each node (the *focus*), what `queries/network/ties.rq` would answer for
it, summed up:

- on a subject made from the focus IRI's hash (`subject_of`), one `nws:neighbour` literal per
  (other node, kind of tie): `"<other> <tie> <count>"`, the count being the distinct ties of
  that kind between the two (through distinct agreements or visits, or of distinct directions);
- on a subject made from the pair's hash (`pair_subject`), the first `KEPT_PER_PAIR` (8) of
  those ties by the view's key (from, to, kind, via), each one `nws:shown` literal
  `"<other> <tie> <direction> <via or -> <graph> <graph>…"` naming the graphs that state it.
  The view draws at most `SHOWN_PER_PAIR` (4) of a pair and kind (`api/network/neighbourhood.py`);
  the spare ones let a one-file ingest drop a few without reading the pair's ties again.

They live in their own bookkeeping graph (`SUMMARY_GRAPH`); the subjects are hashes, so
describing an entity shows none of it; the predicates are outside the ontology: derived
bookkeeping, not facts, left out of the inferred graph, the statistics and the digests.

How ties are found is `ties.rq`'s, done in Python over the quads of the predicates it reads
(every graph, the inferred one included, so entailed links count as the query counts them).
`tests/test_network_summary.py` checks that the summary gives, for every node of the curated
facts, the network the live query gives.

When: a full write (`write_corpus`) that writes something derives the whole graph before its
write, from the triples it is about to write (`full_update`), and writes it in the data's own
transaction; `jalinan ingest FILE` updates it by the difference: the ties through the agreements
and visits (posts, sub-organisation and member links) whose triples changed, read before and
after the data changes, their counts moved and their first ties merged (about 0.1 s), worked
out on a scratch copy of the store and written with the data (`pipeline._ingest_articles`).
Writes that bypass ingest leave the summary behind until the next full ingest.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, Quad, Triple

from jalinan.graph import AskResult, GraphStore, SelectResult
from jalinan.graph.namespaces import JL, NETWORK_SUMMARY_GRAPH
from jalinan.graph.packed import selected

SUMMARY_GRAPH = NETWORK_SUMMARY_GRAPH
NWS = SUMMARY_GRAPH + "#"
NEIGHBOUR = NamedNode(NWS + "neighbour")
SHOWN = NamedNode(NWS + "shown")
BUILT = NamedNode(NWS + "built")  # on the graph's own IRI: the summary is there to be read
SHOWN_PER_PAIR = 4  # = api/network/neighbourhood.PER_PAIR
# First ties kept per pair and kind: twice what is shown, so that `jalinan ingest FILE` can drop
# a few (one article rarely holds more than one tie of a pair) and still know the first ones
# without reading the pair's ties again. Between SHOWN_PER_PAIR and this many are kept.
KEPT_PER_PAIR = 2 * SHOWN_PER_PAIR

# the predicates ties.rq reads, in the direction the data states them (their inverses hold too)
_THROUGH = ("hasParty", "signatory", "exchangedBy", "qualifiedParty", "witness", "involves",
            "hostCountry", "visitor", "participant", "includesEvent")  # fmt: skip
_ROLE = ("party", "representedBy")
_STRUCTURE = ("holdsPost", "postIn", "subOrganizationOf", "memberOf")
PREDICATES = tuple(JL + name for name in (*_THROUGH, *_ROLE, "partOfVisit", *_STRUCTURE))
# a changed quad with one of these touches the agreement or visit it names (subject / object)
_VIA_AS_SUBJECT = {JL + name for name in _THROUGH}
_VIA_AS_OBJECT = {JL + name for name in ("isPartyTo", "signed", "exchanged", "witnessed",
                  "involvedIn", "madeVisit", "hostedVisit", "participatedIn", "partOfVisit")}  # fmt: skip
_POST = {
    JL + "holdsPost": "object",
    JL + "heldBy": "subject",
    JL + "postIn": "subject",
    JL + "hasPost": "object",
}
_PAIRS = {JL + "subOrganizationOf": False, JL + "memberOf": False, JL + "hasSubOrganization": True,
          JL + "subsidiary": True, JL + "hasMember": True, JL + "parentOrganization": False}  # fmt: skip

# (focus, other, tie, direction, via or "") → the graphs stating it
HalfKey = tuple[str, str, str, str, str]


def subject_of(iri: str) -> NamedNode:
    """The summary's subject for a node (its IRI's hash: the entity itself stays untouched)."""
    return NamedNode(f"{SUMMARY_GRAPH}/of/{hashlib.sha1(iri.encode()).hexdigest()}")


def pair_subject(focus: str, other: str) -> NamedNode:
    """The subject of a pair's shown ties, seen from `focus` (read for the pairs a view keeps)."""
    return NamedNode(f"{SUMMARY_GRAPH}/pair/{hashlib.sha1(f'{focus} {other}'.encode()).hexdigest()}")


def edge_key(focus: str, other: str, tie: str, direction: str, via: str) -> tuple[str, str, str, str]:
    """The view's key of a tie: (from, to, kind, via), as `neighbourhood._collect` orients it."""
    if direction == "both":
        source, target = sorted((focus, other))
    elif direction == "out":
        source, target = focus, other
    else:
        source, target = other, focus
    return (source, target, tie, via)


@dataclass
class _Index:
    """The quads of `PREDICATES`, by predicate and subject: {p: {s: {o: {graphs}}}}."""

    by: dict[str, dict[str, dict[str, set[str]]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(set)))
    )

    def add(self, s: str, p: str, o: str, g: str) -> None:
        self.by[p.removeprefix(JL)][s][o].add(g)

    def of(self, p: str, s: str) -> dict[str, set[str]]:
        return self.by[p].get(s, {})


def _ties(index: _Index, vias: Iterable[str] | None = None, posts: Iterable[str] | None = None,
          pairs: Iterable[tuple[str, str]] | None = None) -> dict[HalfKey, set[str]]:  # fmt: skip
    """The rows of ties.rq for every focus, grouped by tie: through the agreements and visits
    `vias` (default: all), the posts `posts` (default: all) and the sub-organisation and member
    links between `pairs` (default: all)."""
    found: dict[HalfKey, set[str]] = defaultdict(set)
    by = index.by

    def emit(focus: str, other: str, tie: str, direction: str, via: str, graphs: Iterable[str]) -> None:
        if focus != other:
            found[(focus, other, tie, direction, via)].update(graphs)

    # the events of each visit, either way round (`?via jl:includesEvent ?event`, any graph)
    events: dict[str, set[str]] = defaultdict(set)
    for visit, its in by["includesEvent"].items():
        events[visit].update(its)
    for event, its in by["partOfVisit"].items():
        for visit in its:
            events[visit].add(event)
    if vias is None:
        vias = set().union(*(by[p].keys() for p in _THROUGH))
    for via in vias:
        parties = index.of("hasParty", via)
        signers: dict[str, set[str]] = defaultdict(set)
        for p in ("signatory", "exchangedBy"):
            for other, graphs in index.of(p, via).items():
                signers[other] |= graphs
        roles = index.of("qualifiedParty", via)
        for focus in parties:  # the focus is a party
            for other, graphs in parties.items():
                emit(focus, other, "party", "both", via, graphs)
            for other, graphs in signers.items():
                emit(focus, other, "signed", "in", via, graphs)
            for role, role_graphs in roles.items():
                for g in role_graphs & index.of("party", role).get(focus, set()):
                    for other, graphs in index.of("representedBy", role).items():
                        if g in graphs:
                            emit(focus, other, "signed", "in", via, (g,))
            for other, graphs in index.of("witness", via).items():
                emit(focus, other, "witnessed", "in", via, graphs)
            for other, graphs in index.of("involves", via).items():
                emit(focus, other, "involved", "in", via, graphs)
        for tie, who in (("signed", signers), ("witnessed", index.of("witness", via)),
                         ("involved", index.of("involves", via))):  # fmt: skip
            for focus in who:  # the focus signed, witnessed or was involved: the parties
                for other, graphs in parties.items():
                    emit(focus, other, tie, "out", via, graphs)
        for role, role_graphs in roles.items():
            for focus in index.of("representedBy", role):
                for other in index.of("party", role):
                    emit(focus, other, "signed", "out", via, role_graphs)
        visitors, hosts = index.of("visitor", via), index.of("hostCountry", via)
        for focus in visitors:
            for other, graphs in hosts.items():
                emit(focus, other, "visited", "out", via, graphs)
            for other, graphs in index.of("participant", via).items():
                emit(focus, other, "met", "in", via, graphs)
            for event in events.get(via, ()):
                for other, graphs in index.of("participant", event).items():
                    emit(focus, other, "met", "in", via, graphs)
        for focus in hosts:
            for other, graphs in visitors.items():
                emit(focus, other, "visited", "in", via, graphs)
        taking_part = set(index.of("participant", via))
        for event in events.get(via, ()):
            taking_part |= set(index.of("participant", event))
        for focus in taking_part:
            for other, graphs in visitors.items():
                emit(focus, other, "met", "out", via, graphs)
    post_set = None if posts is None else set(posts)
    for holder, held in by["holdsPost"].items():
        for post, graphs in held.items():
            if post_set is not None and post not in post_set:
                continue
            for organisation in index.of("postIn", post):
                emit(holder, organisation, "post", "out", post, graphs)
                emit(organisation, holder, "post", "in", post, graphs)
    for post, its in by["postIn"].items():
        if post_set is not None and post not in post_set:
            continue
        for organisation, graphs in its.items():
            emit(post, organisation, "post", "out", post, graphs)
    pair_set = None if pairs is None else set(pairs)
    for p, tie in (("subOrganizationOf", "sub-organisation"), ("memberOf", "member")):
        for s, its in by[p].items():
            for o, graphs in its.items():
                if pair_set is None or (s, o) in pair_set:
                    emit(s, o, tie, "out", "", graphs)
                    emit(o, s, tie, "in", "", graphs)
    return found


def _summary(
    ties: Mapping[HalfKey, set[str]],
) -> tuple[dict[tuple[str, str, str], int], dict[tuple[str, str, str], list]]:
    """Counts and first shown ties per (focus, other, tie), from grouped ties."""
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    members: dict[tuple[str, str, str], list] = defaultdict(list)
    for (focus, other, tie, direction, via), graphs in ties.items():
        counts[(focus, other, tie)] += 1
        members[(focus, other, tie)].append(
            (edge_key(focus, other, tie, direction, via), direction, via, graphs)
        )
    shown = {pk: sorted(its, key=lambda m: m[0])[:KEPT_PER_PAIR] for pk, its in members.items()}
    return counts, shown


def _neighbour(other: str, tie: str, count: int) -> Literal:
    return Literal(f"{other} {tie} {count}")


def _shown(other: str, tie: str, direction: str, via: str, graphs: Iterable[str]) -> Literal:
    return Literal(" ".join([other, tie, direction, via or "-", *sorted(graphs)]))


def _triples(counts: Mapping, shown: Mapping) -> list[Triple]:
    out = [Triple(NamedNode(SUMMARY_GRAPH), BUILT, Literal("1"))]
    for (focus, other, tie), count in counts.items():
        out.append(Triple(subject_of(focus), NEIGHBOUR, _neighbour(other, tie, count)))
    for (focus, other, tie), its in shown.items():
        for _, direction, via, graphs in its:
            out.append(Triple(pair_subject(focus, other), SHOWN, _shown(other, tie, direction, via, graphs)))
    return out


def _terms(iris: Iterable[str]) -> str:
    """IRIs for a VALUES block, written by pyoxigraph (which refuses what is no IRI): the
    store's own nodes, never text a user typed."""
    return " ".join(str(NamedNode(iri)) for iri in iris)


def _scan(store: GraphStore, where: str) -> _Index:
    """The quads of `PREDICATES` that `where` (a SPARQL group binding ?s ?p ?o ?g) selects."""
    values = " ".join(f"<{p}>" for p in PREDICATES)
    result = store.query(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?p {{ {values} }} {where} }}")
    assert isinstance(result, SelectResult)
    index = _Index()
    for row in result.rows:
        if isinstance(row["o"], NamedNode):
            index.add(row["s"].value, row["p"].value, row["o"].value, row["g"].value)
    return index


def full_update(graphs: Mapping[str, Iterable[Triple]], others: Iterable[Quad]) -> list[Triple]:
    """The whole summary, for a full write to put in its own transaction: derived, as a scan of
    the store once written would derive it, from `graphs` (graph name → the triples it will
    hold) and `others` (the quads of `PREDICATES` it will hold in any other graph: the inferred
    one, graphs written outside ingest). Built after the data, in a second transaction, a crash
    between the two left the data new and the summary old."""
    wanted = frozenset(NamedNode(p) for p in PREDICATES)
    index = _Index()
    for name, triples in graphs.items():
        for t in selected(triples, wanted):  # (of a packed graph, only these lines are parsed)
            if t.predicate in wanted and isinstance(t.object, NamedNode):
                index.add(t.subject.value, t.predicate.value, t.object.value, name)
    for q in others:
        if q.predicate in wanted and isinstance(q.object, NamedNode):
            index.add(q.subject.value, q.predicate.value, q.object.value, q.graph_name.value)
    counts, shown = _summary(_ties(index))
    return _triples(counts, shown)


def stored_quads(store: GraphStore, graphs: Iterable[str]) -> list[Quad]:
    """The quads of `PREDICATES` that the named `graphs` of the store hold now."""
    names = sorted(set(graphs))
    if not names:  # an empty VALUES block would mean every graph
        return []
    values = " ".join(f"<{p}>" for p in PREDICATES)
    result = store.query(
        f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?g {{ {_terms(names)} }} VALUES ?p {{ {values} }} "
        f"GRAPH ?g {{ ?s ?p ?o }} }}"
    )
    assert isinstance(result, SelectResult)
    return [Quad(row["s"], row["p"], row["o"], row["g"]) for row in result.rows]


def is_built(store: GraphStore) -> bool:
    result = store.query(f"ASK {{ GRAPH <{SUMMARY_GRAPH}> {{ <{SUMMARY_GRAPH}> <{BUILT.value}> ?v }} }}")
    assert isinstance(result, AskResult)
    return result.value


@dataclass
class Touched:
    """What a write touches: agreements and visits, posts, and (sub-organisation, member) pairs."""

    vias: set[str] = field(default_factory=set)
    posts: set[str] = field(default_factory=set)
    pairs: set[tuple[str, str]] = field(default_factory=set)


def touched(store: GraphStore, quads: Iterable[Quad | Triple]) -> Touched:
    """Which ties the changed `quads` (before and after, inferred ones too) may move."""
    found = Touched()
    roles_or_events: set[str] = set()
    for q in quads:
        s, p, o = q.subject.value, q.predicate.value, q.object.value
        if not isinstance(q.object, NamedNode):
            continue
        if p in _VIA_AS_SUBJECT:
            found.vias.add(s)
            roles_or_events.add(o)
        elif p in _VIA_AS_OBJECT:
            found.vias.add(o)
            roles_or_events.add(s)
        elif p in (JL + "party", JL + "representedBy"):
            roles_or_events.add(s)
        elif p in _POST:
            found.posts.add(o if _POST[p] == "object" else s)
        elif p in _PAIRS:
            found.pairs.add((o, s) if _PAIRS[p] else (s, o))
    if roles_or_events:  # the agreement of a role, the visit of an event
        values = _terms(sorted(roles_or_events))
        result = store.query(
            f"SELECT DISTINCT ?via WHERE {{ VALUES ?x {{ {values} }} "
            f"{{ ?via <{JL}qualifiedParty> ?x }} UNION {{ ?via <{JL}includesEvent> ?x }} "
            f"UNION {{ ?x <{JL}partOfVisit> ?via }} }}"
        )
        assert isinstance(result, SelectResult)
        found.vias |= {row["via"].value for row in result.rows}
    return found


def _read_touched(store: GraphStore, what: Touched) -> dict[HalfKey, set[str]]:
    """The ties through what was touched, as the store holds them now."""
    if not (what.vias or what.posts or what.pairs):
        return {}
    nodes = sorted(what.vias | what.posts | {x for pair in what.pairs for x in pair})
    values = _terms(nodes)
    # the touched nodes' own quads, their roles' and events', and the events' visits
    index = _scan(
        store,
        f"""VALUES ?n {{ {values} }}
        {{ GRAPH ?g {{ ?n ?p ?o }} BIND (?n AS ?s) }}
        UNION {{ GRAPH ?g {{ ?s ?p ?n }} BIND (?n AS ?o)
                 FILTER (?p IN (<{JL}holdsPost>, <{JL}partOfVisit>)) }}
        UNION {{ ?n <{JL}qualifiedParty>|<{JL}includesEvent> ?s . GRAPH ?g {{ ?s ?p ?o }} }}""",
    )
    ties = _ties(index, vias=what.vias, posts=what.posts, pairs=what.pairs)
    return {key: graphs for key, graphs in ties.items() if _belongs(key, what)}


def _belongs(key: HalfKey, what: Touched) -> bool:
    focus, other, tie, _, via = key
    if tie == "post":
        return via in what.posts
    if tie in ("sub-organisation", "member"):
        return (focus, other) in what.pairs or (other, focus) in what.pairs
    return via in what.vias


@dataclass
class Pending:
    """The ties through what a write touches, read before it; `apply` moves the summary."""

    what: Touched
    before: dict[HalfKey, set[str]]

    def apply(self, store: GraphStore) -> None:
        after = _read_touched(store, self.what)
        removed = {k: g for k, g in self.before.items() if after.get(k) != g}
        added = {k: g for k, g in after.items() if self.before.get(k) != g}
        if removed or added:
            _move(store, removed, added, after)


def prepare(
    store: GraphStore,
    stored: Mapping[str, list[Triple]],
    replaced: Mapping[str, list[Triple]],
    inferred: Iterable[Quad],
) -> Pending | None:
    """Before a one-file write of `replaced` over `stored` (graph name → triples), with the
    inferred graph's quads it removes and adds: what it touches and the ties through it now.
    None: no summary to keep up to date (the next full ingest builds it)."""
    if not is_built(store):
        return None
    changed: list[Quad | Triple] = list(inferred)
    for name in set(stored) | set(replaced):
        changed += set(stored.get(name, ())) ^ set(replaced.get(name, ()))
    what = touched(store, changed)
    return Pending(what, _read_touched(store, what))


def _rows_of(store: GraphStore, subjects: Iterable[NamedNode]) -> list[Triple]:
    values = " ".join(str(s) for s in sorted(set(subjects), key=str))
    if not values:
        return []
    result = store.query(
        f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} GRAPH <{SUMMARY_GRAPH}> {{ ?s ?p ?o }} }}"
    )
    assert isinstance(result, SelectResult)
    return [Triple(row["s"], row["p"], row["o"]) for row in result.rows]


def _move(store: GraphStore, removed: Mapping[HalfKey, set[str]], added: Mapping[HalfKey, set[str]],
          after: Mapping[HalfKey, set[str]]) -> None:  # fmt: skip
    """Move the counts and shown ties of the pairs the difference touches, in one transaction."""
    pairs = {(f, o, t) for (f, o, t, _, _) in [*removed, *added]}
    focuses = {f for f, _, _ in pairs}
    by_subject = {subject_of(f).value: f for f in focuses}
    by_subject |= {pair_subject(f, o).value: f for f, o, _ in pairs}
    old = _rows_of(store, [NamedNode(iri) for iri in by_subject])
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    shown: dict[tuple[str, str, str], list] = defaultdict(list)
    drop: list[Triple] = []
    for t in old:
        focus = by_subject[t.subject.value]
        parts = t.object.value.split(" ")
        pk = (focus, parts[0], parts[1])
        if pk not in pairs:
            continue
        drop.append(t)
        if t.predicate == NEIGHBOUR:
            counts[pk] = int(parts[2])
        else:
            direction, via = parts[2], "" if parts[3] == "-" else parts[3]
            key = (focus, parts[0], parts[1], direction, via)
            shown[pk].append((edge_key(*key), direction, via, set(parts[4:])))
    old_counts = dict(counts)
    for key in removed:
        if key not in added:
            counts[key[:3]] -= 1
    for key in added:
        if key not in removed:
            counts[key[:3]] += 1
    short: list[tuple[str, str, str]] = []
    for pk in pairs:
        # the kept ties are the first of the pair's: a new one joins them if it sorts before
        # the last kept, or if all were kept; so they stay the first of the new list
        kept = sorted(shown[pk], key=lambda m: m[0])
        complete = len(kept) >= old_counts.get(pk, 0)
        members = [m for m in kept if (*pk, m[1], m[2]) not in removed]
        for k, g in added.items():
            if k[:3] == pk and (complete or (kept and edge_key(*k) <= kept[-1][0])):
                members = [m for m in members if (m[1], m[2]) != (k[3], k[4])]
                members.append((edge_key(*k), k[3], k[4], g))
        members = sorted(members, key=lambda m: m[0])[:KEPT_PER_PAIR]
        shown[pk] = members
        if len(members) < min(SHOWN_PER_PAIR, counts[pk]):
            short.append(pk)  # too many kept ties went: the first ones are read again
    if short:
        _refill(store, short, shown)
    kept = {pk: n for pk, n in counts.items() if pk in pairs and n > 0}
    fresh = _triples(kept, {pk: its for pk, its in shown.items() if pk in kept})[1:]
    graph = NamedNode(SUMMARY_GRAPH)
    store.replace_graphs(
        {},
        remove=[Quad(t.subject, t.predicate, t.object, graph) for t in drop],
        add=[Quad(t.subject, t.predicate, t.object, graph) for t in fresh],
    )


def _refill(store: GraphStore, short: list[tuple[str, str, str]], shown: dict) -> None:
    """The first shown ties of pairs whose shown ties were removed, from the focus's live ties
    (rare: a re-ingest that drops one of a pair's first few ties while more remain)."""
    focuses = sorted({f for f, _, _ in short})
    index = _scan(
        store,
        f"""VALUES ?f {{ {_terms(focuses)} }}
        ?f ?link ?n .
        {{ GRAPH ?g {{ ?n ?p ?o }} BIND (?n AS ?s) }}
        UNION {{ ?n <{JL}qualifiedParty>|<{JL}includesEvent> ?s . GRAPH ?g {{ ?s ?p ?o }} }}
        UNION {{ GRAPH ?g {{ ?s ?p ?n }} BIND (?n AS ?o) FILTER (?p = <{JL}holdsPost>) }}""",
    )
    _, firsts = _summary(_ties(index))
    for pk in short:
        shown[pk] = firsts.get(pk, [])[:KEPT_PER_PAIR]
