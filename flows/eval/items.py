"""Deals and events: the gold items of an article matched one-to-one with the rows found in it.

Rules (the dev set's README):

* A predicted event or deal counts for an article when the article is among its
  ``article_ids``; a row merged across several articles counts once for each of them.
* Deals: same article, amount within 1 % when the gold amount is not null, and at least
  one gold party named; with no gold amount, at least two gold parties (or all, if
  fewer). One-to-one per article; precision over all predicted deals of the scored
  articles.
* Events: same article, same coarse class (:func:`coarse_event_class`), at least two
  gold actors named (or all, if fewer). Dates are scored on matched events with a gold
  date.
* Names match per :func:`flows.eval.names.names_match`.
"""

from __future__ import annotations

import re

from flows.eval.gold import GoldArticle
from flows.eval.match import assign, count_named
from flows.eval.rows import amount_close, amount_of, as_list, evidence_text, iso_date, row_id, rows_for, shorten
from flows.eval.score import EvalReport, Score

_COARSE = {
    "consult": ("consult", "phone_call", "call", "meeting", "visit", "talks"),
    "agree": ("agree", "agreement", "agreement_signed", "mou", "trade_deal", "trade_agreement"),
    "financing": (
        "financing",
        "financing_approved",
        "loan",
        "investment",
        "approval",
    ),
    "statement": ("statement",),
}
_COARSE_OF = {t: cls for cls, types in _COARSE.items() for t in types}


def coarse_event_class(t: str) -> str:
    """consult, agree, financing, statement or other (ceasefire, sanction, ... are other)."""
    key = re.sub(r"[\s\-]+", "_", (t or "").strip().casefold())
    return _COARSE_OF.get(key, "other")


def deal_weight(gold: dict, pred: dict) -> float:
    """> 0 when pred finds gold: amount within 1 % and one party, or two parties."""
    parties = [str(p) for p in as_list(gold.get("parties"))]
    pred_parties = [str(p) for p in as_list(pred.get("parties"))]
    named = count_named(parties, pred_parties)
    gold_amount = amount_of(gold.get("amount"))
    if gold_amount is not None:
        if not amount_close(gold_amount, pred.get("amount")) or named < min(1, len(parties)):
            return 0.0
        closeness = 1.0 - abs(amount_of(pred.get("amount")) - gold_amount) / max(abs(gold_amount), 1.0)
        return 1.0 + closeness + named / max(len(parties), 1)
    if named < min(2, len(parties)):
        return 0.0
    bonus = 0.5 if amount_of(pred.get("amount")) is None else 0.0
    return 1.0 + bonus + named / max(len(parties), 1)


def event_weight(gold: dict, pred: dict) -> float:
    """> 0 when pred finds gold: same coarse class and two actors; more for the date and exact type."""
    if coarse_event_class(str(gold.get("type") or "")) != coarse_event_class(
        str(pred.get("event_type") or "")
    ):
        return 0.0
    actors = [str(a) for a in as_list(gold.get("actors"))]
    named = count_named(actors, [str(a) for a in as_list(pred.get("actors"))])
    if named < min(2, len(actors)):
        return 0.0
    weight = 1.0 + named / max(len(actors), 1)
    gold_date = iso_date(gold.get("date"))
    pred_date = iso_date(pred.get("event_date"))
    if gold_date is not None and pred_date == gold_date:
        weight += 1.0
    if gold_date is None and "date" in gold and pred_date is None:
        weight += 0.5
    if str(gold.get("type") or "") == str(pred.get("event_type") or ""):
        weight += 0.25
    return weight


def deal_label(deal: dict) -> str:
    """A gold deal or a deal row in one line: type, amount, parties."""
    amount = deal.get("amount_text") or (
        f"{deal.get('currency') or ''} {deal['amount']:,.0f}".strip()
        if amount_of(deal.get("amount")) is not None
        else "no amount"
    )
    tag = f"[{deal['id']}] " if deal.get("id") else ""
    return f"{tag}{deal.get('deal_type') or 'deal'} {amount}; parties: {', '.join(map(str, as_list(deal.get('parties'))))}"


