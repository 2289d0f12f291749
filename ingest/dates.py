"""Dates to the precision the text allows: a year, a month or a day, never more.

A date may also be known only as a bound: "by 17 April 2025" (a fact reported as done in an
article of that date) or "2024 or later". Such a node keeps only the bound it knows
(`latest` or `earliest`); the other is left out rather than guessed. In EDTF (ISO 8601-2)
these are the sets "[..2025-04-17]" and "[2024..]".
"""

import calendar
import re
from dataclasses import dataclass

from jalinan.graph.namespaces import TIME

_FORM = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
UNITS = {1: TIME + "unitYear", 2: TIME + "unitMonth", 3: TIME + "unitDay"}
# How a bound is written in a date node's name and label ("by-2025-04-17", "by 2025-04-17").
BOUND_WORDS = {"by": "by", "from": "from"}


@dataclass(frozen=True)
class PartialDate:
    """A date known to a year, a month or a day, with the first and last instant it covers.

    For a bound, `bound` is "by" (on or before: only `latest` is known) or "from" (on or after:
    only `earliest` is known), and the other instant is None.
    """

    text: str  # "2025", "2025-04", "2025-04-16"; "by-2025-04-17", "from-2024" for bounds
    unit: str  # an OWL-Time temporal unit IRI: the precision of the date or of its bound
    earliest: str | None  # xsd:dateTime lexical form
    latest: str | None
    bound: str | None = None

    @property
    def label(self) -> str:
        """What a reader sees: "2025-04-16", or "by 2025-04-17", "from 2024"."""
        return self.text.replace("-", " ", 1) if self.bound else self.text


def parse_partial_date(value: object) -> PartialDate:
    """Parse the written form; raise ValueError with a readable reason."""
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    match = _FORM.match(text)
    if not match:
        raise ValueError(f'{value!r} is not a date: write "YYYY", "YYYY-MM" or "YYYY-MM-DD"')
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"{text!r}: month {month} does not exist")
    if day is not None:
        assert month is not None
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise ValueError(f"{text!r}: day {day} does not exist in {year}-{month:02d}")
        first_day, last_day, first_month, last_month = day, day, month, month
    elif month is not None:
        first_day, last_day = 1, calendar.monthrange(year, month)[1]
        first_month = last_month = month
    else:
        first_day, last_day, first_month, last_month = 1, 31, 1, 12
    parts = len([p for p in match.groups() if p])
    return PartialDate(
        text=text,
        unit=UNITS[parts],
        earliest=f"{year:04d}-{first_month:02d}-{first_day:02d}T00:00:00",
        latest=f"{year:04d}-{last_month:02d}-{last_day:02d}T23:59:59",
    )


def parse_date_bound(bound: str, value: object) -> PartialDate:
    """A bound: `by` a date (on or before its last instant) or `from` a date (on or after its first)."""
    if bound not in BOUND_WORDS:
        raise ValueError(f"{bound!r} is not a bound: write `by` or `from`")
    date = parse_partial_date(value)
    return PartialDate(
        text=f"{bound}-{date.text}",
        unit=date.unit,
        earliest=date.earliest if bound == "from" else None,
        latest=date.latest if bound == "by" else None,
        bound=bound,
    )
