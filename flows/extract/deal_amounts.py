"""The amounts of a sentence and what the parse says of each: whether it is a deal's (not a cost,
a size or a running total) and whether a verb of giving or getting makes it a financing."""

from __future__ import annotations

import re

from spacy.tokens import Span, Token

from flows.core.rules import load_rules
from flows.extract.mentions import doc_text, sentence_ents
from flows.extract.money import Money, drop_restatements, find_amounts, parse_money

COPULAS = {"is", "was", "are", "were", "be", "been", "stands", "stood"}


def find_money(sent: Span) -> list[Money]:
    """Amounts with a currency: the money patterns' matches, plus NER's MONEY spans they missed."""
    doc = sent.doc
    found = find_amounts(doc_text(doc), sent.start_char, sent.end_char)
    # NER adds amounts the patterns missed; where both saw one, the patterns' reading (with its
    # scale word: "US$553m", not "US$553") wins.
    for ent in sentence_ents(sent):
        money = parse_money(doc_text(doc), ent.start_char, ent.end_char) if ent.label_ == "MONEY" else None
        if money and money.currency and not any(m.start < money.end and money.start < m.end for m in found):
            found.append(money)
    return drop_restatements(doc_text(doc), sorted(found, key=lambda m: m.start))


def money_token(sent: Span, money: Money) -> Token:
    """The last token of the amount: the number or scale word the phrase hangs on."""
    inside = [t for t in sent if money.start <= t.idx < money.end and not (t.is_punct or t.is_space)]
    return inside[-1] if inside else sent.root


def not_a_deal(sent: Span, money: Money) -> bool:
    """An amount that measures a need, a cost, a size or a running total ("a funding requirement of
    $3bn", "the $7bn project", "bringing total disbursements to $3.3bn")."""
    heads, verbs = set(load_rules("deals")["not_deal_heads"]), set(load_rules("deals")["not_deal_verbs"])
    after = doc_text(sent.doc)[money.end : sent.end_char].lower()
    if any(re.match(rf"\W*{re.escape(w)}\b", after) for w in load_rules("deals")["running_total_markers"]):
        return True  # "US$1.7bn so far", "$3bn to date": a running total
    token = money_token(sent, money)
    for _ in range(3):
        if token.head is token:
            return False
        token = token.head
        if token.pos_ in {"NOUN", "PROPN"}:
            return token.lower_ in heads
        if token.lower_ in COPULAS:  # "the plant's expected cost is $2bn"
            return any(c.dep_ in {"nsubj", "nsubjpass"} and c.lower_ in heads for c in token.children)
        if token.pos_ != "ADP":
            return token.lower_ in verbs
    return False


def _governing_verb(sent: Span, money: Money) -> Token | None:
    """The verb the amount is the object of, through prepositions ("approved USD 3m", "will get EUR 2m")."""
    token = money_token(sent, money)
    for _ in range(3):
        if token.head is token:
            return None
        token = token.head
        if token.pos_ in {"VERB", "AUX"}:
            return token
        if token.pos_ != "ADP":
            return None
    return None


def transfer_type(sent: Span, money: Money) -> str | None:
    """Financing when a verb of giving, getting or approving takes the amount with no deal word
    ("the board approved USD 300 million for ...", "the country will receive EUR 200 million")."""
    verb = _governing_verb(sent, money)
    return "financing" if verb is not None and verb.lower_ in load_rules("deals")["transfer_verbs"] else None
