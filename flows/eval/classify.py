"""The error class of every deal and event miss and false positive of one article, and of every
wrong field of a matched pair, decided from the gold and predicted rows.

The gold items and rows left unmatched are first paired by nearness (one-to-one, nearest first):
a pair that shares the amount but not the parties is a party error, one that shares the parties
but not the amount an amount error, one with the actors but not the coarse type a type error ...
Each side of a near pair is counted in the pair's class. What stays alone is classed by what it
is: a gold item a matched row would also find ("two gold items, one row"), a row that would also
find a matched gold item ("one item, two rows"), a deal row whose amount no gold deal has
("amount that is not a deal"), a gold meeting or call nothing found, or "nothing near".
"""

from __future__ import annotations

from collections.abc import Callable

from flows.eval.coarse import coarse_event_class
from flows.eval.errors import date_class, party_class, same_sentence
from flows.eval.match import assign, count_named
from flows.eval.rows import amount_close, amount_of, as_list, evidence_text, iso_date, row_ids
from flows.eval.score import ErrorRecord, EvalReport

Weight = Callable[[dict, dict], float]
Near = tuple[float, str]  # (how near, the pair's class)


def _names(values: object) -> list[str]:
    return [str(v) for v in as_list(values) if v]


def _evidence(pred: dict, article_ids: set[str]) -> str:
    ids = sorted(article_ids & row_ids(pred))
    return evidence_text(pred, ids[0] if ids else "")


def _family(golds: list[dict], i: int) -> bool:
    """Whether gold deal i is a part of a total, or a total with parts, in its article."""
    return golds[i].get("part_of") is not None or any(g.get("part_of") == i for g in golds)


def _scale_of(gold: float, pred: float) -> bool:
    """The same figure at another scale (thousand, million, lakh, crore, billion)."""
    if gold == 0 or pred == 0:
        return False
    ratio = max(abs(gold), abs(pred)) / min(abs(gold), abs(pred))
    return any(abs(ratio / s - 1) <= 0.01 for s in (1e3, 1e5, 1e6, 1e7, 1e9, 1e2, 1e1))


def _amount_class(golds: list[dict], i: int, pred: dict) -> str:
    gold = golds[i]
    gold_amount, pred_amount = amount_of(gold.get("amount")), amount_of(pred.get("amount"))
    if gold_amount is None or pred_amount is None:
        return "amount_form"
    if _family(golds, i):
        return "total_parts"
    if _scale_of(gold_amount, pred_amount):
        return "amount_form"
    return "amount_figure"


def deal_near(golds: list[dict], i: int, pred: dict, evidence: str) -> Near | None:
    """How near an unmatched prediction is to unmatched gold deal i, and the class of the pair."""
    gold = golds[i]
    parties = _names(gold.get("parties"))
    pred_parties = _names(pred.get("parties"))
    named = count_named(parties, pred_parties)
    gold_amount = amount_of(gold.get("amount"))
    if gold_amount is not None and amount_close(gold_amount, pred.get("amount")):
        return 3.0, party_class(pred_parties, parties, evidence)
    if gold_amount is not None and named >= 1:
        return 2.0 + named / len(parties), _amount_class(golds, i, pred)
    if gold_amount is None and named >= 1:
        return 2.0 + named / len(parties), party_class(pred_parties, parties, evidence)
    if same_sentence(str(gold.get("evidence") or ""), evidence):
        return 1.0, "other"
    return None


def event_near(golds: list[dict], i: int, pred: dict, evidence: str) -> Near | None:
    """How near an unmatched prediction is to unmatched gold event i, and the class of the pair."""
    gold = golds[i]
    gold_class = coarse_event_class(str(gold.get("type") or ""))
    pred_class = coarse_event_class(str(pred.get("event_type") or ""))
    actors = _names(gold.get("actors"))
    pred_actors = _names(pred.get("actors"))
    named = count_named(actors, pred_actors)
    sentence = same_sentence(str(gold.get("evidence") or ""), evidence)
    if gold_class == pred_class and (named >= 1 or sentence):
        cls = "statement_speaker" if gold_class == "statement" else party_class(pred_actors, actors, evidence)
        return 2.0 + named / max(len(actors), 1) + int(sentence), cls
    if gold_class != pred_class and (named >= min(2, len(actors)) or sentence):
        return 1.0 + named / max(len(actors), 1) + int(sentence), "event_type"
    return None


def _lone_miss(item: str, gold: dict, found_elsewhere: bool, has_article: bool) -> str:
    if not has_article:
        return "article_missing"
    if found_elsewhere:
        return "merged"
    if item == "event":
        gold_class = coarse_event_class(str(gold.get("type") or ""))
        if gold_class == "consult" or str(gold.get("type")) == "ceasefire":  # a trigger in another form
            return "consult_form"
        if gold_class == "statement":
            return "statement_missed"
        return "missed"
    return "missed_no_amount" if amount_of(gold.get("amount")) is None else "missed_amount"


