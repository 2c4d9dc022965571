"""Resolve a date expression (as spaCy's NER gives it) against an article's publication date.

Pure functions, standard library only. The one entry point is :func:`resolve_date`; the parsers it
tries are in :mod:`flows.extract.absolute_dates` and :mod:`flows.extract.relative_dates`, the words
and regex pieces they share in :mod:`flows.extract.date_grammar`. This module holds the rules (below),
the normalising, the stripping of prepositions and modifiers, and ranges and appositions, which read
their parts with the whole grammar::

    resolve_date("on Monday", datetime.date(2025, 4, 8))
    -> ResolvedDate(value=date(2025, 4, 7), granularity="day", method="relative", text="on Monday")

The result maps onto the events table columns: ``value`` -> ``event_date``, ``text`` ->
``date_text``, ``granularity`` -> ``date_granularity``, ``method`` -> ``date_method``. A return
value of ``None`` means "this is not a date expression", i.e. ``date_method = "none"``.

Return values
=============
``None``
    The text is not a reference to a point or period in time: durations ("decades", "two-day",
    "10 years", "the past 10 years", "the past year", "the last few months", "the coming weeks"),
    frequencies ("annual", "every Monday"), vague words ("recently", "now", "soon"), and anything
    this module does not recognise. An unrecognised expression is reported as ``None`` rather
    than "unresolved" so that ``unresolved`` always means "a date we understood but could not pin".
``method="explicit"``
    The text itself fixes the calendar position: "April 8, 2025", "8 April 2025",
    "Tuesday, April 8, 2025" (the weekday is ignored, even if it contradicts the date),
    "2025-04-08", "August 2021", "2028", "early 2026", "the first quarter of 2026".
``method="relative"``
    Resolved against ``anchor`` (the publication date): weekdays, months or day+month without a
    year, today/yesterday/tomorrow, this/last/next month|year, "N days ago", quarters without a
    year, "July this year".
``method="unresolved"`` (``value`` is always ``None``)
    A date expression we understood but cannot pin to a value: a relative expression without an
    anchor (granularity is still the expression's own, e.g. "Monday" -> day, "July" -> month);
    a calendar-impossible date ("February 29, 2025", "April 31") -> granularity day; and
    expressions whose natural unit is not day/month/year -> granularity ``None``: weeks
    ("last week", "this week", "earlier this week", "the weekend", "two weeks ago"), decades and
    centuries ("the 1990s"), fiscal years ("FY2025-26", "fiscal 2025"), winter (it straddles two
    years), vague counts ("a few days ago"), ranges that span more than one calendar year
    ("2020-2025", "2025-26"), and discourse-relative expressions that depend on another date in
    the text rather than on the publication date ("the next day" -> day, "the following year" ->
    year, "two days later" -> day, "Monday last week" -> day).

Granularity and value
=====================
``value`` is the first day of the month (granularity "month") or of the year (granularity
"year"). Anything coarser than a month but inside one year is reported at year granularity, so
the value never claims more precision than the text has: quarters ("Q3 2026" -> 2026-01-01,
year), halves ("the first half of 2026"), seasons ("summer 2025", "this summer" -> year), and
"early/mid/late 2026". Modifiers never change the value: "mid-July" is July (month), "late
Monday" is that Monday (day), "the end of the year" is the year.

Ranges take the finest unit that contains both ends: "April 8-10, 2025" -> 2025-04-01 (month),
"April 30 - May 2, 2025" -> 2025-01-01 (year), "between March and May 2025" -> year,
"2020-2025" -> unresolved (granularity None). A range whose end resolves before its start is
unresolved (granularity None).

Leading prepositions are dropped and the date named is returned, not the event's relation to
it: "on Monday", "in July", "by 2028", "since 2020", "until March", "before Monday" all resolve
to the date they name. Trailing punctuation and a possessive "'s" are ignored.

Relative rules (``anchor`` given)
=================================
``tense`` is "past" (default), "present" (treated as "past") or "future"; anything else raises
``ValueError``. Tense only matters for expressions that name a weekday, a month, a day+month or
a quarter without saying which one.

Weekdays ("Monday", "on Monday", "Monday night", "late Monday", "this Monday"):
    past -> the most recent such weekday ON OR BEFORE the anchor (an article of Wednesday
    2025-12-10 saying "Wednesday" means 2025-12-10); future -> the next one ON OR AFTER it.
    "last Monday" / "this past Monday" -> strictly BEFORE the anchor, whatever the tense (on a
    Monday, "last Monday" is a week ago, not today). "next Monday" / "this coming Monday" /
    "coming Monday" -> strictly AFTER the anchor, whatever the tense. Granularity day.
Months ("July", "in July", "mid-July"):
    past -> the latest such month on or before the anchor's month (July in an article of
    2025-08-04 -> 2025-07-01; December in 2025-03-02 -> 2024-12-01; the anchor's own month ->
    that month); future -> the next one on or after the anchor's month. "last July" -> strictly
    before the anchor's month, "next July" -> strictly after, "this July" -> the anchor's year.
    "July this year" / "July last year" / "July next year" -> that month of anchor year +0/-1/+1.
    Granularity month.
Day + month without a year ("Sept. 17", "17 September", "Monday, April 7"):
    The year is chosen exactly as for the bare month (the comparison is by month, not by day, as
    specified: "Sept. 17" in a past-tense article of 2025-09-10 is 2025-09-17). When the chosen
    year lacks the day (Feb 29 outside a leap year) the search continues in the tense's direction
    to the nearest year that has it (past: back, future: forward). Granularity day.
today / tonight / this morning|afternoon|evening / earlier today -> anchor;
yesterday / last night -> anchor - 1; tomorrow -> anchor + 1; the day before yesterday -> - 2;
the day after tomorrow -> + 2. Granularity day.
this|current / last / next|coming|upcoming month, year ("this year", "the coming year",
"the current month", "earlier this month", "later this year", "the end of the year",
"earlier in the month") -> the anchor's month/year shifted by 0/-1/+1, granularity month/year.
"the next year", "the previous year", "the following month", "the same day", "that year" are
discourse-relative -> unresolved (see above). "the past year" / "the last year" are durations
-> None.
Quarters without a year ("the first quarter", "Q3", "this quarter", "last quarter",
"next quarter"): bare quarters follow the tense rule at quarter level (past: on or before the
anchor's quarter, future: on or after); this/last/next shift the anchor's quarter by 0/-1/+1.
The result is the quarter's year at year granularity. "the last quarter of 2025" is Q4.
Offsets: "N days ago" / "in N days" / "N days from now" -> anchor -/+ N days (day);
months -> month arithmetic (month); years -> year (year); weeks -> unresolved (granularity None).
N is digits, "a"/"an", "one".."twelve" or "a couple of"; "a few"/"several" -> unresolved.

Other choices
=============
* The real current date is never consulted; without an anchor every relative expression is
  unresolved.
* Years: a lone 4-digit year must be in 1900-2100 ("1899", "2500" -> None); a year inside a
  full date or month+year may be any 4-digit year from 1000 to 2999. Two-digit years are only
  understood as the end of a year range ("2025-26").
* Numeric dates: ISO "2025-04-08" (also with / or .); "DD/MM/YYYY" or "MM/DD/YYYY" only when
  unambiguous (one part > 12, or both parts equal); otherwise unresolved, granularity day.
* Month abbreviations with or without a dot, including "Sept"; weekday abbreviations (Mon, Tue,
  Tues, Wed, Thu, Thur, Thurs, Fri, Sat, Sun). A bare lowercase "may", "march" or "mar"
  (without day or year) is a verb, not a month -> None; capitalised "May" is a month.
* Season + year ("summer 2025") -> year, explicit; "this summer" -> anchor year, relative;
  winter, and last/next/bare seasons -> unresolved (granularity None).
* Holidays ("Christmas", "Eid"), bare days of the month ("the 8th"), times of day on their own
  and ISO weeks are not recognised -> None.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from flows.extract.absolute_dates import parse_numeric, parse_period, parse_written, parse_year
from flows.extract.date_grammar import DAY, EXPLICIT, MON, MONTH, ORD, RELATIVE, YEAR, Context, Reading, first_match, month_of, unresolved, whole
from flows.extract.relative_dates import parse_day_month, parse_day_word, parse_discourse, parse_month, parse_offset, parse_quarter, parse_season, parse_unit, parse_weekday, pick_year

__all__ = ["ResolvedDate", "resolve_date"]

_TENSES = {"past": "past", "present": "past", "future": "future"}


@dataclass(frozen=True)
class ResolvedDate:
    """A resolved date expression (one events-table date)."""

    value: dt.date | None  # first day of month/year for coarser granularity
    granularity: str | None  # "day" | "month" | "year" | None
    method: str  # "explicit" | "relative" | "unresolved"
    text: str  # the expression as given


# The first parser that reads the whole text wins, so the order is part of the rules ("2025-04-08" before ranges).
_PARSERS = (
    parse_numeric, parse_written, parse_day_month, parse_month, parse_year, parse_weekday, parse_day_word,
    parse_unit, parse_discourse, parse_offset, parse_quarter, parse_season, parse_period,
)

# Leading words removed one at a time when nothing matches the whole text.
_PREPOSITIONS = re.compile(
    r"^(?:as\s+of|back\s+in|sometime\s+in|some\s+time\s+in|as\s+early\s+as|as\s+late\s+as"
    r"|no\s+later\s+than|on|in|at|during|by|since|until|till|from|around|about|circa|c\."
    r"|through|throughout|over|before|after|starting|beginning|ending|of|for)\s+"
)
_MODIFIERS = re.compile(
    r"^(?:(?:the\s+)?(?:very\s+)?(?:end|beginning|start|middle|turn|close|first\s+half"
    r"|second\s+half|latter\s+half|latter\s+part|early\s+part|later\s+part|first\s+days"
    r"|last\s+days|closing\s+days|final\s+days|first\s+week|second\s+week|third\s+week"
    r"|last\s+week|final\s+week)\s+of\s+"
    r"|(?:earlier|later)\s+(?:in\s+)?"
    r"|(?:very\s+)?(?:mid-to-late|early-to-mid|early|late|mid)(?:\s+|-)"
    r"|h[12]\s+|end-|year-end\s+)"
)


def _read_whole(s: str, ctx: Context) -> Reading | None:
    """The reading of the first parser that reads all of `s`."""
    return next((r for r in (parser(s, ctx) for parser in _PARSERS) if r is not None), None)


def _parse(s: str, ctx: Context) -> Reading | None:
    """Parse normalised text, stripping leading prepositions/modifiers one at a time."""
    while s:
        r = _read_whole(s, ctx)
        if r is not None:
            return r
        m = _MODIFIERS.match(s)
        if m:
            ctx = dataclasses.replace(ctx, modified=True)
        else:
            m = _PREPOSITIONS.match(s)
        if not m:
            break
        s = s[m.end():]
    if not s:
        return None
    r = _parse_range(s, ctx)
    return r if r is not None else _parse_apposition(s, ctx)


# --------------------------------------------------------------------------- ranges and appositions

_DAY_RANGES = (
    whole(rf"(?P<mon>{MON})(?:\.\s*|\s+)(?P<d1>\d{{1,2}}){ORD}\s*(?:-|to|through|and)\s*(?P<d2>\d{{1,2}}){ORD}(?:,?\s+(?P<y>\d{{4}}))?"),
    whole(rf"(?P<d1>\d{{1,2}}){ORD}\s*(?:-|to|through|and)\s*(?P<d2>\d{{1,2}}){ORD}\s+(?P<mon>{MON})\.?(?:,?\s+(?P<y>\d{{4}}))?"),
)
_RANGE_SPLIT = re.compile(r"\s*(?:-|\bto\b|\bthrough\b|\buntil\b|\btill\b|\band\b)\s*")
_ORDER = {DAY: 0, MONTH: 1, YEAR: 2}


def _parse_day_range(m: re.Match[str], ctx: Context) -> Reading | None:
    """Days of one month ("April 8-10, 2025", "8-10 April"): the month, its year chosen as for the month alone."""
    if int(m["d1"]) >= int(m["d2"]):
        return unresolved(None)
    if m["y"]:
        return _parse(f"{m['mon']} {m['y']}", ctx)
    if ctx.anchor is None:
        return unresolved(MONTH)
    month = month_of(m["mon"])
    return (dt.date(pick_year(month, ctx.anchor, ctx.tense), month, 1), MONTH, RELATIVE)


def _parse_range(s: str, ctx: Context) -> Reading | None:
    """A range of two date expressions, read as the finest unit that holds both ends."""
    m = first_match(_DAY_RANGES, s)
    if m:
        return _parse_day_range(m, ctx)
    body = re.sub(r"^(?:between|from)\s+", "", s)
    for sep in _RANGE_SPLIT.finditer(body):
        left, right = body[: sep.start()], body[sep.end():]
        if not left or not right:
            continue
        if re.fullmatch(r"\d{2}", right) and re.fullmatch(r"\d{4}", left):
            right = left[:2] + right  # "2025-26"
        b = _parse(right, ctx)
        if b is None:
            continue
        a = _parse(left, ctx)
        # "April 30 - May 2, 2025" / "March and May 2025": the left end borrows the year
        ym = re.search(r"(\d{4})$", right)
        if ym and not re.search(r"\d{4}", left):
            a = _parse(f"{left} {ym.group(1)}", ctx) or a
        if a is None:
            continue
        return _combine(a, b)
    return None


def _combine(a: Reading, b: Reading) -> Reading:
    """The finest unit that contains both ends; unresolved when an end is, or the range runs backwards."""
    (va, ga, ma), (vb, gb, mb) = a, b
    if va is None or vb is None or ga is None or gb is None or vb < va:
        return unresolved(None)
    method = EXPLICIT if ma == mb == EXPLICIT else RELATIVE
    coarsest = max(_ORDER[ga], _ORDER[gb])
    if coarsest == 0 and va == vb:
        return (va, DAY, method)
    if coarsest <= 1 and (va.year, va.month) == (vb.year, vb.month):
        return (va.replace(day=1), MONTH, method)
    if va.year == vb.year:
        return (va.replace(month=1, day=1), YEAR, method)
    return unresolved(None)


def _parse_apposition(s: str, ctx: Context) -> Reading | None:
    """"today, April 8, 2025": two readings of one date; the one with a value wins,
    explicit before relative, then the finer granularity."""
    best: Reading | None = None
    for sep in re.finditer(r", ", s):
        a, b = _parse(s[: sep.start()], ctx), _parse(s[sep.end():], ctx)
        if a is None or b is None:
            continue
        for r in (a, b):
            if best is None or _rank(r) < _rank(best):
                best = r
    return best


def _rank(r: Reading) -> tuple[int, int, int]:
    value, gran, method = r
    return (value is None, method != EXPLICIT, _ORDER.get(gran, 3))


# --------------------------------------------------------------------------- the entry point


def _normalise(text: str) -> str:
    s = text.replace("\u00a0", " ")
    s = re.sub(r"[\u2010-\u2015\u2212]", "-", s)
    s = re.sub(r"[\u2018\u2019\u02bc]", "'", s)
    s = s.lower().strip()
    s = re.sub(r"^[\s\"'(\[]+|[\s\"')\].,;:!?]+$", "", s)
    s = re.sub(r"'s$", "", s)
    s = re.sub(r"\s*,\s*", ", ", s)
    s = re.sub(r"\s*-\s*(?=\d)|(?<=\d)\s*-\s*", "-", s)  # "8 - 10" -> "8-10"
    return re.sub(r"\s+", " ", s)


def resolve_date(
    text: str, anchor: dt.date | None, *, tense: str = "past"
) -> ResolvedDate | None:
    """Resolve a date expression against the publication date ``anchor``.

    Returns ``None`` when ``text`` is not a date expression (see the module docstring for the
    rules). ``tense`` ("past", "present" or "future") decides which occurrence a weekday, month
    or day+month without a year refers to.
    """
    if tense not in _TENSES:
        raise ValueError(f"tense must be one of {sorted(_TENSES)}, got {tense!r}")
    if not isinstance(text, str):
        return None
    if isinstance(anchor, dt.datetime):
        anchor = anchor.date()
    bracket = re.fullmatch(r"\s*([^()]+?)\s*\(([^()]+)\)?\s*", text)
    if bracket:  # "Tuesday (October 28, 2025)": the bracketed form says which Tuesday
        readings = [resolve_date(part, anchor, tense=tense) for part in (bracket.group(2), bracket.group(1))]
        best = next((r for r in readings if r is not None and r.value is not None), None) or next((r for r in readings if r is not None), None)
        return best and ResolvedDate(value=best.value, granularity=best.granularity, method=best.method, text=text)
    s = _normalise(text)
    if not s:
        return None
    r = _parse(s, Context(anchor, _TENSES[tense], text, parse=_parse))
    if r is None:
        return None
    value, granularity, method = r
    return ResolvedDate(value=value, granularity=granularity, method=method, text=text)
