"""Date expressions that fix their own calendar position: numeric and written-out dates, month and year, a lone year, and the periods (decades, fiscal years) that have a position but no day, month or year.

Each parser takes the normalised text and a :class:`~flows.extract.date_grammar.Context` and returns a reading,
or None when the text is not its kind of expression; the anchor is never consulted. The rules are in the
:mod:`flows.extract.dates` docstring.
"""

from __future__ import annotations

import datetime as dt
import re

from flows.extract.date_grammar import DAY, DAY_MONTH, EXPLICIT, MON, MONTH, MONTH_DAY, YEAR, Context, Reading, day_reading, first_match, month_of, unresolved, whole, year_ok

__all__ = ["parse_numeric", "parse_period", "parse_written", "parse_year"]

_ISO = whole(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})")
_NUMERIC = whole(r"(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})")


def parse_numeric(s: str, ctx: Context) -> Reading | None:
    """A numeric date: ISO "2025-04-08" (also / or .); "13/04/2025" and "4/13/2025" only when the day cannot be the month."""
    m = _ISO.match(s)
    if m:
        return day_reading(int(m["y"]), int(m["m"]), int(m["d"]), EXPLICIT)
    m = _NUMERIC.match(s)
    if not m:
        return None
    a, b, y = int(m["a"]), int(m["b"]), int(m["y"])
    if a == b or a > 12 or b > 12:
        day, month = (a, b) if a > 12 or a == b else (b, a)
        return day_reading(y, month, day, EXPLICIT)
    return unresolved(DAY)  # "04/05/2025": 4 May or 5 April


_FULL_DATES = (
    whole(rf"{MONTH_DAY}(?:,\s*|\s+)(?:of\s+)?(?P<y>\d{{4}})"),
    whole(rf"{DAY_MONTH},?\s+(?:of\s+)?(?P<y>\d{{4}})"),
)
_MONTH_YEAR = whole(rf"(?P<mon>{MON})\.?,?\s+(?:of\s+)?(?P<y>\d{{4}})")


def parse_written(s: str, ctx: Context) -> Reading | None:
    """A written-out date with its year: "April 8, 2025", "Tuesday 8 April 2025" (the weekday ignored), "August 2021"."""
    m = first_match(_FULL_DATES, s)
    if m:
        y = int(m["y"])
        return day_reading(y, month_of(m["mon"]), int(m["d"]), EXPLICIT) if year_ok(y) else None
    m = _MONTH_YEAR.match(s)
    if m and year_ok(int(m["y"])):
        return (dt.date(int(m["y"]), month_of(m["mon"]), 1), MONTH, EXPLICIT)
    return None


_LONE_YEAR = whole(r"(?:the\s+)?(?:year\s+)?(?P<y>\d{4})")


def parse_year(s: str, ctx: Context) -> Reading | None:
    """A lone year, 1900-2100: "2028", "the year 2028"."""
    m = _LONE_YEAR.match(s)
    if m and year_ok(int(m["y"]), lone=True):
        return (dt.date(int(m["y"]), 1, 1), YEAR, EXPLICIT)
    return None


_DECADE = whole(r"(?:the\s+)?(?:\d{3}0|'\d0|\d0)s|(?:the\s+)?\w+(?:st|nd|rd|th)\s+century")
_FISCAL = re.compile(r"\bfiscal\b|^fy\s*'?\d")


def parse_period(s: str, ctx: Context) -> Reading | None:
    """Decades, centuries and fiscal years: periods with no day, month or year of their own -> unresolved."""
    if _DECADE.match(s) or _FISCAL.search(s):
        return unresolved(None)
    return None
