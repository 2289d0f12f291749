"""A query's own dataset (`FROM`, `FROM NAMED`), given to the engine as lists.

Why: the protocol's default is the union of every graph, asked of pyoxigraph with
`use_default_graph_as_union`, and that request overrides a query's own `FROM` (measured with
pyoxigraph 0.5: `SELECT … FROM <a> WHERE { ?s ?p ?o }` answered from every graph). SPARQL 1.1
says a query's dataset clauses name its dataset, so when a query has them they are read here
with a SPARQL parser and handed over as the explicit lists, which pyoxigraph honours.

Only text holding the word `from` is parsed (most queries do not, and parsing costs about a
millisecond per kilobyte). Text the parser does not take, or whose graph IRIs it cannot resolve
(relative, or an escaped prefixed name), keeps the union: the answer a client got before.
"""

import re

from lark.exceptions import LarkError

from jalinan.api.without_inferences import EMPTY_GRAPH, MAX_REWRITE_LENGTH, Declined, dataset_clauses

_FROM = re.compile(r"\bfrom\b", re.IGNORECASE)


def may_name_a_dataset(query: str) -> bool:
    """Cheap first test, run on the event loop: only such text is worth parsing."""
    # the substring test first: a fast scan, where the case-blind expression tries every position
    quick = not query.isascii() or "FROM" in query.upper()
    return quick and _FROM.search(query) is not None and len(query) <= MAX_REWRITE_LENGTH


def own_dataset(query: str) -> tuple[list[str], list[str]] | None:
    """(default graphs, named graphs) the query names, or None when it names none (or when it
    cannot be read: then the union, as before). A query with only `FROM NAMED` has an empty
    default graph: a graph nothing is written to stands for it."""
    if not may_name_a_dataset(query):
        return None
    try:
        clauses = dataset_clauses(query)
    except (LarkError, Declined):
        return None
    if clauses is None:
        return None
    default, named = clauses
    return default or [EMPTY_GRAPH], named
