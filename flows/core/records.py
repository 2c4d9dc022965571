"""Plain record types passed between stages."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict


class RawDocument(TypedDict):
    """One input article as read, before cleaning."""

    source_uri: str
    text: str
    outlet: str | None
    published: str | None
    headline: str | None


class Quarantined(TypedDict):
    """An input that could not be read as an article, and why."""

    source_uri: str
    reason: str
    detail: str
    size_bytes: int


class Article(TypedDict):
    """A cleaned article: the articles table row minus story_id and run_id."""

    article_id: str
    content_hash: str
    source_hash: str
    source_uri: str
    outlet: str | None
    headline: str | None
    dateline: str | None
    published_date: dt.date | None
    published_date_source: str
    summary: list[str]
    body: str
    language: str
    word_count: int
    quality_flags: list[str]


class Evidence(TypedDict):
    article_id: str
    sentence_index: int
    start: int
    end: int
    text: str
