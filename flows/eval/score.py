"""Scores: the counts of one category and the report of one evaluation, as the CLI prints and
`--json` writes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Score:
    """Counts of one category; precision/recall/F1 derived from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        # No predictions: nothing was wrong (vacuously 1.0); F1 still drops with recall.
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: "Score") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


# Confidence bands of the calibration: (label, lowest confidence in it), highest band first.
BANDS = ((">=0.8", 0.8), ("0.5-0.8", 0.5), ("<0.5", float("-inf")))


def band_of(confidence: float) -> str:
    return next(label for label, low in BANDS if confidence >= low)


def calibration(confidences: list[tuple[str, float, bool]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Per item (deals, events, both: "all") and confidence band: rows, rows matching gold, their share."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for item in ("deals", "events", "all"):
        bands = {label: {"rows": 0, "right": 0} for label, _ in BANDS}
        for what, confidence, right in confidences:
            if item in (what, "all"):
                counts = bands[band_of(confidence)]
                counts["rows"] += 1
                counts["right"] += int(right)
        for counts in bands.values():
            counts["share"] = round(counts["right"] / counts["rows"], 4) if counts["rows"] else None
        out[item] = bands
    return out


@dataclass(frozen=True)
class ErrorRecord:
    """One miss, false positive or wrong field of a matched pair, with its error class
    (flows/rules/eval_classes.yaml)."""

    item: str  # deal, event, entity, story
    side: str  # miss, fp, or field (a matched pair with a wrong field: not in the fp/fn counts)
    error_class: str
    article: str
    detail: str

    @property
    def column(self) -> str:
        """The error table's column: "deal miss", "event fp", "entity miss", "deal field" ..."""
        return f"{self.item} {self.side}"

    def to_dict(self) -> dict[str, str]:
        return {"item": self.item, "side": self.side, "class": self.error_class, "article": self.article, "detail": self.detail}


def error_table(errors: list[ErrorRecord]) -> dict[str, dict[str, int]]:
    """Class -> column -> count, classes in first-seen order."""
    table: dict[str, dict[str, int]] = {}
    for error in errors:
        row = table.setdefault(error.error_class, {})
        row[error.column] = row.get(error.column, 0) + 1
    return table


@dataclass
class EvalReport:
    """The result of one evaluation."""

    kind: str = "devset"
    deals: Score = field(default_factory=Score)
    events: Score = field(default_factory=Score)
    entities: Score = field(default_factory=Score)
    articles: Score | None = None  # seeds only: article facts
    date_accuracy: tuple[int, int] = (0, 0)  # (correct, total) on matched events with a gold date
    dates_invented: int = 0  # matched events with a date where gold says none can be resolved
    story_pairs_found: int = 0
    story_pairs_total: int = 0
    false_merges: int = 0
    duplicate_rows: int = 0  # seeds: gold items reported by 2+ articles but split over rows
    type_errors: int = 0  # seeds: entities named like a gold entity but typed differently
    articles_scored: int = 0
    articles_missing: list[str] = field(default_factory=list)  # gold files with no predicted article
    misses: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    errors: list[ErrorRecord] = field(default_factory=list)  # every miss and false positive, classified
    confidences: list[tuple[str, float, bool]] = field(default_factory=list)  # (deals|events, confidence, matched)

    @property
    def date_accuracy_ratio(self) -> float:
        correct, total = self.date_accuracy
        return correct / total if total else 1.0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "deals": self.deals.to_dict(),
            "events": self.events.to_dict(),
            "entities": self.entities.to_dict(),
            "articles": self.articles.to_dict() if self.articles is not None else None,
            "date_accuracy": {
                "correct": self.date_accuracy[0],
                "total": self.date_accuracy[1],
                "accuracy": round(self.date_accuracy_ratio, 4),
            },
            "dates_invented": self.dates_invented,
            "story_pairs_found": self.story_pairs_found,
            "story_pairs_total": self.story_pairs_total,
            "false_merges": self.false_merges,
            "duplicate_rows": self.duplicate_rows,
            "type_errors": self.type_errors,
            "articles_scored": self.articles_scored,
            "articles_missing": list(self.articles_missing),
            "misses": list(self.misses),
            "false_positives": list(self.false_positives),
            "error_table": error_table(self.errors),
            "errors": [e.to_dict() for e in self.errors],
            "calibration": calibration(self.confidences),
        }
        return out
