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

Deals and events are scored by one loop, :func:`score_items`; an :class:`ItemKind` says what
differs (the weight of a pair, the labels, what more a matched pair scores).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flows.eval.classify import classify_unit, record_confidences
from flows.eval.coarse import coarse_event_class
from flows.eval.gold import GoldArticle
from flows.eval.match import assign, count_named
from flows.eval.rows import amount_close, amount_of, as_list, evidence_text, iso_date, row_id, row_ids, rows_for, shorten
from flows.eval.score import EvalReport, Score


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


def _event_row_label(row: dict) -> str:
    return event_label(row, "event_type")


def check_event_date(label: str, gold: dict, pred: dict, report: EvalReport) -> None:
    """A matched event's date: right or wrong where gold has one, invented where gold has none."""
    gold_date = iso_date(gold.get("date"))
    pred_date = iso_date(pred.get("event_date"))
    if gold_date is not None:
        correct, total = report.date_accuracy
        report.date_accuracy = (correct + int(pred_date == gold_date), total + 1)
        if pred_date != gold_date:
            report.misses.append(
                f"{label} event date wrong: {event_label(gold)}; predicted"
                f" {pred_date or 'no date'} ({pred.get('date_text') or 'no date text'})"
            )
    elif "date" in gold and pred_date is not None:
        report.dates_invented += 1
        report.false_positives.append(
            f"{label} event date invented: {event_label(gold)}; predicted"
            f" {pred_date} from {pred.get('date_text')!r}, gold has no resolvable date"
        )


@dataclass(frozen=True)
class ItemKind:
    """What differs between scoring deals and scoring events."""

    name: str  # the word in the report's lines
    items: str  # the GoldArticle list and the EvalReport score: "deals" or "events"
    id_key: str  # the row's id column
    weight: Callable[[dict, dict], float]  # (gold, row) > 0: the row finds the gold item
    gold_label: Callable[[dict], str]
    row_label: Callable[[dict], str]
    check_pair: Callable[[str, dict, dict, EvalReport], None] | None = None  # more to score on a matched pair


DEAL = ItemKind("deal", "deals", "deal_id", deal_weight, deal_label, deal_label)
EVENT = ItemKind("event", "events", "event_id", event_weight, event_label, _event_row_label, check_event_date)


def score_items(kind: ItemKind, units: list[GoldArticle], rows: list[dict], report: EvalReport) -> dict[tuple[str, int], str]:
    """Scores one kind per unit; returns (unit label, gold index) -> matched row id."""
    matched: dict[tuple[str, int], str] = {}
    for unit in units:
        matched.update(_score_unit(kind, unit, rows_for(rows, unit.article_ids), report))
    return matched


def _score_unit(kind: ItemKind, unit: GoldArticle, preds: list[dict], report: EvalReport) -> dict[tuple[str, int], str]:
    golds: list[dict] = getattr(unit, kind.items)
    pairs = assign([[kind.weight(g, p) for p in preds] for g in golds])
    getattr(report, kind.items).add(Score(len(pairs), len(preds) - len(pairs), len(golds) - len(pairs)))
    if kind.check_pair is not None:
        for i, j in pairs:
            kind.check_pair(unit.label, golds[i], preds[j], report)
    report.errors += classify_unit(kind.name, kind.weight, unit.label, unit.article_ids, golds, preds, pairs, (kind.gold_label, kind.row_label))
    record_confidences(kind.items, preds, pairs, report)
    _report_misses(kind, unit.label, golds, {i for i, _ in pairs}, report)
    _report_false_positives(kind, unit, preds, {j for _, j in pairs}, report)
    return {(unit.label, i): row_id(preds[j], kind.id_key) for i, j in pairs}


def _report_misses(kind: ItemKind, label: str, golds: list[dict], found: set[int], report: EvalReport) -> None:
    for i, gold in enumerate(golds):
        if i not in found:
            ev = f" | evidence: {shorten(gold['evidence'])}" if gold.get("evidence") else ""
            report.misses.append(f"{label} {kind.name} not found: {kind.gold_label(gold)}{ev}")


def _report_false_positives(kind: ItemKind, unit: GoldArticle, preds: list[dict], matched: set[int], report: EvalReport) -> None:
    for j, pred in enumerate(preds):
        if j not in matched:
            # preds are the rows found in the unit's articles: the evidence of the first one.
            text = evidence_text(pred, min(unit.article_ids & row_ids(pred)))
            report.false_positives.append(f"{unit.label} {kind.name} {row_id(pred, kind.id_key)}: {kind.row_label(pred)} | evidence: {shorten(text)}")
