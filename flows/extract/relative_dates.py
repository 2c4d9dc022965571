"""Date expressions the publication date pins: weekdays, months and days of a month without a year, today and its neighbours, this/last/next month or year, "N days ago", quarters and seasons.

Each parser takes the normalised text and a :class:`~flows.extract.date_grammar.Context` and returns a reading,
or None when the text is not its kind of expression; without an anchor a reading is unresolved at its own
granularity. Which occurrence a bare or "last"/"next" weekday, month or quarter means is one rule for all three
(:func:`steps_to`); the rules are in the :mod:`flows.extract.dates` docstring.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re

from flows.extract.date_grammar import (
    AMBIGUOUS_MONTHS,
    DAY,
    DAY_MONTH,
    EXPLICIT,
    MON,
    MONTH,
    MONTH_DAY,
    NUM,
    RELATIVE,
    SHIFTS,
    TOD,
    UNIT_GRANULARITY,
    VAGUE_NUMBERS,
    WD,
    WEEKDAYS,
    YEAR,
    YEAR_REL,
    Context,
    Reading,
    alt,
    first_match,
    month_of,
    number,
    phrases,
    safe_date,
    shift_month,
    shifted,
    unresolved,
    whole,
    year_ok,
)

__all__ = ["parse_day_month", "parse_day_word", "parse_discourse", "parse_month", "parse_offset", "parse_quarter", "parse_season", "parse_unit", "parse_weekday", "pick_year", "steps_to"]

# --------------------------------------------------------------------------- which occurrence


def steps_to(target: int, current: int, period: int, mode: str) -> int:
    """Signed steps from position `current` of a cycle (7 weekdays, 12 months, 4 quarters) to an occurrence of `target`.

    mode: "past" the latest on or before, "future" the next on or after, "last"/"next" strictly before/after,
    "this" the one in the current turn of the cycle (the anchor's year, for a month).
    """
    back, ahead = (current - target) % period, (target - current) % period
    return {"past": -back, "future": ahead, "last": -(back or period), "next": ahead or period, "this": target - current}[mode]


def pick_year(month: int, anchor: dt.date, mode: str) -> int:
    """The year of a month named without one (mode as for :func:`steps_to`)."""
    return shift_month(anchor.year, anchor.month, steps_to(month, anchor.month, 12, mode))[0]


# The word before a weekday or month and the occurrence it asks for; "this" is the tense's for a weekday, the anchor's year for a month.
_OCCURRENCES = {"this past": "last", "past": "last", "last": "last", "this coming": "next", "coming": "next", "next": "next", "this": "this"}
_OCCURRENCE = rf"(?:(?P<rel>{phrases(_OCCURRENCES)})\s+)?"


def _mode(rel: str | None, tense: str, this: str) -> str:
    """The occurrence `rel` asks for: the tense's without one, `this` for "this"."""
    if rel is None:
        return tense
    mode = _OCCURRENCES[" ".join(rel.split())]
    return this if mode == "this" else mode


# --------------------------------------------------------------------------- weekdays, months, days of a month

AMBIGUOUS_AFTER_DAYS = 183
_DAY_MONTHS = (whole(rf"{MONTH_DAY}(?:,?\s+{YEAR_REL})?"), whole(rf"{DAY_MONTH}(?:,?\s+{YEAR_REL})?"))


def parse_day_month(s: str, ctx: Context) -> Reading | None:
    """A day of a month without a year: "Sept. 17", "17 September", "Monday, April 7", "July 4 last year"."""
    m = first_match(_DAY_MONTHS, s)
    if not m:
        return None
    month, day = month_of(m["mon"]), int(m["d"])
    if day < 1 or day > calendar.monthrange(2024, month)[1] or ctx.anchor is None:  # 2024: a leap year
        return unresolved(DAY)
    if m["yrel"]:
        v = safe_date(ctx.anchor.year + SHIFTS.get(m["yrel"], 0), month, day)
        return (v, DAY, RELATIVE) if v else unresolved(DAY)
    y = pick_year(month, ctx.anchor, ctx.tense)
    v = safe_date(y, month, day)
    # The nearest occurrence the tense allows, when it is near: "December 28" in an article of
    # January 5 is last December's, but "September 17" said in August could be last year's or a
    # misread future; more than half a year away (or a Feb 29 missing that year) is ambiguous.
    if v is None or abs((v - ctx.anchor).days) > AMBIGUOUS_AFTER_DAYS:
        return unresolved(DAY)
    return (v, DAY, RELATIVE)


_MONTH_ALONE = whole(rf"{_OCCURRENCE}(?P<mon>{MON})\.?(?:,?\s+(?:of\s+)?{YEAR_REL})?")


def parse_month(s: str, ctx: Context) -> Reading | None:
    """A month without a year: "July", "last July", "this December", "July next year"; a bare lowercase "may"/"march" is a verb."""
    m = _MONTH_ALONE.match(s)
    if not m:
        return None
    word = m["mon"]
    if word in AMBIGUOUS_MONTHS and not m["yrel"] and not m["rel"]:
        # a bare "may"/"march": a month only when capitalised in the original text
        if not re.search(rf"\b{word[0].upper()}{word[1:]}\b|\b{word.upper()}\b", ctx.original):
            return None
    month = month_of(word)
    if ctx.anchor is None:
        return unresolved(MONTH)
    if m["yrel"]:
        y = ctx.anchor.year + SHIFTS.get(m["yrel"], 0)
    else:
        y = pick_year(month, ctx.anchor, _mode(m["rel"], ctx.tense, this="this"))
    return (dt.date(y, month, 1), MONTH, RELATIVE)


_WEEKDAY = whole(rf"{_OCCURRENCE}(?P<wd>{WD})\.?{TOD}(?P<week>\s+(?:this|last|next)\s+week)?")


def parse_weekday(s: str, ctx: Context) -> Reading | None:
    """A weekday: "Monday", "Monday night", "this past Monday", "next Monday"; "Monday last week" is unresolved."""
    m = _WEEKDAY.match(s)
    if not m:
        return None
    if m["week"] or ctx.anchor is None:  # "Monday last week": needs a week convention
        return unresolved(DAY)
    wd, mode = WEEKDAYS[m["wd"]], _mode(m["rel"], ctx.tense, this=ctx.tense)
    return shifted(ctx.anchor, DAY, steps_to(wd, ctx.anchor.weekday(), 7, mode))


# --------------------------------------------------------------------------- the anchor moved by a unit

_DAY_WORDS = {"today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0, "yesterday": -1, "last night": -1, "tomorrow": 1, "the day before yesterday": -2, "the day after tomorrow": 2}
_DAY_WORD = whole(rf"(?P<w>{phrases(_DAY_WORDS)}){TOD}")


def parse_day_word(s: str, ctx: Context) -> Reading | None:
    """Today and its neighbours: "today", "yesterday afternoon", "last night", "the day after tomorrow"."""
    m = _DAY_WORD.match(s)
    if not m:
        return None
    if ctx.anchor is None:
        return unresolved(DAY)
    return shifted(ctx.anchor, DAY, _DAY_WORDS[" ".join(m["w"].split())])


_UNIT = whole(
    r"(?P<rel>this|current|the\s+current|present|the\s+present|last|next|coming|the\s+coming"
    r"|upcoming|the\s+upcoming|this\s+coming)\s+(?P<unit>week|weekend|month|year)"
    r"|(?P<the>the)\s+(?P<unit2>day|week|month|year)"
    r"|(?:the\s+)?weekend"
)


def parse_unit(s: str, ctx: Context) -> Reading | None:
    """This/last/next month or year: "this month", "the coming year"; "the year" only after a modifier ("the end of the year")."""
    m = _UNIT.match(s)
    if not m:
        return None
    if m["the"]:
        if not ctx.modified:
            return None
        unit, shift = m["unit2"], 0
        if unit == DAY:
            return unresolved(DAY)  # "earlier in the day": the day under discussion
    elif m["unit"] is None:
        return unresolved(None)  # "the weekend"
    else:
        unit, shift = m["unit"], SHIFTS.get(m["rel"].split()[-1], 0)
    if unit not in UNIT_GRANULARITY:
        return unresolved(None)  # weeks and weekends
    if ctx.anchor is None:
        return unresolved(unit)
    return shifted(ctx.anchor, unit, shift)


_DISCOURSE = whole(
    r"the\s+(?:same|previous|following|next|preceding|prior)\s+(?P<u1>day|week|month|year)"
    r"|(?:that|that\s+same)\s+(?P<u2>day|week|month|year)"
    r"|the\s+(?P<u3>day|week|month|year)\s+(?:before|after|prior)"
)


def parse_discourse(s: str, ctx: Context) -> Reading | None:
    """Discourse-relative units ("the next day", "that year"): they follow another date in the text -> unresolved."""
    m = _DISCOURSE.match(s)
    if not m:
        return None
    return unresolved(UNIT_GRANULARITY.get(m["u1"] or m["u2"] or m["u3"]))


_OFFSET = whole(
    rf"(?:(?P<in>in|within)\s+)?(?P<n>{NUM}|{alt(VAGUE_NUMBERS)})\s+"
    r"(?P<unit>day|week|month|year|decade)s?"
    r"(?:\s+(?P<dir>ago|earlier|before|later|after|from\s+now|hence|back))?"
)


def parse_offset(s: str, ctx: Context) -> Reading | None:
    """The anchor moved by a count: "two days ago", "in three months", "10 days from now"; "two days" alone is a duration -> None."""
    m = _OFFSET.match(s)
    if not m:
        return None
    direction = m["dir"]
    if m["in"]:
        if m["in"] == "within" or direction:
            return None  # "within two days": a span
        direction = "from now"
    if direction is None:
        return None  # "two days", "10 years": a duration
    granularity = UNIT_GRANULARITY.get(m["unit"])
    if direction in ("earlier", "before", "later", "after"):
        return unresolved(granularity)  # relative to another date in the text
    n = number(m["n"])
    if n is None or granularity is None:
        return unresolved(None)  # "a few days ago", "two weeks ago"
    if ctx.anchor is None:
        return unresolved(granularity)
    return shifted(ctx.anchor, granularity, n if direction in ("from now", "hence") else -n)


# --------------------------------------------------------------------------- parts of a year

_QUARTERS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "final": 4}
_QUARTER = whole(
    r"(?P<rel>this|current|the\s+current|last|previous|the\s+previous|next|coming|the\s+coming)"
    r"\s+quarter"
    rf"|(?:the\s+)?(?P<q>{alt(_QUARTERS)}|last)\s+quarter(?:\s+of\s+(?P<rest>.+)|\s+(?P<y>\d{{4}}))?"
    r"|q(?P<qn>[1-4])(?:\s*-\s*|\s+|,\s*)?(?P<y2>\d{4})?"
)


def _quarter_year(anchor: dt.date, steps: int) -> Reading:
    """The year of the quarter `steps` quarters from the anchor's."""
    return (dt.date(shift_month(anchor.year, anchor.month, 3 * steps)[0], 1, 1), YEAR, RELATIVE)


def parse_quarter(s: str, ctx: Context) -> Reading | None:
    """A quarter, read as its year: "Q3 2026", "the first quarter of next year", "last quarter", "Q2"."""
    m = _QUARTER.match(s)
    if not m:
        return None
    if m["rel"]:
        return _quarter_year(ctx.anchor, SHIFTS.get(m["rel"].split()[-1], 0)) if ctx.anchor is not None else unresolved(YEAR)
    if m["q"] == "last":
        if not (m["rest"] or m["y"]) or s.startswith("last"):
            return None  # "last quarter" handled by rel; "last quarter 2025" unclear
        q = 4
    else:
        q = _QUARTERS.get(m["q"] or "", 0) or int(m["qn"])
    year = m["y"] or m["y2"]
    if year:
        return (dt.date(int(year), 1, 1), YEAR, EXPLICIT) if year_ok(int(year)) else None
    if m["rest"]:
        inner = ctx.parse(m["rest"], dataclasses.replace(ctx, modified=True))
        return inner if inner is not None and inner[1] == YEAR else None
    if ctx.anchor is None:
        return unresolved(YEAR)
    return _quarter_year(ctx.anchor, steps_to(q, (ctx.anchor.month - 1) // 3 + 1, 4, ctx.tense))


_SEASONS = ("spring", "summer", "autumn", "fall", "winter")
_SEASON = whole(rf"(?:(?P<rel>this|last|next|the\s+coming|coming|the\s+past|past)\s+|the\s+)?(?P<s>{alt(_SEASONS)})(?:\s+(?:of\s+)?(?P<rest>.+))?")


def parse_season(s: str, ctx: Context) -> Reading | None:
    """A season, read as its year: "summer 2025", "this summer"; winter straddles two years -> unresolved."""
    m = _SEASON.match(s)
    if not m:
        return None
    if m["rest"]:
        inner = None if m["rel"] else ctx.parse(m["rest"], ctx)
        if inner is None or inner[1] != YEAR:
            return None
        return unresolved(None) if m["s"] == "winter" else inner
    if m["rel"] == "this" and m["s"] != "winter":
        return (dt.date(ctx.anchor.year, 1, 1), YEAR, RELATIVE) if ctx.anchor is not None else unresolved(YEAR)
    return unresolved(None)
