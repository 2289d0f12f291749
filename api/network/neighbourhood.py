"""An entity's ties one or two hops out, as nodes and edges any program (or page) can draw.

The SPARQL lives in plain files (`queries/network/ties.rq`, `nodes.rq`, `sources.rq`), each
runnable as written; here their `VALUES` blocks are filled with pyoxigraph terms (never pasted
text) and run through the store (`graph/`), like every read. Steps:

1. the ties of the centre (`ties.rq`, focus = the centre); for two hops, the ties of every
   node found (focus = those nodes), in one more query;
2. each edge is one (from, to, kind of tie, agreement or visit) with the articles that state it:
   the article graph holding its fact, or for a fact of the shared-entities, ties or inferred
   graph, the articles its evidence quotes (`sources.rq`);
3. a large neighbourhood is cut to the most connected nodes (most ties), growing out from the
   centre so that every node shown stays connected to it; `total_nodes` and `total_edges` say
   what was cut ("showing N of M");
4. labels, classes and countries of the nodes shown, and labels of the agreements and visits
   the shown ties go through (`nodes.rq`).
"""

import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from jalinan.graph import GraphStore, SelectResult
from jalinan.graph.namespaces import ARTICLE, ID, JL
from jalinan.ingest.network_summary import NEIGHBOUR, SHOWN, edge_key, pair_subject, subject_of
from jalinan.queries.catalogue import fill_values

QUERIES = Path(str(files("jalinan.queries"))) / "network"
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")

# Kinds of tie, in the order a legend lists them, with what each means to a reader.
TIES: dict[str, str] = {
    "party": "party to the same agreement",
    "signed": "signed, exchanged or represented a party to an agreement",
    "witnessed": "witnessed an agreement",
    "involved": "involved in an agreement, not as a party",
    "visited": "visited a country",
    "met": "met a visitor during a visit",
    "post": "holds a post in",
    "sub-organisation": "is a sub-organisation of",
    "member": "is a member of",
}
# Node groups by class (most specific first), for styling: what a reader tells apart at a glance.
GROUPS = ("person", "post", "country", "organisation", "other")
MAX_EDGES = 600  # edges drawn at most; more is unreadable, and slow to lay out
# Ties of one kind between the same two nodes drawn at most (a country and its busiest partner
# share thousands of agreements at 10,000 articles); the others are counted in `total_edges`.
PER_PAIR = 4
# Two hops out read the neighbours of at most this many first-hop nodes (those with most ties
# to the centre): a bound on the work from a hub; `total_nodes` then counts what they reach.
HOP_TWO_FROM = 400


@cache
def query_text(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Filters:
    """What narrows the ties through an agreement or a visit; `ties` keeps only these kinds."""

    year: int | None = None
    topics: tuple[NamedNode, ...] = ()
    statuses: tuple[NamedNode, ...] = ()
    ties: tuple[str, ...] = tuple(TIES)


@dataclass
class Node:
    iri: str
    label: str = ""
    kind: str = ""  # the most specific jl: class (Ministry, Person, Country…)
    group: str = "other"
    country: str | None = None  # IRI
    degree: int = 0  # ties in the whole neighbourhood (before the cut)
    hop: int = 0

    @property
    def id(self) -> str:
        return self.iri.removeprefix(ID) if self.iri.startswith(ID) else self.iri


@dataclass
class Edge:
    source: str  # from (IRI)
    target: str  # to (IRI)
    tie: str
    via: str | None
    articles: set[str] = field(default_factory=set)  # the articles stating it
    pending: set[tuple[str, str]] = field(default_factory=set)  # facts whose evidence to look up

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.source, self.target, self.tie, self.via or "")


@dataclass
class Network:
    centre: Node
    hops: int
    nodes: list[Node]
    edges: list[Edge]
    total_nodes: int
    total_edges: int
    labels: dict[str, str]  # IRI → label, for vias and countries
    filters: Filters = field(default_factory=Filters)


def _select(store: GraphStore, sparql: str, timeout: float | None) -> SelectResult:
    """Run one of the server's own queries; a store error becomes the API's refusal (503, 429)."""
    from jalinan.api import querying

    result, _ = querying.rows(store, sparql, timeout=timeout)
    return result


def ties_text(focus: Sequence[NamedNode], filters: Filters) -> str:
    """`ties.rq` with every block filled: the focus nodes, kinds of tie, year, topics, status."""
    text = query_text("ties")
    text = fill_values(text, ("focus",), list(focus), "ties.rq")
    text = fill_values(text, ("tie",), [Literal(kind) for kind in filters.ties], "ties.rq")
    year = [Literal(str(filters.year), datatype=XSD_INTEGER)] if filters.year is not None else None
    text = fill_values(text, ("year",), year, "ties.rq")
    text = fill_values(text, ("topic",), list(filters.topics) or None, "ties.rq")
    return fill_values(text, ("status",), list(filters.statuses) or None, "ties.rq")


