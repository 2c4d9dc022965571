"""Deal candidates: an amount next to a deal word, with parties, roles, status, sector and project.

A total and its parts in one sentence are all rows, the parts pointing at the total.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import Any

from spacy.tokens import Doc, Span

from flows.mentions import by_sentence, evidence, is_modifier, main_countries
from flows.money import Money, find_amounts, parse_money
from flows.nlp import load_rules
from flows.records import Article

PARTY_LABELS = {"ORG", "GPE", "FAC"}


def _keyword_hits(tokens: list[str], table: dict[str, list[str]]) -> list[tuple[int, str]]:
    """(token position, class) for every keyword (one or more words) of every class."""
    hits = []
    for label, words in table.items():
        for phrase in words:
            parts = phrase.split()
            for i in range(len(tokens) - len(parts) + 1):
                if tokens[i : i + len(parts)] == parts:
                    hits.append((i, label))
    return hits


def _deal_type(tokens: list[str], at: int) -> str | None:
    hits = _keyword_hits(tokens, load_rules("deals")["deal_types"])
    if not hits:
        return None
    specific = [h for h in hits if h[1] != "other"] or hits
    return min(specific, key=lambda h: abs(h[0] - at))[1]


def _status(tokens: list[str], future: bool) -> str | None:
    """The deal's stage from the sentence's verbs; None when the sentence states none."""
    rules = load_rules("deals")
    found = {label for _, label in _keyword_hits(tokens, rules["statuses"])}
    if future or found == {"planned"}:
        return "planned"
    for status in rules["status_priority"]:
        if status in found:
            return status
    return None


def _sector(text: str) -> str | None:
    lowered = text.lower()
    scores = Counter()
    for sector, words in load_rules("deals")["sectors"].items():
        for word in words:
            scores[sector] += len(re.findall(rf"\b{re.escape(word)}\b", lowered))
    best = scores.most_common(1)
    return best[0][0] if best and best[0][1] > 0 else None


def _role(mention: dict[str, Any], sent: Span, financiers: frozenset[str]) -> str:
    name = mention["canonical_hint"] or mention["text"]
    if name in financiers or re.search(r"\b(bank|fund|finance|financial|capital|investment corporation)\b", name, re.I):
        return "financier"
    before = sent.doc.text[max(sent.start_char, mention["start"] - 12) : mention["start"]].lower()
    if re.search(r"\b(for|to|in|into|with)\s+(the\s+)?$", before) or mention["label"] == "FAC":
        return "recipient" if mention["label"] != "ORG" or "with" not in before else "counterparty"
    return "counterparty"


@functools.cache
def _financiers() -> frozenset[str]:
    return frozenset(e["name"] for e in load_rules("gazetteer") if e.get("kind") == "financier")


def _deal_future(sent: Span, start_char: int) -> bool:
    markers = set(load_rules("events")["future_markers"])
    clause = sent.doc.text[sent.start_char : start_char].lower().split()[-8:]
    return any(w in markers for w in clause)


def find_deals(doc: Doc, article: Article, mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Deal candidates: an amount next to a deal word, or an amountless MoU/trade deal between two parties."""
    rules = load_rules("deals")
    events_rules = load_rules("events")
    countries = main_countries(mentions)
    grouped = by_sentence(mentions)
    article_sector = _sector(doc.text)
    deals = []
    for index, sent in enumerate(doc.sents):
        tokens = [t.lower_ for t in sent]
        here = [m for m in grouped.get(index, []) if m["label"] in PARTY_LABELS and not (m["label"] == "GPE" and is_modifier(m, doc))]
        parties = list(dict.fromkeys(m["text"] for m in here))
        if any(p in sent.text.lower() for p in events_rules["both_parties"]):
            parties += [c for c in countries if c not in parties]
        roles = {m["text"]: _role(m, sent, _financiers()) for m in here}
        project = next((m["text"] for m in here if m["label"] == "FAC"), None)
        sector = _sector(sent.text) or article_sector
        monies = find_money(sent)
        for money in monies:
            at = next((t.i - sent.start for t in sent if t.idx >= money.start), 0)
            deal_type = _deal_type(tokens, at)
            near = _nearest_parties(here, monies, money) if len(monies) > 1 else parties
            if deal_type is None or not near:
                continue
            future = _deal_future(sent, money.start)
            status = _status(tokens, future) or "announced"
            deals.append(_deal_row(article, sent, index, deal_type, status, near, roles, money, project, sector, 0.8 if len(near) > 1 else 0.65))
        if not monies:
            deal_type = _deal_type(tokens, 0)
            status = _status(tokens, False)
            # Without an amount only a stated act (signed, agreed, announced ...) makes a deal.
            if deal_type in rules["amountless_types"] and len(parties) >= 2 and status not in (None, "planned"):
                deals.append(_deal_row(article, sent, index, deal_type, status, parties, roles, None, project, sector, 0.6))
    return _link_parts(deals)


def find_money(sent: Span) -> list[Money]:
    """Amounts with a currency: NER's MONEY spans, plus currency-marked amounts NER missed."""
    doc = sent.doc
    found = [m for ent in sent.ents if ent.label_ == "MONEY" for m in [parse_money(doc.text, ent.start_char, ent.end_char)] if m and m.currency]
    for money in find_amounts(doc.text, sent.start_char, sent.end_char):
        if not any(m.start <= money.start < m.end or money.start <= m.start < money.end for m in found):
            found.append(money)
    return sorted(found, key=lambda m: m.start)


def _nearest_parties(mentions: list[dict[str, Any]], monies: list[Money], money: Money) -> list[str]:
    """With several amounts in a sentence, each party belongs to the amount nearest to it."""
    def distance(m: dict[str, Any], amount: Money) -> int:
        return min(abs(m["start"] - amount.end), abs(amount.start - m["end"]))

    mine = [m["text"] for m in mentions if min(monies, key=lambda a: distance(m, a)) is money]
    return list(dict.fromkeys(mine))


def _deal_row(article: Article, sent: Span, index: int, deal_type: str, status: str, parties: list[str], roles: dict[str, str], money: Money | None, project: str | None, sector: str | None, confidence: float) -> dict[str, Any]:
    return {
        "deal_type": deal_type,
        "status": status,
        "parties": parties,
        "party_roles": [{"name": p, "role": roles.get(p, "counterparty")} for p in parties],
        "amount": money.amount if money else None,
        "currency": money.currency if money else None,
        "amount_text": money.text if money else None,
        "amount_qualifier": money.qualifier if money else None,
        "sector": sector,
        "project": project,
        "part_of": None,
        "evidence": evidence(article["article_id"], sent, index),
        "extractor": f"deals.yaml:{deal_type}" + (":amount" if money else ":parties"),
        "confidence": round(confidence * (1.0 if sector else 0.9), 3),
    }


def _link_parts(deals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """In one sentence, smaller amounts that add up to at most a larger one are its parts."""
    grouped: dict[int, list[dict[str, Any]]] = {}
    for d in deals:
        if d["amount"] is not None:
            grouped.setdefault(d["evidence"]["sentence_index"], []).append(d)
    for group in grouped.values():
        if len(group) < 2:
            continue
        total = max(group, key=lambda d: d["amount"])
        parts = [d for d in group if d is not total and d["currency"] == total["currency"] and d["amount"] < total["amount"]]
        if parts and sum(p["amount"] for p in parts) <= total["amount"] * 1.01:
            for part in parts:
                part["part_of"] = total["amount_text"]
    return deals
