"""Scoring: compare published rows with gold annotations.

Pure functions over plain rows (lists of dicts with the table columns). Two gold formats
are supported:

* the dev set (``gold.jsonl`` + ``sources.jsonl``): one gold record per article file,
  scored with :func:`score_devset`;
* the seeds' expectations (``seeds_expected.json``): items name their articles by the
  three-digit file prefix in ``sources``, scored with :func:`score_seeds`.

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
* Entities: per article, PERSON/ORG/GPE with the same type and a matching canonical name.
* Names match per :func:`names_match`.
* Stories: every gold duplicate pair shares a ``story_id``; articles sharing a story_id
  without a gold duplicate relation are false merges.

The scorer keeps its own title and stopword lists on purpose: it must not move when the
pipeline's rule files change.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any, Iterable, Sequence

from flows.core.unionfind import UnionFind

__all__ = [
    "Score",
    "EvalReport",
    "names_match",
    "coarse_event_class",
    "score_devset",
    "score_seeds",
    "render_report",
    "load_devset",
    "load_seeds_expected",
]

AMOUNT_TOLERANCE = 0.01
ENTITY_TYPES = ("PERSON", "ORG", "GPE")
SCHEMA_ENTITY_TYPES = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})


# --------------------------------------------------------------------------- scores


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
        }
        return out


# --------------------------------------------------------------------------- names

_TITLE_WORDS = frozenset(
    """
    mr mrs ms miss mx dr prof professor sir dame lord lady hon honourable honorable
    dpm pm fm president vice secretary sec gen general lt lieutenant maj col colonel brig
    brigadier adm admiral minister prime deputy field marshal chief sir ceo cfo chairman
    chairwoman chair chairperson ambassador envoy senator sen rep governor king queen
    prince princess sheikh commander coas spokesperson spokesman spokeswoman excellency
    """.split()
)
# Multi-word titles whose words are not titles on their own (state, foreign, ...).
_TITLE_PHRASES: tuple[tuple[str, ...], ...] = (
    ("secretary", "of", "state"),
    ("sec", "of", "state"),
    ("state", "secretary"),
    ("foreign", "minister"),
    ("finance", "minister"),
    ("commerce", "minister"),
    ("treasury", "secretary"),
    ("commerce", "secretary"),
    ("army", "chief"),
    ("chief", "of", "army", "staff"),
    ("crown", "prince"),
    ("charge", "daffaires"),
)
_STOPWORDS = frozenset("of the and for de da du des del di la le a an in on at to und fur &".split())
# Common organisational words: they count, but little, when comparing word sets.
_GENERIC_WORDS = frozenset(
    """
    bank company co corporation corp inc incorporated ltd limited llc plc pvt private group
    groups holding holdings association organisation organization international national
    development finance financial fund agency authority council ministry department office
    institute institution board commission committee mining resources energy industries
    industry services service trust foundation federation society centre center government
    federal republic
    """.split()
)
_GENERIC_WEIGHT = 0.25
_APOSTROPHES = "'’`´‘"


def _fold(text: str) -> str:
    """Strip accents (NFKD, combining marks dropped), keep case."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _squash(text: str) -> str:
    """Lower-cased, accents and punctuation and spaces dropped."""
    return re.sub(r"[\W_]+", "", _fold(text).casefold())


def _raw_tokens(name: str) -> list[tuple[str, bool]]:
    """Word tokens as (lower-case token, was all upper-case in the text)."""
    text = _fold(name)
    text = re.sub(r"[" + _APOSTROPHES + r"]s\b", "", text)  # possessive 's
    text = re.sub(r"[" + _APOSTROPHES + r".]", "", text)  # U.S. -> US, D'Abreu -> DAbreu
    out = []
    for tok in re.findall(r"[^\W_]+", text):
        letters = [c for c in tok if c.isalpha()]
        upper = len(letters) >= 2 and all(c.isupper() for c in letters)
        out.append((tok.casefold(), upper))
    return out


