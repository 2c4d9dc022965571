"""Event candidates: a trigger from rules/events.yaml, its actors, place and resolved date.

Statements come from verbs of speech with a named subject; deals that were made become events too.
"""

from __future__ import annotations

import bisect
import functools
import re
from typing import Any

import numpy
from spacy.attrs import LOWER
from spacy.matcher import Matcher
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from flows.core.records import Article
from flows.core.rules import load_rules
from flows.extract.consult import find_partners, has_party_object, not_a_call, split_by_partner
from flows.extract.deal_events import MADE_TYPES
from flows.extract.event_dates import event_date
from flows.extract.mentions import NO_DATE, by_sentence, doc_text, evidence, is_modifier, is_restatement, main_countries, span_text, state_of
from flows.extract.speakers import find_speakers, main_people, named_by_surname, subject_person
from flows.extract.speakers import spoken as spoken_before

ACTOR_LABELS = {"PERSON", "ORG", "GPE"}
PRONOUNS = {"he", "she", "his", "her"}
CONSULT_TYPES = {"visit", "meeting", "phone_call"}


@functools.cache
def event_matcher(vocab_id: int, vocab: Any) -> Matcher:
    """One Matcher for every event trigger in rules/events.yaml (cached per vocab)."""
    matcher = Matcher(vocab)
    for event_type, spec in _trigger_patterns().items():
        matcher.add(event_type, spec)
    return matcher


def _trigger_patterns() -> dict[str, list[list[dict[str, Any]]]]:
    return {t: spec["patterns"] for t, spec in load_rules("events").items() if isinstance(spec, dict) and "patterns" in spec}


@functools.cache
def anchored_matchers(vocab_id: int, vocab: Any) -> tuple[dict[int, Matcher], int | None] | None:
    """For each word a trigger pattern can start with (its LOWER hash), a Matcher of just those
    patterns; and the most tokens a match can span (None: to the sentence end). None when some
    pattern may start on any word."""
    matchers: dict[int, Matcher] = {}
    longest: int | None = 0
    for event_type, patterns in _trigger_patterns().items():
        for pattern in patterns:
            words = _first_words(pattern[0])
            if words is None:
                return None
            for word in words:
                matchers.setdefault(get_string_id(word), Matcher(vocab)).add(event_type, [pattern])
            most = [_most_repeats(token.get("OP")) for token in pattern]
            longest = None if longest is None or None in most else max(longest, sum(m for m in most if m is not None))
    return matchers, longest


def _first_words(token: dict[str, Any]) -> list[str] | None:
    """The words a pattern's first token must be (LOWER as a string or an IN list); None when it
    may be any word: no LOWER, another operator on it (NOT_IN, REGEX), or an OP making it
    optional or negated ("?", "*", "!")."""
    lower = token.get("LOWER")
    if token.get("OP") not in (None, "+"):
        return None
    if isinstance(lower, str):
        return [lower]
    if isinstance(lower, dict) and set(lower) == {"IN"}:
        return list(lower["IN"])
    return None


def _most_repeats(op: str | None) -> int | None:
    """How many tokens one pattern token can match: "{0,6}" 6, "?" 1, "+" or "*" unbounded."""
    if op in (None, "!", "?"):
        return 1
    bounds = re.fullmatch(r"\{(\d*)(,?)(\d*)\}", op or "")
    if bounds is None or (bounds.group(2) and not bounds.group(3)):
        return None
    return int(bounds.group(3) or bounds.group(1))


def find_triggers(doc: Doc) -> list[tuple[int, int, int]]:
    """(match_id, start, end) of every trigger pattern match inside one sentence.

    A Matcher checks every pattern at every token, which cost more than the rest of extraction.
    Every trigger pattern starts on a listed word, so only the tokens that are one get checked,
    each against the few patterns that start with it, up to the longest match or sentence end.
    """
    anchored = anchored_matchers(id(doc.vocab), doc.vocab)
    if anchored is None:
        matcher = event_matcher(id(doc.vocab), doc.vocab)
        return [m for sent in doc.sents for m in _shifted(matcher(sent), sent.start)]
    matchers, longest = anchored
    words = doc.to_array(LOWER)
    hits = numpy.flatnonzero(numpy.isin(words, numpy.fromiter(matchers, dtype=words.dtype, count=len(matchers)))).tolist()
    found = []
    for sent in doc.sents:
        for i in hits[bisect.bisect_left(hits, sent.start) : bisect.bisect_left(hits, sent.end)]:
            window = doc[i : sent.end if longest is None else min(sent.end, i + longest)]
            # the word's patterns may match again further on: that start has its own window
            found += [m for m in _shifted(matchers[int(words[i])](window, allow_missing=True), i) if m[1] == i]
    return found


