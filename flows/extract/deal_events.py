"""Deals that were made are events too: approving or paying out money is a financing event,
signing or agreeing an agreement event; they replace the trigger event of their sentence."""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc

from flows.core.records import Article
from flows.extract.event_dates import event_date
from flows.extract.mentions import NO_DATE

FINANCE_TYPES = {"financing", "loan", "investment", "equity", "grant"}
DONE_STATUSES = {"approved", "signed", "agreed", "completed"}
MADE_TYPES = {"agreement_signed", "financing_approved"}


def deal_events(doc: Doc, article: Article, deals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A deal made is also an event between its parties: approving or paying out money is a
    financing event, signing or agreeing (an MoU, a loan agreement) an agreement event."""
    sentences = list(doc.sents)
    events = []
    for deal in deals:
        if deal["status"] not in DONE_STATUSES or (deal["amount"] is None and deal["status"] not in {"signed", "agreed"}):
            continue
        index = deal["evidence"]["sentence_index"]
        date = event_date(sentences[index], article["published_date"], False) or dict(NO_DATE)
        events.append(
            {
                "event_type": "financing_approved" if deal["deal_type"] in FINANCE_TYPES and deal["status"] in {"approved", "completed"} else "agreement_signed",
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
    """Deal-made events replace the agreement or financing trigger event of their sentence (they
    know the parties; the trigger's other actors, such as the people who signed, join them); a
    statement, a visit or a meeting in the same sentence stays."""
    made = MADE_TYPES
    replaced = {e["evidence"]["sentence_index"]: e for e in events if e["event_type"] in made and e["evidence"]["sentence_index"] in {d["evidence"]["sentence_index"] for d in from_deals}}
    kept = [e for e in events if e["event_type"] not in made or e["evidence"]["sentence_index"] not in replaced]
    seen: set[tuple[int, str]] = set()
    for event in from_deals:
        key = (event["evidence"]["sentence_index"], event["event_type"])
        if key not in seen:
            seen.add(key)
            trigger = replaced.get(key[0])
            if trigger is not None:
                event = {**event, "actors": list(dict.fromkeys([*event["actors"], *trigger["actors"]]))}
            kept.append(event)
    return sorted(kept, key=lambda e: e["evidence"]["start"])
