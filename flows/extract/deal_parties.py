"""Who a deal is between: the party mentions of a sentence (no outlet, source, modifier place or
amount; an official's country for the state), the lede's parties, a party's role, and which of
several amounts a party belongs to."""

from __future__ import annotations

import functools
import re
from typing import Any

from spacy.tokens import Doc, Span

from flows.core.rules import load_rules
from flows.extract.mentions import doc_text, is_modifier, is_restatement, state_of
from flows.extract.money import Money, find_amounts, money_token

PARTY_LABELS = {"ORG", "GPE", "FAC"}
NEAR_CHARS = 60  # a party further than this from every amount of its sentence belongs to none


def party_role(mention: dict[str, Any], sent: Span, financiers: frozenset[str]) -> str:
    name = mention["canonical_hint"] or mention["text"]
    if name in financiers or re.search(r"\b(bank|fund|finance|financial|capital|investment corporation)\b", name, re.I):
        return "financier"
    before = doc_text(sent.doc)[max(sent.start_char, mention["start"] - 12) : mention["start"]].lower()
    if re.search(r"\b(for|to|in|into|with)\s+(the\s+)?$", before) or mention["label"] == "FAC":
        return "recipient" if mention["label"] != "ORG" or "with" not in before else "counterparty"
    return "counterparty"


@functools.cache
def _outlets() -> frozenset[str]:
    """News outlets and agencies (gazetteer `kind: outlet`): they report deals, they are no party."""
    return frozenset(e["name"] for e in load_rules("gazetteer") if e.get("kind") == "outlet")


@functools.cache
def financiers() -> frozenset[str]:
    return frozenset(e["name"] for e in load_rules("gazetteer") if e.get("kind") == "financier")


def _is_source(mention: dict[str, Any], doc: Doc) -> bool:
    """The outlet or report a sentence cites ("according to Reuters", "The News reported") is no party."""
    before = doc_text(doc)[max(0, mention["start"] - 40) : mention["start"]].lower()
    after = doc_text(doc)[mention["end"] : mention["end"] + 12].lower()
    return bool(re.search(r"according to (a |the )?(report (by|in) |reports? (by|in) )?(the )?$", before) or re.match(r"\s+(reported|reports)\b", after))


SPEECH_VERBS = {"said", "says", "say", "stated", "states", "told", "added", "noted", "confirmed", "reported", "announced"}


def _is_speaker(mention: dict[str, Any], doc: Doc) -> bool:
    """The subject of a verb of saying with a clause of its own ("the ministry said the bank
    approved ...") cites the deal; whether it is also a party the clause says, not the speaker."""
    span = doc.char_span(mention["start"], mention["end"], alignment_mode="expand")
    token = span.root if span is not None and len(span) else None
    if token is None or token.dep_ != "nsubj" or token.head.lower_ not in SPEECH_VERBS:
        return False
    return any(c.dep_ == "ccomp" for c in token.head.children)


def party_mentions(mentions: list[dict[str, Any]], doc: Doc) -> list[dict[str, Any]]:
    kept = [m for m in _party_mentions(mentions, doc) if not _is_speaker(m, doc)]
    return kept if kept else _party_mentions(mentions, doc)  # a speaker alone may be the party


_COMPANY_NOUN = re.compile(r"^\s+(?:company|group|firm|corporation|conglomerate)\b")


def _company_names(mentions: list[dict[str, Any]], doc: Doc) -> list[dict[str, Any]]:
    """Names the model cut before a company noun ("Freedonia Bluefin company": a place and a
    person) are one company: adjacent names with only a space between them, and the noun after."""
    text, merged, i = doc_text(doc), [], 0
    while i < len(mentions):
        j = i
        while j + 1 < len(mentions) and mentions[j + 1]["start"] - mentions[j]["end"] == 1 and text[mentions[j]["end"]] == " ":
            j += 1
        if j > i and _COMPANY_NOUN.match(text[mentions[j]["end"] :]) and any(m["label"] in {"GPE", "ORG", "PERSON"} for m in mentions[i : j + 1]):
            start, end = mentions[i]["start"], mentions[j]["end"]
            merged.append({**mentions[i], "label": "ORG", "text": text[start:end], "end": end, "canonical_hint": None})
            i = j + 1
            continue
        merged.append(mentions[i])
        i += 1
    return merged


