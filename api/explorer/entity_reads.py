"""The reads behind an entity page: one query per section of the page, never one per fact.

Each is a plain `.rq` file in `queries/entity-page/`, runnable as written in `/sparql`, with
the entity (and, for the evidence of ties read by a section, the statements) bound as
pyoxigraph terms in its `VALUES` block:

- `summary.rq`: kind, names in every language, country, parent, posts, dates, status, counts;
- the pipeline `page.rq` (with its parts `incoming.rq`, `entailed.rq`, `entailed-incoming.rq`)
  + `detail.rq` (the canned query `entity-page`, run by `reading.read`): one page of the
  entity's statements, its own, those about it, then those the ontology entails, then each
  statement's quotes with their articles' headline, publisher and date, and the date and status
  of the other end;
- `agreement.rq` (agreements and collections): the parties by side, who represented them, and
  the posts of the people named on it; `visit.rq` (visits and events): the agreements concluded
  during it or during its events, and the people who took part; their ties' quotes are read with
  `detail.rq` in one more query;
- `chain.rq`, only when the page shows a tie the ontology entails along a transitive property:
  the middle node, whose two links' quotes are read with the same `detail.rq`;
- `labels.rq`: the labels of every node the page names, and the inverse labels of its
  relations, in one query at the end.

All run in the calling thread (pyoxigraph results must not cross threads): call `read_page`
through `run_in_threadpool`.
"""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode

from jalinan.api import querying
from jalinan.api.reading import read
from jalinan.graph import GraphStore
from jalinan.graph.namespaces import JL
from jalinan.queries.catalogue import QUERIES_DIR, CannedQuery, Page, fill_values, load_query

FOLDER = Path(QUERIES_DIR) / "entity-page"
# the page query's parts (`page.rq` and its `then:`), in order, by the section that links each
STATEMENT_PARTS = ("statements", "incoming", "entailed", "entailed-incoming")
HOP_PROPERTIES = {
    # a tie read by `visit.rq`, and its inverse: either may carry the quotes
    "concludedDuring": "hasOutcome",
    "partOfVisit": "includesEvent",
    "participant": "participatedIn",
}


@cache
def query(name: str) -> CannedQuery:
    return load_query(FOLDER / f"{name}.rq")


def bound(name: str, variable: str, term: NamedNode) -> str:
    """The text of `queries/entity-page/<name>.rq` with `variable` bound to `term`."""
    return query(name).bind({variable: [term]})


@dataclass
class PageRows:
    """Everything one entity page read, as rows."""

    summary: list[dict[str, Any]]
    statements: list[tuple[Any, Any, Any]]  # the page's statements, in the page's order
    details: list[dict[str, Any]]  # detail.rq rows for those statements (and any ties read)
    has_next: bool
    kind_rows: list[dict[str, Any]] = field(default_factory=list)  # agreement.rq or visit.rq
    chains: list[dict[str, Any]] = field(default_factory=list)
    labels: list[dict[str, Any]] = field(default_factory=list)
    sparql: dict[str, str] = field(default_factory=dict)  # section → the SPARQL it ran


def _rows(store: GraphStore, sparql: str) -> list[dict[str, Any]]:
    result, _ = querying.rows(store, sparql)
    return list(result.rows)


def _details(store: GraphStore, statements: list[tuple[Any, Any, Any]]) -> list[dict[str, Any]]:
    """`detail.rq` for statements in any graph (their quotes, wherever they are)."""
    if not statements:
        return []
    rows = [(s, p, o, None) for s, p, o in dict.fromkeys(statements)]
    detail = query_detail()
    sparql = fill_values(detail, ("subject", "property", "object", "graph"), rows, FOLDER / "detail.rq")
    return _rows(store, sparql)


@cache
def query_detail() -> str:
    return (FOLDER / "detail.rq").read_text(encoding="utf-8")


