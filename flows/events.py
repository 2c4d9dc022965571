"""Event candidates: a trigger from rules/events.yaml, its actors, place and resolved date.

Statements come from verbs of speech with a named subject; deals that were made become events too.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

from flows.mentions import NO_DATE, by_sentence, evidence, main_countries, sentence_date
from flows.nlp import load_rules
from flows.records import Article

ACTOR_LABELS = {"PERSON", "ORG", "GPE"}
PRONOUNS = {"he", "she", "his", "her"}
FINANCE_TYPES = {"financing", "loan", "investment", "equity", "grant"}
DONE_STATUSES = {"approved", "signed", "agreed", "completed"}


@functools.cache
def event_matcher(vocab_id: int, vocab: Any) -> Matcher:
    """One Matcher for every event trigger in rules/events.yaml (cached per vocab)."""
    matcher = Matcher(vocab)
    for event_type, spec in load_rules("events").items():
        if isinstance(spec, dict) and "patterns" in spec:
            matcher.add(event_type, spec["patterns"])
    return matcher


def _depth(token: Token) -> int:
    depth = 0
    while token.head is not token and depth < 50:
        token, depth = token.head, depth + 1
    return depth


def _in_quotes(sent: Span, token: Token) -> bool:
    before = sent.doc.text[sent.start_char : token.idx]
    return (before.count("“") > before.count("”")) or before.count('"') % 2 == 1


def choose_trigger(sent: Span, matches: list[tuple[str, Span]]) -> tuple[str, Span] | None:
    """The trigger most central to the sentence (closest to its root), then by codebook priority."""
    rules = load_rules("events")
    usable = [(t, span) for t, span in matches if not _in_quotes(sent, span.root)]
    if not usable:
        return None
    return min(usable, key=lambda m: (_depth(m[1].root), rules[m[0]]["priority"], m[1].start))


def _is_future(sent: Span, trigger: Span) -> bool:
    markers = set(load_rules("events")["future_markers"])
    head = trigger.root.head
    window = [t.lower_ for t in sent if t.head in (trigger.root, head) or t.i in range(trigger.start - 3, trigger.start)]
    return any(w in markers for w in window)


def find_events(doc: Doc, article: Article, mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One event candidate per sentence with a trigger and at least one actor."""
    rules = load_rules("events")
    matcher = event_matcher(id(doc.vocab), doc.vocab)
    grouped = by_sentence(mentions)
    both = [p.lower() for p in rules["both_parties"]]
    countries = main_countries(mentions)
    sentences = list(doc.sents)
    lede_date = sentence_date(sentences[0], article["published_date"], False) if sentences else None
    lede_actors = {m["text"] for m in grouped.get(0, []) if m["label"] in ACTOR_LABELS}
    last_person: str | None = None
    speech = set(rules["speech_verbs"])
    spoken: set[str] = set()
    events = []
    triggers: dict[int, list[tuple[str, Span]]] = {}
    starts = {s.start: i for i, s in enumerate(sentences)}
    for match_id, start, end in matcher(doc):
        triggers.setdefault(starts[doc[start].sent.start], []).append((doc.vocab.strings[match_id], doc[start:end]))
    for index, sent in enumerate(sentences):
        here = [m for m in grouped.get(index, []) if m["label"] in ACTOR_LABELS]
        matches = triggers.get(index, [])
        chosen = choose_trigger(sent, matches) if matches else None
        if chosen is not None:
            event_type, trigger = chosen
            actors = list(dict.fromkeys(m["text"] for m in here))
            lowered = sent.text.lower()
            if any(p in lowered for p in both):
                actors += [c for c in countries if c not in actors]
            if last_person and last_person not in actors and any(t.lower_ in PRONOUNS for t in sent):
                actors.insert(0, last_person)
            if actors:
                future = _is_future(sent, trigger)
                date = sentence_date(sent, article["published_date"], future)
                if date is None and lede_date and index > 0 and len(lede_actors & set(actors)) >= 2:
                    date = lede_date
                date = date or dict(NO_DATE)
                strength = rules[event_type]["strength"]
                confidence = strength * (0.85 if len(actors) < 2 else 1.0) * (0.9 if date["date_method"] == "none" else 1.0)
                locations = [m["text"] for m in grouped.get(index, []) if m["label"] in {"GPE", "FAC", "LOC"}]
                events.append(
                    {
                        "event_type": event_type,
                        "actors": actors,
                        "location": _location(sent, locations),
                        **date,
                        "evidence": evidence(article["article_id"], sent, index),
                        "extractor": f"events.yaml:{event_type}:{trigger.text.lower()}",
                        "confidence": round(confidence, 3),
                        "future": future,
                    }
                )
        if chosen is None:
            for speaker in _speakers(sent, here, speech, last_person):
                if speaker in spoken:
                    continue  # one statement per speaker per article
                spoken.add(speaker)
                date = sentence_date(sent, article["published_date"], False) or dict(NO_DATE)
                events.append(
                    {
                        "event_type": "statement",
                        "actors": [speaker],
                        "location": None,
                        **date,
                        "evidence": evidence(article["article_id"], sent, index),
                        "extractor": "events.yaml:speech_verbs",
                        "confidence": round(rules["statement"]["strength"] * (1.0 if date["date_method"] != "none" else 0.9), 3),
                        "future": False,
                    }
                )
        last_person = _subject_person(sent, here) or last_person
    return events


