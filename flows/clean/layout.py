"""Layout: what surrounds an article's body: a leading date header, the headline, summary bullets, the dateline, link and credit lines; and the publication date they give."""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
         ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")],
        start=1,
    )
    for name in names
}
MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
DAY = r"\d{1,2}(?:st|nd|rd|th)?"
DATE_PATTERN = rf"(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|{MONTH}\s+{DAY}(?:,?\s+\d{{4}})?|{DAY}\s+{MONTH}(?:,?\s+\d{{4}})?)"
ISO_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
MONTH_FIRST_RE = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
DAY_FIRST_RE = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})")

TIME = r"(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"
HEADER_TOKEN_RE = re.compile(rf"\A\s*date\s*[:=]?\s*(\d{{4}}-\d{{2}}-\d{{2}}){TIME}(?:\s+|\Z)", re.I)
HEADER_LINE_RE = re.compile(
    r"\A\s*(date|dated|published(?: on| at)?|publication date|posted(?: on)?|updated(?: on)?|last updated)"
    r"\s*:\s*([^\n]*)(?:\n|\Z)",
    re.I,
)

WORD = r"[A-Z][\w.'’\-]*"
PLACE = rf"{WORD}(?:\s+(?:(?:de|da|del|al|el|la|le|es)\s+)?{WORD}){{0,3}}"
DATELINE_RE = re.compile(
    rf"""^(?P<place>{PLACE}(?:\s*/\s*{PLACE})*)
    (?:,\s*(?P<region>{PLACE}))?
    (?:\s*(?:,|[-–—])\s*(?P<date>{DATE_PATTERN}))?
    (?:\s*\((?P<agency>[^()]{{1,40}})\))?
    \s*(?P<sep>[:\-–—])(?:\s+(?P<rest>\S.*)|\s*$)""",
    re.X | re.S,
)
NOT_PLACES = frozenset({
    "note", "editor's note", "editor’s note", "update", "updated", "correction", "source", "sources", "photo", "video",
    "watch", "read", "related", "summary", "highlights", "key takeaways", "key points", "breaking", "exclusive",
    "opinion", "analysis", "by", "disclaimer", "caption", "file photo", "q", "a",
})

BULLET_RE = re.compile(r"^[-–—•*▪●◦·‣]\s+(?P<text>\S.*)$")
ITEM_RE = re.compile(r"^(?:\(?(?:[ivxlc]{1,7}|\d{1,2}|[a-h])[.)]|[-–—•*▪●◦·‣])\s+(?P<text>\S.*)$", re.I)
INLINE_ITEM_RE = re.compile(r"(?:^|\s)\(?(?:[ivxlc]{1,7}|\d{1,2})\)\s+", re.I)
SUMMARY_LABEL_RE = re.compile(
    r"^(?:key takeaways|takeaways|highlights|key highlights|key points|at a glance|in brief|summary|tl;?dr)"
    r"\s*:\s*(?P<rest>.*)$",
    re.I,
)
LINK_LINE_RE = re.compile(
    r"^(?:(?:read more|read also|also read|read|related(?: news| stories| articles?)?|see also|also see|more on this)"
    r"\s*[:|>\-–—]"
    r"|click here\b"
    r"|<?(?:https?://|www\.)\S+>?$)",
    re.I,
)
CREDIT_LINE_RE = re.compile(r"^\((?:additional )?(?:reporting|writing|editing|compiled)\b.*\)$", re.I)
# a paragraph ending in one of these (before closing quotes or brackets) ends a sentence
TERMINAL_PUNCT = ".!?…"
CLOSERS = "\"'”’)»]"


class Header(NamedTuple):
    """A leading metadata header: its publication date, the text after it, and whether a date was unreadable."""

    date: dt.date | None
    text: str
    bad_date: bool


class Dateline(NamedTuple):
    """A parsed dateline: the place (title case), its full date if any, and the paragraph without it."""

    place: str
    date: dt.date | None
    rest: str


def parse_header(text: str) -> Header:
    """Strip leading metadata (`date 2025-12-10 ...`, `Date: ...`, `Published: ...`) and read its date."""
    found: dt.date | None = None
    bad = False
    while True:
        if match := HEADER_TOKEN_RE.match(text):
            value, is_publication = match.group(1), True
        elif match := HEADER_LINE_RE.match(text):
            # an update time is not the publication date
            value, is_publication = match.group(2), "updated" not in match.group(1).lower()
        else:
            return Header(found, text.lstrip(), bad and found is None)
        if is_publication and found is None:
            found = parse_full_date(value)
            bad = bad or found is None
        text = text[match.end():]