def _party_mentions(mentions: list[dict[str, Any]], doc: Doc) -> list[dict[str, Any]]:
    kept = []
    for m in _company_names(mentions, doc):
        official = _official_state(m, doc)
        if official is not None:
            kept.append({**m, "label": "GPE", "text": official})
            continue
        if m["label"] not in PARTY_LABELS or _is_source(m, doc) or _is_based(m, doc) or m["canonical_hint"] in _outlets() or is_restatement(m, doc) or (m["label"] == "GPE" and is_modifier(m, doc)) or _is_amount(m, doc):
            continue
        kept.append({**m, "text": state_of(m["text"])} if m["label"] == "GPE" else m)
    return kept


def _is_based(mention: dict[str, Any], doc: Doc) -> bool:
    """A place that says where someone is ("the Lagos-based lender") is no party."""
    return bool(re.match(r"[-‐–]?\s?based\b", doc_text(doc)[mention["end"] : mention["end"] + 8], re.I)) and mention["label"] in {"GPE", "LOC", "FAC"}


def _official_state(mention: dict[str, Any], doc: Doc) -> str | None:
    """The state an official acts for: the country before a leader's or minister's title ("the
    Freedonian Prime Minister", "Ruritania's new President") is a party to what the official signs."""
    if mention["label"] not in {"GPE", "NORP"} or (mention["label"] == "NORP" and not mention["canonical_hint"]):
        return None
    after = re.sub(r"^(’s|'s)", "", doc_text(doc)[mention["end"] : mention["end"] + 40]).split()[:2]
    titles = set(load_rules("deals")["state_titles"])
    if not any(w.strip(",.").lower() in titles for w in after[: 2 if after and after[0].islower() else 1]):
        return None
    return mention["canonical_hint"] or state_of(mention["text"]) if mention["label"] == "NORP" else state_of(mention["text"])


def _is_amount(mention: dict[str, Any], doc: Doc) -> bool:
    """A name the model made of an amount or a rate ("Tk 119.50") is none."""
    return bool(find_amounts(doc_text(doc), mention["start"], mention["end"]))


def lede_parties(grouped: dict[int, list[dict[str, Any]]], doc: Doc) -> list[str]:
    """The parties of the first of the opening sentences that names two: the article's main relation."""
    for index in range(3):
        names = list(dict.fromkeys(m["text"] for m in party_mentions(grouped.get(index, []), doc) if m["label"] != "FAC"))
        if len(names) >= 2:
            return names
    return []


_JOINS = re.compile(r"^\s+(?:from|by|of|with)\s+(?:the\s+)?$", re.I)


def attached_parties(sent: Span, mentions: list[dict[str, Any]], monies: list[Money], money: Money) -> list[str]:
    """With several amounts in a sentence, a party attached to an amount in the parse ("$553m from
    DFC") is that amount's; any other belongs to the amount nearest to it."""
    anchors = {money_token(sent, a).i: a for a in monies}

    def distance(m: dict[str, Any], amount: Money) -> int:
        return min(abs(m["start"] - amount.end), abs(amount.start - m["end"]))

    def owner(m: dict[str, Any]) -> Money | None:
        # "US$200m from X": a party a preposition joins to the amount just before it is that
        # amount's, whatever the parse made of a coordination of amounts.
        text = doc_text(sent.doc)
        joined = next((a for a in monies if a.end <= m["start"] and _JOINS.match(text[a.end : m["start"]])), None)
        if joined is not None:
            return joined
        token = next((t for t in sent if m["start"] <= t.idx < m["end"]), None)
        for ancestor in list(token.ancestors)[:3] if token is not None else []:
            if ancestor.i in anchors:
                return anchors[ancestor.i]
        nearest = min(monies, key=lambda a: distance(m, a))
        return nearest if distance(m, nearest) <= NEAR_CHARS else None

    return list(dict.fromkeys(m["text"] for m in mentions if owner(m) is money))