def _shifted(matches: list[tuple[int, int, int]], offset: int) -> list[tuple[int, int, int]]:
    """A Matcher's matches on a Span count from the span's start: make them Doc positions."""
    return [(match_id, start + offset, end + offset) for match_id, start, end in matches]


def _depth(token: Token) -> int:
    depth = 0
    while token.head is not token and depth < 50:
        token, depth = token.head, depth + 1
    return depth


def _in_quotes(sent: Span, token: Token) -> bool:
    before = doc_text(sent.doc)[sent.start_char : token.idx]
    return (before.count("“") > before.count("”")) or before.count('"') % 2 == 1


def _is_noun(token: Token) -> bool:
    return token.pos_ in {"NOUN", "PROPN"}


def _dated(token: Token) -> bool:
    return any(t.ent_type_ == "DATE" for t in token.subtree)


def _backgrounded(token: Token, markers: set[str]) -> bool:
    """A trigger inside "after ...", "following ...", "amid ..." or a clause that modifies a noun,
    unless it carries a date of its own ("after a meeting on Friday")."""
    if _dated(token):
        return False
    if token.dep_ in {"relcl", "acl"}:
        return True
    for node in [token, *token.ancestors]:
        if node.lower_ in markers and node.dep_ in {"prep", "mark", "pcomp", "advmod"}:
            return True
        if any(c.dep_ == "mark" and c.lower_ in markers for c in node.children) and node is not token:
            return True
        if node.dep_ in {"relcl", "acl"} and node is not token:
            return True
    return False


def _anaphoric(token: Token, determiners: set[str]) -> bool:
    """"the meeting", "his visit" — unless the noun carries its own date ("the meeting on July 25")."""
    if not any(c.dep_ in {"det", "poss"} and c.lower_ in determiners for c in token.children):
        return False
    return not _dated(token)


def _governed(token: Token, rule: dict[str, list[str]]) -> bool:
    """Nouns such as "agreement" need a verb of completion two steps up at most: "signed a loan
    agreement", "announced to reach a deal"."""
    if token.lower_ not in rule["nouns"]:
        return True
    return any(node.lower_ in rule["verbs"] for node in [token.head, token.head.head])


def usable_triggers(sent: Span, matches: list[tuple[str, Span]], reported: set[str], mentions: list[dict[str, Any]]) -> list[tuple[str, Span]]:
    """Triggers that report a new event: not quoted, not background, not a reference back; a host
    verb with someone to host."""
    rules = load_rules("events")
    markers, determiners = set(rules["background_markers"]), set(rules["anaphoric_determiners"])
    usable = []
    for event_type, span in matches:
        root = span.root
        if _in_quotes(sent, root):
            continue
        if _is_noun(root):
            # "the visit" after "welcomed the President": calls, meetings and visits refer back to each other
            again = event_type in reported or (event_type in CONSULT_TYPES and bool(reported & CONSULT_TYPES))
            if _backgrounded(root, markers) or (again and _anaphoric(root, determiners)):
                continue
            if event_type in rules["noun_governors"] and not _governed(root, rules["noun_governors"][event_type]):
                continue
        elif root.dep_ in {"relcl", "acl"}:
            continue  # a verb in a clause that describes a noun ("the deal the two countries signed")
        if event_type in rules["realized_only"] and _is_future(sent, span) and not _starts_later(span.root, rules["onset_phrases"]):
            continue
        if event_type == "meeting" and any(c.dep_ == "dobj" and c.lower_ in rules["meet_objects"] for c in root.children):
            continue  # "meet the financing needs"
        if event_type == "meeting" and _is_noun(root) and any(c.dep_ in {"compound", "amod"} and c.lower_ in rules["internal_meetings"] for c in root.children):
            continue  # "a board meeting": one organisation's own, no meeting between parties
        if event_type == "meeting" and root.lower_ in rules["party_object_verbs"] and not has_party_object(root, mentions):
            continue
        if event_type == "phone_call" and root.lower_ in {"call", "calls"} and len(span) == 1 and not_a_call(root, rules["call_not_consult"]):
            continue
        if event_type in CONSULT_TYPES and _is_noun(root) and root.dep_ == "compound" and root.head.pos_ == "NOUN":
            continue  # a noun that names another thing ("the meeting room", "visit programme")
        usable.append((event_type, span))
    return usable


