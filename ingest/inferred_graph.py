"""Keep the inferred graph exact when some graphs are replaced, without reading all of it.

The inferred graph holds every triple the rules (`entailments.Rules`) derive from the store
that no graph asserts. When one article's graph changes, a triple's status can change only if
it is one the article asserts or derives (before or after), or lies on a transitive chain that
changed; for each such candidate, the new status is decided from the article's new triples and
from what the rest of the store holds (one lookup of the candidates and their premises), and
compared with whether the inferred graph holds it now. The result is the same graph a full
ingest would write, which `tests/test_entailments.py` checks.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable
from importlib.resources import files
from pathlib import Path

from pyoxigraph import Triple

from jalinan.graph import GraphStore, SelectResult
from jalinan.graph.namespaces import INFERRED_GRAPH, INGEST_STATE_GRAPH
from jalinan.ingest.entailments import TYPE, Rules
from jalinan.queries.catalogue import load_query

LOOKUPS = Path(str(files("jalinan.ingest.lookups")))
# Rows per lookup: Oxigraph parses and joins a VALUES block of a few thousand rows in
# milliseconds; bigger blocks are split so that a large article never builds a huge text.
_BATCH = 2_000


def _derivable(rules: Rules, t: Triple) -> bool:
    """Whether any rule could derive `t` (else its status cannot change: it is never inferred)."""
    if t.predicate == TYPE:
        return t.object in rules.subclasses
    return t.predicate in rules.premises_of or t.predicate in rules.transitive


def _holders(store: GraphStore, triples: Collection[Triple]) -> dict[Triple, set[str]]:
    """For each of `triples` the store holds, the graphs that hold it."""
    lookup = load_query(LOOKUPS / "graphs-holding.rq")
    held: dict[Triple, set[str]] = defaultdict(set)
    ordered = sorted(triples, key=str)
    for start in range(0, len(ordered), _BATCH):
        rows = [(t.subject, t.predicate, t.object) for t in ordered[start : start + _BATCH]]
        result = store.query(lookup.bind({("s", "p", "o"): rows}))
        assert isinstance(result, SelectResult)
        for row in result.rows:
            held[Triple(row["s"], row["p"], row["o"])].add(row["g"].value)
    return held


def _chain_links(store: GraphStore, rules: Rules, excluded: set[str]) -> list[Triple]:
    """The store's links of transitive chains, outside the excluded graphs."""
    predicates = sorted(rules.edge_predicates, key=str)
    if not predicates:
        return []
    lookup = load_query(LOOKUPS / "chain-links.rq")
    result = store.query(lookup.bind({"p": predicates}))
    assert isinstance(result, SelectResult)
    return [Triple(r["s"], r["p"], r["o"]) for r in result.rows if r["g"].value not in excluded]


def inferred_changes(
    store: GraphStore,
    rules: Rules,
    replaced: Iterable[str],
    before: Iterable[Triple],
    after: Iterable[Triple],
) -> tuple[list[Triple], list[Triple]]:
    """(removed, added): how the inferred graph changes when the graphs `replaced`, holding
    `before` now, come to hold `after` instead (`after` may also carry triples added to
    other graphs, such as new dates), the rest of the store unchanged."""
    excluded = {*replaced, INFERRED_GRAPH, INGEST_STATE_GRAPH}
    before, after = set(before), set(after)
    links = _chain_links(store, rules, excluded)
    edge_predicates = rules.edge_predicates
    chains_before = rules.transitive_closure(links + [t for t in before if t.predicate in edge_predicates])
    chains_after = rules.transitive_closure(links + [t for t in after if t.predicate in edge_predicates])
    candidates = {t for t in before | after if _derivable(rules, t)}
    candidates |= rules.single_premise(before) | rules.single_premise(after)
    candidates |= chains_before ^ chains_after
    if not candidates:
        return [], []
    premises = {t: rules.premises(t) for t in candidates}
    held = _holders(store, candidates.union(*premises.values()))

    def held_elsewhere(t: Triple) -> bool:
        return t in after or any(g not in excluded for g in held.get(t, ()))

    removed, added = [], []
    for t in sorted(candidates, key=str):
        derived = t in chains_after or any(held_elsewhere(p) for p in premises[t])
        inferred_now = INFERRED_GRAPH in held.get(t, ())
        inferred_next = derived and not held_elsewhere(t)
        if inferred_now and not inferred_next:
            removed.append(t)
        elif inferred_next and not inferred_now:
            added.append(t)
    return removed, added
