"""What every date parser shares: the units and methods, the English date words, the regex pieces, and the reading a parser returns.

Standard library only. The rules these pieces serve are in the :mod:`flows.extract.dates` docstring; the parsers
are in :mod:`flows.extract.absolute_dates` (the text fixes the date) and :mod:`flows.extract.relative_dates`
(the publication date does).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

DAY, MONTH, YEAR = "day", "month", "year"
EXPLICIT, RELATIVE, UNRESOLVED = "explicit", "relative", "unresolved"

# What a parser returns: (value, granularity, method); resolve_date adds the text.
Reading = tuple[dt.date | None, str | None, str]

# --------------------------------------------------------------------------- vocabulary

MONTHS: dict[str, int] = {key: i for i, name in enumerate(calendar.month_name) if i for key in (name.lower(), name.lower()[:3])} | {"sept": 9}
WEEKDAYS: dict[str, int] = {key: i for i, name in enumerate(calendar.day_name) for key in (name.lower(), name.lower()[:3])} | {"tues": 1, "thur": 3, "thurs": 3}
AMBIGUOUS_MONTHS = {"may", "march", "mar"}  # also verbs

NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "a couple of": 2, "a couple": 2, "couple of": 2,
}
VAGUE_NUMBERS = ("a few", "few", "several", "some", "many")

# The step a relative word takes from the anchor's day, month, quarter or year; any other word ("this", "current") stays.
SHIFTS = {"last": -1, "previous": -1, "next": 1, "coming": 1, "upcoming": 1}

# The granularity of a unit word; weeks, weekends and decades have none (they are never resolved).
UNIT_GRANULARITY = {"day": DAY, "month": MONTH, "year": YEAR}


def alt(words: Iterable[str]) -> str:
    """A regex alternation of `words`, longest first (so "sept" wins over "sep")."""
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


def phrases(words: Iterable[str]) -> str:
    """:func:`alt` for phrases: the space between words matches any run of spaces."""
    return alt(words).replace(r"\ ", r"\s+")


MON = rf"(?:{alt(MONTHS)})"
WD = rf"(?:{alt(WEEKDAYS)})"
WD_OPT = rf"(?:{WD}\.?,?\s+)?"  # an optional leading weekday, ignored
ORD = r"(?:st|nd|rd|th)?"
NUM = rf"(?:\d+|{alt(NUMBERS)})"
TOD = r"(?:\s+(?:morning|afternoon|evening|night))?"  # trailing time of day
YEAR_REL = r"(?P<yrel>this|last|next)\s+year"
# A day and a month, in either order, with an optional weekday before: "Monday, April 7", "the 17th of September".
MONTH_DAY = rf"{WD_OPT}(?:the\s+)?(?P<mon>{MON})(?:\.\s*|\s+)(?:the\s+)?(?P<d>\d{{1,2}}){ORD}"
DAY_MONTH = rf"{WD_OPT}(?:the\s+)?(?P<d>\d{{1,2}}){ORD}(?:\s+of)?\s+(?P<mon>{MON})\.?"


def whole(pattern: str) -> re.Pattern[str]:
    """`pattern` compiled to match a whole (normalised) expression."""
    return re.compile(rf"^(?:{pattern})$")


def first_match(patterns: Iterable[re.Pattern[str]], s: str) -> re.Match[str] | None:
    """The match of the first of `patterns` that matches `s`."""
    return next((m for m in (p.match(s) for p in patterns) if m), None)


# --------------------------------------------------------------------------- the context of one parse


@dataclass(frozen=True)
class Context:
    """What a parser knows besides the normalised text.

    ``parse`` reads a part of the text with the whole grammar ("the first quarter of <next year>"): the grammar
    lives in flows.extract.dates, which imports the parsers, so it is handed down rather than imported back.
    """

    anchor: dt.date | None
    tense: str  # "past" | "future"
    original: str  # the text as given, for the case of "May"
    parse: Callable[[str, Context], Reading | None]
    modified: bool = False  # a modifier ("the end of", "earlier in") was stripped


# --------------------------------------------------------------------------- readings and calendar arithmetic


def unresolved(granularity: str | None) -> Reading:
    """A date understood but not pinned to a value."""
    return (None, granularity, UNRESOLVED)


def safe_date(y: int, m: int, d: int) -> dt.date | None:
    """The date, or None when the calendar has no such day."""
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def day_reading(y: int, m: int, d: int, method: str) -> Reading:
    """A day, unresolved when the calendar lacks it ("February 29, 2025")."""
    value = safe_date(y, m, d)
    return (value, DAY, method) if value else unresolved(DAY)


def shift_month(y: int, m: int, n: int) -> tuple[int, int]:
    """(year, month) n months after (y, m); n may be negative."""
    idx = y * 12 + (m - 1) + n
    return idx // 12, idx % 12 + 1


def shifted(anchor: dt.date, unit: str, n: int) -> Reading:
    """The anchor moved n days, months or years, at that unit's granularity."""
    if unit == DAY:
        return (anchor + dt.timedelta(days=n), DAY, RELATIVE)
    if unit == MONTH:
        y, mo = shift_month(anchor.year, anchor.month, n)
        return (dt.date(y, mo, 1), MONTH, RELATIVE)
    return (dt.date(anchor.year + n, 1, 1), YEAR, RELATIVE)


def month_of(word: str) -> int:
    """The month a (possibly dotted) month word names."""
    return MONTHS[word.rstrip(".")]


def year_ok(y: int, lone: bool = False) -> bool:
    """Whether a 4-digit number reads as a year: 1900-2100 alone, 1000-2999 inside a date."""
    return 1900 <= y <= 2100 if lone else 1000 <= y <= 2999


def number(word: str) -> int | None:
    """The count a digit string or number word names; None for a vague one ("a few")."""
    if word.isdigit():
        return int(word)
    return NUMBERS.get(word)