def _starts_later(root: Token, phrases: list[str]) -> bool:
    """"A truce between A and B will take effect on Monday": made, with a start ahead."""
    head = root.head
    return " ".join(t.lower_ for t in head.doc[head.i : head.i + 3]).startswith(tuple(phrases))


def choose_trigger(usable: list[tuple[str, Span]]) -> tuple[str, Span] | None:
    """The usable trigger most central to the sentence (closest to its root), then by codebook priority."""
    rules = load_rules("events")
    if not usable:
        return None
    return min(usable, key=lambda m: (_depth(m[1].root), rules[m[0]]["priority"], m[1].start))


def _is_future(sent: Span, trigger: Span) -> bool:
    """A modal or plan word next to the trigger or to the verbs governing it ("on track to sign an agreement")."""
    markers = set(load_rules("events")["future_markers"])
    nodes = [trigger.root, trigger.root.head, trigger.root.head.head]
    # a clause of its own (a coordinated verb, "..., a move that aims to ...") has its own tense
    window = {t.i for node in nodes for t in node.children if t.dep_ not in {"conj", "advcl", "relcl", "acl", "ccomp"}} | {i for node in nodes for i in range(max(sent.start, node.i - 3), node.i)}
    doc = sent.doc
    return any(doc[i].lower_ in markers or (i + 1 < len(doc) and f"{doc[i].lower_} {doc[i + 1].lower_}" in markers) for i in window)


def _is_actor(mention: dict[str, Any], doc: Doc) -> bool:
    """Places named as where something happened ("in Washington") or as modifiers are not actors."""
    if mention["label"] not in ACTOR_LABELS or is_restatement(mention, doc):
        return False
    if mention["label"] == "GPE":
        before = doc_text(doc)[max(0, mention["start"] - 8) : mention["start"]].lower()
        if re.search(r"\b(in|at)\s+(the\s+)?$", before) or is_modifier(mention, doc):
            return False
    return True


def _actors(sent: Span, here: list[dict[str, Any]], countries: list[str], last_person: str | None, leaders: list[str] | None = None) -> list[str]:
    rules = load_rules("events")
    actors = list(dict.fromkeys(state_of(m["text"]) if m["label"] == "GPE" else m["text"] for m in here if _is_actor(m, sent.doc)))
    lowered = span_text(sent).lower()
    if leaders and any(p in lowered for p in rules["both_leaders"]):
        # "the two leaders", "hosted the leaders of the two nations": the article's two main
        # persons besides those the sentence names, not the countries they lead
        named = set(actors) | ({last_person} if last_person and any(t.lower_ in PRONOUNS for t in sent) else set())
        two = [p for p in leaders if p not in named][:2]
        actors = [a for a in actors if a not in countries] + two if len(two) == 2 else actors
    elif any(p.lower() in lowered for p in rules["both_parties"]):
        actors += [c for c in countries if c not in actors]
    if last_person and last_person not in actors and any(t.lower_ in PRONOUNS for t in sent):
        actors.insert(0, last_person)
    return actors


