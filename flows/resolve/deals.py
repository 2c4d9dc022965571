"""Deals: each candidate with canonical parties, merged into the deal it reports again (close amounts,
or an amountless MoU beside the amount it is about), else a new deal row; parts linked to totals."""

from __future__ import annotations

import functools
import math
from typing import Any

from flows.core.ids import stable_id
from flows.core.rules import load_rules
from flows.resolve.blocking import article_texts, index_texts, lookup_texts
from flows.resolve.fx import convert_row
from flows.resolve.merging import Key, Kind, MergedRows, Row, RowStories, Stories, canonical_names, load_rules_codebook, merge_rows, overlap

CREDIT = frozenset({"loan", "financing", "investment"})
GENERIC_TYPES = {"mou", "other", "partnership", "trade_agreement"}  # an amountless one may name what an amount is
AMOUNT_BUCKET = math.log(1.02)  # width of a blocking bucket of log amounts: twice _same_deal's 1 %


def resolve_deals(
    extractions: list[dict[str, Any]],
    surfaces: dict[str, dict[str, str]],
    stories: Stories,
    dates: dict[str, Any],
    existing: list[Row],
    run_id: str,
    touched: set[str] | None = None,
) -> list[Row]:
    """Deal rows: canonical parties, one row per deal across reports, parts linked to totals.

    Rows neither merged into nor given a new part are the `existing` objects themselves; `touched`,
    when given, receives the deal_id of every row made or changed, so that planning compares only those."""
    table = MergedRows(existing, DEALS, stories)
    for ex in extractions:
        surface = surfaces[ex["article_id"]]
        local: dict[str, str] = {}  # amount text -> the deal it became, in this article
        placed: list[Row] = []
        seen: dict[tuple[Any, ...], int] = {}  # a sentence may list several deals of one type
        for cand in ex["deals"]:
            row = _candidate_row(cand, ex["article_id"], surface, dates)
            base = (ex["article_id"], cand["evidence"]["start"], cand["amount_text"] or row["deal_type"])
            seen[base] = nth = seen.get(base, -1) + 1
            new_id = functools.partial(stable_id, "d", *base, *([nth] if nth else []))
            match = table.place(row, _deal_keys(row, stories, query=True), new_id, run_id)
            placed.append(match)
            if cand["amount_text"]:
                local[cand["amount_text"]] = match["deal_id"]
        # Only this article's rows carry its amount texts as part_of (extract links parts within a sentence).
        for row in placed:
            if row.get("part_of") in local:
                row["part_of"] = local[row["part_of"]]
    _settle_totals(table)
    if touched is not None:
        touched |= table.touched()
    return table.rows


def _candidate_row(cand: dict[str, Any], article_id: str, surface: dict[str, str], dates: dict[str, Any]) -> Row:
    row = {k: v for k, v in cand.items() if k != "evidence"}
    row["parties"] = canonical_names(cand["parties"], surface)
    roles: dict[str, str] = {}
    for p in cand["party_roles"]:
        roles.setdefault(surface.get(p["name"], p["name"]), p["role"])
    row["party_roles"] = [{"name": n, "role": r} for n, r in roles.items()]
    row["project"] = surface.get(row["project"], row["project"]) if row["project"] else None
    row["article_ids"] = [article_id]
    row["evidence"] = [cand["evidence"]]
    row["announced_date"] = dates.get(article_id)
    return row


def _settle_totals(table: MergedRows) -> None:
    """Whether each deal counts toward totals (no pledge, no total of parts), unlinked parts, USD amounts."""
    totals = {r["part_of"] for r in table.rows if r.get("part_of")}
    pledges = set(load_rules_codebook()["pledge_deal_types"])
    for at, row in enumerate(table.rows):
        values: dict[str, Any] = {"counts_toward_totals": row["deal_type"] not in pledges and row["deal_id"] not in totals}
        if row.get("part_of") and not str(row["part_of"]).startswith("d_"):
            values["part_of"] = None
        if row.get("fx_source") is None or row.get("amount_usd_constant") is None:  # published figures keep their versions (fx.py)
            values.update(convert_row(row))
        if table.owns(row) or any(row.get(k) != v for k, v in values.items()):  # or a published total that gained a part
            table.update(at, values)


