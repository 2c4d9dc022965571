"""Deal candidates: an amount next to a deal word, with parties, roles, status, sector and project.

A total and its parts in one sentence are all rows, the parts pointing at the total.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import Any

from spacy.tokens import Doc, Span

from flows.core.records import Article
from flows.core.rules import load_rules
from flows.extract.deal_parties import attached_parties, financiers, lede_parties, party_mentions, party_role
from flows.extract.mentions import by_sentence, doc_lowers, doc_text, evidence, main_countries, sentence_ents, span_text, title_words
from flows.extract.money import Money, committed_future, find_money, money_token, not_a_deal, verb_type

LISTED_TYPES = {"mou", "trade_agreement", "partnership", "other"}  # instruments a sentence may list, each a deal
NAME_LABELS = {"ORG", "GPE", "FAC", "PERSON", "NORP", "EVENT", "LAW", "WORK_OF_ART", "PRODUCT"}


@functools.cache
def _phrase_index(key: str) -> dict[str, list[tuple[int, list[str], str]]]:
    """The keyword classes of rules/deals.yaml[key] by first word: (rank, words, class), rank
    being the phrase's place in the file (ties between hits go to the class listed first)."""
    index: dict[str, list[tuple[int, list[str], str]]] = {}
    phrases = [(label, phrase.split()) for label, words in load_rules("deals")[key].items() for phrase in words]
    for rank, (label, parts) in enumerate(phrases):
        index.setdefault(parts[0], []).append((rank, parts, label))
    return index


def _keyword_hits(tokens: list[str], key: str) -> list[tuple[int, str]]:
    """(token position, class) for every keyword (one or more words) of every class of
    rules/deals.yaml[key], in the file's order of classes and phrases."""
    index = _phrase_index(key)
    hits = []
    for i, token in enumerate(tokens):
        for rank, parts, label in index.get(token, ()):
            if len(parts) == 1 or tokens[i : i + len(parts)] == parts:
                hits.append((rank, i, label))
    return [(i, label) for _, i, label in sorted(hits)]


def _deal_type(tokens: list[str], hits: list[tuple[int, str]], at: int, after: int | None = None, noun: frozenset[int] = frozenset()) -> str | None:
    """The deal word the amount names ("$1.5bn in joint ventures"), else the nearest one; `hits`
    are the sentence's deal-type keywords (found once per sentence)."""
    if not hits:
        return None
    # "a 9-billion-yen loan", "a $40m subordinated loan": the noun the amount modifies names it.
    named = [h for h in hits if h[0] in noun and h[1] != "other"]
    if named:
        return named[0][1]
    if after is not None and tokens[after : after + 1] in (["in"], ["of"], ["as"]):
        own = [h for h in hits if after < h[0] <= after + 3]
        if own:
            return min(own)[1]
    specific = [h for h in hits if h[1] != "other"] or hits
    return min(specific, key=lambda h: abs(h[0] - at))[1]


def _status(tokens: list[str], future: bool) -> str | None:
    """The deal's stage from the sentence's verbs; None when the sentence states none."""
    rules = load_rules("deals")
    hits = _keyword_hits(tokens, "statuses")
    # "to sign", "pending approval", "agreed to provide": the act is still to come.
    pending = [(i, label) for i, label in hits if label != "planned" and _still_to_come(tokens, i, label, rules["pending_markers"])]
    found = {label for hit in hits if hit not in pending for label in [hit[1]]}
    if pending and not found - {"announced"}:
        # "agreed to provide" is a commitment made (announced); "to sign", "pending approval" are plans.
        found.add("announced" if any(label == "agreed" for _, label in pending) else "planned")
    if future or found == {"planned"}:
        return "planned"
    for status in rules["status_priority"]:
        if status in found:
            return status
    return None


def _still_to_come(tokens: list[str], at: int, label: str, markers: list[str]) -> bool:
    before = tokens[max(0, at - 2) : at]
    committed = label == "agreed" and tokens[at + 1 : at + 2] == ["to"]  # "agreed to provide" is a pledge
    return (bool(before) and before[-1] == "to") or any(w in markers for w in before) or committed


@functools.cache
def _sector_words() -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every sector word (longest first, so "rare earths" beats "rare"), and each word's sector."""
    sectors = {word: sector for sector, words in load_rules("deals")["sectors"].items() for word in words}
    alternation = "|".join(re.escape(w) for w in sorted(sectors, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternation})\b"), sectors


