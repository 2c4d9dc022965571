"""Take what articles contributed out of the published rows, before they are extracted again.

An article is (re)processed when its source is new or was re-sent with different content
(flows/clean/redo.py decides). Before its rows are re-extracted, everything it contributed is retracted from the published entities,
events and deals: evidence, mentions and article ids go; a row left with no evidence goes. The
re-extracted article then adds its rows back through the normal resolve step, so an edit
replaces the old rows instead of piling up next to them.

The same retraction repairs a crash between two tables' commits: `articles` is committed last
and marks work as done, so rows that reached entities/events/deals for an article missing from
`articles` are residue of an interrupted run; that article is processed again and its residue is
retracted before the rows are rebuilt.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from flows.core.spanlist import articles_of, without_articles

Rows = list[dict[str, Any]]


def retract_articles(published: dict[str, Rows], article_ids: Collection[str]) -> dict[str, Rows]:
    """The published tables without anything the given articles contributed (inputs untouched)."""
    ids = frozenset(article_ids)
    if not ids:
        return published
    deals = _retract_evidence(published.get("deals", []), ids)
    kept_deals = {d["deal_id"] for d in deals}
    deals = [{**d, "part_of": None} if d.get("part_of") and d["part_of"] not in kept_deals else d for d in deals]
    return {
        **published,
        "articles": [a for a in published.get("articles", []) if a["article_id"] not in ids],
        "entities": _retract_mentions(published.get("entities", []), ids),
        "events": _retract_evidence(published.get("events", []), ids),
        "deals": deals,
    }


def _retract_evidence(rows: Rows, ids: frozenset[str]) -> Rows:
    kept = []
    for row in rows:
        if ids.isdisjoint(row["article_ids"]) and ids.isdisjoint(articles_of(row["evidence"])):
            kept.append(row)
            continue
        evidence = without_articles(row["evidence"], ids)
        if evidence:
            kept.append({**row, "evidence": evidence, "article_ids": [a for a in row["article_ids"] if a not in ids]})
    return kept


def _retract_mentions(rows: Rows, ids: frozenset[str]) -> Rows:
    kept = []
    for row in rows:
        if ids.isdisjoint(row["article_ids"]) and ids.isdisjoint(articles_of(row["mentions"])):
            kept.append(row)
            continue
        mentions = without_articles(row["mentions"], ids)
        article_ids = [a for a in row["article_ids"] if a not in ids]
        if not mentions and not article_ids:
            continue
        # Aliases are the canonical name plus surface forms of mentions: keep those still attested.
        # An article linked with no mention (a dateline) attests aliases we cannot tell apart: keep all.
        surfaces = {_squash(m["text"]) for m in mentions} | {row["name"]}
        datelined = set(article_ids) - articles_of(mentions)
        kept.append(
            {
                **row,
                "mentions": mentions,
                "mention_count": len(mentions),
                "article_ids": article_ids,
                "aliases": list(row["aliases"]) if datelined else [a for a in row["aliases"] if a in surfaces],
            }
        )
    return kept


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