def _consult_actors(trigger: tuple[str, Span], here: list[dict[str, Any]], actors: list[str], last_person: str | None) -> list[list[str]]:
    """The actors of each call, meeting or visit the trigger reports: one per partner listed after
    "with"; the last person the article made a subject is the other side when the sentence names
    none ("In a call with Ana Lima, the two sides ...")."""
    split = split_by_partner(trigger[1], here, actors)
    if split is not None:
        return split
    partners = find_partners(trigger[1], here)
    people = {m["text"] for m in here if m["label"] == "PERSON"}
    if partners and last_person and last_person not in actors and not [a for a in actors if a in people and a not in partners]:
        actors = [last_person, *actors]
    return [list(dict.fromkeys([*actors, *partners]))]


def _trigger_event(article: Article, sent: Span, index: int, chosen: tuple[str, Span], actors: list[str], lede_date: dict[str, Any] | None, lede_actors: set[str], places: list[str], companion: bool = False) -> dict[str, Any]:
    rules = load_rules("events")
    event_type, trigger = chosen
    future = _is_future(sent, trigger)
    date = event_date(sent, article["published_date"], future, trigger.root if companion else None)
    # A later sentence about the lede's event (same type, same two sides) takes the lede's date.
    if date is None and lede_date and index > 0 and event_type == lede_date.get("event_type") and len(lede_actors & set(actors)) >= 2:
        date = {k: v for k, v in lede_date.items() if k != "event_type"}
    date = date or dict(NO_DATE)
    confidence = _evidence_score(rules[event_type]["strength"], trigger.root.pos_ == "VERB", len(actors) >= 2, date["date_method"] != "none")
    return {
        "event_type": event_type,
        "actors": actors,
        "location": _location(sent, places),
        **date,
        "evidence": evidence(article["article_id"], sent, index),
        "extractor": f"events.yaml:{event_type}:{trigger.text.lower()}",
        "confidence": round(confidence, 3),
        "future": future,
    }


def _evidence_score(strength: float, verb: bool, counterpart: bool, dated: bool) -> float:
    """Confidence that rises with the evidence: a verb trigger with its dependants rather than a
    bare noun, a named counterpart (two sides or more), an explicit or resolved date; the type's
    strength (an unambiguous "phone call" above a "visit") shifts it. 0.45 with none, up to 0.9."""
    return 0.45 + 0.1 * verb + 0.15 * counterpart + 0.1 * dated + (strength - 0.8)


def _statement_event(article: Article, sent: Span, index: int, speaker: list[str]) -> dict[str, Any]:
    date = event_date(sent, article["published_date"], False) or dict(NO_DATE)
    return {
        "event_type": "statement",
        "actors": speaker,
        "location": None,
        **date,
        "evidence": evidence(article["article_id"], sent, index),
        "extractor": "events.yaml:speech_verbs",
        # a speaker with their organisation and a date is better attested than a bare name
        "confidence": round(load_rules("events")["statement"]["strength"] + 0.1 * (len(speaker) > 1) + 0.05 * (date["date_method"] != "none") - 0.1, 3),
        "future": False,
    }


def _signing_reference(matches: list[tuple[str, Span]], determiners: set[str]) -> Span | None:
    """A signing verb whose agreement is one the article named before: "The agreement was signed
    during the visit", "The accord, signed between A and B, ..." (a definite noun, no date of its own)."""
    nouns = set(load_rules("events")["noun_governors"]["agreement_signed"]["nouns"])
    for event_type, span in matches:
        verb = span.root
        if event_type != "agreement_signed" or verb.pos_ != "VERB":
            continue
        objects = [c for c in verb.children if c.dep_ in {"nsubjpass", "dobj"}] + ([verb.head] if verb.dep_ == "acl" else [])
        if any(o.lower_ in nouns and _anaphoric(o, determiners) and not _dated(verb) for o in objects):
            return span
    return None


def _coordinated(chosen: tuple[str, Span], usable: list[tuple[str, Span]]) -> list[tuple[str, Span]]:
    """Triggers of other types coordinated with the chosen one ("visited Oman and met the Sultan",
    "visits to the US, a rare meeting with ..."): one sentence, several events. And a visit or a
    meeting beside a signing ("ended a visit to Peru, during which they signed a loan"): the
    best trigger of the other group joins the chosen one."""
    root = chosen[1].root
    found = [(t, span) for t, span in usable if t != chosen[0] and span.root.dep_ in {"conj", "appos"} and span.root.head == root]
    for group in (CONSULT_TYPES, MADE_TYPES):
        if chosen[0] in (CONSULT_TYPES | MADE_TYPES) - group:
            companion = choose_trigger([m for m in usable if m[0] in group])
            if companion is not None and companion[0] not in {t for t, _ in found}:
                found.append(companion)
    return found


