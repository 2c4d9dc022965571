"""Extract entity mentions, event candidates and deal candidates from parsed articles.

Everything here works on one spaCy Doc of an article body and returns plain records whose
character offsets point into that body. Names stay as written; `resolve` makes them canonical.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import Any

from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

from flows.dates import resolve_date
from flows.money import Money, find_amounts, parse_money
from flows.nlp import load_rules
from flows.records import Article

ENTITY_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC"}
ACTOR_LABELS = {"PERSON", "ORG", "GPE"}
PARTY_LABELS = {"ORG", "GPE", "FAC"}
PRONOUNS = {"he", "she", "his", "her"}
NO_DATE = {"event_date": None, "date_text": None, "date_granularity": None, "date_method": "none"}


@functools.cache
def event_matcher(vocab_id: int, vocab: Any) -> Matcher:
    """One Matcher for every event trigger in rules/events.yaml (cached per vocab)."""
    matcher = Matcher(vocab)
    for event_type, spec in load_rules("events").items():
        if isinstance(spec, dict) and "patterns" in spec:
            matcher.add(event_type, spec["patterns"])
    return matcher


def doc_text(doc: Doc) -> str:
    """doc.text, built once per Doc: spaCy joins every token again on each access."""
    text = doc.user_data.get("newsflow_text")
    if text is None:
        text = doc.user_data["newsflow_text"] = doc.text
    return text


def _evidence(article_id: str, sent: Span, index: int) -> dict[str, Any]:
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


def _depth(token: Token) -> int:
    depth = 0
    while token.head is not token and depth < 50:
        token, depth = token.head, depth + 1
    return depth


def _in_quotes(sent: Span, token: Token) -> bool:
    before = doc_text(sent.doc)[sent.start_char : token.idx]
    return (before.count("“") > before.count("”")) or before.count('"') % 2 == 1


def choose_trigger(sent: Span, matches: list[tuple[str, Span]]) -> tuple[str, Span] | None:
    """The trigger most central to the sentence (closest to its root), then by codebook priority."""
    rules = load_rules("events")
    usable = [(t, span) for t, span in matches if not _in_quotes(sent, span.root)]
    if not usable:
        return None
    return min(usable, key=lambda m: (_depth(m[1].root), rules[m[0]]["priority"], m[1].start))


def _main_countries(mentions: list[dict[str, Any]]) -> list[str]:
    counts = Counter(m["canonical_hint"] or m["text"] for m in mentions if m["label"] == "GPE")
    return [name for name, _ in counts.most_common(2)]


def _sentence_date(sent: Span, anchor: Any, future: bool) -> dict[str, Any] | None:
    for ent in sent.ents:
        if ent.label_ != "DATE":
            continue
        resolved = resolve_date(ent.text, anchor, tense="future" if future else "past")
        if resolved is not None:
            return {"event_date": resolved.value, "date_text": resolved.text, "date_granularity": resolved.granularity, "date_method": resolved.method}
    return None


def _is_future(sent: Span, trigger: Span) -> bool:
    markers = set(load_rules("events")["future_markers"])
    head = trigger.root.head
    window = [t.lower_ for t in sent if t.head in (trigger.root, head) or t.i in range(trigger.start - 3, trigger.start)]
    return any(w in markers for w in window)


def find_events(doc: Doc, article: Article, mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One event candidate per sentence with a trigger and at least one actor."""
    rules = load_rules("events")
    matcher = event_matcher(id(doc.vocab), doc.vocab)
    by_sentence: dict[int, list[dict[str, Any]]] = {}
    for m in mentions:
        by_sentence.setdefault(m["sentence_index"], []).append(m)
    both = [p.lower() for p in rules["both_parties"]]
    countries = _main_countries(mentions)
    sentences = list(doc.sents)
    lede_date = _sentence_date(sentences[0], article["published_date"], False) if sentences else None
    lede_actors = {m["text"] for m in by_sentence.get(0, []) if m["label"] in ACTOR_LABELS}
    last_person: str | None = None
    speech = set(rules["speech_verbs"])
    spoken: set[str] = set()
    events = []
    triggers: dict[int, list[tuple[str, Span]]] = {}
    starts = {s.start: i for i, s in enumerate(sentences)}
    for match_id, start, end in matcher(doc):
        triggers.setdefault(starts[doc[start].sent.start], []).append((doc.vocab.strings[match_id], doc[start:end]))
    for index, sent in enumerate(sentences):
        here = [m for m in by_sentence.get(index, []) if m["label"] in ACTOR_LABELS]
        people = [m["text"] for m in here if m["label"] == "PERSON"]
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
                date = _sentence_date(sent, article["published_date"], future)
                if date is None and lede_date and index > 0 and len(lede_actors & set(actors)) >= 2:
                    date = lede_date
                date = date or dict(NO_DATE)
                strength = rules[event_type]["strength"]
                confidence = strength * (0.85 if len(actors) < 2 else 1.0) * (0.9 if date["date_method"] == "none" else 1.0)
                locations = [m["text"] for m in by_sentence.get(index, []) if m["label"] in {"GPE", "FAC", "LOC"}]
                events.append(
                    {
                        "event_type": event_type,
                        "actors": actors,
                        "location": _location(sent, locations),
                        **date,
                        "evidence": _evidence(article["article_id"], sent, index),
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
                date = _sentence_date(sent, article["published_date"], False) or dict(NO_DATE)
                events.append(
                    {
                        "event_type": "statement",
                        "actors": [speaker],
                        "location": None,
                        **date,
                        "evidence": _evidence(article["article_id"], sent, index),
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


# --- deals -----------------------------------------------------------------------------------


def _keyword_hits(tokens: list[str], table: dict[str, list[str]]) -> list[tuple[int, str]]:
    """(token position, class) for every keyword (one or more words) of every class."""
    where: dict[str, list[int]] = {}
    for i, token in enumerate(tokens):
        where.setdefault(token, []).append(i)
    hits = []
    for label, words in table.items():
        for phrase in words:
            parts = phrase.split()
            for i in where.get(parts[0], ()):  # only where the first word occurs, in order
                if tokens[i : i + len(parts)] == parts:
                    hits.append((i, label))
    return hits


def _deal_type(tokens: list[str], at: int) -> str | None:
    hits = _keyword_hits(tokens, load_rules("deals")["deal_types"])
    if not hits:
        return None
    specific = [h for h in hits if h[1] != "other"] or hits
    return min(specific, key=lambda h: abs(h[0] - at))[1]


def _status(tokens: list[str], future: bool) -> str | None:
    """The deal's stage from the sentence's verbs; None when the sentence states none."""
    rules = load_rules("deals")
    found = {label for _, label in _keyword_hits(tokens, rules["statuses"])}
    if future or found == {"planned"}:
        return "planned"
    for status in rules["status_priority"]:
        if status in found:
            return status
    return None


def _sector(text: str) -> str | None:
    lowered = text.lower()
    scores = Counter()
    for sector, words in load_rules("deals")["sectors"].items():
        for word in words:
            scores[sector] += len(re.findall(rf"\b{re.escape(word)}\b", lowered))
    best = scores.most_common(1)
    return best[0][0] if best and best[0][1] > 0 else None


def _role(mention: dict[str, Any], sent: Span, financiers: frozenset[str]) -> str:
    name = mention["canonical_hint"] or mention["text"]
    if name in financiers or re.search(r"\b(bank|fund|finance|financial|capital|investment corporation)\b", name, re.I):
        return "financier"
    before = doc_text(sent.doc)[max(sent.start_char, mention["start"] - 12) : mention["start"]].lower()
    if re.search(r"\b(for|to|in|into|with)\s+(the\s+)?$", before) or mention["label"] == "FAC":
        return "recipient" if mention["label"] != "ORG" or "with" not in before else "counterparty"
    return "counterparty"


@functools.cache
def _financiers() -> frozenset[str]:
    return frozenset(e["name"] for e in load_rules("gazetteer") if e.get("kind") == "financier")


def _deal_future(sent: Span, start_char: int) -> bool:
    markers = set(load_rules("events")["future_markers"])
    clause = doc_text(sent.doc)[sent.start_char : start_char].lower().split()[-8:]
    return any(w in markers for w in clause)


def find_deals(doc: Doc, article: Article, mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Deal candidates: an amount next to a deal word, or an amountless MoU/trade deal between two parties."""
    rules = load_rules("deals")
    events_rules = load_rules("events")
    countries = _main_countries(mentions)
    by_sentence: dict[int, list[dict[str, Any]]] = {}
    for m in mentions:
        by_sentence.setdefault(m["sentence_index"], []).append(m)
    article_sector = _sector(doc_text(doc))
    deals = []
    for index, sent in enumerate(doc.sents):
        tokens = [t.lower_ for t in sent]
        here = [m for m in by_sentence.get(index, []) if m["label"] in PARTY_LABELS]
        parties = list(dict.fromkeys(m["text"] for m in here))
        if any(p in sent.text.lower() for p in events_rules["both_parties"]):
            parties += [c for c in countries if c not in parties]
        roles = {m["text"]: _role(m, sent, _financiers()) for m in here}
        project = next((m["text"] for m in here if m["label"] == "FAC"), None)
        sector = _sector(sent.text) or article_sector
        monies = find_money(sent)
        for money in monies:
            at = next((t.i - sent.start for t in sent if t.idx >= money.start), 0)
            deal_type = _deal_type(tokens, at)
            near = _nearest_parties(here, monies, money) if len(monies) > 1 else parties
            if deal_type is None or not near:
                continue
            future = _deal_future(sent, money.start)
            status = _status(tokens, future) or "announced"
            deals.append(_deal_row(article, sent, index, deal_type, status, near, roles, money, project, sector, 0.8 if len(near) > 1 else 0.65))
        if not monies:
            deal_type = _deal_type(tokens, 0)
            status = _status(tokens, False)
            # Without an amount only a stated act (signed, agreed, announced ...) makes a deal.
            if deal_type in rules["amountless_types"] and len(parties) >= 2 and status not in (None, "planned"):
                deals.append(_deal_row(article, sent, index, deal_type, status, parties, roles, None, project, sector, 0.6))
    return _link_parts(deals)


def find_money(sent: Span) -> list[Money]:
    """Amounts with a currency: NER's MONEY spans, plus currency-marked amounts NER missed."""
    doc = sent.doc
    found = [m for ent in sent.ents if ent.label_ == "MONEY" for m in [parse_money(doc_text(doc), ent.start_char, ent.end_char)] if m and m.currency]
    for money in find_amounts(doc_text(doc), sent.start_char, sent.end_char):
        if not any(m.start <= money.start < m.end or money.start <= m.start < money.end for m in found):
            found.append(money)
    return sorted(found, key=lambda m: m.start)


def _nearest_parties(mentions: list[dict[str, Any]], monies: list[Money], money: Money) -> list[str]:
    """With several amounts in a sentence, each party belongs to the amount nearest to it."""
    def distance(m: dict[str, Any], amount: Money) -> int:
        return min(abs(m["start"] - amount.end), abs(amount.start - m["end"]))

    mine = [m["text"] for m in mentions if min(monies, key=lambda a: distance(m, a)) is money]
    return list(dict.fromkeys(mine))


def _deal_row(article: Article, sent: Span, index: int, deal_type: str, status: str, parties: list[str], roles: dict[str, str], money: Money | None, project: str | None, sector: str | None, confidence: float) -> dict[str, Any]:
    return {
        "deal_type": deal_type,
        "status": status,
        "parties": parties,
        "party_roles": [{"name": p, "role": roles.get(p, "counterparty")} for p in parties],
        "amount": money.amount if money else None,
        "currency": money.currency if money else None,
        "amount_text": money.text if money else None,
        "amount_qualifier": money.qualifier if money else None,
        "sector": sector,
        "project": project,
        "part_of": None,
        "evidence": _evidence(article["article_id"], sent, index),
        "extractor": f"deals.yaml:{deal_type}" + (":amount" if money else ":parties"),
        "confidence": round(confidence * (1.0 if sector else 0.9), 3),
    }


def _link_parts(deals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """In one sentence, smaller amounts that add up to at most a larger one are its parts."""
    by_sentence: dict[int, list[dict[str, Any]]] = {}
    for d in deals:
        if d["amount"] is not None:
            by_sentence.setdefault(d["evidence"]["sentence_index"], []).append(d)
    for group in by_sentence.values():
        if len(group) < 2:
            continue
        total = max(group, key=lambda d: d["amount"])
        parts = [d for d in group if d is not total and d["currency"] == total["currency"] and d["amount"] < total["amount"]]
        if parts and sum(p["amount"] for p in parts) <= total["amount"] * 1.01:
            for part in parts:
                part["part_of"] = total["amount_text"]
    return deals


def extract_article(doc: Doc, article: Article) -> dict[str, Any]:
    """All candidates of one article."""
    mentions = find_mentions(doc, article["article_id"])
    deals = find_deals(doc, article, mentions)
    events = find_events(doc, article, mentions)
    return {
        "article_id": article["article_id"],
        "mentions": mentions,
        "acronyms": find_acronyms(doc),
        "events": merge_deal_events(events, deal_events(doc, article, deals)),
        "deals": deals,
    }


FINANCE_TYPES = {"financing", "loan", "investment", "equity", "grant"}
DONE_STATUSES = {"approved", "signed", "agreed", "completed"}


def deal_events(doc: Doc, article: Article, deals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A deal approved, signed or agreed is also an event (financing or agreement) between its parties."""
    sentences = list(doc.sents)
    events = []
    for deal in deals:
        if deal["status"] not in DONE_STATUSES:
            continue
        index = deal["evidence"]["sentence_index"]
        date = _sentence_date(sentences[index], article["published_date"], False) or dict(NO_DATE)
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


def extract_articles(articles: list[Article], *, model: str, processes: int = 1, batch_size: int = 64) -> list[dict[str, Any]]:
    """Candidates for a batch of articles, parsed with nlp.pipe."""
    from flows.nlp import load_pipeline, parse

    nlp = load_pipeline(model)
    # Worker processes cost a model load each: only worth it for a real batch.
    workers = max(1, min(processes, len(articles) // 50))
    docs = parse(nlp, (a["body"] for a in articles), processes=workers, batch_size=batch_size)
    return [extract_article(doc, article) for doc, article in zip(docs, articles)]
