"""Which query may run in a worker that keeps its network: one whose every SERVICE is allowlisted.

The guarantee that no query or update reaches a host off the allowlist does not rest on this
module: every query worker (and the thread that runs updates) is cut off from the network by the
kernel (`graph/sandbox.py`). A query only gets a worker with network access (the federation
lane, present when `--service-allow` names endpoints) when this check says yes, and it says yes
only when it cannot be wrong about what the engine will call:

- the text has no `\\u` or `\\U` escape anywhere. Oxigraph 0.5 reads them inside strings and
  IRIs only; rdflib and the SPARQL 1.1 text undo them everywhere first. Text without any reads
  the same under both rules, and under any future engine;
- every occurrence of the letters "service" (any case, anywhere: in strings, comments, names)
  is followed, after spaces and an optional `SILENT`, by `<IRI>` with an IRI on the allowlist,
  exactly as written there. An engine keyword is spelled with those letters (escapes cannot
  make one), so every SERVICE the engine could evaluate is among these occurrences, whatever
  the prefixes, BASE, nesting or comments around it. Prefixed names and variables as endpoints
  are not recognised, so such a query runs offline (and its SERVICE fails).

No parser is involved, so nothing here can read the text differently from the engine, and
nothing here is slow (one regular-expression scan). A "no" is never an error by itself: the
query simply runs in a worker without network.
"""

import re
from collections.abc import Iterable

_ESCAPE = re.compile(r"\\[uU]")
_SERVICE = re.compile(r"service", re.IGNORECASE)
_TARGET = re.compile(r"[ \t\r\n]*(?:silent[ \t\r\n]+)?<([^<>\"{}|^`\\\x00-\x20]*)>", re.IGNORECASE)


def needs_network(text: str, allow: Iterable[str]) -> bool:
    """True when `text` calls SERVICE and every SERVICE it could call is on the allowlist."""
    if not allow:  # no allowlist (the default): nothing to check, on every query
        return False
    allowed = {iri for iri in allow if _usable(iri)}
    if not allowed or _ESCAPE.search(text):
        return False
    found = False
    for match in _SERVICE.finditer(text):
        target = _TARGET.match(text, match.end())
        if target is None or target.group(1) not in allowed:
            return False
        found = True
    return found


def _usable(iri: str) -> bool:
    """An allowlist entry the check can match literally: absolute (a BASE cannot change it), no
    dot segments (resolution could rewrite them), nothing the engine would unescape."""
    return (
        re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri) is not None
        and "\\" not in iri
        and not re.search(r"/\.\.?(/|$)", iri)
    )
