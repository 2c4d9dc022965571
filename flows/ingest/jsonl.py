"""JSON lines: one article per line (`text` plus optional `url`, `outlet`, `published`, `headline`); a bad line is quarantined alone."""

from __future__ import annotations

import json

from flows.core.records import Quarantined, RawDocument
from flows.ingest.documents import blank_to_none, iso_date, make_document, quarantine, refuse_text

OPTIONAL_FIELDS = ("url", "outlet", "published", "headline")


def parse_jsonl(text: str, uri: str) -> tuple[list[RawDocument], list[Quarantined]]:
    """One document per JSON line; a bad line is quarantined alone."""
    docs: list[RawDocument] = []
    quarantined: list[Quarantined] = []
    # split on "\n" only: str.splitlines would also break on U+2028 inside JSON strings
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        line_uri = f"{uri}#L{number}"
        size = len(line.encode("utf-8", "surrogatepass"))
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            quarantined.append(quarantine(line_uri, "bad_json", f"line {number} is not valid JSON: {exc.msg}", size))
            continue
        if not isinstance(record, dict):
            detail = f"line {number} is a JSON {type(record).__name__}, not an object"
            quarantined.append(quarantine(line_uri, "bad_json", detail, size))
            continue
        result = record_to_document(record, line_uri, size)
        if "reason" in result:
            quarantined.append(result)  # type: ignore[arg-type]
        else:
            docs.append(result)  # type: ignore[arg-type]
    return docs, quarantined


def record_to_document(record: dict, fallback_uri: str, size: int) -> RawDocument | Quarantined:
    """Check one JSONL record's fields and build its document, or quarantine it."""
    url = record.get("url")
    uri = url.strip() if isinstance(url, str) and url.strip() else fallback_uri
    for field in OPTIONAL_FIELDS:
        value = record.get(field)
        if value is not None and not isinstance(value, str):
            return quarantine(uri, "bad_type", f"field '{field}' must be a string, got {type(value).__name__}", size)
    text = record.get("text")
    if text is not None and not isinstance(text, str):
        return quarantine(uri, "bad_type", f"field 'text' must be a string, got {type(text).__name__}", size)
    if not text or not text.strip():
        return quarantine(uri, "no_text", "record has no non-empty 'text'", size)
    refused = refuse_text(uri, text, size, "'text'")
    if refused:
        return refused
    published = blank_to_none(record.get("published"))
    if published is not None:
        published = iso_date(published)
        if published is None:
            detail = f"field 'published' must be a YYYY-MM-DD date, got {record['published']!r}"
            return quarantine(uri, "bad_type", detail, size)
    return make_document(uri, text, record.get("outlet"), published, record.get("headline"))
