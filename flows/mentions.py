"""Entity mentions and the sentence-level helpers every extractor shares.

Everything here works on one spaCy Doc of an article body; character offsets point into that body.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from spacy.tokens import Doc, Span

from flows.dates import resolve_date

ENTITY_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC"}
NO_DATE = {"event_date": None, "date_text": None, "date_granularity": None, "date_method": "none"}


def evidence(article_id: str, sent: Span, index: int) -> dict[str, Any]:
    return {"article_id": article_id, "sentence_index": index, "start": sent.start_char, "end": sent.end_char, "text": sent.text}


def find_mentions(doc: Doc, article_id: str) -> list[dict[str, Any]]:
    """Named entities of the kinds the entities table keeps, with spans and how they were found."""
    sent_index = {s.start: i for i, s in enumerate(doc.sents)}
    mentions = []
    for ent in doc.ents:
        if ent.label_ not in ENTITY_LABELS:
            continue
        mentions.append(
            {
                "article_id": article_id,
                "text": ent.text,
                "label": ent.label_,
                "start": ent.start_char,
                "end": ent.end_char,
                "sentence_index": sent_index[ent.sent.start],
                "canonical_hint": ent.ent_id_ or None,
                "source": "gazetteer" if ent.ent_id_ else "model",
            }
        )
    return mentions


def find_acronyms(doc: Doc) -> list[tuple[str, str]]:
    """(acronym, long form) pairs the text defines: "Frontier Works Organisation (FWO)"."""
    pairs = []
    for ent in doc.ents:
        after = doc[ent.end : ent.end + 3]
        if len(after) == 3 and after[0].text == "(" and after[2].text == ")" and after[1].text.isupper():
            pairs.append((after[1].text, ent.text))
    return pairs


def by_sentence(mentions: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """Mentions grouped by the index of their sentence."""
    grouped: dict[int, list[dict[str, Any]]] = {}
    for m in mentions:
        grouped.setdefault(m["sentence_index"], []).append(m)
    return grouped


def main_countries(mentions: list[dict[str, Any]]) -> list[str]:
    counts = Counter(m["canonical_hint"] or m["text"] for m in mentions if m["label"] == "GPE")
    return [name for name, _ in counts.most_common(2)]


def sentence_date(sent: Span, anchor: Any, future: bool) -> dict[str, Any] | None:
    for ent in sent.ents:
        if ent.label_ != "DATE":
            continue
        resolved = resolve_date(ent.text, anchor, tense="future" if future else "past")
        if resolved is not None:
            return {"event_date": resolved.value, "date_text": resolved.text, "date_granularity": resolved.granularity, "date_method": resolved.method}
    return None