def _add(
    edges: dict[tuple[str, str, str, str], Edge],
    focus: str,
    other: str,
    tie: str,
    direction: str,
    via: str | None,
    graphs: Iterable[str],
) -> None:
    """Add one tie seen from `focus` (a row of ties.rq, or a shown tie of the summary)."""
    source, target, _, _ = edge_key(focus, other, tie, direction, via or "")
    edge = Edge(source, target, tie, via)
    edge = edges.setdefault(edge.key, edge)
    for graph in graphs:
        if graph.startswith(ARTICLE):
            edge.articles.add(graph)
        elif tie == "post" and via is not None and via not in (source, target):
            edge.pending.add((source, via))  # the post held
        else:
            edge.pending.add((source, target))


def _collect(rows: Iterable[dict], edges: dict[tuple[str, str, str, str], Edge]) -> set[str]:
    """Add the rows' ties to `edges`; the other ends found."""
    others: set[str] = set()
    for row in rows:
        focus, other, tie = row["focus"].value, row["other"].value, row["tie"].value
        via = row["via"].value if row.get("via") is not None else None
        others.add(other)
        _add(edges, focus, other, tie, row["direction"].value, via, (row["g"].value,))
    return others


def _summary_rows(
    store: GraphStore, subjects: Sequence[NamedNode], predicate: NamedNode, timeout: float | None
) -> list[tuple[str, list[str]]] | None:
    """The summary's literals of `predicate` on `subjects` (subject IRI, the literal split at
    spaces; `summary-neighbours.rq`, `summary-shown.rq`); None when ingest has not built the
    summary (a store written before it existed)."""
    name = "summary-neighbours" if predicate == NEIGHBOUR else "summary-shown"
    text = fill_values(query_text(name), ("subject",), list(subjects), f"{name}.rq")
    rows = _select(store, text, timeout).rows
    if not rows and not _summary_built(store, timeout):
        return None
    return [(row["subject"].value, row["o"].value.split(" ")) for row in rows]


def _summary_built(store: GraphStore, timeout: float | None) -> bool:
    return bool(_select(store, query_text("summary-built"), timeout).rows)


@dataclass
class _Found:
    """The ties a view chooses from: edges (all, or the first of each pair and kind), each
    node's ties and neighbours, the hop each node was found at, and how many ties in all."""

    edges: dict[tuple[str, str, str, str], Edge]
    degree: dict[str, int]
    adjacent: dict[str, set[str]]
    hop_of: dict[str, int]
    total_edges: int


def _drawn(
    counts: dict[frozenset[str], dict[str, int]], degree: dict[str, int], kept: set[str]
) -> set[frozenset[str]]:
    """The pairs among `kept` whose ties can be among the `MAX_EDGES` drawn: the view draws
    ties by kind, then by the ends' ties (most first), at most `PER_PAIR` a pair and kind; so
    groups of (kind, ties of the ends) are taken in that order until they hold `MAX_EDGES`,
    and the last group whole (ties within it are ordered by their ends and via)."""
    order = list(TIES)
    groups: dict[tuple[int, int], list[tuple[frozenset[str], int]]] = defaultdict(list)
    for pair, by_kind in counts.items():
        if pair <= kept and len(pair) == 2:
            ends = sum(degree[node] for node in pair)
            for tie, n in by_kind.items():
                groups[(order.index(tie), -ends)].append((pair, min(n, PER_PAIR)))
    drawn: set[frozenset[str]] = set()
    total = 0
    for key in sorted(groups):
        drawn |= {pair for pair, _ in groups[key]}
        total += sum(n for _, n in groups[key])
        if total >= MAX_EDGES:
            break
    return drawn


