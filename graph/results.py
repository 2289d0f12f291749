"""Fully materialised query results.

pyoxigraph's result iterators must not be touched from another thread (the process aborts),
so the store turns every result into plain Python lists in the thread that ran the query.
Terms themselves (NamedNode, Literal, …) are immutable and safe to pass around.
"""

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QuerySolutions, Triple

Term = NamedNode | BlankNode | Literal | Triple


@dataclass(frozen=True)
class SelectResult:
    """Rows of a SELECT: variable names in order, and one dict per solution (unbound omitted)."""

    variables: list[str]
    rows: list[dict[str, Term]] = field(default_factory=list)


@dataclass(frozen=True)
class AskResult:
    """The answer of an ASK query."""

    value: bool


@dataclass(frozen=True)
class GraphResult:
    """Triples from a CONSTRUCT or DESCRIBE query."""

    triples: list[Triple] = field(default_factory=list)


QueryResult = SelectResult | AskResult | GraphResult


def materialise(
    result: QuerySolutions | QueryBoolean | Iterable[Triple], max_rows: int | None = None
) -> QueryResult:
    """A pyoxigraph result as plain lists, read in the calling thread (the only one allowed to
    touch it); `max_rows` stops reading a SELECT's rows there (the pool's row cap)."""
    if isinstance(result, QueryBoolean):
        return AskResult(bool(result))
    if isinstance(result, QuerySolutions):
        names = [variable.value for variable in result.variables]
        rows = []
        for solution in itertools.islice(result, max_rows):
            row = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = term
            rows.append(row)
        return SelectResult(names, rows)
    return GraphResult(list(result))
