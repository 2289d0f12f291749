"""Whether a query calls a function whose answer differs on every run (never cached or tagged).

`RAND`, `NOW`, `UUID`, `STRUUID` and `BNODE` give a new value each time, so an answer using
them must not be stored or given a strong ETag. The check must read the text as SPARQL does:
a comment may sit between a name and its parenthesis (`RAND#…⏎()`), and a `#` inside an IRI or
a string is no comment. SPARQL 1.1 (§19.2) undoes `\\uXXXX` / `\\UXXXXXXXX` escapes before
parsing; Oxigraph 0.5 does so only inside IRIs and strings, after finding where they end (`"\\u0022`
does not close a string; `R\\u0041ND()` is a syntax error), but another engine may read the
text the standard's way. So the names are looked for in the text with comments blanked out, as
written and with the escapes decoded, and in the decoded text itself: a name that either reading
can see counts. A volatile name inside a string literal or a comment counts too: the answer is
then just not cached, which is safe.
"""

import re

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_VOLATILE = re.compile(r"\b(?:RAND|NOW|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)
_NAME = re.compile(r"\b(?:RAND|NOW|UUID|STRUUID|BNODE)\b", re.IGNORECASE)
# What a `#` can sit in without starting a comment (SPARQL 1.1 grammar, IRIREF and STRING_*),
# and the comment itself; the scan takes the leftmost, so a string's `#` is never a comment.
_TOKENS = re.compile(
    r"""(?P<keep><[^<>"{}|^`\\\x00-\x20]*>"""
    r"""|'''(?:[^'\\]|\\.|'(?!''))*'''"""
    r'''|"""(?:[^"\\]|\\.|"(?!""))*"""'''
    r"""|'(?:[^'\\\n\r]|\\.)*'"""
    r"""|"(?:[^"\\\n\r]|\\.)*")"""
    r"""|(?P<comment>\#[^\n\r]*)""",
    re.DOTALL,
)


def decode_escapes(text: str) -> str:
    """The text as SPARQL reads it: `\\u` and `\\U` code-point escapes decoded (an invalid code
    point is left as written; the engine refuses it)."""

    def one(match: re.Match[str]) -> str:
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except (ValueError, OverflowError):
            return match.group(0)

    return _ESCAPE.sub(one, text)


def without_comments(text: str) -> str:
    """The text with each comment replaced by a space (which separates tokens, as it did)."""
    return _TOKENS.sub(lambda m: m.group("keep") if m.group("keep") is not None else " ", text)


def _may_name_one(text: str) -> bool:
    """A quick test before the regular expressions, which are slow to find nothing: `_NAME` can
    match only where the upper-cased text holds one of the names (`STRUUID` holds `UUID`), and a
    substring test is a fast scan, where a case-blind regular expression tries every position
    (25–50 µs for a 300-character query, measured: a cost on the event loop for every query).
    Only for ASCII text: a case-blind match also pairs some other letters with ASCII ones
    (`ı` with `I`), which upper-casing need not turn into the same."""
    if not text.isascii():
        return True
    upper = text.upper()
    return "RAND" in upper or "NOW" in upper or "UUID" in upper or "BNODE" in upper


def is_volatile(sparql: str) -> bool:
    """Whether the query may call RAND, NOW, UUID, STRUUID or BNODE."""
    decoded = decode_escapes(sparql) if "\\" in sparql else sparql  # an escape needs a backslash
    if not (_may_name_one(decoded) or _may_name_one(sparql)):
        return False
    if not (_NAME.search(decoded) or (decoded is not sparql and _NAME.search(sparql))):
        return False  # no such name at all (most queries): nothing a comment could hide
    return any(
        _VOLATILE.search(text) for text in (decoded, without_comments(sparql), without_comments(decoded))
    )