def _from_summary(
    store: GraphStore, centre: str, hops: int, filters: Filters, limit: int, timeout: float | None
) -> _Found | None:
    """The ties to choose from, read from the summary ingest prepared (None: not built).

    One hop: the centre's neighbours with their counts, then the first ties of each kind of the
    pairs kept only. Two hops: the same from the first-hop nodes (at most `HOP_TWO_FROM`, those
    with most ties to the centre), one count per pair and kind each, so the work is bounded by
    the number of neighbours, not by their ties."""
    kinds = set(filters.ties)
    counts: dict[frozenset[str], dict[str, int]] = defaultdict(dict)  # pair → kind → ties
    seen_from: dict[frozenset[str], str] = {}  # the focus whose shown ties a pair is read from
    hop_of = {centre: 0}
    focuses = [centre]
    for hop in range(1, hops + 1):
        if not focuses:
            break
        by_subject = {subject_of(f).value: f for f in focuses}
        rows = _summary_rows(store, [subject_of(f) for f in focuses], NEIGHBOUR, timeout)
        if rows is None:
            return None
        found: dict[str, int] = defaultdict(int)
        for subject, (other, tie, count) in rows:
            focus = by_subject[subject]
            if tie not in kinds:
                continue
            pair = frozenset((focus, other))
            counts[pair][tie] = max(counts[pair].get(tie, 0), int(count))
            seen_from.setdefault(pair, focus)
            if other not in hop_of:
                found[other] += int(count)
        for other in found:
            hop_of[other] = hop
        focuses = sorted(found, key=lambda n: (-found[n], n))[:HOP_TWO_FROM]
    degree: dict[str, int] = defaultdict(int)
    adjacent: dict[str, set[str]] = defaultdict(set)
    for pair, by_kind in counts.items():
        a, b = sorted(pair)
        adjacent[a].add(b)
        adjacent[b].add(a)
        degree[a] += sum(by_kind.values())
        degree[b] += sum(by_kind.values())
    kept = _most_connected(centre, degree, adjacent, max(limit, 1))
    edges: dict[tuple[str, str, str, str], Edge] = {}
    pairs = {pair_subject(seen_from[p], o).value: seen_from[p] for p in _drawn(counts, degree, kept)
             for o in p - {seen_from[p]}}  # fmt: skip
    if pairs:
        subjects = [NamedNode(iri) for iri in sorted(pairs)]
        for subject, parts in _summary_rows(store, subjects, SHOWN, timeout) or []:
            other, tie, direction, via = parts[:4]
            if tie in kinds:
                _add(edges, pairs[subject], other, tie, direction, None if via == "-" else via, parts[4:])
    total = sum(sum(by_kind.values()) for by_kind in counts.values())
    return _Found(edges, degree, adjacent, hop_of, total)


def _most_connected(
    centre: str, degree: dict[str, int], adjacent: dict[str, set[str]], limit: int
) -> set[str]:
    """Up to `limit` nodes, the centre first, then always the most connected node next to those
    kept, so that a cut neighbourhood stays in one piece."""
    kept = {centre}
    frontier: list[tuple[int, str]] = []
    for node in adjacent[centre]:
        heapq.heappush(frontier, (-degree[node], node))
    while frontier and len(kept) < limit:
        _, node = heapq.heappop(frontier)
        if node in kept:
            continue
        kept.add(node)
        for nxt in adjacent[node]:
            if nxt not in kept:
                heapq.heappush(frontier, (-degree[nxt], nxt))
    return kept


def _describe(store: GraphStore, iris: Iterable[str], timeout: float | None) -> dict[str, dict[str, str]]:
    """Label, jl: class names and country of each IRI (`nodes.rq`)."""
    terms = [NamedNode(iri) for iri in sorted(set(iris))]
    if not terms:
        return {}
    result = _select(store, fill_values(query_text("nodes"), ("node",), terms, "nodes.rq"), timeout)
    described = {}
    for row in result.rows:
        described[row["node"].value] = {
            "label": row["label"].value if row.get("label") is not None else "",
            "types": row["types"].value if row.get("types") is not None else "",
            "country": row["country"].value if row.get("country") is not None else "",
        }
    return described


def _labels(store: GraphStore, iris: Iterable[str], timeout: float | None) -> dict[str, str]:
    """The English label of each IRI (`labels.rq`)."""
    terms = [NamedNode(iri) for iri in sorted(set(iris))]
    if not terms:
        return {}
    result = _select(store, fill_values(query_text("labels"), ("node",), terms, "labels.rq"), timeout)
    return {row["node"].value: row["label"].value for row in result.rows}


def _sources(store: GraphStore, edges: Iterable[Edge], timeout: float | None) -> None:
    """Fill in the articles of edges whose facts sit outside the article graphs."""
    pending = [edge for edge in edges if edge.pending and not edge.articles]
    pairs = sorted({pair for edge in pending for pair in edge.pending})
    if not pairs:
        return
    rows = [(NamedNode(s), NamedNode(o)) for s, o in pairs]
    result = _select(
        store, fill_values(query_text("sources"), ("subject", "object"), rows, "sources.rq"), timeout
    )
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in result.rows:
        found[(row["subject"].value, row["object"].value)].add(row["source"].value)
    for edge in pending:
        for pair in edge.pending:
            edge.articles |= found.get(pair, set())