def _without_names(sent: Span, names: list[tuple[int, int]]) -> str:
    """The sentence's text with the organisation names over it blanked (a name may run past the
    sentence's end when the parser cut the sentence inside it)."""
    chars = list(sent.text)
    for start, end in names:
        for i in range(max(start, sent.start_char), min(end, sent.end_char)):
            chars[i - sent.start_char] = " "
    return "".join(chars)


def _sector(text: str) -> str | None:
    """The sector whose words the text uses most (ties: the sector listed first)."""
    pattern, sectors = _sector_words()
    scores = Counter(sectors[m] for m in pattern.findall(text.lower()))
    order = list(load_rules("deals")["sectors"])
    best = max(scores, key=lambda s: (scores[s], -order.index(s)), default=None)
    return best


def _deal_future(sent: Span, start_char: int) -> bool:
    markers = set(load_rules("events")["future_markers"])
    clause = doc_text(sent.doc)[sent.start_char : start_char].lower().split()[-8:]
    return any(w in markers or f"{w} {nxt}" in markers for w, nxt in zip(clause, [*clause[1:], ""]))


@functools.cache
def _deal_phrases() -> frozenset[str]:
    return frozenset(p for words in load_rules("deals")["deal_types"].values() for p in words)


def _deal_words(sent: Span) -> list[str]:
    """The sentence's lower-cased tokens, blank where a word says nothing about a deal: inside a
    name ("Development Finance Corporation") or a title ("Finance Minister"); a name that is
    itself a deal phrase ("Letter of Intent") counts."""
    lowers, titles = doc_lowers(sent.doc), title_words()
    words = [w if nxt not in titles else "" for w, nxt in zip(lowers[sent.start : sent.end], [*lowers[sent.start + 1 : sent.end + 1], ""][: len(sent)])]
    for ent in (e for e in sentence_ents(sent) if e.label_ in NAME_LABELS):
        named = span_text(ent).lower() in _deal_phrases()
        words[ent.start - sent.start : ent.end - sent.start] = lowers[ent.start : ent.end] if named else [""] * len(ent)
    return words


def _refers_back(sent: Span) -> bool:
    """The sentence's subject is a deal already introduced: "The agreement ... is set to unlock $1.2bn"."""
    phrases = _deal_phrases()
    for token in sent:
        if token.dep_ in {"nsubj", "nsubjpass"} and token.lower_ in phrases and any(c.dep_ == "det" and c.lower_ in {"the", "this", "that"} for c in token.children):
            return True
    return False