def _drop_titles(tokens: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    words = [t for t, _ in tokens]
    keep = [True] * len(tokens)
    for phrase in sorted(_TITLE_PHRASES, key=len, reverse=True):
        n = len(phrase)
        for i in range(len(words) - n + 1):
            if tuple(words[i : i + n]) == phrase:
                for j in range(i, i + n):
                    keep[j] = False
    for i, w in enumerate(words):
        if w in _TITLE_WORDS:
            keep[i] = False
    kept = [tok for tok, k in zip(tokens, keep) if k]
    # A name that is only titles keeps its words (e.g. "General").
    return kept if any(w not in _STOPWORDS for w, _ in kept) else tokens


def _us_equivalent(words: list[str]) -> list[str]:
    """US / U.S. / USA / United States (of America) -> 'us'; UK likewise."""
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else None
        if w == "united" and nxt == "states":
            if words[i + 2 : i + 4] == ["of", "america"]:
                i += 4
            else:
                i += 2
            out.append("us")
            continue
        if w == "united" and nxt == "kingdom":
            out.append("uk")
            i += 2
            continue
        out.append({"usa": "us", "gb": "uk"}.get(w, w))
        i += 1
    return out


def _content_words(name: str) -> list[str]:
    words = [t for t, _ in _drop_titles(_raw_tokens(name))]
    return [w for w in _us_equivalent(words) if w not in _STOPWORDS]


def _acronyms(name: str) -> set[str]:
    """Acronyms a long name may be written as (FWO for Frontier Works Organisation)."""
    tokens = _drop_titles(_raw_tokens(name))
    variants: list[list[tuple[str, bool]]] = [tokens]
    words = [t for t, _ in tokens]
    if words[:1] == ["us"] or words[:1] == ["usa"]:
        variants.append(tokens[1:])
    if words[:2] == ["united", "states"]:
        variants.append(tokens[2:])
    out: set[str] = set()
    for toks in variants:
        for with_stop in (False, True):
            picked = [(t, up) for t, up in toks if with_stop or t not in _STOPWORDS]
            if len(picked) < 2:
                continue
            out.add("".join(t[0] for t, _ in picked))
            out.add("".join(t if up and len(t) <= 5 else t[0] for t, up in picked))
    return {a for a in out if len(a) >= 2}


def _acronym_token(name: str) -> str | None:
    """The name as an acronym candidate: one token with at least two capitals."""
    tokens = _drop_titles(_raw_tokens(name))
    if len(tokens) != 1:
        return None
    folded = re.sub(r"[" + _APOSTROPHES + r".\s]", "", _fold(name))
    if sum(1 for c in folded if c.isupper()) < 2:
        return None
    tok = tokens[0][0]
    return tok if 2 <= len(tok) <= 10 else None


def _weight(word: str) -> float:
    return _GENERIC_WEIGHT if word in _GENERIC_WORDS else 1.0


def _words_match(a: list[str], b: list[str]) -> bool:
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return False
    shared = sa & sb
    if not shared:
        return False
    extra_a, extra_b = sa - sb, sb - sa
    # Different distinctive words on both sides: two different names (Railway vs Holdings).
    if extra_a and extra_b and any(w not in _GENERIC_WORDS for w in extra_a | extra_b):
        return False
    w_shared = sum(_weight(w) for w in shared)
    w_union = sum(_weight(w) for w in sa | sb)
    return 2 * w_shared > w_union


def _match_strength(a: str, b: str) -> int:
    """3 equal, 2 acronym, 1 most distinctive words shared, 0 no match."""
    if not a or not b:
        return 0
    if _squash(a) == _squash(b):
        return 3
    ca, cb = _content_words(a), _content_words(b)
    if ca and cb and "".join(ca) == "".join(cb):
        return 3
    for short, long_ in ((a, b), (b, a)):
        acr = _acronym_token(short)
        if acr and len(_content_words(long_)) >= 2 and acr in _acronyms(long_):
            return 2
    return 1 if _words_match(ca, cb) else 0


def names_match(a: str, b: str) -> bool:
    """Whether two names name the same thing, per the dev set's rule.

    Equal after lower-casing and dropping punctuation (titles ignored); one the acronym of
    the other (FWO ~ Frontier Works Organisation, stopwords skipped); or most distinctive
    words shared (US Export-Import Bank ~ Export-Import Bank of the United States), where
    US/U.S./USA/United States are one word, titles (Mr, DPM, President, Secretary, Gen,
    ...) are not words and generic organisation words (Bank, Corporation, ...) weigh less.
    "Most" is a strict majority of the weighted union, and two names that each have a
    distinctive word the other lacks do not match (Lobito Atlantic Railway vs Holdings).
    """
    return _match_strength(a, b) > 0


# --------------------------------------------------------------------------- event classes

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


# --------------------------------------------------------------------------- helpers


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, float) and math.isnan(value):
        return []
    if isinstance(value, (str, bytes, dict)):
        return [value]
    return list(value)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if hasattr(value, "isoformat"):
        try:
            return str(value.isoformat())[:10]
        except (TypeError, ValueError):  # e.g. pandas NaT
            return None
    text = str(value).strip()
    return text[:10] if text and text.lower() not in ("nat", "none", "null") else None