def most_specific(types: str) -> tuple[str, str]:
    """The most specific jl: class among `types` (names), and the node's group for styling."""
    from jalinan.api.explorer.ontology_doc import descendants

    names = [name for name in types.split() if name]
    if not names:
        return "", "other"
    below = {name: {iri.removeprefix(JL) for iri in descendants(f"jl:{name}")} - {name} for name in names}
    specific = [name for name in names if not any(other in below[name] for other in names)]
    kind = sorted(specific)[0]
    for group, top in (
        ("person", "Person"),
        ("post", "Post"),
        ("country", "Country"),
        ("organisation", "Organization"),
    ):
        if kind == top or kind in {iri.removeprefix(JL) for iri in descendants(f"jl:{top}")}:
            return kind, group
    return kind, "other"


def _live(store: GraphStore, centre: NamedNode, hops: int, filters: Filters, timeout: float | None) -> _Found:
    """Every tie of the neighbourhood, from `ties.rq` (what the summary sums up, filtered)."""
    edges: dict[tuple[str, str, str, str], Edge] = {}
    hop_of = {centre.value: 0}
    frontier = [centre]
    for hop in range(1, hops + 1):
        if not frontier or not filters.ties:
            break
        found = _collect(_select(store, ties_text(frontier, filters), timeout).rows, edges)
        frontier = [NamedNode(iri) for iri in sorted(found) if iri not in hop_of]
        for node in frontier:
            hop_of[node.value] = hop
    adjacent: dict[str, set[str]] = defaultdict(set)
    degree: dict[str, int] = defaultdict(int)
    for edge in edges.values():
        adjacent[edge.source].add(edge.target)
        adjacent[edge.target].add(edge.source)
        degree[edge.source] += 1
        degree[edge.target] += 1
    return _Found(edges, degree, adjacent, hop_of, len(edges))


def neighbourhood(
    store: GraphStore,
    centre: NamedNode,
    *,
    hops: int = 1,
    filters: Filters | None = None,
    limit: int = 60,
    timeout: float | None = None,
) -> Network | None:
    """The centre's network (None when the centre is no node of the graph)."""
    filters = filters or Filters()
    found = None
    if filters.year is None and not filters.topics and not filters.statuses and filters.ties:
        found = _from_summary(store, centre.value, hops, filters, max(limit, 1), timeout)
    if found is None:  # filtered by what a tie goes through, or no summary: the live ties
        found = _live(store, centre, hops, filters, timeout)
    edges, degree, adjacent, hop_of = found.edges, found.degree, found.adjacent, found.hop_of
    kept = _most_connected(centre.value, degree, adjacent, max(limit, 1))
    among = sorted(
        (edge for edge in edges.values() if edge.source in kept and edge.target in kept),
        key=lambda e: (list(TIES).index(e.tie), -(degree[e.source] + degree[e.target]), e.key),
    )
    per_pair: dict[tuple[str, str, str], int] = defaultdict(int)
    shown = []
    for edge in among:
        pair = (*sorted((edge.source, edge.target)), edge.tie)
        per_pair[pair] += 1
        if per_pair[pair] <= PER_PAIR and len(shown) < MAX_EDGES:
            shown.append(edge)
    _sources(store, shown, timeout)
    vias = {edge.via for edge in shown if edge.via} - kept
    described = _describe(store, kept, timeout)
    about_centre = described[centre.value]
    if not edges and not about_centre["types"] and not about_centre["label"]:
        return None  # nothing states anything of it
    # (the countries not shown need only their labels: read with the agreements', one query)
    countries = {d["country"] for d in described.values() if d["country"]} - described.keys()
    nodes = []
    for iri in kept:
        about = described.get(iri, {"label": "", "types": "", "country": ""})
        kind, group = most_specific(about["types"])
        country = about["country"] or (iri if group == "country" else None)
        nodes.append(
            Node(
                iri,
                about["label"] or iri.rsplit("/", 1)[-1],
                kind,
                group,
                country,
                degree[iri],
                hop_of.get(iri, 0),
            )
        )
    nodes.sort(key=lambda n: (n.hop, -n.degree, n.label.casefold(), n.iri))
    labels = {iri: d["label"] for iri, d in described.items() if d["label"]}
    labels.update(_labels(store, vias | countries, timeout))
    return Network(
        centre=next(n for n in nodes if n.iri == centre.value),
        hops=hops,
        nodes=nodes,
        edges=shown,
        total_nodes=len(hop_of),
        total_edges=found.total_edges,
        labels=labels,
        filters=filters,
    )
