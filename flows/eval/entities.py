"""Entities: per article (dev set) or per run (seeds), PERSON/ORG/GPE with the same type and a
matching canonical name, one-to-one; in the seeds also names typed otherwise than in gold."""

from __future__ import annotations

from flows.eval.match import assign
from flows.eval.names import match_strength, names_match
from flows.eval.rows import as_list, evidence_text, row_ids, shorten
from flows.eval.score import EvalReport, Score

ENTITY_TYPES = ("PERSON", "ORG", "GPE")
SCHEMA_ENTITY_TYPES = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})


def score_entity_set(label: str, gold: dict[str, list[str]], preds: list[dict], article_ids: set[str], report: EvalReport) -> None:
    """Scores the entity rows of some articles against the gold names of each scored type."""
    for etype in ENTITY_TYPES:
        names = [str(n) for n in as_list(gold.get(etype))]
        typed = [p for p in preds if str(p.get("type") or "") == etype]
        pairs = assign([[match_strength(n, str(p.get("name") or "")) for p in typed] for n in names])
        hit_gold = {i for i, _ in pairs}
        hit_pred = {j for _, j in pairs}
        report.entities.add(Score(len(pairs), len(typed) - len(pairs), len(names) - len(pairs)))
        for i, name in enumerate(names):
            if i not in hit_gold:
                report.misses.append(f"{label} {etype} not found: {name}")
        for j, pred in enumerate(typed):
            if j not in hit_pred:
                aid = sorted(article_ids & row_ids(pred))
                text = evidence_text(pred, aid[0] if aid else "", key="mentions")
                report.false_positives.append(f"{label} {etype} {pred.get('name')!r} | mention: {shorten(text, 120)}")


def check_entity_types(preds: list[dict], gold: dict[str, list[str]], report: EvalReport) -> None:
    """Type errors: a known name under another type, or a type outside the schema."""
    for pred in preds:
        name, etype = str(pred.get("name") or ""), str(pred.get("type") or "")
        if etype not in SCHEMA_ENTITY_TYPES:
            report.type_errors += 1
            report.false_positives.append(f"type error: {name!r} typed {etype} (not an entity type)")
            continue
        expected = _other_type(name, etype, gold)
        if expected is not None:
            report.type_errors += 1
            report.false_positives.append(f"type error: {name!r} typed {etype}, expected {expected}")


def _other_type(name: str, etype: str, gold: dict[str, list[str]]) -> str | None:
    """The first other gold type naming `name`, unless gold names it under `etype` too."""
    if any(names_match(name, str(g)) for g in as_list(gold.get(etype))):
        return None
    for gtype, names in gold.items():
        if gtype != etype and any(names_match(name, str(g)) for g in as_list(names)):
            return gtype
    return None
