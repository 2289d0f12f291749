"""Lookup keys for case-insensitive name matching.

Ingest stores `jl:matchKey` literals made by `match_key` from every label, alias and acronym;
the API makes the same key from a user's text and binds it in a `VALUES` block. Matching is then
an index lookup, not a `LCASE` filter over every label in the store.
"""

import re
import unicodedata

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_SPACE = re.compile(r"\s+")


def match_key(text: str) -> str:
    """Normalise a name for matching: NFKC, case-folded, straight quotes, single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    return _SPACE.sub(" ", text).strip().casefold()