def _amount(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def amount_close(gold: float, predicted: Any, tolerance: float = AMOUNT_TOLERANCE) -> bool:
    """Predicted amount within tolerance (relative) of the gold amount."""
    pred = _amount(predicted)
    if pred is None:
        return False
    if gold == 0:
        return pred == 0
    return abs(pred - gold) <= tolerance * abs(gold)


def _norm_text(value: Any) -> str:
    return " ".join(re.sub(r"[^\w\s]+", " ", _fold(str(value or "")).casefold()).split())


def _basename(uri: str) -> str:
    return re.split(r"[\\/]", str(uri).rstrip("/\\"))[-1]


def _norm_url(url: str) -> str:
    return str(url).strip().rstrip("/")


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0] if "." in name else name


def _row_id(row: dict, key: str) -> str:
    return str(row.get(key) or f"#{id(row)}")


def _evidence_text(row: dict, article_id: str, key: str = "evidence") -> str:
    items = [e for e in _as_list(row.get(key)) if isinstance(e, dict)]
    for e in items:
        if e.get("article_id") == article_id and e.get("text"):
            return str(e["text"])
    for e in items:
        if e.get("text"):
            return str(e["text"])
    return ""


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _count_named(gold_names: Sequence[str], predicted_names: Sequence[str]) -> int:
    """How many gold names are named by distinct predicted names (one-to-one)."""
    gold = [g for g in gold_names if g]
    pred = [p for p in predicted_names if p]
    if not gold or not pred:
        return 0
    weights = [[_match_strength(g, p) for p in pred] for g in gold]
    return len(_assign(weights))


def _assign(weights: list[list[float]]) -> list[tuple[int, int]]:
    """Optimal one-to-one matching: most pairs first, then the largest total weight.

    weights[i][j] > 0 is an allowed pair (gold i, prediction j). Returns (i, j) pairs.
    Hungarian algorithm on a rectangular matrix.
    """
    n = len(weights)
    m = len(weights[0]) if n else 0
    if n == 0 or m == 0:
        return []
    transposed = n > m
    if transposed:
        weights = [list(col) for col in zip(*weights)]
        n, m = m, n
    big = 1.0 + sum(max((w for w in row if w > 0), default=0.0) for row in weights)
    cost = [[-(big + w) if w > 0 else 0.0 for w in row] for row in weights]
    inf = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    p = [0] * (m + 1)
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = [inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0 = p[j0]
            delta = inf
            j1 = 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j] = cur
                        way[j] = j0
                    if minv[j] < delta:
                        delta = minv[j]
                        j1 = j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    pairs = []
    for j in range(1, m + 1):
        if p[j] and weights[p[j] - 1][j - 1] > 0:
            pairs.append((j - 1, p[j] - 1) if transposed else (p[j] - 1, j - 1))
    return sorted(pairs)


# --------------------------------------------------------------------------- item scoring


