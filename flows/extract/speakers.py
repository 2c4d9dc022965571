"""Who speaks in a sentence: the person (with the organisation the sentence gives them) behind a
verb of speech or an "according to", never the outlet, the platform or a bare pronoun.
"""

from __future__ import annotations

import functools
from collections import Counter
from typing import Any

from spacy.tokens import Span, Token

from flows.core.rules import load_rules
from flows.extract.mentions import title_words

SPEAKER_LABELS = {"PERSON", "ORG"}


@functools.cache
def outlets() -> frozenset[str]:
    """News outlets and agencies (gazetteer `kind: outlet`) and social platforms: they carry what
    someone said, they never say it."""
    named = (e for e in load_rules("gazetteer") if e.get("kind") == "outlet")
    return frozenset(n.lower() for e in named for n in [e["name"], *e.get("aliases", [])]) | frozenset(p.lower() for p in load_rules("titles")["social_platforms"])


def mention_at(token: Token, mentions: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((m for m in mentions if m["start"] <= token.idx < m["end"]), None)


def _is_outlet(mention: dict[str, Any]) -> bool:
    return mention["text"].lower() in outlets() or (mention["canonical_hint"] or "").lower() in outlets()


def subject_person(sent: Span, mentions: list[dict[str, Any]]) -> str | None:
    """The person who is the grammatical subject of the sentence's main verb, if any."""
    for token in sent:
        if token.dep_ in {"nsubj", "nsubjpass"} and token.head.dep_ == "ROOT":
            found = mention_at(token, mentions)
            if found and found["label"] == "PERSON":
                return found["text"]
    return None


def _phrase(head: Token) -> list[Token]:
    """The speaker's noun phrase with its appositions ("Jane Roe, chief economist at Acme"),
    but not a clause or a prepositional phrase hanging off the verb."""
    return [t for t in head.subtree if not any(a.dep_ in {"relcl", "acl", "advcl", "ccomp"} and a.i != head.i for a in _up_to(t, head))]


def _up_to(token: Token, head: Token) -> list[Token]:
    path = []
    while token.i != head.i and token.head is not token:
        path.append(token)
        token = token.head
    return path


def speaker_of(head: Token, mentions: list[dict[str, Any]], last_person: str | None) -> list[str]:
    """[person, their organisations...] named by the noun phrase at `head`; [organisation] when
    the phrase names an organisation itself ("the bank said"); [] for an outlet or nothing named.
    He/she stand for the last person the article made a subject."""
    named = [m for t in _phrase(head) for m in [mention_at(t, mentions)] if m and m["label"] in SPEAKER_LABELS and not _is_outlet(m)]
    named = list({m["start"]: m for m in named}.values())
    person = next((m for m in named if m["label"] == "PERSON"), None)
    if person is not None:
        return [person["text"], *dict.fromkeys(m["text"] for m in named if m["label"] == "ORG")]
    if named and mention_at(head, mentions) is not None:
        return [named[0]["text"]]
    if head.lower_ in {"he", "she"} and last_person:
        return [last_person]
    name = _untagged_name(head)
    return [name, *dict.fromkeys(m["text"] for m in named if m["label"] == "ORG")] if name else []


def _untagged_name(head: Token) -> str | None:
    """A name the model did not tag, after a title: "Ministry spokesperson Ana Lima" (the
    capitalised proper nouns that end the phrase, up to the title word)."""
    if head.pos_ != "PROPN" or not head.is_title or head.lower_ in title_words():
        return None
    words = [head]
    for token in reversed([c for c in head.children if c.dep_ == "compound" and c.i < head.i]):
        if token.pos_ != "PROPN" or not token.is_title or token.lower_ in title_words() or token.i != words[0].i - 1:
            break
        words.insert(0, token)
    before = head.doc[words[0].i - 1] if words[0].i > head.sent.start else None
    return " ".join(t.text for t in words) if before is not None and before.lower_ in title_words() else None


def find_speakers(sent: Span, mentions: list[dict[str, Any]], last_person: str | None, people: set[str]) -> list[list[str]]:
    """Each speaker of the sentence as [name, organisations...]: the subject of a verb of speech
    ("said AFC President Jane Roe", "the lender said in a statement"), or the object of "according
    to" ("according to Jane Roe, IMF mission chief"), never an outlet ("according to Reuters").
    `people`: the article's full names of persons."""
    verbs = set(load_rules("events")["speech_verbs"])
    found = []
    for token in sent:
        if token.lower_ in verbs and token.pos_ in {"VERB", "AUX"}:
            heads = [c for c in token.children if c.dep_ in {"nsubj", "nsubjpass"}]
        elif token.lower_ == "according":
            # an organisation cited as the source is attribution, not a statement it made
            heads = [g for c in token.children if c.lower_ == "to" for g in c.children if g.dep_ == "pobj" and _names_person(g, mentions, people)]
        else:
            continue
        found += [s for s in (speaker_of(h, mentions, last_person) for h in heads) if s]
    return found


def _names_person(head: Token, mentions: list[dict[str, Any]], people: set[str]) -> bool:
    """A full name, or the surname of one the article gave (one unknown word after "according to"
    is as often an organisation the model took for a person)."""
    return any((m := mention_at(t, mentions)) and m["label"] == "PERSON" and (len(m["text"].split()) > 1 or spoken(m["text"], people)) for t in _phrase(head))


def spoken(speaker: str, already: set[str]) -> bool:
    """Has the article already given this speaker a statement ("Natalie Baker" ... "Baker said")?
    Only a bare name ("Baker", "PM Natalie") is matched this way: two full names sharing a surname are two people."""
    names = [w for w in speaker.split() if w.lower().rstrip(".") not in title_words()]  # "Mr Aurangzeb"
    if len(names) != 1:
        return speaker in already
    return any(names[0] in name.split() for name in already)


def named_by_surname(sent: Span, mentions: list[dict[str, Any]], people: set[str]) -> list[str]:
    """People the sentence names by surname alone where the model tagged nothing ("Lima met
    Mendes" after "President Ana Lima" and "Carlos Mendes"): their full names, once each."""
    surnames = {name.split()[-1]: name for name in people}
    return list(dict.fromkeys(surnames[t.text] for t in sent if t.pos_ == "PROPN" and t.text in surnames and mention_at(t, mentions) is None))


def main_people(mentions: list[dict[str, Any]]) -> list[str]:
    """The article's persons, most mentioned first; a bare surname counts for the full name it is part of."""
    full = [m["text"] for m in mentions if m["label"] == "PERSON" and len(m["text"].split()) > 1]
    surnames = {name.split()[-1]: name for name in full}
    counts = Counter(surnames.get(m["text"], m["text"]) for m in mentions if m["label"] == "PERSON")
    return [name for name, _ in counts.most_common() if len(name.split()) > 1]
