"""Resolve a date expression (as spaCy's NER gives it) against an article's publication date.

Pure functions, standard library only. The one entry point is :func:`resolve_date`::

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

import calendar
import datetime as dt
import re
from dataclasses import dataclass

__all__ = ["ResolvedDate", "resolve_date"]

DAY, MONTH, YEAR = "day", "month", "year"
EXPLICIT, RELATIVE, UNRESOLVED = "explicit", "relative", "unresolved"
_TENSES = {"past": "past", "present": "past", "future": "future"}


@dataclass(frozen=True)
class ResolvedDate:
    """A resolved date expression (one events-table date)."""

    value: dt.date | None  # first day of month/year for coarser granularity
    granularity: str | None  # "day" | "month" | "year" | None
    method: str  # "explicit" | "relative" | "unresolved"
    text: str  # the expression as given


# Internal result: (value, granularity, method), "text" is added by resolve_date.
_R = tuple  # (dt.date | None, str | None, str)

# --------------------------------------------------------------------------- vocabulary

_MONTHS: dict[str, int] = {}
for _i, _name in enumerate(calendar.month_name):
    if _i:
        _MONTHS[_name.lower()] = _i
        _MONTHS[_name.lower()[:3]] = _i
_MONTHS["sept"] = 9

_WEEKDAYS: dict[str, int] = {}
for _i, _name in enumerate(calendar.day_name):
    _WEEKDAYS[_name.lower()] = _i
    _WEEKDAYS[_name.lower()[:3]] = _i
_WEEKDAYS.update({"tues": 1, "thur": 3, "thurs": 3})

_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "a couple of": 2, "a couple": 2, "couple of": 2,
}
_VAGUE_NUMBERS = ("a few", "few", "several", "some", "many")

_QUARTERS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
             "fourth": 4, "4th": 4, "final": 4}
_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}

_AMBIGUOUS_MONTHS = {"may", "march", "mar"}  # also verbs


def _alt(words) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_MON = rf"(?:{_alt(_MONTHS)})"
_WD = rf"(?:{_alt(_WEEKDAYS)})"
_WD_OPT = rf"(?:{_WD}\.?,?\s+)?"  # an optional leading weekday, ignored
_ORD = r"(?:st|nd|rd|th)?"
_NUM = rf"(?:\d+|{_alt(_NUMBERS)})"
_TOD = r"(?:\s+(?:morning|afternoon|evening|night))?"  # trailing time of day
_YEAR_REL = r"(?P<yrel>this|last|next)\s+year"


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"^(?:{pattern})$")


# --------------------------------------------------------------------------- helpers


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _shift_month(y: int, m: int, n: int) -> tuple[int, int]:
    idx = y * 12 + (m - 1) + n
    return idx // 12, idx % 12 + 1


def _month_of(s: str) -> int:
    return _MONTHS[s.rstrip(".")]


def _year_ok(y: int, lone: bool = False) -> bool:
    return 1900 <= y <= 2100 if lone else 1000 <= y <= 2999


def _unresolved(gran: str | None) -> _R:
    return (None, gran, UNRESOLVED)


def _pick_year(month: int, anchor: dt.date, mode: str) -> int:
    """Year for a month named without one. mode: past|future|last|next|this."""
    a = anchor.month
    if mode == "past":
        return anchor.year if month <= a else anchor.year - 1
    if mode == "future":
        return anchor.year if month >= a else anchor.year + 1
    if mode == "last":
        return anchor.year if month < a else anchor.year - 1
    if mode == "next":
        return anchor.year if month > a else anchor.year + 1
    return anchor.year  # this


def _weekday(wd: int, anchor: dt.date, mode: str) -> dt.date:
    a = anchor.weekday()
    if mode == "past":
        return anchor - dt.timedelta(days=(a - wd) % 7)
    if mode == "future":
        return anchor + dt.timedelta(days=(wd - a) % 7)
    if mode == "last":
        return anchor - dt.timedelta(days=(a - wd) % 7 or 7)
    return anchor + dt.timedelta(days=(wd - a) % 7 or 7)  # next


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _NUMBERS.get(word)


# --------------------------------------------------------------------------- parsers
# Each parser gets the normalised text (lowercase, single spaces) and returns an internal
# result, or None when it does not apply. ``ctx`` carries anchor, tense, the original text
# and whether a modifier ("end of", "earlier in") was stripped.


@dataclass(frozen=True)
class _Ctx:
    anchor: dt.date | None
    tense: str
    original: str
    modified: bool = False


_ISO = _c(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})")
_NUMERIC = _c(r"(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})")


def _p_numeric(s: str, ctx: _Ctx) -> _R | None:
    m = _ISO.match(s)
    if m:
        v = _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
        return (v, DAY, EXPLICIT) if v else _unresolved(DAY)
    m = _NUMERIC.match(s)
    if m:
        a, b, y = int(m["a"]), int(m["b"]), int(m["y"])
        if a == b or a > 12 or b > 12:
            day, month = (a, b) if a > 12 or a == b else (b, a)
            v = _safe_date(y, month, day)
            return (v, DAY, EXPLICIT) if v else _unresolved(DAY)
        return _unresolved(DAY)
    return None


_FULL_MDY = _c(
    rf"{_WD_OPT}(?:the\s+)?(?P<mon>{_MON})(?:\.\s*|\s+)(?:the\s+)?(?P<d>\d{{1,2}}){_ORD}"
    rf"(?:,\s*|\s+)(?:of\s+)?(?P<y>\d{{4}})"
)
_FULL_DMY = _c(
    rf"{_WD_OPT}(?:the\s+)?(?P<d>\d{{1,2}}){_ORD}(?:\s+of)?\s+(?P<mon>{_MON})\.?,?\s+"
    rf"(?:of\s+)?(?P<y>\d{{4}})"
)
_MONTH_YEAR = _c(rf"(?P<mon>{_MON})\.?,?\s+(?:of\s+)?(?P<y>\d{{4}})")


def _p_explicit(s: str, ctx: _Ctx) -> _R | None:
    for pat in (_FULL_MDY, _FULL_DMY):
        m = pat.match(s)
        if m:
            y = int(m["y"])
            if not _year_ok(y):
                return None
            v = _safe_date(y, _month_of(m["mon"]), int(m["d"]))
            return (v, DAY, EXPLICIT) if v else _unresolved(DAY)
    m = _MONTH_YEAR.match(s)
    if m:
        y = int(m["y"])
        if not _year_ok(y):
            return None
        return (dt.date(y, _month_of(m["mon"]), 1), MONTH, EXPLICIT)
    return None


_DAY_MONTH = [
    _c(rf"{_WD_OPT}(?:the\s+)?(?P<mon>{_MON})(?:\.\s*|\s+)(?:the\s+)?(?P<d>\d{{1,2}}){_ORD}"
       rf"(?:,?\s+{_YEAR_REL})?"),
    _c(rf"{_WD_OPT}(?:the\s+)?(?P<d>\d{{1,2}}){_ORD}(?:\s+of)?\s+(?P<mon>{_MON})\.?"
       rf"(?:,?\s+{_YEAR_REL})?"),
]


def _p_day_month(s: str, ctx: _Ctx) -> _R | None:
    for pat in _DAY_MONTH:
        m = pat.match(s)
        if not m:
            continue
        month, day = _month_of(m["mon"]), int(m["d"])
        if day < 1 or day > calendar.monthrange(2024, month)[1]:  # 2024: leap year
            return _unresolved(DAY)
        if ctx.anchor is None:
            return _unresolved(DAY)
        if m["yrel"]:
            y = ctx.anchor.year + {"this": 0, "last": -1, "next": 1}[m["yrel"]]
            v = _safe_date(y, month, day)
            return (v, DAY, RELATIVE) if v else _unresolved(DAY)
        y = _pick_year(month, ctx.anchor, ctx.tense)
        step = 1 if ctx.tense == "future" else -1
        for _ in range(8):  # Feb 29: at most 8 years to the next leap year
            v = _safe_date(y, month, day)
            if v:
                return (v, DAY, RELATIVE)
            y += step
        return _unresolved(DAY)  # pragma: no cover - unreachable for valid month/day
    return None


_MONTH_ALONE = _c(
    rf"(?:(?P<rel>this\s+past|this\s+coming|this|last|next|past|coming)\s+)?"
    rf"(?P<mon>{_MON})\.?(?:,?\s+(?:of\s+)?{_YEAR_REL})?"
)


def _p_month(s: str, ctx: _Ctx) -> _R | None:
    m = _MONTH_ALONE.match(s)
    if not m:
        return None
    word = m["mon"]
    if word in _AMBIGUOUS_MONTHS and not m["yrel"] and not m["rel"]:
        # a bare "may"/"march": a month only when capitalised in the original text
        if not re.search(rf"\b{word[0].upper()}{word[1:]}\b|\b{word.upper()}\b", ctx.original):
            return None
    month = _month_of(word)
    if ctx.anchor is None:
        return _unresolved(MONTH)
    if m["yrel"]:
        y = ctx.anchor.year + {"this": 0, "last": -1, "next": 1}[m["yrel"]]
        return (dt.date(y, month, 1), MONTH, RELATIVE)
    rel = (m["rel"] or "").split()
    if not rel:
        mode = ctx.tense
    elif rel[-1] == "past" or rel == ["last"]:
        mode = "last"
    elif rel[-1] in ("coming", "next"):
        mode = "next"
    else:
        mode = "this"
    return (dt.date(_pick_year(month, ctx.anchor, mode), month, 1), MONTH, RELATIVE)


_LONE_YEAR = _c(r"(?:the\s+)?(?:year\s+)?(?P<y>\d{4})")


def _p_year(s: str, ctx: _Ctx) -> _R | None:
    m = _LONE_YEAR.match(s)
    if m and _year_ok(int(m["y"]), lone=True):
        return (dt.date(int(m["y"]), 1, 1), YEAR, EXPLICIT)
    return None


_WEEKDAY = _c(
    rf"(?:(?P<rel>this\s+past|this\s+coming|this|last|next|past|coming)\s+)?"
    rf"(?P<wd>{_WD})\.?{_TOD}(?P<week>\s+(?:this|last|next)\s+week)?"
)


def _p_weekday(s: str, ctx: _Ctx) -> _R | None:
    m = _WEEKDAY.match(s)
    if not m:
        return None
    if m["week"]:  # "Monday last week": needs a week convention -> not resolved
        return _unresolved(DAY)
    if ctx.anchor is None:
        return _unresolved(DAY)
    rel = (m["rel"] or "").split()
    if not rel or rel == ["this"]:
        mode = ctx.tense
    elif rel[-1] in ("past", "last"):
        mode = "last"
    else:
        mode = "next"
    return (_weekday(_WEEKDAYS[m["wd"]], ctx.anchor, mode), DAY, RELATIVE)


_DAY_WORDS = _c(
    r"(?P<w>today|tonight|this\s+(?:morning|afternoon|evening)|yesterday|last\s+night|tomorrow"
    r"|the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow)"
    r"(?:\s+(?:morning|afternoon|evening|night))?"
)
_DAY_OFFSETS = {"yesterday": -1, "last night": -1, "tomorrow": 1,
                "the day before yesterday": -2, "the day after tomorrow": 2}


def _p_day_words(s: str, ctx: _Ctx) -> _R | None:
    m = _DAY_WORDS.match(s)
    if not m:
        return None
    if ctx.anchor is None:
        return _unresolved(DAY)
    w = " ".join(m["w"].split())
    return (ctx.anchor + dt.timedelta(days=_DAY_OFFSETS.get(w, 0)), DAY, RELATIVE)


_REL_UNIT = _c(
    r"(?P<rel>this|current|the\s+current|present|the\s+present|last|next|coming|the\s+coming"
    r"|upcoming|the\s+upcoming|this\s+coming)\s+(?P<unit>week|weekend|month|year)"
    r"|(?P<the>the)\s+(?P<unit2>day|week|month|year)"
    r"|(?:the\s+)?weekend"
)


def _p_rel_unit(s: str, ctx: _Ctx) -> _R | None:
    m = _REL_UNIT.match(s)
    if not m:
        return None
    if m["the"]:  # "the year"/"the month": only after a modifier ("the end of the year")
        if not ctx.modified:
            return None
        unit, shift = m["unit2"], 0
        if unit == DAY:
            return _unresolved(DAY)  # "earlier in the day": the day under discussion
    elif m["unit"] is None:
        return _unresolved(None)  # "the weekend"
    else:
        unit = m["unit"]
        rel = m["rel"].split()[-1]
        shift = {"last": -1, "next": 1, "coming": 1, "upcoming": 1}.get(rel, 0)
    if unit in ("week", "weekend"):
        return _unresolved(None)
    if ctx.anchor is None:
        return _unresolved(unit)
    if unit == MONTH:
        y, mo = _shift_month(ctx.anchor.year, ctx.anchor.month, shift)
        return (dt.date(y, mo, 1), MONTH, RELATIVE)
    return (dt.date(ctx.anchor.year + shift, 1, 1), YEAR, RELATIVE)


_DISCOURSE = _c(
    r"the\s+(?:same|previous|following|next|preceding|prior)\s+(?P<u1>day|week|month|year)"
    r"|(?:that|that\s+same)\s+(?P<u2>day|week|month|year)"
    r"|the\s+(?P<u3>day|week|month|year)\s+(?:before|after|prior)"
)


def _p_discourse(s: str, ctx: _Ctx) -> _R | None:
    m = _DISCOURSE.match(s)
    if not m:
        return None
    unit = m["u1"] or m["u2"] or m["u3"]
    return _unresolved(None if unit == "week" else unit)


_OFFSET = _c(
    rf"(?:(?P<in>in|within)\s+)?(?P<n>{_NUM}|{_alt(_VAGUE_NUMBERS)})\s+"
    r"(?P<unit>day|week|month|year|decade)s?"
    r"(?:\s+(?P<dir>ago|earlier|before|later|after|from\s+now|hence|back))?"
)


def _p_offset(s: str, ctx: _Ctx) -> _R | None:
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
    unit = m["unit"]
    gran = None if unit in ("week", "decade") else unit
    if direction in ("earlier", "before", "later", "after"):
        return _unresolved(gran)  # relative to another date in the text
    n = _number(m["n"])
    if n is None or gran is None:
        return _unresolved(None)  # "a few days ago", "two weeks ago"
    if ctx.anchor is None:
        return _unresolved(gran)
    sign = 1 if direction in ("from now", "hence") else -1
    a = ctx.anchor
    if unit == DAY:
        return (a + dt.timedelta(days=sign * n), DAY, RELATIVE)
    if unit == MONTH:
        y, mo = _shift_month(a.year, a.month, sign * n)
        return (dt.date(y, mo, 1), MONTH, RELATIVE)
    return (dt.date(a.year + sign * n, 1, 1), YEAR, RELATIVE)


_QUARTER = _c(
    r"(?P<rel>this|current|the\s+current|last|previous|the\s+previous|next|coming|the\s+coming)"
    r"\s+quarter"
    rf"|(?:the\s+)?(?P<q>{_alt(_QUARTERS)}|last)\s+quarter(?:\s+of\s+(?P<rest>.+)|\s+(?P<y>\d{{4}}))?"
    r"|q(?P<qn>[1-4])(?:\s*-\s*|\s+|,\s*)?(?P<y2>\d{4})?"
)


def _p_quarter(s: str, ctx: _Ctx) -> _R | None:
    m = _QUARTER.match(s)
    if not m:
        return None
    if m["rel"]:
        if ctx.anchor is None:
            return _unresolved(YEAR)
        shift = {"last": -1, "previous": -1, "next": 1, "coming": 1}.get(m["rel"].split()[-1], 0)
        y, _ = _shift_month(ctx.anchor.year, ctx.anchor.month, 3 * shift)
        return (dt.date(y, 1, 1), YEAR, RELATIVE)
    if m["q"] == "last":
        if not (m["rest"] or m["y"]) or s.startswith("last"):
            return None  # "last quarter" handled by rel; "last quarter 2025" unclear
        q = 4
    else:
        q = _QUARTERS.get(m["q"] or "", 0) or int(m["qn"])
    year = m["y"] or m["y2"]
    if year:
        return (dt.date(int(year), 1, 1), YEAR, EXPLICIT) if _year_ok(int(year)) else None
    if m["rest"]:
        inner = _parse(m["rest"], _Ctx(ctx.anchor, ctx.tense, ctx.original, modified=True))
        if inner is None or inner[1] != YEAR:
            return None
        return inner
    if ctx.anchor is None:
        return _unresolved(YEAR)
    aq = (ctx.anchor.month - 1) // 3 + 1
    if ctx.tense == "future":
        y = ctx.anchor.year if q >= aq else ctx.anchor.year + 1
    else:
        y = ctx.anchor.year if q <= aq else ctx.anchor.year - 1
    return (dt.date(y, 1, 1), YEAR, RELATIVE)


_SEASON = _c(
    rf"(?:(?P<rel>this|last|next|the\s+coming|coming|the\s+past|past)\s+|the\s+)?"
    rf"(?P<s>{_alt(_SEASONS)})"
    rf"(?:\s+(?:of\s+)?(?P<rest>.+))?"
)


def _p_season(s: str, ctx: _Ctx) -> _R | None:
    m = _SEASON.match(s)
    if not m:
        return None
    if m["rest"]:
        if m["rel"]:
            return None
        inner = _parse(m["rest"], ctx)
        if inner is None or inner[1] != YEAR:
            return None
        return _unresolved(None) if m["s"] == "winter" else inner
    if m["rel"] == "this" and m["s"] != "winter":
        if ctx.anchor is None:
            return _unresolved(YEAR)
        return (dt.date(ctx.anchor.year, 1, 1), YEAR, RELATIVE)
    return _unresolved(None)


_DECADE = _c(r"(?:the\s+)?(?:\d{3}0|'\d0|\d0)s|(?:the\s+)?\w+(?:st|nd|rd|th)\s+century")
_FISCAL = re.compile(r"\bfiscal\b|^fy\s*'?\d")


def _p_period(s: str, ctx: _Ctx) -> _R | None:
    if _DECADE.match(s) or _FISCAL.search(s):
        return _unresolved(None)
    return None


_DAY_RANGE = [
    _c(rf"(?P<mon>{_MON})(?:\.\s*|\s+)(?P<d1>\d{{1,2}}){_ORD}\s*(?:-|to|through|and)\s*"
       rf"(?P<d2>\d{{1,2}}){_ORD}(?:,?\s+(?P<y>\d{{4}}))?"),
    _c(rf"(?P<d1>\d{{1,2}}){_ORD}\s*(?:-|to|through|and)\s*(?P<d2>\d{{1,2}}){_ORD}\s+"
       rf"(?P<mon>{_MON})\.?(?:,?\s+(?P<y>\d{{4}}))?"),
]
_RANGE_SPLIT = re.compile(r"\s*(?:-|\bto\b|\bthrough\b|\buntil\b|\btill\b|\band\b)\s*")


def _p_range(s: str, ctx: _Ctx) -> _R | None:
    for pat in _DAY_RANGE:
        m = pat.match(s)
        if m:
            d1, d2 = int(m["d1"]), int(m["d2"])
            if d1 >= d2:
                return _unresolved(None)
            if m["y"]:
                return _parse(f"{m['mon']} {m['y']}", ctx)
            if ctx.anchor is None:
                return _unresolved(MONTH)
            month = _month_of(m["mon"])
            return (dt.date(_pick_year(month, ctx.anchor, ctx.tense), month, 1), MONTH, RELATIVE)
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


_ORDER = {DAY: 0, MONTH: 1, YEAR: 2}


def _combine(a: _R, b: _R) -> _R:
    (va, ga, ma), (vb, gb, mb) = a, b
    if va is None or vb is None or ga is None or gb is None or vb < va:
        return _unresolved(None)
    method = EXPLICIT if ma == mb == EXPLICIT else RELATIVE
    coarsest = max(_ORDER[ga], _ORDER[gb])
    if coarsest == 0 and va == vb:
        return (va, DAY, method)
    if coarsest <= 1 and (va.year, va.month) == (vb.year, vb.month):
        return (va.replace(day=1), MONTH, method)
    if va.year == vb.year:
        return (va.replace(month=1, day=1), YEAR, method)
    return _unresolved(None)


_PARSERS = (
    _p_numeric, _p_explicit, _p_day_month, _p_month, _p_year, _p_weekday, _p_day_words,
    _p_rel_unit, _p_discourse, _p_offset, _p_quarter, _p_season, _p_period,
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


def _core(s: str, ctx: _Ctx) -> _R | None:
    for parser in _PARSERS:
        r = parser(s, ctx)
        if r is not None:
            return r
    return None


def _parse(s: str, ctx: _Ctx) -> _R | None:
    """Parse normalised text, stripping leading prepositions/modifiers one at a time."""
    while s:
        r = _core(s, ctx)
        if r is not None:
            return r
        m = _MODIFIERS.match(s)
        if m:
            ctx = _Ctx(ctx.anchor, ctx.tense, ctx.original, modified=True)
        else:
            m = _PREPOSITIONS.match(s)
        if not m:
            break
        s = s[m.end():]
    if not s:
        return None
    r = _p_range(s, ctx)
    return r if r is not None else _p_apposition(s, ctx)


def _p_apposition(s: str, ctx: _Ctx) -> _R | None:
    """"today, April 8, 2025": two readings of one date; the one with a value wins,
    explicit before relative, then the finer granularity."""
    best: _R | None = None
    for sep in re.finditer(r", ", s):
        a, b = _parse(s[: sep.start()], ctx), _parse(s[sep.end():], ctx)
        if a is None or b is None:
            continue
        for r in (a, b):
            if best is None or _rank(r) < _rank(best):
                best = r
    return best


def _rank(r: _R) -> tuple[int, int, int]:
    value, gran, method = r
    return (value is None, method != EXPLICIT, _ORDER.get(gran, 3))


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
    s = _normalise(text)
    if not s:
        return None
    r = _parse(s, _Ctx(anchor, _TENSES[tense], text))
    if r is None:
        return None
    value, granularity, method = r
    return ResolvedDate(value=value, granularity=granularity, method=method, text=text)