def _deal_weight(gold: dict, pred: dict) -> float:
    """> 0 when pred finds gold: amount within 1 % and one party, or two parties."""
    parties = [str(p) for p in _as_list(gold.get("parties"))]
    pred_parties = [str(p) for p in _as_list(pred.get("parties"))]
    named = _count_named(parties, pred_parties)
    gold_amount = _amount(gold.get("amount"))
    if gold_amount is not None:
        if not amount_close(gold_amount, pred.get("amount")) or named < min(1, len(parties)):
            return 0.0
        closeness = 1.0 - abs(_amount(pred.get("amount")) - gold_amount) / max(abs(gold_amount), 1.0)
        return 1.0 + closeness + named / max(len(parties), 1)
    if named < min(2, len(parties)):
        return 0.0
    bonus = 0.5 if _amount(pred.get("amount")) is None else 0.0
    return 1.0 + bonus + named / max(len(parties), 1)


def _event_weight(gold: dict, pred: dict) -> float:
    if coarse_event_class(str(gold.get("type") or "")) != coarse_event_class(
        str(pred.get("event_type") or "")
    ):
        return 0.0
    actors = [str(a) for a in _as_list(gold.get("actors"))]
    named = _count_named(actors, [str(a) for a in _as_list(pred.get("actors"))])
    if named < min(2, len(actors)):
        return 0.0
    weight = 1.0 + named / max(len(actors), 1)
    gold_date = _iso(gold.get("date"))
    pred_date = _iso(pred.get("event_date"))
    if gold_date is not None and pred_date == gold_date:
        weight += 1.0
    if gold_date is None and "date" in gold and pred_date is None:
        weight += 0.5
    if str(gold.get("type") or "") == str(pred.get("event_type") or ""):
        weight += 0.25
    return weight


@dataclass
class _Unit:
    """One scored article: its label, predicted article ids and gold items."""

    label: str
    article_ids: set[str]
    deals: list[dict]
    events: list[dict]
    entities: dict[str, list[str]] | None  # None: entities are scored globally (seeds)


def _rows_for(rows: Iterable[dict], article_ids: set[str]) -> list[dict]:
    return [r for r in rows if article_ids & {str(a) for a in _as_list(r.get("article_ids"))}]


def _first_id(unit: _Unit) -> str:
    return sorted(unit.article_ids)[0] if unit.article_ids else ""


def _deal_label(deal: dict) -> str:
    amount = deal.get("amount_text") or (
        f"{deal.get('currency') or ''} {deal['amount']:,.0f}".strip()
        if _amount(deal.get("amount")) is not None
        else "no amount"
    )
    tag = f"[{deal['id']}] " if deal.get("id") else ""
    return f"{tag}{deal.get('deal_type') or 'deal'} {amount}; parties: {', '.join(map(str, _as_list(deal.get('parties'))))}"


def _event_label(event: dict, type_key: str = "type") -> str:
    tag = f"[{event['id']}] " if event.get("id") else ""
    date = _iso(event.get("date" if type_key == "type" else "event_date"))
    when = f" on {date}" if date else ""
    actors = ", ".join(map(str, _as_list(event.get("actors"))))
    return f"{tag}{event.get(type_key)}{when}; actors: {actors}"


def _score_deals(
    units: list[_Unit], deals: list[dict], report: EvalReport
) -> dict[tuple[str, int], str]:
    """Scores deals per unit; returns (unit label, gold index) -> matched deal_id."""
    matched: dict[tuple[str, int], str] = {}
    for unit in units:
        preds = _rows_for(deals, unit.article_ids)
        weights = [[_deal_weight(g, p) for p in preds] for g in unit.deals]
        pairs = _assign(weights)
        hit_gold = {i for i, _ in pairs}
        hit_pred = {j for _, j in pairs}
        report.deals.add(Score(len(pairs), len(preds) - len(pairs), len(unit.deals) - len(pairs)))
        for i, j in pairs:
            matched[(unit.label, i)] = _row_id(preds[j], "deal_id")
        for i, gold in enumerate(unit.deals):
            if i not in hit_gold:
                ev = f" | evidence: {_short(gold['evidence'])}" if gold.get("evidence") else ""
                report.misses.append(f"{unit.label} deal not found: {_deal_label(gold)}{ev}")
        aid = _first_id(unit)
        for j, pred in enumerate(preds):
            if j not in hit_pred:
                ids = unit.article_ids & {str(a) for a in _as_list(pred.get("article_ids"))}
                text = _evidence_text(pred, sorted(ids)[0] if ids else aid)
                report.false_positives.append(
                    f"{unit.label} deal {_row_id(pred, 'deal_id')}: {_deal_label(pred)}"
                    f" | evidence: {_short(text)}"
                )
    return matched


