"""Entity mentions and the sentence-level helpers every extractor shares.

Everything here works on one spaCy Doc of an article body; character offsets point into that body.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from typing import Any

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from flows.core import world
from flows.core.rules import load_rules
from flows.extract.dates import resolve_date
from flows.extract.gazetteer import INNER

ENTITY_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC"}
# A demonym the gazetteer tied to its country ("Turkish" -> Turkey) is a mention of that country in
# the entities table; its label stays NORP, so that no extractor takes it for a party or an actor.
LINKED_LABELS = {"NORP"}
NO_DATE = {"event_date": None, "date_text": None, "date_granularity": None, "date_method": "none"}


def doc_text(doc: Doc) -> str:
    """doc.text, built once per Doc: spaCy joins every token again on each access."""
    text = doc.user_data.get("newsflow_text")
    if text is None:
        text = doc.user_data["newsflow_text"] = doc.text
    return text


def doc_lowers(doc: Doc) -> list[str]:
    """Every token's lower-cased text, built once per Doc (each Token access builds a Python object)."""
    lowers = doc.user_data.get("newsflow_lowers")
    if lowers is None:
        lowers = doc.user_data["newsflow_lowers"] = [t.lower_ for t in doc]
    return lowers


def span_text(span: Span) -> str:
    """span.text as a slice of the cached doc text (spaCy joins the span's tokens on each access)."""
    return doc_text(span.doc)[span.start_char : span.end_char]


def sentence_ents(sent: Span) -> list[Span]:
    """sent.ents, grouped in one pass per Doc: spaCy's Span.ents scans every entity of the Doc on each call."""
    doc = sent.doc
    grouped = doc.user_data.get("newsflow_ents")
    if grouped is None:
        bounds = [(s.start, s.end) for s in doc.sents]
        starts = [b[0] for b in bounds]
        grouped = doc.user_data["newsflow_ents"] = {}
        for ent in doc.ents:
            first, last = bounds[bisect.bisect_right(starts, ent.start) - 1]
            if ent.end <= last:  # an entity across a sentence boundary belongs to neither, as in Span.ents
                grouped.setdefault(first, []).append(ent)
    return grouped.get(sent.start, [])


def evidence(article_id: str, sent: Span, index: int) -> dict[str, Any]:
    return {"article_id": article_id, "sentence_index": index, "start": sent.start_char, "end": sent.end_char, "text": span_text(sent)}


def find_mentions(doc: Doc, article_id: str) -> list[dict[str, Any]]:
    """Named entities of the kinds the entities table keeps, with spans and how they were found."""
    sent_index = {s.start: i for i, s in enumerate(doc.sents)}
    mentions = []
    for ent in doc.ents:
        if ent.label_ not in ENTITY_LABELS and not (ent.label_ in LINKED_LABELS and ent.ent_id_):
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
    for span in doc.spans.get(INNER, []):
        # Labelled so that no extractor takes it for a party or an actor; `type` is the entity's.
        mentions.append(
            {
                "article_id": article_id,
                "text": span.text,
                "label": "NORP" if span.label_ == "NORP" else "LOC",
                "type": "GPE",
                "start": span.start_char,
                "end": span.end_char,
                "sentence_index": sent_index[span.sent.start],
                "canonical_hint": span.id_,
                "source": "gazetteer",
            }
        )
    return mentions


@functools.cache
def role_matcher(vocab_id: int, vocab: Any) -> PhraseMatcher:
    """Role phrases from rules/titles.yaml, matched case-insensitively, labelled by role class."""
    matcher = PhraseMatcher(vocab, attr="LOWER")
    for role, phrases in load_rules("titles")["roles"].items():
        matcher.add(role, [Doc(vocab, words=p.split()) for p in phrases])
    return matcher


# Between a role and the name it introduces only capitalised words, acronyms in brackets and
# commas may stand ("Chief of Army Staff (COAS) Field Marshal Asim Munir").
_INTRODUCES = re.compile(r"^[\s,)]*(?:(?:\([A-Za-z]{2,8}\)|[A-Z][\w.’'-]*)[\s,]*){0,4}$")
_APPOSITION = re.compile(r"^\s*,\s*(?:the\s+)?(?:[A-Z][\w.’'-]*\s+)?$")