def parse_full_date(text: str) -> dt.date | None:
    """A date with day, month and year at the start of text (2025-04-08, April 8, 2025, 8 April 2025), else None."""
    text = text.strip()
    try:
        if match := ISO_RE.match(text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if (match := MONTH_FIRST_RE.match(text)) and match[1].lower() in MONTHS:
            return dt.date(int(match[3]), MONTHS[match[1].lower()], int(match[2]))
        if (match := DAY_FIRST_RE.match(text)) and match[2].lower() in MONTHS:
            return dt.date(int(match[3]), MONTHS[match[2].lower()], int(match[1]))
    except ValueError:
        return None
    return None


def split_paragraphs(text: str) -> list[str]:
    """Non-empty lines as paragraphs, re-joining hard-wrapped lines (a line continuing in lower case)."""
    paragraphs: list[str] = []
    joinable = False
    for line in text.split("\n"):
        if not line:
            joinable = False
            continue
        if joinable and line[0].islower() and paragraphs[-1].rstrip(CLOSERS)[-1:] not in TERMINAL_PUNCT + ":;":
            paragraphs[-1] += " " + line
        else:
            paragraphs.append(line)
        joinable = True
    return paragraphs


def drop_boilerplate(paragraphs: list[str]) -> tuple[list[str], bool, bool]:
    """Remove link lines (Read More:, Related:, bare URLs, ...) and agency credit lines; say which were found."""
    links = [p for p in paragraphs if LINK_LINE_RE.match(p)]
    credits = [p for p in paragraphs if CREDIT_LINE_RE.match(p)]
    kept = [p for p in paragraphs if p not in links and p not in credits]
    return kept, bool(links), bool(credits)


def split_headline(paragraphs: list[str], given: str | None) -> tuple[str | None, list[str]]:
    """The given headline (dropping its echo as the first line) or a title-like first line; and the rest."""
    if given:
        if paragraphs and comparable(paragraphs[0]) == comparable(given):
            return given, paragraphs[1:]
        return given, paragraphs
    if len(paragraphs) >= 2 and looks_like_title(paragraphs[0]) and not is_bare_dateline(paragraphs[0]):
        return paragraphs[0], paragraphs[1:]
    return None, paragraphs


def looks_like_title(line: str) -> bool:
    """Short, starts with no lower-case letter, not a bullet or label, and no sentence-ending punctuation."""
    words = line.split()
    if not 2 <= len(words) <= 30 or len(line) > 200 or line[0].islower():
        return False
    if BULLET_RE.match(line) or SUMMARY_LABEL_RE.match(line) or not any(c.isalpha() for c in line):
        return False
    end = line.rstrip(CLOSERS)
    if re.search(r"\b(?:[A-Z]\.){2,}$", end):  # ends in an abbreviation such as U.S.
        return True
    return end[-1:] not in ".:;,"


def split_summary(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """Pull summary bullets out: leading bullet lines and `Key Takeaways:`/`Highlights:` blocks."""
    summary: list[str] = []
    kept: list[str] = []
    at_start = True
    index = 0
    while index < len(paragraphs):
        line = paragraphs[index]
        label = SUMMARY_LABEL_RE.match(line)
        items = take_items(paragraphs, index + 1) if label else []
        if label and (label["rest"] or items):
            summary += split_inline_items(label["rest"]) + items
            index += 1 + len(items)
            continue
        if at_start and (bullet := BULLET_RE.match(line)):
            summary.append(bullet["text"].strip())
            index += 1
            continue
        at_start = False
        kept.append(line)
        index += 1
    return summary, kept


def take_items(paragraphs: list[str], start: int) -> list[str]:
    """Texts of the consecutive list items (i), 1., •, -) starting at paragraphs[start]."""
    items: list[str] = []
    for line in paragraphs[start:]:
        match = ITEM_RE.match(line)
        if not match:
            break
        items.append(match["text"].strip())
    return items


def split_inline_items(text: str) -> list[str]:
    """Items written on one line (`i) ... ii) ...`), or the text itself as one item."""
    parts = [part.strip() for part in INLINE_ITEM_RE.split(text)]
    return [part for part in parts if part]


def parse_dateline(paragraph: str) -> Dateline | None:
    """Parse a leading dateline (`ISLAMABAD:`, `WASHINGTON (Reuters) -`, `Islamabad, Pakistan – April 8, 2025 –`)."""
    match = DATELINE_RE.match(paragraph)
    if not match:
        return None
    place = match["place"].strip()
    shouting = place.upper() == place
    # a short acronym (US, UN) opening a sentence is rarely a dateline place
    if place.lower() in NOT_PLACES or len(place) > 40 or sum(c.isalpha() for c in place) < 3:
        return None
    # a title-case word before a dash is often just the sentence's subject: demand more evidence
    if match["sep"] != ":" and not (shouting or match["date"] or match["agency"]):
        return None
    if not match["rest"] and not shouting:
        return None
    date = parse_full_date(match["date"]) if match["date"] else None
    return Dateline(place.title() if shouting else place, date, (match["rest"] or "").strip())


def is_bare_dateline(line: str) -> bool:
    """True for a line that is only a dateline (`WASHINGTON (Reuters) -`)."""
    dateline = parse_dateline(line)
    return dateline is not None and not dateline.rest


def split_dateline(paragraphs: list[str]) -> tuple[list[str], Dateline | None, list[str]]:
    """Find a dateline in the first paragraphs; title-like lines before it are front matter (standfirst)."""
    for index, line in enumerate(paragraphs[:3]):
        dateline = parse_dateline(line)
        if dateline:
            front = [BULLET_RE.sub(r"\g<text>", p).strip() for p in paragraphs[:index]]
            rest = [dateline.rest] if dateline.rest else []
            return front, dateline, rest + paragraphs[index + 1:]
        if not (looks_like_title(line) or BULLET_RE.match(line)):
            break
    return [], None, paragraphs


def choose_published_date(
    metadata: str | None, header: dt.date | None, dateline: Dateline | None
) -> tuple[dt.date | None, str]:
    """Publication date and its source: metadata, then header, then dateline; never today."""
    if metadata:
        try:
            return dt.date.fromisoformat(metadata), "metadata"
        except ValueError:
            pass
    if header:
        return header, "header"
    if dateline and dateline.date:
        return dateline.date, "dateline"
    return None, "none"


def comparable(text: str) -> str:
    """Casefolded, whitespace-collapsed text without trailing punctuation, for equality tests."""
    return " ".join(text.casefold().split()).rstrip(".:;,!? ")
