"""What an article file would change in the graph, in words a curator reads.

`jalinan diff FILE` builds the file's graphs exactly as `jalinan ingest FILE` would (same
validation, same ids resolved in the store) and compares them with what the store holds for
that article: entities added or removed, facts added or removed (each as "subject — property →
object" with labels, not IRIs), and quotes added or removed. Nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from jalinan.graph import GraphStore
from jalinan.graph.namespaces import ID
from jalinan.graph.results import SelectResult
from jalinan.ingest.pipeline import LOOKUPS, translate_articles
from jalinan.ingest.translate import JL
from jalinan.queries.catalogue import load_query

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
QUOTE = NamedNode(JL + "quote")
# Written by ingest beside every fact; the diff speaks of the facts and quotes they support.
BOOKKEEPING = {
    JL + p
    for p in (
        "claimSubject",
        "claimPredicate",
        "claimObject",
        "matchKey",
        "searchToken",
        "shortNameToken",
        "dateBasis",
        "inferenceNote",
    )
} | {"http://www.w3.org/ns/prov#wasQuotedFrom"}
EVIDENCE = ID + "evidence/"


@dataclass
class ArticleDiff:
    graph: str
    entities_added: list[str] = field(default_factory=list)
    entities_removed: list[str] = field(default_factory=list)
    facts_added: list[str] = field(default_factory=list)
    facts_removed: list[str] = field(default_factory=list)
    quotes_added: list[str] = field(default_factory=list)
    quotes_removed: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not any(
            (
                self.entities_added,
                self.entities_removed,
                self.facts_added,
                self.facts_removed,
                self.quotes_added,
                self.quotes_removed,
            )
        )

    def lines(self, new: bool) -> list[str]:
        out = [f"{'new article' if new else 'article'} {self.graph.removeprefix(ID + 'article/')}:"]
        if self.unchanged:
            return [*out, "  no change"]
        for title, items, mark in (
            ("entities added", self.entities_added, "+"),
            ("entities removed", self.entities_removed, "-"),
            ("facts added", self.facts_added, "+"),
            ("facts removed", self.facts_removed, "-"),
            ("quotes added", self.quotes_added, "+"),
            ("quotes removed", self.quotes_removed, "-"),
        ):
            if items:
                out.append(f"  {title} ({len(items)}):")
                out.extend(f"    {mark} {item}" for item in items)
        return out


def _is_fact(triple: Triple) -> bool:
    return (
        triple.predicate.value not in BOOKKEEPING
        and not triple.subject.value.startswith(EVIDENCE)
        and triple.predicate != LABEL
    )


def _labels(store: GraphStore, nodes: Iterable[NamedNode], new: list[Triple]) -> dict[str, str]:
    labels = {
        t.subject.value: t.object.value
        for t in new
        if t.predicate == LABEL and isinstance(t.object, Literal) and t.object.language in ("en", None)
    }
    wanted = sorted({n for n in nodes if n.value not in labels}, key=str)
    if wanted:  # an empty VALUES block would mean "every node"
        result = store.query(load_query(LOOKUPS / "labels.rq").bind({"node": wanted}))
        assert isinstance(result, SelectResult)
        for row in result.rows:
            labels.setdefault(row["node"].value, row["label"].value)
    return labels


def _name(term: object, labels: dict[str, str]) -> str:
    if isinstance(term, NamedNode):
        label = labels.get(term.value)
        local = term.value.removeprefix(ID).rsplit("#", 1)[-1]
        return f"{label} ({local})" if label and label != local else local
    if isinstance(term, Literal):
        return f"“{term.value}”"
    return str(term)


def diff_article_files(
    store: GraphStore, paths: list[Path], articles_dir: Path | None
) -> list[tuple[ArticleDiff, bool]]:
    """Each file's article graph against the store's: (the diff, whether the article is new)."""
    files_read, graphs, _ = translate_articles(store, paths, articles_dir)
    out = []
    for facts_file in files_read:
        graph = facts_file.graph
        new = set(graphs.get(graph, []))
        old = {quad.triple for quad in store.quads(graph)}
        added, removed = sorted(new - old, key=str), sorted(old - new, key=str)
        nodes = {
            t
            for triple in added + removed
            for t in (triple.subject, triple.predicate, triple.object)
            if isinstance(t, NamedNode)
        }
        labels = _labels(store, nodes, [*new, *old])
        diff = ArticleDiff(graph)
        for triple, entities, facts, quotes in (
            (t, diff.entities_added, diff.facts_added, diff.quotes_added) for t in added
        ):
            _describe(triple, labels, entities, facts, quotes)
        for triple in removed:
            _describe(triple, labels, diff.entities_removed, diff.facts_removed, diff.quotes_removed)
        out.append((diff, not old))
    return out


def _describe(
    triple: Triple, labels: dict[str, str], entities: list[str], facts: list[str], quotes: list[str]
) -> None:
    if triple.predicate == QUOTE:
        quotes.append(_name(triple.object, labels))
    elif not _is_fact(triple):
        return
    elif triple.predicate == RDF_TYPE and not triple.subject.value.startswith(EVIDENCE):
        entities.append(f"{_name(triple.subject, labels)}: {_name(triple.object, labels)}")
    else:
        facts.append(
            f"{_name(triple.subject, labels)} — {_name(triple.predicate, labels)} → "
            f"{_name(triple.object, labels)}"
        )
