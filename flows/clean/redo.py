"""Which inputs a run must clean and (re)process: new sources, and sources re-sent with changes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flows.clean.hashes import article_id_for, source_hash_for
from flows.core.records import RawDocument

Rows = list[dict[str, Any]]


def select_articles(cleaned: Iterable[dict[str, Any]], published: Rows) -> tuple[Rows, set[str]]:
    """Articles to process (new sources, or sources whose content_hash changed) and the ids of the
    published ones they replace. Within one run the last record for a source wins."""
    known = {a["article_id"]: a.get("content_hash") for a in published}
    latest = {a["article_id"]: a for a in cleaned}
    todo = [a for aid, a in latest.items() if known.get(aid) != a["content_hash"]]
    edited = {a["article_id"] for a in todo if a["article_id"] in known}
    return todo, edited


def skip_unchanged(documents: list[RawDocument], published: Mapping[str, str]) -> list[RawDocument]:
    """The documents worth cleaning: a source whose last record here has its published
    source_hash (article_id -> source_hash) would clean into its published article."""
    ids = [article_id_for(d["source_uri"]) for d in documents]
    last = {aid: doc for aid, doc in zip(ids, documents, strict=True)}
    unchanged = {aid for aid, doc in last.items() if aid in published and published[aid] == source_hash_for(doc)}
    return [doc for aid, doc in zip(ids, documents, strict=True) if aid not in unchanged]
