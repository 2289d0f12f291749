"""`/sparql?inferred=false`: the query, narrowed to leave out the graph of entailments.

Why a rewrite and not a dataset: the obvious way, handing Oxigraph the list of every asserted
graph as the default graph, is exact but Oxigraph then reads each pattern graph by graph: at
10,000 articles (10,005 graphs) one triple pattern took 320 ms and a two-pattern join did not
finish in 300 s. Over the union default graph the same query takes milliseconds, so the query
runs there, with text inserted that drops what only the inferred graph gives:

- each triple pattern outside `GRAPH` becomes `GRAPH ?fresh { s p o } FILTER (?fresh !=
  <inferred>)`: the union gives a triple once per graph holding it, and so does `GRAPH ?fresh`,
  less the inferred graph's copy. In a query with `SELECT *` or `COUNT(DISTINCT *)`, which would
  see `?fresh`, the pattern stays and its group gets `FILTER NOT EXISTS { GRAPH <inferred> { s p
  o } }` instead (a group's filters apply to all of it, and every solution of the group binds
  the pattern's variables to what it matched, so the look-up is one index seek). That form
  rests on what ingest keeps true, that the inferred graph holds only what no other graph holds
  (`tests/test_api_entailments.py`): a triple it holds then comes only from it. Either way the
  answer is, with the same multiplicity, what a store of the asserted graphs answers;
- each `GRAPH ?g` gets `FILTER (?g != <inferred>)` in its group, and `GRAPH <inferred>`
  `FILTER (false)`: the named graphs are the asserted ones;
- a query with its own dataset (`FROM`, `FROM NAMED`) runs as written over that dataset less
  the inferred graph, given as the protocol's lists (a handful of graphs: quick). Why lists and
  not the text: the engine is asked for the union default graph, and that request overrides a
  query's `FROM` in pyoxigraph, while explicit lists give the query exactly its own dataset.

The text is only ever added to at positions a SPARQL 1.1 parser found (sparqlkit's grammar,
LALR), never re-serialised: what the engine reads is the user's text plus these clauses, built
from slices of that same text and the inferred graph's IRI. Whatever this module cannot narrow
exactly it declines (`None`), and the caller falls back to the list of graphs (exact, slow):
property paths with `*`, `+`, `?`, `/`, `|` or `!` outside `GRAPH` (a path may step from one
graph to another, so no per-triple filter can say which steps were inferred), blank nodes in a
pattern outside `GRAPH` (the filter cannot name them), `DESCRIBE` (its description reads the
whole default graph), `CONSTRUCT WHERE`, `SERVICE` anywhere (the outbound guard must read the
text the engine reads), any `\\u` escape (Oxigraph and the SPARQL text undo them in different
places), relative IRIs where a graph is named, and text the parser does not take.
"""

import importlib.util
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from fastapi.concurrency import run_in_threadpool
from lark import Lark, Token, Tree
from lark.exceptions import LarkError

from jalinan.graph import GraphStore
from jalinan.graph.namespaces import INFERRED_GRAPH


