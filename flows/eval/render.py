"""The text report of an evaluation: scores, dates, stories, then every miss and false positive."""

from __future__ import annotations

from flows.eval.score import EvalReport, Score


def _score_line(name: str, score: Score) -> str:
    return f"  {name:<9} P {score.precision:6.1%}  R {score.recall:6.1%}  F1 {score.f1:6.1%}   (tp {score.tp}, fp {score.fp}, fn {score.fn})"


def _summary_lines(report: EvalReport) -> list[str]:
    """Dates, stories and (seeds) duplicate rows and type errors."""
    correct, total = report.date_accuracy
    lines = [
        f"  event dates: {correct}/{total} correct" + (f" ({correct / total:.1%})" if total else "") + f"; {report.dates_invented} invented where gold has none",
        f"  stories: {report.story_pairs_found}/{report.story_pairs_total} duplicate pairs merged; {report.false_merges} false merge(s)",
    ]
    if report.kind == "seeds":
        lines.append(f"  duplicate rows: {report.duplicate_rows}; entity type errors: {report.type_errors}")
    return lines


def _listed(title: str, items: list[str]) -> list[str]:
    return [f"{title} ({len(items)}):", *(f"  - {m}" for m in items or ["none"])]


def render_report(report: EvalReport) -> str:
    """Readable text: scores, dates, stories, then misses and false positives."""
    title = "dev set" if report.kind == "devset" else report.kind
    lines = [f"newsflow evaluation ({title}): {report.articles_scored} article(s) scored"]
    if report.articles_missing:
        lines.append(f"  not found among predicted articles: {', '.join(report.articles_missing)}")
    lines.append("")
    lines += [_score_line(name, getattr(report, name)) for name in ("deals", "events", "entities")]
    if report.articles is not None:
        lines.append(_score_line("articles", report.articles))
    lines += ["", *_summary_lines(report), "", *_listed("Misses", report.misses), "", *_listed("False positives", report.false_positives)]
    return "\n".join(lines) + "\n"