def find_role_mentions(doc: Doc, mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Later bare roles ("the army chief", "the premier") as mentions of the person they introduced."""
    people = sorted((m for m in mentions if m["label"] == "PERSON"), key=lambda m: m["start"])
    sent_index = {s.start: i for i, s in enumerate(doc.sents)}
    bound: dict[str, dict[str, Any]] = {}
    found = []
    matcher = role_matcher(id(doc.vocab), doc.vocab)
    for match_id, start, end in sorted(matcher(doc), key=lambda m: (m[1], -m[2])):
        role, span = doc.vocab.strings[match_id], doc[start:end]
        if found and found[-1]["start"] <= span.start_char < found[-1]["end"]:
            continue
        named = next((p for p in people if p["start"] < span.end_char and span.start_char < p["end"]), None)
        named = named or next((p for p in people if span.end_char <= p["start"] and _INTRODUCES.match(doc_text(doc)[span.end_char : p["start"]])), None)
        named = named or next((p for p in reversed(people) if p["end"] <= span.start_char and _APPOSITION.match(doc_text(doc)[p["end"] : span.start_char])), None)
        if named is not None:
            bound[role] = named
            continue
        if role in bound and not any(m["start"] < span.end_char and span.start_char < m["end"] for m in mentions):
            person = bound[role]
            found.append({**person, "text": span.text, "start": span.start_char, "end": span.end_char, "sentence_index": sent_index[span.sent.start], "source": f"coreference:{role}", "refers_to": person["text"]})
    return found


@functools.cache
def title_words() -> frozenset[str]:
    """Lower-cased words that make up titles and roles ("minister", "secretary"), no function words."""
    titles = load_rules("titles")
    phrases = [*titles["person_titles"], *titles["titles"], *(p for group in titles["roles"].values() for p in group)]
    return frozenset(w.lower() for p in phrases for w in p.split() if w.lower() not in {"of", "the", "and", "for", "de", "of the"})


def is_modifier(mention: dict[str, Any], doc: Doc) -> bool:
    """A place that only qualifies someone else: "US Secretary of State ...", "Pakistan’s largest miner"."""
    after = doc_text(doc)[mention["end"] : mention["end"] + 30].split()
    if after and after[0].strip(",.’'").lower() in title_words():
        return True
    return doc_text(doc)[mention["end"] : mention["end"] + 2] in {"’s", "'s"}


def state_of(place: str) -> str:
    """The state a capital stands for when it acts ("Kyiv signed" = Ukraine signed); else the place."""
    country = world.country_of_capital(place)
    return country.name if country is not None and world.country_by_name(place) is None else place


def is_restatement(mention: dict[str, Any], doc: Doc) -> bool:
    """An acronym in brackets right after its long form: "(DFC)" names nobody new."""
    return doc_text(doc)[max(0, mention["start"] - 1) : mention["start"]] == "(" and doc_text(doc)[mention["end"] : mention["end"] + 1] == ")"


QUOTES = frozenset('"“”\'‘’')


def find_acronyms(doc: Doc) -> list[tuple[str, str]]:
    """(short form, long form) pairs the text defines: an acronym in brackets, "Frontier Works
    Organisation (FWO)", or a short name quoted in them, 'Velora Mining ("Velmi")'."""
    pairs = []
    for ent in doc.ents:
        after = [t.text for t in doc[ent.end : ent.end + 5]]
        if len(after) >= 3 and after[0] == "(" and after[2] == ")" and after[1].isupper():
            pairs.append((after[1], ent.text))
        elif len(after) == 5 and after[0] == "(" and after[1] in QUOTES and after[3] in QUOTES and after[4] == ")" and after[2][:1].isupper():
            pairs.append((after[2], ent.text))
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
    for ent in sentence_ents(sent):
        if ent.label_ != "DATE":
            continue
        resolved = resolve_date(ent.text, anchor, tense="future" if future else "past")
        if resolved is not None:
            return {"event_date": resolved.value, "date_text": resolved.text, "date_granularity": resolved.granularity, "date_method": resolved.method}
    return None