def find_deals(doc: Doc, article: Article, mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Deal candidates: an amount next to a deal word, or an amountless deal two parties made."""
    rules = load_rules("deals")
    events_rules = load_rules("events")
    countries = main_countries(mentions)
    grouped = by_sentence(mentions)
    lede = lede_parties(grouped, doc)
    article_sector = _sector(doc_text(doc))
    org_spans = [(m["start"], m["end"]) for m in mentions if m["label"] == "ORG"]
    deals = []
    previous_type: str | None = None
    previous_status: str | None = None
    last_financier: str | None = None
    for index, sent in enumerate(doc.sents):
        tokens = _deal_words(sent)
        type_hits = _keyword_hits(tokens, "deal_types")
        here = party_mentions(grouped.get(index, []), doc)
        parties = list(dict.fromkeys(m["text"] for m in here))
        text = span_text(sent)
        lowered = text.lower()
        if any(p in lowered for p in events_rules["both_parties"]):
            parties += [c for c in countries if c not in parties]
        roles = {m["text"]: party_role(m, sent, financiers()) for m in here}
        if last_financier and last_financier not in parties and "financier" not in roles.values() and _FINANCIER_NOUN.search(lowered):
            parties.append(last_financier)  # "the bank said it would lend ...": the financier named before
            roles[last_financier] = "financier"
        last_financier = next((n for n, r in roles.items() if r == "financier"), last_financier)
        labels = {m["text"]: m["label"] for m in here}
        project = next((m["text"] for m in here if m["label"] == "FAC"), None)
        # An organisation's name is no sector cue ("Export-Import Bank" finances mines too).
        sector = _sector(_without_names(sent, org_spans)) or article_sector
        monies = [m for m in find_money(sent) if not not_a_deal(sent, m)]
        anaphoric = _refers_back(sent)
        for money in monies:
            at = next((t.i - sent.start for t in sent if t.idx >= money.start), 0)
            after = next((t.i - sent.start for t in sent if t.idx >= money.end), None)
            # "agreed to buy $80m of trucks" is a purchase whatever finance words stand near.
            deal_type = verb_type(sent, money, "purchase_verbs", "other") or _deal_type(tokens, type_hits, at, after, _amount_noun(sent, money)) or verb_type(sent, money, "transfer_verbs", "financing") or (previous_type if _is_fragment(sent) else None)
            near = attached_parties(sent, here, monies, money) if len(monies) > 1 else parties
            # A sentence that names nobody ("Agreements included $7bn in MoUs") or speaks of "the
            # agreement" continues the lede's story: the lede names the parties.
            # A project alone ("the X Project will be funded with ...") is what is financed, not who.
            if near and not any(labels.get(n) != "FAC" for n in near):
                near = list(dict.fromkeys(near + lede))
            near, confidence = (near, 0.8 if len(near) > 1 else 0.65) if near else (lede, 0.5)
            if anaphoric:
                near = list(dict.fromkeys(near + lede))
            if deal_type is None or not near:
                continue
            future = _deal_future(sent, money.start)
            status = _status(tokens, future) or "announced"
            if status == "planned" and committed_future(sent, money) and not _planning_words(tokens):
                # "X will get $5m for ...", "the bank will provide $40m": a commitment stated, not a plan.
                status = "announced"
            deals.append(_deal_row(article, sent, index, deal_type, status, near, roles, money, project, sector, confidence))
        if not monies:
            deal_type = _deal_type(tokens, type_hits, 0)
            status = _status(tokens, False)
            # Without an amount only a stated act makes a deal: signed, approved or done for any
            # type; agreed or announced too for types with no amount by nature (MoU, trade deal).
            # "Reached a staff-level agreement" is a step towards a deal, not one.
            made = {"signed", "approved", "completed"} | ({"agreed", "announced"} if deal_type in rules["amountless_types"] else set())
            done = status in made
            # "... signed the loan agreement": a definite deal noun after an amount the article gave
            # is that deal signed, no second one.
            earlier = any(d["amount"] is not None for d in deals) and _definite(sent, type_hits, deal_type)
            listed = _listed_deals(sent)
            # A list with no verb of its own ("Key accords included ...") takes the stage of the sentence
            # before, or of the amountless deal (a count of accords signed) the article gave last.
            inherited = previous_status if previous_status in made else next((d["status"] for d in reversed(deals) if d["amount"] is None), None)
            if len(listed) >= 2 and (done or (status is None and inherited in made)):
                # "Agreements were signed, including a transport agreement, an MoU on energy and ...": one
                # deal each, with the parties named in its own words, else the lede's.
                for start, end in listed:
                    own = list(dict.fromkeys(m["text"] for m in here if start <= m["start"] < end))
                    item_type = _item_type(sent, start, end)
                    row = _deal_row(article, sent, index, item_type, status or inherited or "signed", own if len(own) >= 2 else (lede or parties), roles, None, project, sector, 0.55)
                    deals.append({**row, "extractor": row["extractor"] + ":listed"})
            elif deal_type is not None and len(parties) >= 2 and done and not anaphoric and not earlier:
                deals.append(_deal_row(article, sent, index, deal_type, status, parties, roles, None, project, sector, 0.6))
            elif (anaphoric or earlier) and done and deals and deals[-1]["evidence"]["sentence_index"] >= index - 2:
                # "The loan agreement was signed on Monday.": the stage of the deal just reported.
                priority = rules["status_priority"]
                if priority.index(status) < priority.index(deals[-1]["status"]):
                    deals[-1]["status"] = rules["recorded_status"].get(status, status)
        # A fragment with no verb ("... up to 2 billion yen.") continues this sentence's deal.
        previous_type = _deal_type(tokens, type_hits, len(tokens))
        previous_status = _status(tokens, False)
    return _link_parts(deals)


def _amount_noun(sent: Span, money: Money) -> frozenset[int]:
    """Sentence positions of the noun an amount modifies and of its modifiers ("a $40m subordinated loan")."""
    token = money_token(sent, money)
    head = token.head
    if token.dep_ not in {"compound", "nummod", "amod", "quantmod", "nmod"} or head.pos_ != "NOUN" or head.i < token.i:
        return frozenset()
    return frozenset(t.i - sent.start for t in [head, *head.children] if t is head or t.dep_ in {"compound", "amod"})


def _planning_words(tokens: list[str]) -> bool:
    """A word of planning other than the plain future ("expected", "plans", "may", "would", "pending")."""
    if any(w in load_rules("deals")["pending_markers"] for w in tokens):
        return True
    return any(label == "planned" and tokens[i] not in {"will", "shall"} for i, label in _keyword_hits(tokens, "statuses"))


_FINANCIER_NOUN = re.compile(r"\bthe (bank|lender|fund|agency)\b")


def _listed_deals(sent: Span) -> list[tuple[int, int]]:
    """The (start, end) characters of each deal a sentence lists, each a deal noun with its own
    indefinite article ("a transport agreement, an MoU on energy and an MoU on ..."); a deal
    runs to the next one."""
    nouns = {p for label, words in load_rules("deals")["deal_types"].items() if label in LISTED_TYPES for p in words}
    starts = []
    for token in sent:
        if token.lower_ in nouns and token.dep_ != "compound":
            det = next((c for c in token.children if c.dep_ == "det" and c.lower_ in {"a", "an"}), None)
            if det is not None:
                starts.append(det.idx)
    ends = [*starts[1:], sent.end_char]
    return list(zip(starts, ends)) if len(starts) >= 2 else []


def _item_type(sent: Span, start: int, end: int) -> str:
    words = [t.lower_ for t in sent if start <= t.idx < end]
    hits = [label for _, label in _keyword_hits(words, "deal_types") if label in LISTED_TYPES]
    return hits[0] if hits else "other"


def _definite(sent: Span, hits: list[tuple[int, str]], deal_type: str | None) -> bool:
    """The deal noun of this type has a definite determiner ("the relevant loan agreement", "these accords")."""
    for at, label in hits:
        if label != deal_type:
            continue
        noun = sent[at]
        while noun.dep_ == "compound" and noun.head is not noun:
            noun = noun.head
        return any(c.dep_ == "det" and c.lower_ in {"the", "this", "that", "these", "those"} for c in noun.children)
    return False


def _is_fragment(sent: Span) -> bool:
    """No verb outside brackets ("[see note 2] up to 2 billion yen."): the sentence before goes on."""
    depth = 0
    for t in sent:
        if t.text in {"(", "["}:
            depth += 1
        elif t.text in {")", "]"}:
            depth = max(0, depth - 1)
        elif not depth and t.pos_ in {"VERB", "AUX"}:
            return False
    return True


def _deal_row(article: Article, sent: Span, index: int, deal_type: str, status: str, parties: list[str], roles: dict[str, str], money: Money | None, project: str | None, sector: str | None, confidence: float) -> dict[str, Any]:
    return {
        "deal_type": deal_type,
        "status": load_rules("deals")["recorded_status"].get(status, status),
        "parties": parties,
        "party_roles": [{"name": p, "role": roles.get(p, "counterparty")} for p in parties],
        "amount": money.amount if money else None,
        "currency": money.currency if money else None,
        "amount_text": money.text if money else None,
        "amount_qualifier": money.qualifier if money else None,
        "sector": sector,
        "project": project,
        "part_of": None,
        "evidence": evidence(article["article_id"], sent, index),
        "extractor": f"deals.yaml:{deal_type}" + (":amount" if money else ":parties"),
        "confidence": round(confidence * (1.0 if sector else 0.9), 3),
    }


PARTS_WINDOW = 3  # sentences after a total in which its parts may follow


def _link_parts(deals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parts point at their total: smaller amounts of one sentence that add up to its largest (or
    to at most it, with "including", "comprising" ...), or amounts in the next sentences that add up to an earlier total ("$700m ... a $400m
    loan from IFC ... the remaining $300m from IDA")."""
    grouped: dict[int, list[dict[str, Any]]] = {}
    for d in deals:
        if d["amount"] is not None:
            grouped.setdefault(d["evidence"]["sentence_index"], []).append(d)
    for group in grouped.values():
        if len(group) < 2:
            continue
        total = max(group, key=lambda d: d["amount"])
        parts = [d for d in group if d is not total and d["currency"] == total["currency"] and d["amount"] < total["amount"]]
        summed = sum(p["amount"] for p in parts)
        sentence = total["evidence"]["text"].lower()
        marked = any(re.search(rf"\b{re.escape(w)}\b", sentence) for w in load_rules("deals")["part_markers"])
        if parts and (abs(summed - total["amount"]) <= 0.01 * total["amount"] or (marked and summed <= total["amount"])):
            for part in parts:
                part["part_of"] = total["amount_text"]
    amounts = [d for d in deals if d["amount"] is not None]
    for i, total in enumerate(amounts):
        at = total["evidence"]["sentence_index"]
        later = [d for d in amounts[i + 1 :] if at < d["evidence"]["sentence_index"] <= at + PARTS_WINDOW]
        running: list[dict[str, Any]] = []
        for part in later:
            if part["part_of"] or part["currency"] != total["currency"] or part["amount"] >= total["amount"]:
                break
            running.append(part)
            if len(running) >= 2 and abs(sum(p["amount"] for p in running) - total["amount"]) <= 0.01 * total["amount"]:
                for p in running:
                    p["part_of"] = total["amount_text"]
                break
    return deals
