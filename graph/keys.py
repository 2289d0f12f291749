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


# Scripts written without spaces between words (Chinese, Japanese kana, Korean): a name in
# them is cut into overlapping pairs of characters (the CJK bigrams of search engines such as
# Lucene's CJKBigramFilter), so that part of a Chinese name finds the whole.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """`match_key` without accents: "Kementerian Pelaburan" and "Perdagangan" as typed on any
    keyboard, "Zürich" as "zurich". Chinese characters are left as they are."""
    decomposed = unicodedata.normalize("NFKD", match_key(text))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def search_tokens(text: str) -> list[str]:
    """The words of a name for search: folded (`fold`), split at anything but letters and
    digits ("Mosti–China MoU" → mosti, china, mou), each run of Chinese characters cut into
    overlapping pairs (one character alone stays whole). Distinct, in order of appearance."""
    tokens: list[str] = []
    for word in _WORD.findall(fold(text)):
        run, rest = "", ""
        for char in word + " ":  # a word may mix scripts ("5g", "中国5g"): split at each change
            if _CJK.match(char):
                if rest:
                    tokens.append(rest)
                    rest = ""
                run += char
            else:
                if run:
                    tokens.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
                    run = ""
                rest += char if char != " " else ""
        if rest:
            tokens.append(rest)
    return list(dict.fromkeys(tokens))
