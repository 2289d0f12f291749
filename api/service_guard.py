"""SSRF guard: a query or update may call `SERVICE <endpoint>` only if the allowlist names it.

pyoxigraph executes `SERVICE <http://…>` by fetching the URL, so without this guard anyone
could make the server request internal addresses. The check runs before the store sees the
text: a fast test for the word "service" (after undoing `\\uXXXX` escapes, which SPARQL applies
before parsing, so `\\u0053ERVICE` is caught too), then a real parse with rdflib that collects
every SERVICE target. A target that is a variable, a relative IRI or not on the allowlist is
refused; so is text that mentions "service" but does not parse, rather than risk it.
"""

import re
from collections.abc import Iterable

from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef, Variable

from jalinan.api.errors import bad_request

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except (ValueError, OverflowError):
            return match.group(0)

    return _CODEPOINT.sub(one, text)


def _walk(node: object) -> Iterable[CompValue]:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, CompValue):
            yield current
            stack.extend(current.values())
        elif isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list | tuple) or type(current).__name__ == "ParseResults":
            stack.extend(list(current))  # type: ignore[call-overload]


def service_targets(text: str, *, update: bool = False) -> list[str]:
    """The SERVICE endpoints the text calls: IRIs, or "?var" for a variable endpoint.

    Raises ValueError when the text cannot be parsed.
    """
    tree = parseUpdate(text) if update else parseQuery(text)
    nodes = list(_walk(tree))
    prefixes = {str(n.get("prefix") or ""): str(n.get("iri")) for n in nodes if n.name == "PrefixDecl"}
    targets = []
    for node in nodes:
        if node.name != "ServiceGraphPattern":
            continue
        term = node.get("term")
        if isinstance(term, Variable):
            targets.append(f"?{term}")
        elif isinstance(term, URIRef):
            targets.append(str(term))
        elif isinstance(term, CompValue) and term.name == "pname":
            prefix = str(term.get("prefix") or "")
            if prefix not in prefixes:
                raise ValueError(f"undeclared prefix {prefix!r}")
            targets.append(prefixes[prefix] + str(term.get("localname") or ""))
        else:
            targets.append(repr(term))
    return targets


def mentions_service(text: str) -> bool:
    """Whether the text could call SERVICE at all (the cheap test; `check_service` parses only then)."""
    return "service" in _unescape(text).lower()


def check_service(text: str, allow: Iterable[str], *, update: bool = False) -> None:
    """400 unless every SERVICE endpoint in the query (or update) is on the allowlist."""
    parameter = "update" if update else "query"
    if not mentions_service(text):
        return
    unescaped = _unescape(text)
    try:
        targets = service_targets(unescaped, update=update)
    except Exception as exc:  # rdflib raises pyparsing errors and others; any of them: refuse
        raise bad_request(
            f"the {parameter} mentions SERVICE and could not be checked against the allowlist "
            f"of federated endpoints, so it is refused ({type(exc).__name__})",
            parameter=parameter,
        ) from None
    allowed = set(allow)
    for target in targets:
        if target.startswith("?"):
            raise bad_request(
                f"SERVICE with a variable endpoint ({target}) is refused: name an allowed endpoint",
                parameter=parameter,
            )
        if target not in allowed:
            names = ", ".join(sorted(allowed)) if allowed else "none are allowed on this server"
            raise bad_request(
                f"SERVICE <{target}> is refused: federated queries may only call allowlisted "
                f"endpoints ({names}; see --service-allow)",
                parameter=parameter,
            )