def _score_events(
    units: list[_Unit], events: list[dict], report: EvalReport
) -> dict[tuple[str, int], str]:
    matched: dict[tuple[str, int], str] = {}
    correct = total = 0
    for unit in units:
        preds = _rows_for(events, unit.article_ids)
        weights = [[_event_weight(g, p) for p in preds] for g in unit.events]
        pairs = _assign(weights)
        hit_gold = {i for i, _ in pairs}
        hit_pred = {j for _, j in pairs}
        report.events.add(
            Score(len(pairs), len(preds) - len(pairs), len(unit.events) - len(pairs))
        )
        for i, j in pairs:
            gold, pred = unit.events[i], preds[j]
            matched[(unit.label, i)] = _row_id(pred, "event_id")
            gold_date = _iso(gold.get("date"))
            pred_date = _iso(pred.get("event_date"))
            if gold_date is not None:
                total += 1
                if pred_date == gold_date:
                    correct += 1
                else:
                    report.misses.append(
                        f"{unit.label} event date wrong: {_event_label(gold)}; predicted"
                        f" {pred_date or 'no date'} ({pred.get('date_text') or 'no date text'})"
                    )
            elif "date" in gold and pred_date is not None:
                report.dates_invented += 1
                report.false_positives.append(
                    f"{unit.label} event date invented: {_event_label(gold)}; predicted"
                    f" {pred_date} from {pred.get('date_text')!r}, gold has no resolvable date"
                )
        for i, gold in enumerate(unit.events):
            if i not in hit_gold:
                ev = f" | evidence: {_short(gold['evidence'])}" if gold.get("evidence") else ""
                report.misses.append(f"{unit.label} event not found: {_event_label(gold)}{ev}")
        aid = _first_id(unit)
        for j, pred in enumerate(preds):
            if j not in hit_pred:
                ids = unit.article_ids & {str(a) for a in _as_list(pred.get("article_ids"))}
                text = _evidence_text(pred, sorted(ids)[0] if ids else aid)
                report.false_positives.append(
                    f"{unit.label} event {_row_id(pred, 'event_id')}:"
                    f" {_event_label(pred, 'event_type')} | evidence: {_short(text)}"
                )
    report.date_accuracy = (
        report.date_accuracy[0] + correct,
        report.date_accuracy[1] + total,
    )
    return matched


def _score_entity_set(
    label: str,
    gold: dict[str, list[str]],
    preds: list[dict],
    article_ids: set[str],
    report: EvalReport,
) -> None:
    for etype in ENTITY_TYPES:
        names = [str(n) for n in _as_list(gold.get(etype))]
        typed = [p for p in preds if str(p.get("type") or "") == etype]
        weights = [[_match_strength(n, str(p.get("name") or "")) for p in typed] for n in names]
        pairs = _assign(weights)
        hit_gold = {i for i, _ in pairs}
        hit_pred = {j for _, j in pairs}
        report.entities.add(Score(len(pairs), len(typed) - len(pairs), len(names) - len(pairs)))
        for i, name in enumerate(names):
            if i not in hit_gold:
                report.misses.append(f"{label} {etype} not found: {name}")
        for j, pred in enumerate(typed):
            if j not in hit_pred:
                aid = sorted(article_ids & {str(a) for a in _as_list(pred.get("article_ids"))})
                text = _evidence_text(pred, aid[0] if aid else "", key="mentions")
                report.false_positives.append(
                    f"{label} {etype} {pred.get('name')!r} | mention: {_short(text, 120)}"
                )


