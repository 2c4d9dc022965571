"""Entities: per article (dev set) or per run (seeds), PERSON/ORG/GPE with the same type and a
matching canonical name, one-to-one; in the seeds also names typed otherwise than in gold."""

from __future__ import annotations

from flows.eval.errors import generic_name, is_place, name_class
from flows.eval.match import assign
from flows.eval.names import match_strength, names_match
from flows.eval.rows import as_list, evidence_text, row_ids, shorten
from flows.eval.score import ErrorRecord, EvalReport, Score

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
        lone_names = [n for i, n in enumerate(names) if i not in hit_gold]
        lone_preds = [str(p.get("name") or "") for j, p in enumerate(typed) if j not in hit_pred]
        report.errors += classify_names(label, etype, lone_names, lone_preds, gold, preds, bool(article_ids))


def classify_names(label: str, etype: str, names: list[str], preds: list[str], gold: dict, rows: list[dict], has_article: bool) -> list[ErrorRecord]:
    """The classes of one type's unmatched gold names and predicted names in one article: near
    pairs first (diacritics, particles, split or cut, two names of a country), then each alone."""
    near = {(i, j): name_class(n, p) for i, n in enumerate(names) for j, p in enumerate(preds)}
    # A pair of a known class beats a pair of names only equal in case ("other").
    pairs = assign([[{None: 0.0, "other": 1.0}.get(near[i, j], 2.0) for j in range(len(preds))] for i in range(len(names))])
    out = []
    for i, j in pairs:
        cls = near[i, j] or "other"
        out.append(ErrorRecord("entity", "miss", cls, label, f"{etype} {names[i]} ~ {preds[j]}"))
        out.append(ErrorRecord("entity", "fp", cls, label, f"{etype} {preds[j]} ~ {names[i]}"))
    other_rows = [str(r.get("name") or "") for r in rows if str(r.get("type") or "") != etype]
    same_type = [str(n) for n in as_list(gold.get(etype))]
    other_gold = [str(n) for t, ns in gold.items() if t != etype for n in as_list(ns)]
    paired_names, paired_preds = {i for i, _ in pairs}, {j for _, j in pairs}
    for i in sorted(set(range(len(names))) - paired_names):
        out.append(ErrorRecord("entity", "miss", _lone_name(names[i], etype, other_rows, has_article), label, f"{etype} {names[i]}"))
    for j in sorted(set(range(len(preds))) - paired_preds):
        out.append(ErrorRecord("entity", "fp", _lone_prediction(preds[j], etype, same_type, other_gold), label, f"{etype} {preds[j]}"))
    return out


def _lone_name(name: str, etype: str, other_rows: list[str], has_article: bool) -> str:
    """A gold name nothing of its type came near: found under another type, a place the world
    tables know (so the gazetteer should have), or missed."""
    if not has_article:
        return "article_missing"
    if any(names_match(name, other) for other in other_rows):
        return "entity_label"
    return "world_gpe" if etype == "GPE" and is_place(name) else "missed"


def _lone_prediction(name: str, etype: str, same_type: list[str], other_gold: list[str]) -> str:
    """A predicted name no unmatched gold name came near: a gold name of another type (or a place
    typed PERSON/ORG), a part of a gold name already found (split or cut), a generic noun, or extra."""
    if any(names_match(name, other) for other in other_gold) or (etype != "GPE" and is_place(name)):
        return "entity_label"
    parts = [cls for g in same_type if (cls := name_class(g, name)) in ("name_split", "name_particles", "name_diacritics")]
    if parts:
        return parts[0]
    return "party_generic" if generic_name(name) else "extra"


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
