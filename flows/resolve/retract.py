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
from collections.abc import Callable, Collection
from typing import Any

from flows.core.spanlist import articles_of, without_articles
from flows.resolve.proposal import KEYS, Proposal

Row = dict[str, Any]
Rows = list[Row]
# A row the articles contributed to, rebuilt from what is left of its items (evidence or mentions)
# and article ids; None when nothing that attests it is left.
Rebuild = Callable[[Row, list[Any], list[str]], Row | None]


def retract_articles(published: dict[str, Rows], article_ids: Collection[str]) -> Proposal:
    """The published tables without anything the given articles contributed (inputs untouched),
    with the keys of the rows that lost something and stayed as touched."""
    ids = frozenset(article_ids)
    if not ids:
        return Proposal(dict(published))
    tables, touched = {**published, "articles": [a for a in published.get("articles", []) if a["article_id"] not in ids]}, {}
    for name in ("entities", "events", "deals"):
        tables[name], touched[name] = retract_table(name, published.get(name, []), ids)
    return Proposal(tables, touched)


def retract_table(name: str, rows: Rows, article_ids: Collection[str]) -> tuple[Rows, set[str]]:
    """One table's rows (entities, events or deals) without what the articles contributed, and the
    keys of the rows that lost something and stayed. A deal whose total went loses its part_of:
    given a deal, give the deal it is part of too (blocking.fetch does), or it reads as gone."""
    ids = frozenset(article_ids)
    if not ids:
        return rows, set()
    if name == "entities":
        return _retract(rows, ids, KEYS[name], "mentions", _without_mentions)
    kept, touched = _retract(rows, ids, KEYS[name], "evidence", _without_evidence)
    if name == "deals":
        kept_deals = {d["deal_id"] for d in kept}
        for at, deal in enumerate(kept):
            if deal.get("part_of") and deal["part_of"] not in kept_deals:  # its total went with the articles
                kept[at] = {**deal, "part_of": None}
                touched.add(deal["deal_id"])
    return kept, touched


def _retract(rows: Rows, ids: frozenset[str], key: str, items: str, rebuild: Rebuild) -> tuple[Rows, set[str]]:
    """The rows without the articles' `items` (evidence or mentions) and article ids, and the keys of the rows rebuilt."""
    kept, touched = [], set()
    for row in rows:
        if ids.isdisjoint(row["article_ids"]) and ids.isdisjoint(articles_of(row[items])):
            kept.append(row)
            continue
        rebuilt = rebuild(row, without_articles(row[items], ids), [a for a in row["article_ids"] if a not in ids])
        if rebuilt is not None:
            kept.append(rebuilt)
            touched.add(rebuilt[key])
    return kept, touched


def _without_evidence(row: Row, evidence: list[Any], article_ids: list[str]) -> Row | None:
    """An event or deal is what its evidence says: none left, no row."""
    return {**row, "evidence": evidence, "article_ids": article_ids} if evidence else None


def _without_mentions(row: Row, mentions: list[Any], article_ids: list[str]) -> Row | None:
    """An entity stays while a mention or a linked article (a dateline) is left."""
    if not mentions and not article_ids:
        return None
    # Aliases are the canonical name plus surface forms of mentions: keep those still attested.
    # An article linked with no mention (a dateline) attests aliases we cannot tell apart: keep all.
    surfaces = {_squash(m["text"]) for m in mentions} | {row["name"]}
    datelined = set(article_ids) - articles_of(mentions)
    aliases = list(row["aliases"]) if datelined else [a for a in row["aliases"] if a in surfaces]
    return {**row, "mentions": mentions, "mention_count": len(mentions), "article_ids": article_ids, "aliases": aliases}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
