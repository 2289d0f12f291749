"""The SPARQL 1.1 Protocol's `using-graph-uri` / `using-named-graph-uri` on an update.

The protocol (§2.2.3) gives an update's WHERE clauses the dataset those parameters name, exactly
as `USING <g>` / `USING NAMED <g>` written in each operation would, and makes it an error to send
them with an update that has its own `USING`, `USING NAMED` or `WITH`. pyoxigraph's `update()`
takes no dataset (the Rust server sets it on the parsed update, which Python cannot reach), so
the clauses are written into the text: before each top-level `WHERE`, and `DELETE WHERE {P}`
becomes `DELETE {P} USING … WHERE {P}`, its long form (SPARQL 1.1 Update §3.1.3.3).

Finding a top-level `WHERE` only needs to know what is inside braces, strings, IRIs and comments,
so a small scanner does it; it never changes anything but the inserted clauses, whose IRIs are
pyoxigraph `NamedNode`s (escaped by construction). It reads `\\uXXXX` as Oxigraph 0.5 does: an
escaped character inside a string or an IRI, not a keyword (`\\u0057HERE` is a syntax error to
the engine, so it is no clause here either). Operations without a WHERE (`INSERT DATA`, `CLEAR`,
`LOAD`…) are left as they are: the dataset does not apply to them.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pyoxigraph import NamedNode

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<word>[\w?$:.%\\-]+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_DATASET_CLAUSES = {"USING", "WITH"}


class DatasetConflict(ValueError):
    """The update names its own dataset (USING, USING NAMED or WITH) and the request one too."""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int


def _significant(text: str) -> Iterator[_Token]:
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("space", "comment"):
            yield _Token(kind, match.group(), match.start(), match.end())


def _keyword(token: _Token | None) -> str:
    return token.text.upper() if token is not None and token.kind == "word" else ""


def _closing(tokens: list[_Token], opening: int) -> int | None:
    """The index of the brace that closes the one at `opening`."""
    depth = 0
    for index in range(opening, len(tokens)):
        depth += {"open": 1, "close": -1}.get(tokens[index].kind, 0)
        if depth == 0:
            return index
    return None


def with_dataset(update: str, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> str:
    """`update` with every WHERE clause evaluated over the given dataset.

    Raises `DatasetConflict` if the update has its own USING, USING NAMED or WITH.
    """
    if not default_graphs and not named_graphs:
        return update
    clauses = " ".join(
        [f"USING {NamedNode(iri)}" for iri in default_graphs]
        + [f"USING NAMED {NamedNode(iri)}" for iri in named_graphs]
    )
    tokens = list(_significant(update))
    inserts: list[tuple[int, str]] = []
    depth = 0
    for index, token in enumerate(tokens):
        if token.kind in ("open", "close"):
            depth += 1 if token.kind == "open" else -1
            continue
        keyword = _keyword(token) if depth == 0 else ""
        if keyword in _DATASET_CLAUSES:
            raise DatasetConflict(
                f"the update has its own {keyword} clause, so `using-graph-uri` and "
                "`using-named-graph-uri` cannot be given with it (SPARQL 1.1 Protocol §2.2.3)"
            )
        if keyword != "WHERE":
            continue
        at = token.start
        if _keyword(tokens[index - 1] if index else None) == "DELETE":
            after = index + 1
            end = _closing(tokens, after) if after < len(tokens) and tokens[after].kind == "open" else None
            if end is None:
                continue  # not an update the engine can parse either: it says why
            pattern = update[tokens[after].start : tokens[end].end]
            inserts.append((at, f"{pattern} {clauses} "))
        else:
            inserts.append((at, f"{clauses} "))
    for at, clause in reversed(inserts):
        update = update[:at] + clause + update[at:]
    return update
