"""The text report of an evaluation: scores, dates, stories, calibration, then every miss and
false positive and the table of them by error class."""

from __future__ import annotations

from flows.eval.errors import error_classes
from flows.eval.score import BANDS, EvalReport, Score, calibration, error_table

# The error table's column groups: (heading, item, sides). "field" counts matched pairs with a
# wrong field (type, status, currency, date): errors, but not in the fp/fn counts.
_GROUPS = (("deals", "deal", ("miss", "fp", "field")), ("events", "event", ("miss", "fp", "field")), ("entities", "entity", ("miss", "fp")), ("stories", "story", ("miss", "fp")))
_CELL = 6


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


def _error_table_lines(report: EvalReport) -> list[str]:
    """Each class's misses, false positives and wrong fields per item; the total row adds up to
    the fn and fp counts above."""
    table = error_table(report.errors)
    labels = error_classes()
    order = [c for c in labels if c in table] + sorted(c for c in table if c not in labels)
    width = max([len(labels.get(c, c)) for c in order] + [len("total")]) + 2
    columns = [(item, side) for _, item, sides in _GROUPS for side in sides]
    head1 = " " * width + "".join(f"{heading:<{_CELL * len(sides)}}" for heading, _, sides in _GROUPS)
    head2 = " " * width + "".join(f"{side:>{_CELL}}" for _, side in columns)

    def row(name: str, counts: dict[str, int]) -> str:
        return f"{name:<{width}}" + "".join(f"{counts.get(f'{item} {side}', 0) or '.':>{_CELL}}" for item, side in columns)

    totals: dict[str, int] = {}
    for counts in table.values():
        for column, n in counts.items():
            totals[column] = totals.get(column, 0) + n
    body = [row("  " + labels.get(c, c), table[c]) for c in order]
    return ["Errors by class (miss: gold item not found; fp: row not in gold; field: matched, a field wrong):", head1, head2, *body, row("  total", totals)]


def _calibration_lines(report: EvalReport) -> list[str]:
    """Per confidence band, the share of predicted deals and events that match gold."""
    lines = ["Confidence calibration (rows matching gold, per confidence band):"]
    for item, bands in calibration(report.confidences).items():
        cells = []
        for band, _ in reversed(BANDS):
            counts = bands[band]
            share = f"({counts['share']:.0%})" if counts["rows"] else ""
            cells.append(f"{band} {counts['right']:>3}/{counts['rows']:<3} {share:<6}")
        lines.append(f"  {item:<9}" + "  ".join(cells).rstrip())
    return lines


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
    lines += ["", *_summary_lines(report), "", *_calibration_lines(report)]
    lines += ["", *_listed("Misses", report.misses), "", *_listed("False positives", report.false_positives), "", *_error_table_lines(report)]
    return "\n".join(lines) + "\n"
