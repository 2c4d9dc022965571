"""Hashes: an article's id (where it comes from), its source hash (the record as read, with the cleaner's version) and its content hash (what an analyst reads)."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from pathlib import Path

import ftfy

from flows.core.records import RawDocument


def hash_cleaner(package: Path) -> str:
    """The cleaner's version: every module of package (sorted by name, each with its name) and ftfy's and Unicode's versions."""
    digest = hashlib.sha256()
    for module in sorted(package.glob("*.py")):
        digest.update(module.name.encode() + b"\x00" + module.read_bytes() + b"\x00")
    digest.update(f"{ftfy.__version__} {unicodedata.unidata_version}".encode())
    return digest.hexdigest()[:12]


# What cleaning does is the modules of flows/clean/, ftfy and Unicode's tables: a source hash taken with another version of
# any of them is stale, and the article is cleaned again (and redone only if its content_hash changed). Every module of the
# package counts, no longer cleaner.py alone (a deliberate change when the cleaner was split into modules): a change to any
# cleaning rule re-cleans, and one to a module that does not clean (redo.py) costs a re-cleaning that changes no content_hash.
CLEANER_VERSION = hash_cleaner(Path(__file__).parent)


def article_id_for(source_uri: str) -> str:
    """Stable id from where the article comes from (url, relative path, or path#Lline), not from its
    text: a source re-sent with edited text keeps its id and becomes a new version of its row."""
    return "a_" + hashlib.sha256(source_uri.strip().encode("utf-8")).hexdigest()[:16]


def source_hash_for(doc: RawDocument) -> str:
    """Hash of the input record as read and of the cleaner itself: an input whose hash is
    published cleans into the published article, so a rerun skips it without cleaning it."""
    parts = [CLEANER_VERSION, *(doc[k] if doc[k] is not None else "\x00" for k in ("source_uri", "text", "outlet", "published", "headline"))]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def content_hash_for(
    body: str, headline: str | None, summary: list[str], outlet: str | None, published: dt.date | None
) -> str:
    """What an analyst reads, insensitive to case and whitespace: equal hashes mean nothing to redo."""
    parts = [body, headline or "", "\n".join(summary), outlet or "", published.isoformat() if published else ""]
    normalized = "\x1f".join(" ".join(p.casefold().split()) for p in parts)
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()[:16]