def event_label(event: dict, type_key: str = "type") -> str:
    """A gold event (type, date) or, with type_key="event_type", an event row in one line."""
    tag = f"[{event['id']}] " if event.get("id") else ""
    date = iso_date(event.get("date" if type_key == "type" else "event_date"))
    when = f" on {date}" if date else ""
    actors = ", ".join(map(str, as_list(event.get("actors"))))
    return f"{tag}{event.get(type_key)}{when}; actors: {actors}"


def _first_id(unit: GoldArticle) -> str:
    return sorted(unit.article_ids)[0] if unit.article_ids else ""


def score_deals(
    units: list[GoldArticle], deals: list[dict], report: EvalReport
) -> dict[tuple[str, int], str]:
    """Scores deals per unit; returns (unit label, gold index) -> matched deal_id."""
    matched: dict[tuple[str, int], str] = {}
    for unit in units:
        preds = rows_for(deals, unit.article_ids)
        weights = [[deal_weight(g, p) for p in preds] for g in unit.deals]
        pairs = assign(weights)
        hit_gold = {i for i, _ in pairs}
        hit_pred = {j for _, j in pairs}
        report.deals.add(Score(len(pairs), len(preds) - len(pairs), len(unit.deals) - len(pairs)))
        for i, j in pairs:
            matched[(unit.label, i)] = row_id(preds[j], "deal_id")
        for i, gold in enumerate(unit.deals):
            if i not in hit_gold:
                ev = f" | evidence: {shorten(gold['evidence'])}" if gold.get("evidence") else ""
                report.misses.append(f"{unit.label} deal not found: {deal_label(gold)}{ev}")
        aid = _first_id(unit)
        for j, pred in enumerate(preds):
            if j not in hit_pred:
                ids = unit.article_ids & {str(a) for a in as_list(pred.get("article_ids"))}
                text = evidence_text(pred, sorted(ids)[0] if ids else aid)
                report.false_positives.append(
                    f"{unit.label} deal {row_id(pred, 'deal_id')}: {deal_label(pred)}"
                    f" | evidence: {shorten(text)}"
                )
    return matched


def score_events(
    units: list[GoldArticle], events: list[dict], report: EvalReport
) -> dict[tuple[str, int], str]:
    matched: dict[tuple[str, int], str] = {}
    correct = total = 0
    for unit in units:
        preds = rows_for(events, unit.article_ids)
        weights = [[event_weight(g, p) for p in preds] for g in unit.events]
        pairs = assign(weights)
        hit_gold = {i for i, _ in pairs}
        hit_pred = {j for _, j in pairs}
        report.events.add(
            Score(len(pairs), len(preds) - len(pairs), len(unit.events) - len(pairs))
        )
        for i, j in pairs:
            gold, pred = unit.events[i], preds[j]
            matched[(unit.label, i)] = row_id(pred, "event_id")
            gold_date = iso_date(gold.get("date"))
            pred_date = iso_date(pred.get("event_date"))
            if gold_date is not None:
                total += 1
                if pred_date == gold_date:
                    correct += 1
                else:
                    report.misses.append(
                        f"{unit.label} event date wrong: {event_label(gold)}; predicted"
                        f" {pred_date or 'no date'} ({pred.get('date_text') or 'no date text'})"
                    )
            elif "date" in gold and pred_date is not None:
                report.dates_invented += 1
                report.false_positives.append(
                    f"{unit.label} event date invented: {event_label(gold)}; predicted"
                    f" {pred_date} from {pred.get('date_text')!r}, gold has no resolvable date"
                )
        for i, gold in enumerate(unit.events):
            if i not in hit_gold:
                ev = f" | evidence: {shorten(gold['evidence'])}" if gold.get("evidence") else ""
                report.misses.append(f"{unit.label} event not found: {event_label(gold)}{ev}")
        aid = _first_id(unit)
        for j, pred in enumerate(preds):
            if j not in hit_pred:
                ids = unit.article_ids & {str(a) for a in as_list(pred.get("article_ids"))}
                text = evidence_text(pred, sorted(ids)[0] if ids else aid)
                report.false_positives.append(
                    f"{unit.label} event {row_id(pred, 'event_id')}:"
                    f" {event_label(pred, 'event_type')} | evidence: {shorten(text)}"
                )
    report.date_accuracy = (
        report.date_accuracy[0] + correct,
        report.date_accuracy[1] + total,
    )
    return matched