def _lone_false_positive(item: str, pred: dict, finds_matched: bool, golds: list[dict], evidence: str) -> str:
    if finds_matched:
        return "duplicate"
    if item == "deal":
        amount = pred.get("amount")
        if amount_of(amount) is not None:
            known = [a for g in golds if (a := amount_of(g.get("amount"))) is not None]
            # An amount some gold deal has, already found by another row: the same deal twice.
            return "duplicate" if any(amount_close(a, amount) for a in known) else "amount_not_deal"
        cls = party_class(_names(pred.get("parties")), [p for g in golds for p in _names(g.get("parties"))], evidence)
        return cls if cls not in ("party_other", "party_missing") else "extra"
    if str(pred.get("extractor") or "").startswith("deal:"):
        return "from_deal"
    if coarse_event_class(str(pred.get("event_type") or "")) == "statement":
        return "statement_extra"
    return "extra"


def field_errors(item: str, gold: dict, pred: dict) -> list[tuple[str, object, object]]:
    """A matched pair's wrong fields as (class, gold value, predicted value): deal type, status,
    currency; event type, date."""
    if item == "deal":
        return [(key, gold[key], pred[key]) for key in ("deal_type", "status", "currency") if gold.get(key) and pred.get(key) and gold[key] != pred[key]]
    out: list[tuple[str, object, object]] = []
    if gold.get("type") and gold.get("type") != pred.get("event_type"):
        out.append(("event_type", gold["type"], pred.get("event_type")))
    gold_date, pred_date = iso_date(gold.get("date")), iso_date(pred.get("event_date"))
    if "date" in gold and gold_date != pred_date:
        out.append((date_class(gold_date, pred_date), gold_date, pred_date))
    return out


def classify_unit(
    item: str,
    weight: Weight,
    label: str,
    article_ids: set[str],
    golds: list[dict],
    preds: list[dict],
    pairs: list[tuple[int, int]],
    describe: tuple[Callable[[dict], str], Callable[[dict], str]],
) -> list[ErrorRecord]:
    """Every miss and false positive of one article's deals or events (item), classed, and the wrong
    fields of its matched pairs. describe: (gold label, row label) for the records' details."""
    gold_label, row_label = describe
    near_of = deal_near if item == "deal" else event_near
    found, used = {i for i, _ in pairs}, {j for _, j in pairs}
    lone_golds = [i for i in range(len(golds)) if i not in found]
    lone_preds = [j for j in range(len(preds)) if j not in used]
    evidence = {j: _evidence(preds[j], article_ids) for j in range(len(preds))}
    nearness = {(i, j): near_of(golds, i, preds[j], evidence[j]) for i in lone_golds for j in lone_preds}
    matrix = [[(nearness[i, j] or (0.0, ""))[0] for j in lone_preds] for i in lone_golds]
    near_pairs = [(lone_golds[a], lone_preds[b]) for a, b in assign(matrix)]
    records: list[ErrorRecord] = []

    def add(side: str, cls: str, detail: str) -> None:
        records.append(ErrorRecord(item, side, cls, label, detail))

    for i, j in near_pairs:
        cls = nearness[i, j][1]  # type: ignore[index]
        add("miss", cls, f"{gold_label(golds[i])} ~ {row_label(preds[j])}")
        add("fp", cls, f"{row_label(preds[j])} ~ {gold_label(golds[i])}")
    paired_golds, paired_preds = {i for i, _ in near_pairs}, {j for _, j in near_pairs}
    for i in lone_golds:
        if i not in paired_golds:
            elsewhere = any(weight(golds[i], preds[j]) > 0 for j in used)
            add("miss", _lone_miss(item, golds[i], elsewhere, bool(article_ids)), gold_label(golds[i]))
    for j in lone_preds:
        if j not in paired_preds:
            finds = any(weight(golds[i], preds[j]) > 0 for i in found)
            add("fp", _lone_false_positive(item, preds[j], finds, golds, evidence[j]), row_label(preds[j]))
    for i, j in pairs:
        for cls, gold_value, pred_value in field_errors(item, golds[i], preds[j]):
            add("field", cls, f"gold {gold_value}, predicted {pred_value}: {gold_label(golds[i])}")
    return records


def record_confidences(kind: str, preds: list[dict], pairs: list[tuple[int, int]], report: EvalReport) -> None:
    """Each row's confidence and whether it matched gold in this article (the calibration)."""
    used = {j for _, j in pairs}
    for j, pred in enumerate(preds):
        confidence = amount_of(pred.get("confidence"))
        if confidence is not None:
            report.confidences.append((kind, confidence, j in used))
