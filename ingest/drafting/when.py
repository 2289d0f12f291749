"""Dates in a sentence, resolved against the article's date with dateparser.

"yesterday", "on Thursday", "in September", "next year", "Nov 12" mean nothing without the day
the article appeared; with it they become dates of the precision the words give (a day, a
month, a year), each marked as inferred with a note saying from what. A date written in full
("16 April 2025") is stated. Without an article date only full dates are kept: the text allows
no other.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateparser.date import DateDataParser

_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_SHORT_MONTHS = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
_WEEKDAYS = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_FULL_DATE = re.compile(rf"\b\d{{1,2}}\s+{_MONTHS}\s+\d{{4}}\b|\b{_MONTHS}\s+\d{{1,2}},?\s+\d{{4}}\b")
_RELATIVE = re.compile(
    rf"\b(yesterday|today|tomorrow|on {_WEEKDAYS}|{_WEEKDAYS}"
    rf"|(?:in |this |last |next )?{_MONTHS}(?: \d{{4}})?"
    rf"|(?:{_MONTHS}|{_SHORT_MONTHS}) \d{{1,2}}(?:-\d{{1,2}})?|next year|this year|last year)\b"
)
_FUTURE = re.compile(r"\b(will|would|to be|plans? to|scheduled|expected|next|upcoming|shall)\b", re.I)


@dataclass(frozen=True)
class FoundDate:
    value: str  # "2025", "2025-04" or "2025-04-16"
    basis: str  # "stated" or "inferred"
    note: str
    words: str  # the words in the text


def _as_value(date: dt.datetime, period: str) -> str:
    if period == "year":
        return f"{date.year:04d}"
    if period == "month":
        return f"{date.year:04d}-{date.month:02d}"
    return date.date().isoformat()


def dates_in(sentence: str, article_date: str | None) -> list[FoundDate]:
    """The dates a sentence gives, in the order they appear."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for match in _FULL_DATE.finditer(sentence):
        data = DateDataParser(languages=["en"]).get_date_data(match.group(0))
        if data.date_obj is not None:
            found.append(FoundDate(_as_value(data.date_obj, "day"), "stated", "", match.group(0)))
            taken.append(match.span())
    if not article_date or len(article_date) != 10:
        return found
    base = dt.datetime.fromisoformat(article_date)
    prefer = "future" if _FUTURE.search(sentence) else "past"
    parser = DateDataParser(languages=["en"], settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": prefer})
    for match in _RELATIVE.finditer(sentence):
        if any(s <= match.start() < e for s, e in taken):
            continue
        phrase = re.sub(r"^(on|in|this) ", "", match.group(0))
        phrase = re.sub(r"-\d{1,2}$", "", phrase)  # "Nov 14-16": the first day
        data = parser.get_date_data(phrase)
        if data.date_obj is None:
            continue
        period = data.period or "day"
        value = _as_value(data.date_obj, period)
        if value == article_date and match.group(0) != "today":
            continue
        found.append(
            FoundDate(
                value,
                "inferred",
                f"'{match.group(0)}' against the article's date {article_date}",
                match.group(0),
            )
        )
    return found