def _hops(entity: NamedNode, rows: list[dict[str, Any]]) -> list[tuple[Any, Any, Any]]:
    """The ties a `visit.rq` row rests on, each both ways round."""
    hops: list[tuple[Any, Any, Any]] = []

    def both(subject: Any, name: str, object_: Any) -> None:
        hops.append((subject, NamedNode(JL + name), object_))
        hops.append((object_, NamedNode(JL + HOP_PROPERTIES[name]), subject))

    for row in rows:
        item, via = row["item"], row.get("via")
        tie = "concludedDuring" if row["field"].value == "agreement" else "participant"
        if via is None:
            both(item, tie, entity) if tie == "concludedDuring" else both(entity, tie, item)
        else:
            both(item, tie, via) if tie == "concludedDuring" else both(via, tie, item)
            both(via, "partOfVisit", entity)
    return hops


def read_page(store: GraphStore, pipeline: CannedQuery, iri: str, page: Page, layout_of: Any) -> PageRows:
    """Every read of one page of `iri`. `layout_of(summary rows)` says which kind-specific read
    to add ("agreement", "visit" or None)."""
    entity = NamedNode(iri)
    sparql = {"summary": bound("summary", "entity", entity)}
    summary = _rows(store, sparql["summary"])
    reading = read(store, pipeline, {}, page, resolved={"id": [entity]})
    # (each part of the page query, runnable in /sparql, from its start: where the page starts
    # in it depends on the parts before; its detail query is bound with the page's statements,
    # too long for a link: `/queries/entity-page` answers both)
    clause = f"LIMIT {int(page.size)}" if page.size is not None else ""
    for name, text in zip(STATEMENT_PARTS, pipeline.page_queries, strict=True):
        sparql[name] = f"{fill_values(text, ('entity',), [entity])}\n{clause}\n"
    statements = [(s, p, o) for s, p, o, _ in reading.subjects]  # type: ignore[misc]
    details = list(reading.rows)
    rows = PageRows(summary=summary, statements=statements, details=details, has_next=reading.has_next)
    layout = layout_of(summary)
    extra: list[tuple[Any, Any, Any]] = []
    if layout == "agreement":
        sparql["agreement"] = bound("agreement", "agreement", entity)
        rows.kind_rows = _rows(store, sparql["agreement"])
    elif layout == "visit":
        sparql["visit"] = bound("visit", "visit", entity)
        rows.kind_rows = _rows(store, sparql["visit"])
        extra += _hops(entity, rows.kind_rows)
    entailed = [
        (s, p, o) for s, p, o, g in reading.subjects if g is not None and g.value.endswith("/graph/inferred")
    ]  # type: ignore[misc]
    if entailed:
        chain = query("chain")
        chain_sparql = chain.bind({("subject", "property", "object"): entailed})
        rows.chains = _rows(store, chain_sparql)
        for row in rows.chains:
            extra.append((row["subject"], row["property"], row["middle"]))
            extra.append((row["middle"], row["property"], row["object"]))
    rows.details += _details(store, extra)
    rows.labels = _rows(store, query("labels").bind({"node": [NamedNode(i) for i in sorted(_iris(rows))]}))
    rows.sparql = sparql
    return rows


def _iris(rows: PageRows) -> set[str]:
    """Every IRI the page may name, and the properties whose labels head its sections."""
    found: set[str] = set()
    everything: list[Any] = [term for statement in rows.statements for term in statement]
    for group in (rows.summary, rows.details, rows.kind_rows, rows.chains):
        for row in group:
            everything.extend(row.values())
    for term in everything:
        if isinstance(term, NamedNode):
            found.add(term.value)
    return found


COUNTS = frozenset({"party to"})  # summary fields every IRI has, even an unknown one


def is_empty(rows: PageRows) -> bool:
    """Whether nothing is known of the entity: no statement, no name, no kind."""
    return not rows.statements and all(row["field"].value in COUNTS for row in rows.summary)
