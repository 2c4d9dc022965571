"""The seeds: seeds_expected.json's articles, deals, events, entities and stories, each named by
the three-digit prefix of its file, scored against the rows of a run on the seed articles."""

from __future__ import annotations

import re
from typing import Any

from flows.eval.entities import check_entity_types, score_entity_set
from flows.eval.gold import GoldArticle, file_name
from flows.eval.items import DEAL, EVENT, ItemKind, score_items
from flows.eval.names import normalise_text
from flows.eval.rows import as_list, iso_date, rows_for
from flows.eval.score import EvalReport, Score
from flows.eval.stories import score_stories

# Where a gold item was scored: (unit label, index among that unit's gold items).
Place = tuple[str, int]


def _seed_prefix(uri: str) -> str | None:
    m = re.match(r"(\d{3})", file_name(uri))
    return m.group(1) if m else None


def _file_rows(expected: dict, articles: list[dict]) -> dict[str, list[dict]]:
    """Label (file prefix) -> its predicted articles rows, for every label the expectations name."""
    labels = {str(a["file"]) for a in expected.get("articles") or []}
    for item in list(expected.get("deals") or []) + list(expected.get("events") or []):
        labels.update(str(s) for s in as_list(item.get("sources")))
    file_rows: dict[str, list[dict]] = {label: [] for label in sorted(labels)}
    for row in articles:
        prefix = _seed_prefix(str(row.get("source_uri") or ""))
        if prefix in file_rows:
            file_rows[prefix].append(row)
    return file_rows


# --------------------------------------------------------------------------- article facts


def _article_facts(expected: dict) -> list[tuple[str, Any]]:
    facts: list[tuple[str, Any]] = []
    if "published_date" in expected:
        facts.append(("published_date", iso_date(expected["published_date"])))
    if "dateline" in expected:
        facts.append(("dateline", expected["dateline"]))
    if "headline" in expected:
        facts.append(("headline", expected["headline"]))
    if "summary_bullets" in expected:
        facts.append(("summary_bullets", int(expected["summary_bullets"] or 0)))
    return facts


def _predicted_fact(name: str, row: dict) -> Any:
    if name == "published_date":
        return iso_date(row.get("published_date"))
    if name == "summary_bullets":
        return len(as_list(row.get("summary")))
    return row.get(name)


def _fact_equal(name: str, expected: Any, predicted: Any) -> bool:
    if name in ("dateline", "headline"):
        if expected is None or predicted is None:
            return expected is None and predicted is None
        return normalise_text(expected) == normalise_text(predicted)
    return expected == predicted


def _fact_is_empty(name: str, value: Any) -> bool:
    return value is None or value == "" or (name == "summary_bullets" and value == 0)


def _score_fact(label: str, name: str, want: Any, row: dict | None, score: Score, report: EvalReport) -> None:
    """A fact found, missed, invented where none is expected, or wrong (a miss and a false positive)."""
    got = _predicted_fact(name, row) if row is not None else None
    if row is not None and _fact_equal(name, want, got):
        score.tp += 1
    elif row is None or _fact_is_empty(name, got):
        score.fn += 1
        report.misses.append(f"{label} {name}: expected {want!r}, got {got!r}")
    elif _fact_is_empty(name, want):
        score.fp += 1
        report.false_positives.append(f"{label} {name}: expected none, got {got!r}")
    else:
        score.fp += 1
        score.fn += 1
        report.misses.append(f"{label} {name}: expected {want!r}, got {got!r}")


def _score_articles(exp_articles: dict[str, dict], file_rows: dict[str, list[dict]], score: Score, report: EvalReport) -> None:
    for label, exp in sorted(exp_articles.items()):
        row = file_rows[label][0] if file_rows[label] else None
        for name, want in _article_facts(exp):
            _score_fact(label, name, want, row, score, report)


# --------------------------------------------------------------------------- deals and events


def _units_for(kind: ItemKind, items: list[dict], ids_of: dict[str, set[str]]) -> tuple[list[GoldArticle], dict[int, list[Place]]]:
    """One unit per label with the items it is a source of; where each item went."""
    per_label: dict[str, list[dict]] = {label: [] for label in ids_of}
    positions: dict[int, list[Place]] = {}
    for idx, item in enumerate(items):
        for src in as_list(item.get("sources")):
            bucket = per_label.setdefault(str(src), [])
            positions.setdefault(idx, []).append((str(src), len(bucket)))
            bucket.append(item)
    units = [GoldArticle(label, ids_of.get(label, set()), **{kind.items: golds}) for label, golds in sorted(per_label.items())]
    return units, positions


def _check_duplicates(kind: ItemKind, items: list[dict], matched: dict[Place, str], positions: dict[int, list[Place]], report: EvalReport) -> None:
    """A gold item reported by several articles should be one row, not one per article."""
    for idx, item in enumerate(items):
        places = positions.get(idx, [])
        if len(places) < 2:
            continue
        rows = sorted({matched[p] for p in places if p in matched})
        if len(rows) > 1:
            report.duplicate_rows += len(rows) - 1
            report.false_positives.append(
                f"duplicate {kind.name} rows {', '.join(rows)} for one {kind.name} reported by"
                f" {', '.join(u for u, _ in places)}: {kind.gold_label(item)}"
            )


def _score_kind(kind: ItemKind, items: list[dict], rows: list[dict], ids_of: dict[str, set[str]], report: EvalReport) -> None:
    """One gold item per source article, then one row per gold item."""
    units, positions = _units_for(kind, items, ids_of)
    matched = score_items(kind, units, rows, report)
    _check_duplicates(kind, items, matched, positions, report)


# --------------------------------------------------------------------------- the whole run


def _story_pairs(exp_articles: dict[str, dict]) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for label, exp in exp_articles.items():
        for other in as_list(exp.get("same_story_as")):
            if str(other) != label:
                pairs.add(tuple(sorted((label, str(other)))))  # type: ignore[arg-type]
    return pairs


def score_seeds(
    expected: dict,
    articles: list[dict],
    entities: list[dict],
    events: list[dict],
    deals: list[dict],
) -> EvalReport:
    """Scores the published rows against seeds_expected.json (files by 3-digit prefix)."""
    facts = Score()
    report = EvalReport(kind="seeds", articles=facts)
    exp_articles = {str(a["file"]): a for a in expected.get("articles") or []}
    file_rows = _file_rows(expected, articles)
    ids_of = {label: {str(r["article_id"]) for r in rows if r.get("article_id")} for label, rows in file_rows.items()}
    for label, ids in ids_of.items():
        if not ids:
            report.articles_missing.append(label)
            report.misses.append(f"{label}: no predicted article")
    report.articles_scored = sum(1 for ids in ids_of.values() if ids)
    _score_articles(exp_articles, file_rows, facts, report)
    _score_kind(DEAL, list(expected.get("deals") or []), deals, ids_of, report)
    _score_kind(EVENT, list(expected.get("events") or []), events, ids_of, report)
    # Entities: the expectations list them for the whole run, not per article.
    all_ids = set().union(*ids_of.values()) if ids_of else set()
    seed_entities = rows_for(entities, all_ids)
    gold_entities = dict(expected.get("entities") or {})
    score_entity_set("seeds", gold_entities, seed_entities, all_ids, report)
    check_entity_types(seed_entities, gold_entities, report)
    score_stories(file_rows, _story_pairs(exp_articles), report)
    return report