def _score_stories(
    file_rows: dict[str, list[dict]],
    gold_pairs: set[tuple[str, str]],
    report: EvalReport,
) -> None:
    """gold_pairs: unordered pairs of labels telling the same story."""
    stories = {
        label: {str(r.get("story_id")) for r in rows if r.get("story_id")}
        for label, rows in file_rows.items()
    }
    for a, b in sorted(gold_pairs):
        report.story_pairs_total += 1
        if stories.get(a, set()) & stories.get(b, set()):
            report.story_pairs_found += 1
        else:
            report.misses.append(f"story pair not merged: {a} and {b} tell the same story")
    same = UnionFind(gold_pairs).find
    for a, b in combinations(sorted(stories), 2):
        shared = stories[a] & stories[b]
        if shared and same(a) != same(b):
            report.false_merges += 1
            report.false_positives.append(
                f"false merge: {a} and {b} share story {sorted(shared)[0]} but are different stories"
            )


def _check_duplicates(
    kind: str,
    items: list[dict],
    matched: dict[tuple[str, int], str],
    positions: dict[int, list[tuple[str, int]]],
    report: EvalReport,
) -> None:
    """A gold item reported by several articles should be one row, not one per article."""
    for idx, item in enumerate(items):
        places = positions.get(idx, [])
        if len(places) < 2:
            continue
        rows = sorted({matched[p] for p in places if p in matched})
        if len(rows) > 1:
            report.duplicate_rows += len(rows) - 1
            label = _deal_label(item) if kind == "deal" else _event_label(item)
            report.false_positives.append(
                f"duplicate {kind} rows {', '.join(rows)} for one {kind} reported by"
                f" {', '.join(u for u, _ in places)}: {label}"
            )


# --------------------------------------------------------------------------- dev set


def _devset_file_map(
    gold_files: Iterable[str], sources: list[dict], articles: list[dict]
) -> dict[str, list[dict]]:
    """Gold file -> predicted articles rows (by source_uri basename or url)."""
    files = list(gold_files)
    by_name = {f: f for f in files}
    by_stem = {_stem(f): f for f in files}
    by_url = {_norm_url(s["url"]): s["file"] for s in sources if s.get("url") and s.get("file")}
    out: dict[str, list[dict]] = {f: [] for f in files}
    for row in articles:
        uri = str(row.get("source_uri") or "")
        base = _basename(uri)
        target = by_url.get(_norm_url(uri)) or by_name.get(base) or by_stem.get(_stem(base))
        if target is None:
            # JSONL inputs may carry "file.jsonl:line" or "path#frag"; try before the marker.
            base2 = re.split(r"[:#?]", base)[0]
            target = by_name.get(base2) or by_stem.get(_stem(base2))
        if target in out:
            out[target].append(row)
    return out


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
    units: list[_Unit] = []
    for fname, record in gold_by_file.items():
        ids = {str(r["article_id"]) for r in file_rows[fname] if r.get("article_id")}
        if not ids:
            report.articles_missing.append(fname)
            report.misses.append(f"{fname}: no predicted article (not read, or source_uri not recognised)")
        units.append(
            _Unit(
                label=fname,
                article_ids=ids,
                deals=list(record.get("deals") or []),
                events=list(record.get("events") or []),
                entities=dict(record.get("entities") or {}),
            )
        )
    report.articles_scored = sum(1 for u in units if u.article_ids)
    _score_deals(units, deals, report)
    _score_events(units, events, report)
    for unit in units:
        preds = _rows_for(entities, unit.article_ids)
        _score_entity_set(unit.label, unit.entities or {}, preds, unit.article_ids, report)
    pairs = {
        tuple(sorted((str(s["file"]), str(s["duplicate_of"]))))
        for s in sources
        if s.get("duplicate_of") and s.get("file")
    }
    _score_stories(file_rows, {p for p in pairs if p[0] in file_rows and p[1] in file_rows}, report)  # type: ignore[misc]
    return report


# --------------------------------------------------------------------------- seeds


def _seed_prefix(uri: str) -> str | None:
    m = re.match(r"(\d{3})", _basename(uri))
    return m.group(1) if m else None


