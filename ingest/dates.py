"""Dates to the precision the text allows: a year, a month or a day, never more."""

import calendar
import re
from dataclasses import dataclass

from jalinan.graph.namespaces import TIME

_FORM = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
UNITS = {1: TIME + "unitYear", 2: TIME + "unitMonth", 3: TIME + "unitDay"}


@dataclass(frozen=True)
class PartialDate:
    """A date known to a year, a month or a day, with the first and last instant it covers."""

    text: str  # "2025", "2025-04" or "2025-04-16"
    unit: str  # an OWL-Time temporal unit IRI
    earliest: str  # xsd:dateTime lexical form
    latest: str


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