def find_events(doc: Doc, article: Article, mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """At most one trigger event per sentence, with its actors; else one statement per new speaker."""
    rules = load_rules("events")
    grouped = by_sentence(mentions)
    countries = main_countries(mentions)
    sentences = list(doc.sents)
    lede_date = event_date(sentences[0], article["published_date"], False) if sentences else None
    lede_actors = set(_actors(sentences[0], [m for m in grouped.get(0, []) if m["label"] in ACTOR_LABELS], countries, None)) if sentences else set()
    minimum = rules["min_actors"]
    triggers: dict[int, list[tuple[str, Span]]] = {}
    starts = {s.start: i for i, s in enumerate(sentences)}
    for match_id, start, end in find_triggers(doc):
        triggers.setdefault(starts[doc[start].sent.start], []).append((doc.vocab.strings[match_id], doc[start:end]))
    lede_trigger = choose_trigger(usable_triggers(sentences[0], triggers.get(0, []), set(), grouped.get(0, []))) if sentences else None
    lede_date = {**lede_date, "event_type": lede_trigger[0]} if lede_date and lede_trigger else None
    events: list[dict[str, Any]] = []
    spoken: set[str] = set()
    people = {m["text"] for m in mentions if m["label"] == "PERSON" and len(m["text"].split()) > 1}
    leaders = main_people(mentions)
    last_person: str | None = None
    for index, sent in enumerate(sentences):
        here = [m for m in grouped.get(index, []) if m["label"] in ACTOR_LABELS]
        usable = usable_triggers(sent, triggers.get(index, []), {e["event_type"] for e in events}, here)
        reference = _signing_reference(triggers.get(index, []), set(rules["anaphoric_determiners"]))
        earlier = next((e for e in reversed(events) if e["event_type"] == "agreement_signed"), None)
        if reference is not None and earlier is not None:
            # "The accord, signed between A and B, ...": the signing already reported; A and B are its parties
            usable = [m for m in usable if m[0] != "agreement_signed"]
            earlier["actors"] = list(dict.fromkeys([*earlier["actors"], *_actors(sent, here, countries, None)]))
        chosen = choose_trigger(usable)
        actors = list(dict.fromkeys([*_actors(sent, here, countries, last_person, leaders), *named_by_surname(sent, here, people)])) if chosen else []
        places = [m["text"] for m in grouped.get(index, []) if m["label"] in {"GPE", "FAC", "LOC"}]
        for trigger in [chosen, *_coordinated(chosen, usable)] if chosen else []:
            split = _consult_actors(trigger, here, actors, last_person) if trigger[0] in CONSULT_TYPES else [actors]
            # a place that is a party ("calls with his counterparts in Chile") is not where it happened
            free = [p for p in places if not any(p in these or state_of(p) in these for these in split)]
            for these in split:
                if len(these) >= minimum.get(trigger[0], 1):
                    events.append(_trigger_event(article, sent, index, trigger, these, lede_date, lede_actors, free, companion=trigger is not chosen))
                if trigger[0] == "statement":
                    spoken.update(m["text"] for m in here if m["label"] == "PERSON")
        if chosen is None or chosen[0] != "statement":  # a speaker can report an event too
            for speaker in find_speakers(sent, here, last_person, people):
                if not spoken_before(speaker[0], spoken):  # one statement per speaker per article
                    spoken.add(speaker[0])
                    events.append(_statement_event(article, sent, index, speaker))
        last_person = subject_person(sent, here) or last_person
    return events


def _location(sent: Span, places: list[str]) -> str | None:
    """A place introduced by 'in'/'at' in the sentence ("held in Islamabad")."""
    text = span_text(sent)
    for place in places:
        at = text.find(place)
        if at > 3 and re.search(r"\b(in|at)\s+(the\s+)?$", text[:at]):
            return place
    return None