def _mention_at(token: Token, mentions: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((m for m in mentions if m["start"] <= token.idx < m["end"]), None)


def _subject_person(sent: Span, mentions: list[dict[str, Any]]) -> str | None:
    """The person who is the grammatical subject of the sentence's main verb, if any."""
    for token in sent:
        if token.dep_ in {"nsubj", "nsubjpass"} and token.head.dep_ == "ROOT":
            found = _mention_at(token, mentions)
            if found and found["label"] == "PERSON":
                return found["text"]
    return None


def _speakers(sent: Span, mentions: list[dict[str, Any]], verbs: set[str], last_person: str | None) -> list[str]:
    """Named subjects (or he/she, resolved to the last subject person) of verbs of speech."""
    found = []
    for token in sent:
        if token.lower_ not in verbs or token.pos_ not in {"VERB", "AUX"}:
            continue
        for child in token.children:
            if child.dep_ not in {"nsubj", "nsubjpass"}:
                continue
            mention = _mention_at(child, mentions)
            if mention and mention["label"] in {"PERSON", "ORG"}:
                found.append(mention["text"])
            elif child.lower_ in {"he", "she"} and last_person:
                found.append(last_person)
    return found


def _location(sent: Span, places: list[str]) -> str | None:
    """A place introduced by 'in'/'at' in the sentence ("held in Islamabad")."""
    for place in places:
        at = sent.text.find(place)
        if at > 3 and re.search(r"\b(in|at)\s+(the\s+)?$", sent.text[:at]):
            return place
    return None


def deal_events(doc: Doc, article: Article, deals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A deal approved, signed or agreed is also an event (financing or agreement) between its parties."""
    sentences = list(doc.sents)
    events = []
    for deal in deals:
        if deal["status"] not in DONE_STATUSES:
            continue
        index = deal["evidence"]["sentence_index"]
        date = sentence_date(sentences[index], article["published_date"], False) or dict(NO_DATE)
        events.append(
            {
                "event_type": "financing" if deal["deal_type"] in FINANCE_TYPES else "agreement",
                "actors": list(deal["parties"]),
                "location": None,
                **date,
                "evidence": deal["evidence"],
                "extractor": f"deal:{deal['extractor']}",
                "confidence": deal["confidence"],
                "future": False,
            }
        )
    return events


def merge_deal_events(events: list[dict[str, Any]], from_deals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Deal-made events replace trigger events of the same class in the same sentence (they know the parties)."""
    covered = {(e["evidence"]["sentence_index"], e["event_type"]) for e in from_deals}
    kept = [e for e in events if (e["evidence"]["sentence_index"], e["event_type"]) not in covered]
    seen: set[tuple[int, str]] = set()
    for event in from_deals:
        key = (event["evidence"]["sentence_index"], event["event_type"])
        if key not in seen:
            seen.add(key)
            kept.append(event)
    return sorted(kept, key=lambda e: e["evidence"]["start"])
