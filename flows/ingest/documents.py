"""What every reader makes: a RawDocument with blank metadata dropped, or a Quarantined record with its reason; and the checks every article's text passes."""

from __future__ import annotations

import datetime as dt
import re

from flows.core.records import Quarantined, RawDocument
from flows.ingest.decode import not_language

# Longer than any news article (~30,000 words) and well under spaCy's 1,000,000-character limit.
MAX_ARTICLE_CHARS = 200_000
ISO_DATE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")


def make_document(
    uri: str, text: str, outlet: str | None = None, published: str | None = None, headline: str | None = None
) -> RawDocument:
    """A RawDocument with blank metadata turned into None."""
    return RawDocument(
        source_uri=uri,
        text=text,
        outlet=blank_to_none(outlet),
        published=published,
        headline=blank_to_none(headline),
    )


def blank_to_none(value: str | None) -> str | None:
    """value stripped, or None when it is missing or blank."""
    return value.strip() or None if value else None


def quarantine(uri: str, reason: str, detail: str, size: int) -> Quarantined:
    """A Quarantined record."""
    return Quarantined(source_uri=uri, reason=reason, detail=detail, size_bytes=size)


def refuse_text(uri: str, text: str, size: int, what: str) -> Quarantined | None:
    """Quarantine an article's text longer than an article or that is not language, else None;
    `what` names the text in the detail ("text", "page text", "'text'")."""
    if len(text) > MAX_ARTICLE_CHARS:
        return quarantine(uri, "too_long", f"text has {len(text)} characters, more than an article's limit of {MAX_ARTICLE_CHARS}", size)
    why = not_language(text)
    return quarantine(uri, "not_text", f"{what} is not language: {why}", size) if why else None


def iso_date(value: str) -> str | None:
    """The YYYY-MM-DD part of an ISO date or timestamp, when it is a real date."""
    match = ISO_DATE_RE.match(value.strip())
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        return None