def _article_facts(expected: dict) -> list[tuple[str, Any]]:
    facts: list[tuple[str, Any]] = []
    if "published_date" in expected:
        facts.append(("published_date", _iso(expected["published_date"])))
    if "dateline" in expected:
        facts.append(("dateline", expected["dateline"]))
    if "headline" in expected:
        facts.append(("headline", expected["headline"]))
    if "summary_bullets" in expected:
        facts.append(("summary_bullets", int(expected["summary_bullets"] or 0)))
    return facts


def _predicted_fact(name: str, row: dict) -> Any:
    if name == "published_date":
        return _iso(row.get("published_date"))
    if name == "summary_bullets":
        return len(_as_list(row.get("summary")))
    return row.get(name)


def _fact_equal(name: str, expected: Any, predicted: Any) -> bool:
    if name in ("dateline", "headline"):
        if expected is None or predicted is None:
            return expected is None and predicted is None
        return _norm_text(expected) == _norm_text(predicted)
    return expected == predicted


def _fact_is_empty(name: str, value: Any) -> bool:
    return value is None or value == "" or (name == "summary_bullets" and value == 0)


def score_seeds(
    expected: dict,
    articles: list[dict],
    entities: list[dict],
    events: list[dict],
    deals: list[dict],
) -> EvalReport:
    """Scores the published rows against seeds_expected.json (files by 3-digit prefix)."""
    report = EvalReport(kind="seeds", articles=Score())
    assert report.articles is not None
    exp_articles = {str(a["file"]): a for a in expected.get("articles") or []}
    labels = set(exp_articles)
    for item in list(expected.get("deals") or []) + list(expected.get("events") or []):
        labels.update(str(s) for s in _as_list(item.get("sources")))
    file_rows: dict[str, list[dict]] = {label: [] for label in sorted(labels)}
    for row in articles:
        prefix = _seed_prefix(str(row.get("source_uri") or ""))
        if prefix in file_rows:
            file_rows[prefix].append(row)
    ids_of = {
        label: {str(r["article_id"]) for r in rows if r.get("article_id")}
        for label, rows in file_rows.items()
    }
    for label, ids in ids_of.items():
        if not ids:
            report.articles_missing.append(label)
            report.misses.append(f"{label}: no predicted article")
    report.articles_scored = sum(1 for ids in ids_of.values() if ids)

    # Article facts.
    for label, exp in sorted(exp_articles.items()):
        row = file_rows[label][0] if file_rows[label] else None
        for name, want in _article_facts(exp):
            got = _predicted_fact(name, row) if row is not None else None
            if row is not None and _fact_equal(name, want, got):
                report.articles.tp += 1
                continue
            if row is None or _fact_is_empty(name, got):
                report.articles.fn += 1
                report.misses.append(f"{label} {name}: expected {want!r}, got {got!r}")
            elif _fact_is_empty(name, want):
                report.articles.fp += 1
                report.false_positives.append(f"{label} {name}: expected none, got {got!r}")
            else:
                report.articles.fp += 1
                report.articles.fn += 1
                report.misses.append(f"{label} {name}: expected {want!r}, got {got!r}")

    # Deals and events, one gold item per source article.
    def units_for(items: list[dict], kind: str) -> tuple[list[_Unit], dict[int, list[tuple[str, int]]]]:
        per_label: dict[str, list[dict]] = {label: [] for label in file_rows}
        positions: dict[int, list[tuple[str, int]]] = {}
        for idx, item in enumerate(items):
            for src in _as_list(item.get("sources")):
                bucket = per_label.setdefault(str(src), [])
                positions.setdefault(idx, []).append((str(src), len(bucket)))
                bucket.append(item)
        units = [
            _Unit(
                label=label,
                article_ids=ids_of.get(label, set()),
                deals=golds if kind == "deal" else [],
                events=golds if kind == "event" else [],
                entities=None,
            )
            for label, golds in sorted(per_label.items())
        ]
        return units, positions

    gold_deals = list(expected.get("deals") or [])
    gold_events = list(expected.get("events") or [])
    deal_units, deal_pos = units_for(gold_deals, "deal")
    matched_deals = _score_deals(deal_units, deals, report)
    _check_duplicates("deal", gold_deals, matched_deals, deal_pos, report)
    event_units, event_pos = units_for(gold_events, "event")
    matched_events = _score_events(event_units, events, report)
    _check_duplicates("event", gold_events, matched_events, event_pos, report)

    # Entities: the expectations list them for the whole run, not per article.
    all_ids = set().union(*ids_of.values()) if ids_of else set()
    seed_entities = _rows_for(entities, all_ids)
    gold_entities = dict(expected.get("entities") or {})
    _score_entity_set("seeds", gold_entities, seed_entities, all_ids, report)

    # Type errors: a known name under another type, or a type outside the schema.
    for pred in seed_entities:
        name, etype = str(pred.get("name") or ""), str(pred.get("type") or "")
        if etype not in SCHEMA_ENTITY_TYPES:
            report.type_errors += 1
            report.false_positives.append(f"type error: {name!r} typed {etype} (not an entity type)")
            continue
        for gtype, names in gold_entities.items():
            if gtype == etype:
                continue
            if any(names_match(name, str(g)) for g in _as_list(names)) and not any(
                names_match(name, str(g)) for g in _as_list(gold_entities.get(etype))
            ):
                report.type_errors += 1
                report.false_positives.append(f"type error: {name!r} typed {etype}, expected {gtype}")
                break

    # Stories.
    pairs: set[tuple[str, str]] = set()
    for label, exp in exp_articles.items():
        for other in _as_list(exp.get("same_story_as")):
            if str(other) != label:
                pairs.add(tuple(sorted((label, str(other)))))  # type: ignore[arg-type]
    _score_stories(file_rows, pairs, report)
    return report


