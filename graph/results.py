"""Fully materialised query results.

pyoxigraph's result iterators must not be touched from another thread (the process aborts),
so the store turns every result into plain Python lists in the thread that ran the query.
Terms themselves (NamedNode, Literal, …) are immutable and safe to pass around.
"""

from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

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