def _same_deal(a: Row, b: Row, stories: Stories, stories_of: RowStories | None = None) -> bool:
    """`stories_of(row)` may give a row's stories from a cache, as for events._same_event."""
    of = stories_of or (lambda row: {stories.get(x) for x in row["article_ids"]} - {None})

    def shared_article() -> bool:  # no set of a big row's thousands of articles per comparison
        return not set(b["article_ids"]).isdisjoint(a["article_ids"])

    if a["amount"] is not None and b["amount"] is not None:
        close = abs(a["amount"] - b["amount"]) <= 0.01 * max(a["amount"], b["amount"]) and a["currency"] == b["currency"]
        return close and (overlap(a["parties"], b["parties"]) >= 1 or shared_article())
    if a["amount"] is None and b["amount"] is None:
        listed = any(str(r.get("extractor") or "").endswith(":listed") for r in (a, b))
        if _same_sentence(a, b) or (listed and shared_article()):
            return False  # deals an article lists one by one ("an MoU on energy and an MoU on ports")
        return a["deal_type"] == b["deal_type"] and overlap(a["parties"], b["parties"]) >= min(2, len(a["parties"]), len(b["parties"])) and bool(of(a) & of(b))
    # An amountless MoU reported near the amount it is about ("secured $500m through a deal with X ...
    # X signed an MoU with Y"): same story or article, compatible types, shared parties.
    # Cheapest first: _adjacent walks every evidence item of a row with hundreds.
    parties = overlap(a["parties"], b["parties"])
    amountless, priced = (a, b) if a["amount"] is None else (b, a)
    # A deal of its own kind with no amount ("an option to acquire a stake" beside a loan) is
    # another deal; an MoU or "the agreement" is the amount's.
    own_kind = amountless["deal_type"] not in GENERIC_TYPES and _family(amountless["deal_type"]) != _family(priced["deal_type"])
    if parties < 1 or own_kind or not _compatible(a["deal_type"], b["deal_type"]):
        return False
    return (shared_article() or bool(of(a) & of(b))) and (parties >= 2 or _adjacent(a, b))


def _deal_keys(row: Row, stories: Stories, query: bool = False) -> list[Key]:
    """Blocking keys of a deal (see _same_deal): deals match only when their amounts are within
    1 % (same 2 % bucket of log amount, or a neighbour when querying) or they share an article
    or a story. Popular parties alone would make blocks of thousands."""
    keys: list[Key] = [("article", a) for a in row["article_ids"]]
    keys += [("story", stories[a]) for a in row["article_ids"] if a in stories]
    if row["amount"] is not None:
        bucket = math.floor(math.log(row["amount"]) / AMOUNT_BUCKET) if row["amount"] > 0 else "zero"
        near = [bucket - 1, bucket, bucket + 1] if query and bucket != "zero" else [bucket]
        keys += [("amount", row["currency"], b) for b in near]
    return keys


def deal_texts(row: Row, stories: Stories) -> set[str]:
    """The keys the store indexes a deal under (blocking.py): its blocking keys, its articles, its
    id and the total it is part of (a part and its total are fetched together: _settle_totals)."""
    texts = index_texts(_deal_keys(row, stories)) | article_texts(row["article_ids"]) | {"id:" + row["deal_id"]}
    return texts | ({"part:" + row["part_of"]} if row.get("part_of") else set())


def deal_expand(deal_id: str, texts: set[str]) -> set[str]:
    """A fetched deal brings its parts and its total: whether it counts toward totals depends on them."""
    return {"part:" + deal_id} | {"id:" + t[5:] for t in texts if t.startswith("part:d_")}


def deal_lookups(extractions: list[dict[str, Any]], surfaces: dict[str, dict[str, str]], stories: Stories) -> set[str]:
    """The keys under which a chunk's deal candidates may find a published deal."""
    rows = (_candidate_row(cand, ex["article_id"], surfaces[ex["article_id"]], {}) for ex in extractions for cand in ex["deals"])
    return {text for row in rows for text in lookup_texts(_deal_keys(row, stories, query=True))}


def _compatible(a: str, b: str) -> bool:
    """Deal types that can describe one deal: an MoU for an investment, a loan under a financing."""
    loose = {"mou", "investment", "financing", "loan", "equity", "grant", "other"}
    return a == b or (a in loose and b in loose)


def _family(deal_type: str) -> str:
    """A loan, a financing and an investment are one family of deal; every other type its own."""
    return "credit" if deal_type in CREDIT else deal_type


def _same_sentence(a: Row, b: Row) -> bool:
    places = {(e["article_id"], e["sentence_index"]) for e in a["evidence"]}
    return any((e["article_id"], e["sentence_index"]) in places for e in b["evidence"])


def _adjacent(a: Row, b: Row) -> bool:
    for ea in a["evidence"]:
        for eb in b["evidence"]:
            if ea["article_id"] == eb["article_id"] and abs(ea["sentence_index"] - eb["sentence_index"]) <= 1:
                return True
    return False


def _merge_deal(target: Row, other: Row) -> None:
    rules = load_rules("deals")
    priority = rules["status_priority"]
    if other["amount"] is None and target["amount"] is not None and other["deal_type"] in rules["amountless_types"]:
        target["deal_type"] = other["deal_type"]  # the MoU names what the amount is
    if priority.index(other["status"]) < priority.index(target["status"]):
        target["status"] = other["status"]
    known = {p["name"] for p in target["party_roles"]}
    target["party_roles"] += [p for p in other["party_roles"] if p["name"] not in known]
    merge_rows(target, other, ("parties",))


DEALS = Kind(key="deal_id", keys=_deal_keys, same=_same_deal, merge=_merge_deal, list_fields=("parties", "party_roles"))