# --------------------------------------------------------------------------- rendering


def _score_line(name: str, score: Score) -> str:
    return (
        f"  {name:<9} P {score.precision:6.1%}  R {score.recall:6.1%}  F1 {score.f1:6.1%}"
        f"   (tp {score.tp}, fp {score.fp}, fn {score.fn})"
    )


def render_report(report: EvalReport) -> str:
    """Readable text: scores, dates, stories, then misses and false positives."""
    title = "dev set" if report.kind == "devset" else report.kind
    lines = [f"newsflow evaluation ({title}): {report.articles_scored} article(s) scored"]
    if report.articles_missing:
        lines.append(f"  not found among predicted articles: {', '.join(report.articles_missing)}")
    lines.append("")
    for name in ("deals", "events", "entities"):
        lines.append(_score_line(name, getattr(report, name)))
    if report.articles is not None:
        lines.append(_score_line("articles", report.articles))
    correct, total = report.date_accuracy
    lines.append("")
    lines.append(
        f"  event dates: {correct}/{total} correct"
        + (f" ({correct / total:.1%})" if total else "")
        + f"; {report.dates_invented} invented where gold has none"
    )
    lines.append(
        f"  stories: {report.story_pairs_found}/{report.story_pairs_total} duplicate pairs merged;"
        f" {report.false_merges} false merge(s)"
    )
    if report.kind == "seeds":
        lines.append(
            f"  duplicate rows: {report.duplicate_rows}; entity type errors: {report.type_errors}"
        )
    lines.append("")
    lines.append(f"Misses ({len(report.misses)}):")
    lines.extend(f"  - {m}" for m in report.misses or ["none"])
    lines.append("")
    lines.append(f"False positives ({len(report.false_positives)}):")
    lines.extend(f"  - {m}" for m in report.false_positives or ["none"])
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- loading


def load_devset(folder: str | Path) -> tuple[list[dict], list[dict]]:
    """(gold, sources) records from a dev-set folder (gold.jsonl, sources.jsonl)."""
    root = Path(folder)

    def read(name: str) -> list[dict]:
        with (root / name).open(encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]

    return read("gold.jsonl"), read("sources.jsonl")


def load_seeds_expected(path: str | Path) -> dict:
    """The seeds' expectations (seeds_expected.json)."""
    with Path(path).open(encoding="utf-8") as fh:
        return json.load(fh)
