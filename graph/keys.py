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


# Words a searcher adds that names seldom hold ("the ministry of science"): a searched text's
# words leave them out (`queries.catalogue.search_words`), and a name's length does not count them.
STOP_WORDS = frozenset({"the", "of", "and", "for", "on", "in", "a", "an", "dan", "di", "ke"})

# A name of at most so many words (`search_tokens`, stop words not counted) is short: an
# organisation's, a person's, a place's, a topic's, an event's (14,698 of 366,386 words of names
# at 10,000 articles; an agreement's or article's title has six or more). Search ranks the
# holders of a word with a short name first.
SHORT_NAME_WORDS = 5


def name_length(tokens: list[str]) -> int:
    """How many words a name has, for ranking: its words but stop words, at least one."""
    return max(1, sum(1 for token in tokens if token not in STOP_WORDS))


def short_name_tokens(names: list[str]) -> list[str]:
    """Each word of the short names among `names` (`SHORT_NAME_WORDS` words or fewer, by
    `name_length`), after the length of the shortest of them that holds it, as
    `jl:shortNameToken` writes it: "2 ministry" for "Ministry of Finance". Search reads a word's
    holders with short names by these exact keys, shortest names first, without reading its
    every holder."""
    shortest: dict[str, int] = {}
    for name in names:
        tokens = search_tokens(name)
        length = name_length(tokens)
        if length <= SHORT_NAME_WORDS:
            for token in tokens:
                shortest[token] = min(shortest.get(token, length), length)
    return [f"{length} {token}" for token, length in shortest.items()]