@cache
def _parser() -> Lark:
    """sparqlkit's SPARQL 1.1 grammar, as an LALR parser rather than sparqlkit's Earley default:
    about 100 times faster (11 ms against 1 s for a 3 KB query); its lexer rejects some
    property-path modifiers, which are declined anyway. Built on first use (seconds; Lark then
    caches its tables on disk, read back in about a second), and from the grammar file:
    importing `sparqlkit.parser` builds three Earley parsers, 4.5 s of a server's start."""
    spec = importlib.util.find_spec("sparqlkit")
    assert spec is not None and spec.submodule_search_locations is not None
    grammar = (Path(spec.submodule_search_locations[0]) / "grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, start="query_unit", parser="lalr", propagate_positions=True, cache=_cache_file())


def _cache_file() -> str | bool:
    """Lark's tables in the user's own cache folder (not the shared temporary folder Lark
    defaults to: the file is unpickled), or no cache where there is none to write."""
    folder = Path.home() / ".cache" / "jalinan"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return False
    return str(folder / "sparql-lalr.cache")


# Past this size a query goes to the fallback rather than to the parser (a long VALUES block
# would keep a thread busy parsing for little gain).
MAX_REWRITE_LENGTH = 64 * 1024

# A graph name nothing is written to: the default graph of a query whose only FROM was inferred.
EMPTY_GRAPH = "https://w3id.org/jalinan/graph/none"
# The prefix of the variables that name the graph of each triple pattern.
FRESH = "jalinan_asserted_graph_"

_ESCAPE = re.compile(r"\\[uU]")
_SERVICE = re.compile(r"service", re.IGNORECASE)
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


class Declined(Exception):
    """The query holds something this module cannot narrow exactly."""


@dataclass(frozen=True)
class Narrowed:
    """What to run: the query, and the dataset when the query names its own (else the union)."""

    query: str
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None


@dataclass
class _Edits:
    inferred: str
    prefixes: dict[str, str]
    # With no `*` in the query, a triple pattern moves into `GRAPH ?fresh { … }`, filtered on
    # the graph's name: no extra look-up, so about as quick as the union. `SELECT *` (and
    # `COUNT(DISTINCT *)`) would see the fresh variables, so there the NOT EXISTS filter is used.
    named_graph_per_triple: bool
    insertions: dict[int, list[str]] = field(default_factory=dict)
    replacements: dict[int, tuple[int, str]] = field(default_factory=dict)
    fresh: int = 0

    def add_filter(self, group: Tree, clause: str) -> None:
        """`clause` at the start of `group`'s content: a FILTER anywhere in a group filters all
        of it, and at the start it cannot end a triple or follow a trailing `.`."""
        self.insertions.setdefault(_content_start(group), []).append(clause)


def asserted_only(query: str, inferred_graph: str) -> Narrowed | None:
    """`query` narrowed to leave out `inferred_graph`, or None when it cannot be done exactly."""
    if len(query) > MAX_REWRITE_LENGTH or _ESCAPE.search(query) or _SERVICE.search(query):
        return None
    try:
        tree = _parser().parse(query)
        return _rewrite(query, tree, inferred_graph)
    except (LarkError, Declined):
        return None


def _rewrite(text: str, tree: Tree, inferred: str) -> Narrowed:
    if _first(tree, "describe_query") is not None or _first(tree, "construct_triples_template") is not None:
        raise Declined("DESCRIBE and CONSTRUCT WHERE")
    edits = _Edits(inferred, _prefixes(text, tree), not _sees_every_variable(tree) and FRESH not in text)
    dataset = _own_dataset(text, tree, edits)
    if dataset is not None:
        return dataset
    _walk(text, tree, None, False, edits)
    cuts = [(at, at, " " + " ".join(clauses) + " ") for at, clauses in edits.insertions.items()]
    cuts += [(at, end, " " + new + " ") for at, (end, new) in edits.replacements.items()]
    out, last = [], 0
    for start, end, new in sorted(cuts, key=lambda cut: (cut[0], cut[1])):
        out += [text[last:start], new]
        last = end
    narrowed = "".join(out) + text[last:]
    _parser().parse(narrowed)  # still one query: what the engine gets is never a syntax error
    return Narrowed(narrowed)


def _sees_every_variable(tree: Tree) -> bool:
    """Whether a `SELECT *` or a `COUNT(DISTINCT *)` would see variables the rewrite adds
    (`COUNT(*)` counts solutions, which those variables do not change)."""
    for node in tree.find_pred(lambda t: t.data in ("select_clause", "aggregate")):
        tokens = {c.type if isinstance(c, Token) else "" for c in node.children}
        if "ASTERIX" in tokens and (node.data == "select_clause" or "DISTINCT" in tokens):
            return True
    return False


def dataset_clauses(query: str) -> tuple[list[str], list[str]] | None:
    """The graphs a query's `FROM` and `FROM NAMED` clauses name, as (default, named), or None
    when it has no dataset clause. Raises `LarkError` on text the parser does not take and
    `Declined` on a graph IRI it cannot resolve."""
    tree = _parser().parse(query)
    return _dataset_clauses(query, tree, _prefixes(query, tree))


def _dataset_clauses(text: str, tree: Tree, prefixes: dict[str, str]) -> tuple[list[str], list[str]] | None:
    """Only the top level can name a dataset (a subquery has no dataset clause in SPARQL 1.1)."""
    if next(tree.find_data("dataset_clause"), None) is None:
        return None
    default: list[str] = []
    named: list[str] = []
    for clause in tree.find_data("dataset_clause"):
        iri = _resolve(text, _child(_first(clause, "source_selector"), "iri"), prefixes)
        (named if _first(clause, "named_graph_clause") is not None else default).append(iri)
    return default, named


def _own_dataset(text: str, tree: Tree, edits: _Edits) -> Narrowed | None:
    """The query as written over its own dataset less the inferred graph, if it names one."""
    clauses = _dataset_clauses(text, tree, edits.prefixes)
    if clauses is None:
        return None
    default = [iri for iri in clauses[0] if iri != edits.inferred]
    named = [iri for iri in clauses[1] if iri != edits.inferred]
    # An empty default graph is named (a graph nothing is written to), never an empty list: the
    # answer cache tells datasets apart by their lists, and `inferred=true` sends empty ones.
    return Narrowed(text, default or [EMPTY_GRAPH], named)


def _walk(text: str, node: Tree, group: Tree | None, in_graph: bool, edits: _Edits) -> None:
    for child in node.children:
        if not isinstance(child, Tree):
            continue
        kind = child.data
        if kind == "group_graph_pattern":
            _walk(text, child, child, in_graph, edits)
        elif kind == "graph_graph_pattern":
            assert group is not None
            _graph_clause(text, child, group, edits)
            _walk(text, child, group, True, edits)
        elif kind == "triples_same_subject_path" and not in_graph and edits.named_graph_per_triple:
            parts = []
            for triple in _triples(text, child):
                edits.fresh += 1
                graph = f"?{FRESH}{edits.fresh}"
                parts.append(f"GRAPH {graph} {{ {triple} }} FILTER ({graph} != <{edits.inferred}>)")
            edits.replacements[_start(child)] = (_end(child), " ".join(parts))
        elif kind == "triples_same_subject_path" and not in_graph:
            assert group is not None
            for triple in _triples(text, child):
                edits.add_filter(group, f"FILTER NOT EXISTS {{ GRAPH <{edits.inferred}> {{ {triple} }} }}")
        elif kind == "triples_same_subject_path":
            continue  # inside GRAPH: the graph it names, inferred or not, is decided there
        else:
            _walk(text, child, group, in_graph, edits)


def _graph_clause(text: str, clause: Tree, group: Tree, edits: _Edits) -> None:
    name = _child(clause, "var_or_iri")
    var = _first(name, "var")
    if var is not None:
        edits.add_filter(group, f"FILTER ({_slice(text, var)} != <{edits.inferred}>)")
    elif _resolve(text, _child(name, "iri"), edits.prefixes) == edits.inferred:
        edits.add_filter(group, "FILTER (false)")


def _triples(text: str, node: Tree) -> list[str]:
    """The triples `s p o` a `triples_same_subject_path` stands for, as text."""
    subject, properties = node.children[0], node.children[1]
    if subject.data != "var_or_term":
        raise Declined("a blank node or collection as subject")
    subject_text = _term(text, subject)
    found: list[str] = []
    pairs = [(properties.children[0], properties.children[1])]
    for other in properties.children[2:]:
        rest = _first(other, "property_list_path_not_empty_rest")
        if rest is not None and rest in other.children:
            pairs.append((rest.children[0], rest.children[1]))
    for verb, objects in pairs:
        predicate, inverse = _predicate(text, verb)
        for target in objects.find_pred(lambda t: t.data in ("graph_node_path", "graph_node")):
            term = target.children[0]
            if not isinstance(term, Tree) or term.data != "var_or_term":
                raise Declined("a blank node or collection as object")
            value = _term(text, term)
            ends = (value, subject_text) if inverse else (subject_text, value)
            found.append(f"{ends[0]} {predicate} {ends[1]}")
    return found


def _predicate(text: str, verb: Tree) -> tuple[str, bool]:
    """(the predicate as text, whether the pattern reads it backwards: `^p`)."""
    if verb.data == "verb_simple":
        return _slice(text, verb), False
    sequences = _child(_child(verb, "path"), "path_alternative").children
    steps = sequences[0].children if len(sequences) == 1 else []
    if len(steps) != 1:
        raise Declined("a property path with | or /")
    step = steps[0]
    element = _child(step, "path_elt")
    primary = element.children[0]
    if len(element.children) != 1 or len(primary.children) != 1 or not _plain(primary.children[0]):
        raise Declined("a property path with *, + , ?, ! or brackets")
    inverse = any(isinstance(c, Token) and c.type == "CARET" for c in step.children)
    return _slice(text, primary), inverse


def _plain(node: Tree | Token) -> bool:
    return (isinstance(node, Tree) and node.data == "iri") or (isinstance(node, Token) and node.type == "A")


def _term(text: str, node: Tree) -> str:
    if _first(node, "blank_node") is not None:
        raise Declined("a blank node in a pattern")
    return _slice(text, node)


def _prefixes(text: str, tree: Tree) -> dict[str, str]:
    """The prologue's prefixes; declined when one is declared twice or a BASE could move one."""
    prologue = _first(tree, "prologue")
    declared: dict[str, str] = {}
    if prologue is None:
        return declared
    if _first(prologue, "base_decl") is not None:
        raise Declined("BASE")
    for decl in prologue.find_data("prefix_decl"):
        name = _slice(text, _child(decl, "pname_ns"))
        iri = next(c for c in decl.children if isinstance(c, Token) and c.type == "IRIREF")[1:-1]
        if name in declared or not _ABSOLUTE.match(iri):
            raise Declined("a prefix declared twice, or relative")
        declared[name] = iri
    return declared


def _resolve(text: str, iri: Tree, prefixes: dict[str, str]) -> str:
    written = _slice(text, iri)
    if written.startswith("<"):
        value = written[1:-1]
    else:
        name, _, local = written.partition(":")
        if name + ":" not in prefixes or "\\" in local or "%" in local:
            raise Declined("a graph named by an unknown or escaped prefixed name")
        value = prefixes[name + ":"] + local
    if not _ABSOLUTE.match(value):
        raise Declined("a relative graph IRI")
    return value


def _content_start(group: Tree) -> int:
    return _start(group) + 1  # just after the group's `{`


def _first(node: Tree, kind: str) -> Tree | None:
    return next(node.find_data(kind), None)


def _child(node: Tree | None, kind: str) -> Tree:
    children = [] if node is None else node.children
    found = next((c for c in children if isinstance(c, Tree) and c.data == kind), None)
    if found is None:
        raise Declined(f"no {kind}")
    return found


def _start(node: Tree) -> int:
    return node.meta.start_pos


def _end(node: Tree) -> int:
    return node.meta.end_pos


def _slice(text: str, node: Tree) -> str:
    return text[_start(node) : _end(node)]


async def dataset_without_inferences(
    store: GraphStore, query: str, default_graphs: list[str] | None, named_graphs: list[str] | None
) -> tuple[str, list[str] | None, list[str] | None]:
    """(query, default graphs, named graphs) to run for `inferred=false`.

    With `default-graph-uri` / `named-graph-uri` the dataset is the one named, less the inferred
    graph; otherwise the narrowed query over the union, or, when it cannot be narrowed, the
    query over the list of every asserted graph (exact, but slow on a large store)."""
    if default_graphs is None and named_graphs is None:
        narrowed = await run_in_threadpool(asserted_only, query, INFERRED_GRAPH)
        if narrowed is not None:
            return narrowed.query, narrowed.default_graphs, narrowed.named_graphs
    names = await run_in_threadpool(store.graph_names)
    return (
        query,
        [g for g in (default_graphs or names) if g != INFERRED_GRAPH],
        [g for g in (named_graphs or names) if g != INFERRED_GRAPH],
    )
