"""HTML pages as articles: the bytes decoded by the charset the page declares, the main text and
the title, date, site, author and url the page names, by trafilatura; today's tag-stripping
reader (html_text.py) when trafilatura finds no text."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from flows.core.records import Quarantined, RawDocument
from flows.ingest.decode import BOM_CODECS, decode_bytes
from flows.ingest.documents import iso_date, make_document, quarantine, refuse_text
from flows.ingest.html_text import html_to_text

# `<meta charset="x">` or `<meta http-equiv="Content-Type" content="text/html; charset=x">`, in
# the page's head; browsers look in its first 1,024 bytes, pages written by hand put it later.
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
CHARSET_WINDOW = 4096
# The WHATWG Encoding Standard: these labels mean windows-1252, and a UTF-16/32 label in a meta
# tag (which was read as ASCII) means UTF-8.
_AS_CP1252 = frozenset({"latin_1", "ascii", "iso8859-1", "us-ascii"})


@dataclass(frozen=True)
class Page:
    """What trafilatura read of a page: paragraphs split by blank lines, and what the page names."""

    text: str
    headline: str | None = None
    published: str | None = None
    outlet: str | None = None
    author: str | None = None  # no column holds it yet
    url: str | None = None


def declared_charset(data: bytes) -> str | None:
    """The Python codec of the charset a page declares in a meta tag, or None (none, or unknown)."""
    match = _META_CHARSET.search(data[:CHARSET_WINDOW])
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    if name in _AS_CP1252:
        return "cp1252"
    return "utf-8" if name.startswith(("utf-16", "utf-32")) else name


def decode_page(data: bytes) -> str | None:
    """A page's text: a byte order mark first, then the charset it declares, else the sniffing
    every text file gets (UTF-8, then plausible cp1252); None when nothing decodes it."""
    if not any(data.startswith(bom) for bom, _ in BOM_CODECS):
        charset = declared_charset(data)
        if charset:
            try:
                return data.decode(charset)
            except UnicodeDecodeError:
                pass  # the declaration is wrong: sniff as for any file
    return decode_bytes(data)


def read_page(markup: str) -> Page | None:
    """The page's main text and metadata, by trafilatura; None when it finds no text."""
    import trafilatura  # ~0.5 s: only runs with HTML inputs pay it

    # favor_precision: below ~250 characters of main text, trafilatura otherwise falls back to a
    # dump of every text node (navigation and all); fast: its second opinion (readability, jusText)
    # costs ten times as much and found the same text on every page we tried. Dates only from
    # the page's markup (no guessing from its url or text).
    found = trafilatura.bare_extraction(
        markup, fast=True, favor_precision=True, include_comments=False, with_metadata=True, date_extraction_params={"extensive_search": False, "original_date": True}
    )
    lines = (line.strip() for line in ((found.text or "") if found else "").split("\n"))
    text = "\n\n".join(line for line in lines if line)
    if found is None or not text:
        return None
    return Page(text, headline=found.title, published=iso_date(found.date) if found.date else None, outlet=found.sitename, author=found.author, url=found.url)


def parse_html(markup: str, uri: str, size: int) -> tuple[list[RawDocument], list[Quarantined]]:
    """An HTML page as one document (source_uri: the url the page gives, else the file), or
    quarantined when it shows no text or its text is not an article's."""
    page = read_page(markup)
    if page is None:  # trafilatura found nothing: every visible text, tags stripped
        body, meta = html_to_text(markup)
        page = Page(body, headline=meta.get("headline"), published=meta.get("published"), outlet=meta.get("outlet"))
    if not page.text.strip():
        return [], [quarantine(uri, "no_text", "HTML page has no visible text", size)]
    refused = refuse_text(uri, page.text, size, "page text")
    if refused:
        return [], [refused]
    source = page.url.strip() if page.url and page.url.strip() else uri
    return [make_document(source, page.text, page.outlet, page.published, page.headline)], []
