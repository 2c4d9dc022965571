"""The dev set: each gold file (gold.jsonl) scored against the rows of the articles read from it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flows.eval.entities import score_entity_set
from flows.eval.gold import GoldArticle, file_name
from flows.eval.items import DEAL, EVENT, score_items
from flows.eval.rows import rows_for
from flows.eval.score import EvalReport
from flows.eval.stories import score_stories


def _norm_url(url: str) -> str:
    return str(url).strip().rstrip("/")


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0] if "." in name else name


def _devset_file_map(gold_files: Iterable[str], sources: list[dict], articles: list[dict]) -> dict[str, list[dict]]:
    """Gold file -> predicted articles rows (by source_uri basename or url)."""
    files = list(gold_files)
    by_name = {f: f for f in files}
    by_stem = {_stem(f): f for f in files}
    by_url = {_norm_url(s["url"]): s["file"] for s in sources if s.get("url") and s.get("file")}
    out: dict[str, list[dict]] = {f: [] for f in files}
    for row in articles:
        uri = str(row.get("source_uri") or "")
        base = file_name(uri)
        target = by_url.get(_norm_url(uri)) or by_name.get(base) or by_stem.get(_stem(base))
        if target is None:
            # JSONL inputs may carry "file.jsonl:line" or "path#frag"; try before the marker.
            base2 = re.split(r"[:#?]", base)[0]
            target = by_name.get(base2) or by_stem.get(_stem(base2))
        if target in out:
            out[target].append(row)
    return out


def _units(gold_by_file: dict[str, dict], file_rows: dict[str, list[dict]], report: EvalReport) -> list[GoldArticle]:
    """One unit per gold file; a file no predicted article came from is reported missing."""
    units: list[GoldArticle] = []
    for fname, record in gold_by_file.items():
        ids = {str(r["article_id"]) for r in file_rows[fname] if r.get("article_id")}
        if not ids:
            report.articles_missing.append(fname)
            report.misses.append(f"{fname}: no predicted article (not read, or source_uri not recognised)")
        units.append(GoldArticle(fname, ids, list(record.get("deals") or []), list(record.get("events") or []), dict(record.get("entities") or {})))
    return units


def _duplicate_pairs(sources: list[dict], file_rows: dict[str, list[dict]]) -> set[tuple[str, str]]:
    """The gold files that retell another one (sources.jsonl's duplicate_of), as unordered pairs."""
    pairs = {tuple(sorted((str(s["file"]), str(s["duplicate_of"])))) for s in sources if s.get("duplicate_of") and s.get("file")}
    return {p for p in pairs if p[0] in file_rows and p[1] in file_rows}  # type: ignore[misc]


def score_devset(
    gold: list[dict],
    sources: list[dict],
    articles: list[dict],
    entities: list[dict],
    events: list[dict],
    deals: list[dict],
) -> EvalReport:
    """Scores the published rows against the dev set's gold records."""
    report = EvalReport(kind="devset")
    gold_by_file = {str(g["file"]): g for g in gold}
    file_rows = _devset_file_map(gold_by_file, sources, articles)
    units = _units(gold_by_file, file_rows, report)
    report.articles_scored = sum(1 for u in units if u.article_ids)
    score_items(DEAL, units, deals, report)
    score_items(EVENT, units, events, report)
    for unit in units:
        score_entity_set(unit.label, unit.entities or {}, rows_for(entities, unit.article_ids), unit.article_ids, report)
    score_stories(file_rows, _duplicate_pairs(sources, file_rows), report)
    return report
