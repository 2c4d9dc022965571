"""Who a call, meeting or visit was with: the partners after "with" (one event each when a list
names several: "calls with his counterparts in Peru, Chile and Bolivia" are three calls), and
whether a host or receiver verb has someone as its object ("hosted the Emir", not "hosted a fair").
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Span, Token

from flows.extract.mentions import state_of
from flows.extract.speakers import mention_at

PARTNER_LABELS = {"PERSON", "ORG", "GPE"}


def _with_objects(root: Token) -> list[Token]:
    """The objects of "with" on the trigger or on the verb it is the object of ("held calls with")."""
    nodes = [root, root.head] if root.dep_ in {"dobj", "pobj", "nsubjpass", "attr"} else [root]
    return [g for node in nodes for c in node.children if c.dep_ == "prep" and c.lower_ == "with" for g in c.children if g.dep_ == "pobj"]


def _name(mention: dict[str, Any]) -> str:
    return state_of(mention["text"]) if mention["label"] == "GPE" else mention["text"]


def find_partners(trigger: Span, mentions: list[dict[str, Any]]) -> list[str]:
    """The named partners after "with", in order: one per person, organisation or country in the
    object's phrase, so "with his counterparts in Peru and Chile" gives Peru, Chile (the countries
    there are the partners, not the place of the call) and "with Minister Ana Lima of Peru" gives
    Ana Lima, Peru."""
    found: dict[int, dict[str, Any]] = {}
    for head in _with_objects(trigger.root):
        for token in head.subtree:
            mention = mention_at(token, mentions)
            if mention is not None and mention["label"] in PARTNER_LABELS:
                found.setdefault(mention["start"], mention)
    return list(dict.fromkeys(_name(m) for m in found.values()))


def split_by_partner(trigger: Span, mentions: list[dict[str, Any]], actors: list[str]) -> list[list[str]] | None:
    """Several partners coordinated after a plural trigger and "with" ("calls with the leaders of
    Peru, Chile and Bolivia", "conversations with three counterparts: A, B and C") are one event
    each, with the same other side; None when the trigger is one event ("a meeting with A and
    B"), or the sentence names one partner or one person with their country."""
    partners = find_partners(trigger, mentions)
    heads = _with_objects(trigger.root)
    people = [p for p in partners if any(m["label"] == "PERSON" and m["text"] == p for m in mentions)]
    # "calls with A and B" are two calls, "a meeting with A and B" one meeting
    plural = trigger.root.tag_ in {"NNS", "NNPS"} or any(t.tag_ in {"NNS", "NNPS"} and t.lower_ in {"calls", "conversations"} for t in trigger)
    if not plural or len(partners) < 2 or (len(people) == 1 and len(partners) <= 2) or not any(_is_list(h) for h in heads):
        return None
    side = [a for a in actors if a not in partners]
    # the person on the other side, not the countries the sentence also names (they would make
    # the calls look like one event with the same three actors)
    side = [a for a in side if any(m["label"] == "PERSON" and m["text"] == a for m in mentions)] or side
    kept = people if len(people) >= 2 else partners
    return [[*side, partner] for partner in kept]


def _is_list(head: Token) -> bool:
    """A plural object ("counterparts", "leaders") or a coordinated one ("A, B and C")."""
    return head.tag_ in {"NNS", "NNPS"} or any(t.dep_ == "conj" for t in head.subtree)


def has_party_object(verb: Token, mentions: list[dict[str, Any]]) -> bool:
    """Is the verb's object a named person, organisation or country ("received Minister Ana
    Lima"; not "welcomed Peru's decision", where the country only qualifies the object)?"""
    objects = [c for c in verb.children if c.dep_ in {"dobj", "obj"}]
    return any((m := mention_at(o, mentions)) is not None and m["label"] in PARTNER_LABELS for o in objects)


def not_a_call(noun: Token, rule: dict[str, list[str]]) -> bool:
    """A bare "call" noun that is no call between two sides: "a call for reform", "a call to
    action", "a margin call" (a preposition or a modifier from rules/events.yaml)."""
    return any((c.dep_ == "prep" and c.lower_ in rule["preps"]) or (c.dep_ in {"compound", "amod"} and c.lower_ in rule["modifiers"]) for c in noun.children)
