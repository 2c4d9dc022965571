"""Tests for flows.extract.dates.resolve_date (rules in the flows/extract/dates.py module docstring)."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt

import pytest

from flows.extract.dates import ResolvedDate, resolve_date

D = dt.date
EXP, REL, UNR = "explicit", "relative", "unresolved"

# Weekday anchors used below (checked in test_anchor_weekdays):
TUE_0408 = D(2025, 4, 8)  # Tuesday
WED_1210 = D(2025, 12, 10)  # Wednesday
SUN_0413 = D(2025, 4, 13)  # Sunday
THU_0102 = D(2025, 1, 2)  # Thursday


def test_anchor_weekdays():
    assert [d.strftime("%A") for d in (TUE_0408, WED_1210, SUN_0413, THU_0102)] == [
        "Tuesday", "Wednesday", "Sunday", "Thursday"]


def check(text, anchor, expected, tense="past"):
    got = resolve_date(text, anchor, tense=tense)
    if expected is None:
        assert got is None
        return
    value, granularity, method = expected
    assert got == ResolvedDate(value=value, granularity=granularity, method=method, text=text)


def cases(section, rows, *, tense="past", expected=lambda value: value):
    """Table rows as (text, anchor, tense, expected) params; `tense` for tables without that column,
    `expected` for tables that give only the value."""
    rows = [row if len(row) == 4 else (row[0], row[1], tense, row[2]) for row in rows]
    return [pytest.param(text, anchor, tns, expected(exp), id=f"{section}:{text}@{anchor}:{tns}")
            for text, anchor, tns, exp in rows]


# --------------------------------------------------------------------------- explicit

EXPLICIT = [
    ("April 8, 2025", (D(2025, 4, 8), "day", EXP)),
    ("8 April 2025", (D(2025, 4, 8), "day", EXP)),
    ("June 12, 2025", (D(2025, 6, 12), "day", EXP)),
    ("June 12 2025", (D(2025, 6, 12), "day", EXP)),
    ("15 August, 1947", (D(1947, 8, 15), "day", EXP)),
    ("August 15, 1947", (D(1947, 8, 15), "day", EXP)),
    ("on April 8, 2025", (D(2025, 4, 8), "day", EXP)),
    ("Tuesday, April 8, 2025", (D(2025, 4, 8), "day", EXP)),
    ("Tuesday 8 April 2025", (D(2025, 4, 8), "day", EXP)),
    ("Monday, April 8, 2025", (D(2025, 4, 8), "day", EXP)),  # wrong weekday is ignored
    ("Sept. 17, 2025", (D(2025, 9, 17), "day", EXP)),
    ("Sept 17, 2025", (D(2025, 9, 17), "day", EXP)),
    ("Sep 17 2025", (D(2025, 9, 17), "day", EXP)),
    ("17 Sept. 2025", (D(2025, 9, 17), "day", EXP)),
    ("Jan. 3, 2026", (D(2026, 1, 3), "day", EXP)),
    ("3rd January 2026", (D(2026, 1, 3), "day", EXP)),
    ("the 8th of April 2025", (D(2025, 4, 8), "day", EXP)),
    ("April 8th, 2025", (D(2025, 4, 8), "day", EXP)),
    ("April 8 , 2025.", (D(2025, 4, 8), "day", EXP)),
    ("today, April 8, 2025", (D(2025, 4, 8), "day", EXP)),
    ("2025-04-08", (D(2025, 4, 8), "day", EXP)),
    ("2025/4/8", (D(2025, 4, 8), "day", EXP)),
    ("13/04/2025", (D(2025, 4, 13), "day", EXP)),
    ("4/13/2025", (D(2025, 4, 13), "day", EXP)),
    ("04/05/2025", (None, "day", UNR)),  # 4 May or 5 April: ambiguous
    ("August 2021", (D(2021, 8, 1), "month", EXP)),
    ("in August 2021", (D(2021, 8, 1), "month", EXP)),
    ("Aug. 2021", (D(2021, 8, 1), "month", EXP)),
    ("August, 2021", (D(2021, 8, 1), "month", EXP)),
    ("August of 2021", (D(2021, 8, 1), "month", EXP)),
    ("2028", (D(2028, 1, 1), "year", EXP)),
    ("in 2028", (D(2028, 1, 1), "year", EXP)),
    ("by 2028", (D(2028, 1, 1), "year", EXP)),
    ("the year 2028", (D(2028, 1, 1), "year", EXP)),
    ("1900", (D(1900, 1, 1), "year", EXP)),
    ("2100", (D(2100, 1, 1), "year", EXP)),
    ("1899", None),
    ("2101", None),
    ("early 2026", (D(2026, 1, 1), "year", EXP)),
    ("late 2026", (D(2026, 1, 1), "year", EXP)),
    ("mid-2026", (D(2026, 1, 1), "year", EXP)),
    ("the end of 2025", (D(2025, 1, 1), "year", EXP)),
    ("the first quarter of 2026", (D(2026, 1, 1), "year", EXP)),
    ("the third quarter of 2026", (D(2026, 1, 1), "year", EXP)),
    ("the last quarter of 2025", (D(2025, 1, 1), "year", EXP)),
    ("Q3 2026", (D(2026, 1, 1), "year", EXP)),
    ("the first half of 2026", (D(2026, 1, 1), "year", EXP)),
    ("H2 2026", (D(2026, 1, 1), "year", EXP)),
    ("summer 2025", (D(2025, 1, 1), "year", EXP)),
    ("the summer of 2025", (D(2025, 1, 1), "year", EXP)),
    ("early July 2025", (D(2025, 7, 1), "month", EXP)),
    ("mid-April 2025", (D(2025, 4, 1), "month", EXP)),
]


@pytest.mark.parametrize("text,expected", EXPLICIT, ids=[c[0] for c in EXPLICIT])
@pytest.mark.parametrize("anchor", [None, D(2030, 6, 15)], ids=["no-anchor", "anchor"])
def test_explicit_does_not_depend_on_anchor(text, expected, anchor):
    check(text, anchor, expected)
    check(text, anchor, expected, tense="future")


# --------------------------------------------------------------------------- weekdays

WEEKDAYS = [
    # past tense: most recent ON OR BEFORE the anchor
    ("Wednesday", WED_1210, "past", D(2025, 12, 10)),  # written on the same weekday
    ("on Monday", TUE_0408, "past", D(2025, 4, 7)),  # the day after
    ("Monday", SUN_0413, "past", D(2025, 4, 7)),  # six days after
    ("Saturday", SUN_0413, "past", D(2025, 4, 12)),
    ("Tuesday", SUN_0413, "past", D(2025, 4, 8)),
    ("Friday", THU_0102, "past", D(2024, 12, 27)),  # across the year boundary
    ("on Saturday", D(2025, 3, 1), "past", D(2025, 3, 1)),  # 2025-03-01 is a Saturday
    ("Friday", D(2025, 3, 1), "past", D(2025, 2, 28)),
    ("Thursday", D(2024, 3, 1), "past", D(2024, 2, 29)),  # leap day
    ("Monday night", TUE_0408, "past", D(2025, 4, 7)),
    ("late Monday", TUE_0408, "past", D(2025, 4, 7)),
    ("Saturday's", SUN_0413, "past", D(2025, 4, 12)),
    ("Wed.", WED_1210, "past", D(2025, 12, 10)),
    ("Thurs", WED_1210, "past", D(2025, 12, 4)),
    ("this Monday", TUE_0408, "past", D(2025, 4, 7)),
    ("Monday", TUE_0408, "present", D(2025, 4, 7)),
    # future tense: next ON OR AFTER the anchor
    ("Wednesday", WED_1210, "future", D(2025, 12, 10)),
    ("Monday", SUN_0413, "future", D(2025, 4, 14)),  # the day before
    ("Monday", TUE_0408, "future", D(2025, 4, 14)),  # six days before
    ("Thursday", D(2025, 12, 26), "future", D(2026, 1, 1)),  # across the year boundary
    ("this Monday", TUE_0408, "future", D(2025, 4, 14)),
    # last/next: strictly before/after, whatever the tense
    ("last Monday", D(2025, 4, 7), "past", D(2025, 3, 31)),
    ("last Monday", D(2025, 4, 7), "future", D(2025, 3, 31)),
    ("last Monday", TUE_0408, "past", D(2025, 4, 7)),
    ("this past Monday", D(2025, 4, 7), "past", D(2025, 3, 31)),
    ("next Monday", D(2025, 4, 7), "past", D(2025, 4, 14)),
    ("next Monday", D(2025, 4, 7), "future", D(2025, 4, 14)),
    ("next Monday", SUN_0413, "past", D(2025, 4, 14)),
    ("this coming Monday", D(2025, 4, 7), "past", D(2025, 4, 14)),
]


# --------------------------------------------------------------------------- months/day+month without a year

MONTHS = [
    ("July", D(2025, 8, 4), "past", (D(2025, 7, 1), "month", REL)),
    ("in July", D(2025, 8, 4), "past", (D(2025, 7, 1), "month", REL)),
    ("mid-July", D(2025, 8, 4), "past", (D(2025, 7, 1), "month", REL)),
    ("back in July", D(2025, 8, 4), "past", (D(2025, 7, 1), "month", REL)),
    ("July", D(2025, 7, 31), "past", (D(2025, 7, 1), "month", REL)),  # same month
    ("July", D(2025, 7, 1), "future", (D(2025, 7, 1), "month", REL)),  # same month
    ("September", D(2025, 8, 4), "past", (D(2024, 9, 1), "month", REL)),
    ("December", D(2025, 3, 2), "past", (D(2024, 12, 1), "month", REL)),  # year rollover
    ("January", D(2025, 12, 20), "future", (D(2026, 1, 1), "month", REL)),  # year rollover
    ("July", D(2025, 8, 4), "future", (D(2026, 7, 1), "month", REL)),
    ("September", D(2025, 8, 4), "future", (D(2025, 9, 1), "month", REL)),
    ("May", D(2025, 6, 1), "past", (D(2025, 5, 1), "month", REL)),
    ("the May", D(2025, 6, 1), "past", None),
    ("last July", D(2025, 7, 15), "past", (D(2024, 7, 1), "month", REL)),
    ("last July", D(2025, 8, 4), "past", (D(2025, 7, 1), "month", REL)),
    ("next July", D(2025, 7, 15), "past", (D(2026, 7, 1), "month", REL)),
    ("next July", D(2025, 6, 15), "past", (D(2025, 7, 1), "month", REL)),
    ("this December", D(2025, 1, 5), "past", (D(2025, 12, 1), "month", REL)),
    ("July this year", D(2025, 3, 5), "past", (D(2025, 7, 1), "month", REL)),
    ("July last year", D(2025, 8, 5), "past", (D(2024, 7, 1), "month", REL)),
    ("July next year", D(2025, 8, 5), "past", (D(2026, 7, 1), "month", REL)),
    ("Sept. 17", D(2025, 10, 1), "past", (D(2025, 9, 17), "day", REL)),
    ("Sept. 17", D(2025, 9, 10), "past", (D(2025, 9, 17), "day", REL)),  # month-level rule
    ("Sept. 17", D(2025, 8, 10), "past", (None, "day", UNR)),  # last year's or a misread future: ambiguous
    ("Sept. 17", D(2026, 1, 10), "past", (D(2025, 9, 17), "day", REL)),  # the year before, but near
    ("Sept. 17", D(2025, 8, 10), "future", (D(2025, 9, 17), "day", REL)),
    ("17 September", D(2025, 10, 1), "past", (D(2025, 9, 17), "day", REL)),
    ("the 17th of September", D(2025, 10, 1), "past", (D(2025, 9, 17), "day", REL)),
    ("December 25", D(2025, 1, 5), "past", (D(2024, 12, 25), "day", REL)),
    ("January 3", D(2025, 12, 20), "future", (D(2026, 1, 3), "day", REL)),
    ("Monday, April 7", TUE_0408, "past", (D(2025, 4, 7), "day", REL)),
    ("July 4 last year", D(2025, 3, 3), "past", (D(2024, 7, 4), "day", REL)),
    ("April 8-10", D(2025, 5, 1), "past", (D(2025, 4, 1), "month", REL)),
]


# --------------------------------------------------------------------------- leap years

LEAP = [
    ("February 29, 2024", None, "past", (D(2024, 2, 29), "day", EXP)),
    ("29 Feb 2028", None, "past", (D(2028, 2, 29), "day", EXP)),
    ("February 29, 2025", None, "past", (None, "day", UNR)),
    ("February 29, 2100", None, "past", (None, "day", UNR)),  # 2100 is not a leap year
    ("February 29, 2000", None, "past", (D(2000, 2, 29), "day", EXP)),
    ("2025-02-29", None, "past", (None, "day", UNR)),
    ("Feb. 29", D(2025, 3, 1), "past", (None, "day", UNR)),  # no Feb 29 in the publication year
    ("Feb. 29", D(2024, 3, 1), "past", (D(2024, 2, 29), "day", REL)),
    ("Feb 29", D(2025, 3, 1), "future", (None, "day", UNR)),
    ("Feb 29", D(2023, 11, 10), "future", (D(2024, 2, 29), "day", REL)),
    ("Feb 29", D(2024, 2, 10), "past", (D(2024, 2, 29), "day", REL)),  # month-level rule
    ("yesterday", D(2024, 3, 1), "past", (D(2024, 2, 29), "day", REL)),
    ("yesterday", D(2025, 3, 1), "past", (D(2025, 2, 28), "day", REL)),
    ("tomorrow", D(2024, 2, 28), "past", (D(2024, 2, 29), "day", REL)),
    ("a year ago", D(2024, 2, 29), "past", (D(2023, 1, 1), "year", REL)),
    ("April 31", D(2025, 5, 1), "past", (None, "day", UNR)),
    ("February 30", D(2025, 5, 1), "past", (None, "day", UNR)),
]


# --------------------------------------------------------------------------- relative words

RELATIVE = [
    ("today", TUE_0408, (TUE_0408, "day", REL)),
    ("Today", TUE_0408, (TUE_0408, "day", REL)),
    ("earlier today", TUE_0408, (TUE_0408, "day", REL)),
    ("this morning", TUE_0408, (TUE_0408, "day", REL)),
    ("tonight", TUE_0408, (TUE_0408, "day", REL)),
    ("yesterday", D(2025, 1, 1), (D(2024, 12, 31), "day", REL)),
    ("yesterday afternoon", TUE_0408, (D(2025, 4, 7), "day", REL)),
    ("last night", TUE_0408, (D(2025, 4, 7), "day", REL)),
    ("tomorrow", D(2025, 12, 31), (D(2026, 1, 1), "day", REL)),
    ("the day before yesterday", D(2025, 3, 1), (D(2025, 2, 27), "day", REL)),
    ("the day after tomorrow", D(2025, 12, 31), (D(2026, 1, 2), "day", REL)),
    ("this month", D(2025, 7, 27), (D(2025, 7, 1), "month", REL)),
    ("Earlier this month", D(2025, 7, 27), (D(2025, 7, 1), "month", REL)),
    ("later this month", D(2025, 7, 27), (D(2025, 7, 1), "month", REL)),
    ("the end of the month", D(2025, 7, 27), (D(2025, 7, 1), "month", REL)),
    ("last month", D(2025, 1, 15), (D(2024, 12, 1), "month", REL)),  # rollover
    ("last month", D(2025, 7, 15), (D(2025, 6, 1), "month", REL)),
    ("next month", D(2025, 12, 15), (D(2026, 1, 1), "month", REL)),  # rollover
    ("the coming month", D(2025, 3, 15), (D(2025, 4, 1), "month", REL)),
    ("this year", D(2025, 12, 31), (D(2025, 1, 1), "year", REL)),
    ("the current year", D(2025, 12, 31), (D(2025, 1, 1), "year", REL)),
    ("earlier this year", D(2025, 12, 31), (D(2025, 1, 1), "year", REL)),
    ("last year", D(2025, 1, 1), (D(2024, 1, 1), "year", REL)),
    ("next year", D(2025, 12, 31), (D(2026, 1, 1), "year", REL)),
    ("the coming year", WED_1210, (D(2026, 1, 1), "year", REL)),
    ("In the coming year", WED_1210, (D(2026, 1, 1), "year", REL)),
    ("the end of the year", D(2025, 5, 1), (D(2025, 1, 1), "year", REL)),
    ("this summer", D(2025, 5, 1), (D(2025, 1, 1), "year", REL)),
    ("two days ago", D(2025, 3, 1), (D(2025, 2, 27), "day", REL)),
    ("a day ago", D(2025, 1, 1), (D(2024, 12, 31), "day", REL)),
    ("in two days", D(2025, 12, 31), (D(2026, 1, 2), "day", REL)),
    ("10 days from now", D(2025, 12, 25), (D(2026, 1, 4), "day", REL)),
    ("three months ago", D(2025, 2, 15), (D(2024, 11, 1), "month", REL)),
    ("in three months", D(2025, 11, 1), (D(2026, 2, 1), "month", REL)),
    ("two years ago", D(2025, 2, 15), (D(2023, 1, 1), "year", REL)),
    ("a couple of days ago", D(2025, 2, 15), (D(2025, 2, 13), "day", REL)),
    # quarters without a year: the quarter's year
    ("this quarter", D(2025, 5, 1), (D(2025, 1, 1), "year", REL)),
    ("last quarter", D(2025, 2, 1), (D(2024, 1, 1), "year", REL)),
    ("last quarter", D(2025, 5, 1), (D(2025, 1, 1), "year", REL)),
    ("next quarter", D(2025, 11, 1), (D(2026, 1, 1), "year", REL)),
    ("next quarter", D(2025, 8, 1), (D(2025, 1, 1), "year", REL)),
    ("the third quarter", D(2025, 5, 1), (D(2024, 1, 1), "year", REL)),
    ("Q2", D(2025, 5, 1), (D(2025, 1, 1), "year", REL)),
    ("the first quarter of next year", D(2025, 5, 1), (D(2026, 1, 1), "year", REL)),
    ("the fourth quarter of the year", D(2025, 5, 1), (D(2025, 1, 1), "year", REL)),
]

# bare quarters follow the tense, at quarter level
QUARTER_TENSE = [
    ("the third quarter", D(2025, 5, 1), "future", D(2025, 1, 1)),
    ("the first quarter", D(2025, 5, 1), "future", D(2026, 1, 1)),
    ("Q1", D(2025, 2, 1), "past", D(2025, 1, 1)),
    ("Q1", D(2025, 2, 1), "future", D(2025, 1, 1)),
]


# --------------------------------------------------------------------------- unresolved

UNRESOLVED_ANY_ANCHOR = [
    # weeks and other units finer than a month but not a day
    ("last week", None),
    ("this week", None),
    ("next week", None),
    ("earlier this week", None),
    ("the end of the week", None),
    ("over the weekend", None),
    ("this weekend", None),
    ("two weeks ago", None),
    ("a few days ago", None),
    # periods that are not a calendar day/month/year
    ("the 1990s", None),
    ("the '90s", None),
    ("the 21st century", None),
    ("fiscal 2025", None),
    ("FY2025-26", None),
    ("winter 2025", None),
    ("last summer", None),
    ("2020-2025", None),
    ("2025-26", None),
    ("between 2019 and 2021", None),
    # discourse-relative: depends on another date in the text
    ("the next day", "day"),
    ("the following day", "day"),
    ("the same day", "day"),
    ("earlier in the day", "day"),
    ("two days later", "day"),
    ("Monday last week", "day"),
    ("the following month", "month"),
    ("the previous year", "year"),
    ("that year", "year"),
    ("a year earlier", "year"),
]


@pytest.mark.parametrize("text,granularity", UNRESOLVED_ANY_ANCHOR,
                         ids=[c[0] for c in UNRESOLVED_ANY_ANCHOR])
@pytest.mark.parametrize("anchor", [None, WED_1210], ids=["no-anchor", "anchor"])
def test_unresolved_regardless_of_anchor(text, granularity, anchor):
    check(text, anchor, (None, granularity, UNR))


NO_ANCHOR = [
    ("Saturday", "day"),
    ("on Monday", "day"),
    ("last Monday", "day"),
    ("next Monday", "day"),
    ("Monday night", "day"),
    ("July", "month"),
    ("in July", "month"),
    ("mid-July", "month"),
    ("last July", "month"),
    ("July this year", "month"),
    ("May", "month"),
    ("Sept. 17", "day"),
    ("17 September", "day"),
    ("Feb 29", "day"),
    ("today", "day"),
    ("yesterday", "day"),
    ("tomorrow", "day"),
    ("two days ago", "day"),
    ("this month", "month"),
    ("Earlier this month", "month"),
    ("last month", "month"),
    ("three months ago", "month"),
    ("this year", "year"),
    ("next year", "year"),
    ("the coming year", "year"),
    ("the end of the year", "year"),
    ("a year ago", "year"),
    ("this quarter", "year"),
    ("the third quarter", "year"),
    ("this summer", "year"),
]


@pytest.mark.parametrize("text,granularity", NO_ANCHOR, ids=[c[0] for c in NO_ANCHOR])
@pytest.mark.parametrize("tense", ["past", "future"])
def test_relative_without_anchor_is_unresolved(text, granularity, tense):
    check(text, None, (None, granularity, UNR), tense=tense)


# --------------------------------------------------------------------------- ranges

RANGES = [
    ("April 8-10, 2025", None, (D(2025, 4, 1), "month", EXP)),
    ("8-10 April 2025", None, (D(2025, 4, 1), "month", EXP)),
    ("April 30 - May 2, 2025", None, (D(2025, 1, 1), "year", EXP)),
    ("between March and May 2025", None, (D(2025, 1, 1), "year", EXP)),
    ("from March to May 2025", None, (D(2025, 1, 1), "year", EXP)),
    ("December 30, 2025 - January 2, 2026", None, (None, None, UNR)),
    ("between March and May", D(2025, 6, 1), (D(2025, 1, 1), "year", REL)),
    ("2025-2025", None, (D(2025, 1, 1), "year", EXP)),
    ("2026-2025", None, (None, None, UNR)),  # end before start
    ("May to March 2025", None, (None, None, UNR)),  # end before start, same year
    ("April 10 - April 8, 2025", None, (None, None, UNR)),
]


# --------------------------------------------------------------------------- not dates

NOT_DATES = [
    "", "   ", "-", "decades", "two-day", "the past 10 years", "10 years", "the last few months",
    "the past year", "the past week", "the coming weeks", "recent years", "48-year-old",
    "annual", "daily", "every Monday", "recently", "now", "soon", "the year", "year",
    "the 8th", "Christmas", "within two days", "may", "march", "the fall of Kabul",
    "around 10 am", "100", "12", "April 8, 3000",
]


@pytest.mark.parametrize("text", NOT_DATES)
@pytest.mark.parametrize("anchor", [None, WED_1210], ids=["no-anchor", "anchor"])
def test_not_a_date_returns_none(text, anchor):
    assert resolve_date(text, anchor) is None


# --------------------------------------------------------------------------- API details


def test_text_is_kept_exactly_as_given():
    text = "  On Monday, "
    got = resolve_date(text, TUE_0408)
    assert got is not None and got.text == text and got.value == D(2025, 4, 7)


@pytest.mark.parametrize("text,anchor,field,expected", [
    ("mid\u2011July", D(2025, 8, 4), "value", D(2025, 7, 1)),
    ("Saturday\u2019s", SUN_0413, "value", D(2025, 4, 12)),
    ("April\u00a08,\u00a02025", None, "value", D(2025, 4, 8)),
    ("April 30 \u2013 May 2, 2025", None, "granularity", "year"),
])
def test_unicode_dashes_apostrophes_and_spaces(text, anchor, field, expected):
    assert getattr(resolve_date(text, anchor), field) == expected


def test_result_is_frozen():
    got = resolve_date("2028", None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.value = D(2029, 1, 1)  # type: ignore[misc]


def test_datetime_anchor_is_accepted_as_its_date():
    got = resolve_date("yesterday", dt.datetime(2025, 4, 8, 23, 59))
    assert got.value == D(2025, 4, 7) and type(got.value) is dt.date


def test_unknown_tense_is_rejected():
    with pytest.raises(ValueError):
        resolve_date("Monday", TUE_0408, tense="past-perfect")


def test_tense_is_keyword_only():
    with pytest.raises(TypeError):
        resolve_date("Monday", TUE_0408, "future")  # type: ignore[misc]


@pytest.mark.parametrize("anchor", [D(1999, 12, 31), D(2025, 4, 8), D(2040, 2, 29)])
def test_relative_results_follow_the_anchor_not_the_clock(anchor):
    assert resolve_date("today", anchor).value == anchor
    assert resolve_date("this year", anchor).value == D(anchor.year, 1, 1)
    monday = resolve_date("Monday", anchor).value
    assert monday.weekday() == 0 and 0 <= (anchor - monday).days <= 6


@pytest.mark.parametrize("anchor", [D(2024, 1, 1) + dt.timedelta(days=i) for i in range(0, 731, 3)])
@pytest.mark.parametrize("weekday", ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                     "Saturday", "Sunday"])
def test_weekday_invariants(anchor, weekday):
    past = resolve_date(weekday, anchor).value
    future = resolve_date(weekday, anchor, tense="future").value
    last = resolve_date(f"last {weekday}", anchor).value
    nxt = resolve_date(f"next {weekday}", anchor).value
    for d in (past, future, last, nxt):
        assert d.strftime("%A") == weekday
    assert 0 <= (anchor - past).days <= 6
    assert 0 <= (future - anchor).days <= 6
    assert 1 <= (anchor - last).days <= 7
    assert 1 <= (nxt - anchor).days <= 7


@pytest.mark.parametrize("anchor", [D(2025, m, 15) for m in range(1, 13)])
@pytest.mark.parametrize("month", range(1, 13))
def test_month_invariants(anchor, month):
    name = calendar.month_name[month]
    past = resolve_date(name, anchor).value
    future = resolve_date(name, anchor, tense="future").value
    assert past.month == future.month == month and past.day == future.day == 1
    a = (anchor.year, anchor.month)
    assert (past.year, past.month) <= a and (past.year + 1, past.month) > a
    assert (future.year, future.month) >= a and (future.year - 1, future.month) < a


# --------------------------------------------------------------------------- the seed articles

SEEDS = [
    # seeds/000: dated 2025-12-10 (a Wednesday)
    ("Wednesday", WED_1210, "past", (D(2025, 12, 10), "day", REL)),
    ("the coming year", WED_1210, "future", (D(2026, 1, 1), "year", REL)),
    ("2028", WED_1210, "future", (D(2028, 1, 1), "year", EXP)),
    # seeds/002: dated April 8, 2025 (a Tuesday)
    ("Monday", TUE_0408, "past", (D(2025, 4, 7), "day", REL)),
    ("August 2021", TUE_0408, "past", (D(2021, 8, 1), "month", EXP)),
    ("August 15, 1947", TUE_0408, "past", (D(1947, 8, 15), "day", EXP)),
    ("two-day", TUE_0408, "past", None),
    # seeds/001 with a made-up anchor 2025-08-04
    ("July", D(2025, 8, 4), "past", (D(2025, 7, 1), "month", REL)),
    ("Earlier this month", D(2025, 8, 4), "past", (D(2025, 8, 1), "month", REL)),
    ("May", D(2025, 8, 4), "past", (D(2025, 5, 1), "month", REL)),
]


# --------------------------------------------------------------------------- every table of resolved expressions

RESOLVED = [
    *cases("weekday", WEEKDAYS, expected=lambda value: (value, "day", REL)),
    *cases("month", MONTHS),
    *cases("leap", LEAP),
    *cases("relative", RELATIVE),
    *cases("quarter", QUARTER_TENSE, expected=lambda value: (value, "year", REL)),
    *cases("range", RANGES),
    *cases("seed", SEEDS),
]


@pytest.mark.parametrize("text,anchor,tense,expected", RESOLVED)
def test_resolves_as_the_tables_say(text, anchor, tense, expected):
    check(text, anchor, expected, tense=tense)
