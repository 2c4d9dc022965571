"""The date of an event: the first date of its sentence that can be when it happened."""

from __future__ import annotations

import datetime as dt
from typing import Any

from spacy.tokens import Span, Token

from flows.extract.dates import resolve_date
from flows.extract.mentions import sentence_ents

# "by 2027", "until March": a deadline or a target, not when something happened
DEADLINE_WORDS = {"by", "until", "till", "through", "before"}


def event_date(sent: Span, anchor: dt.date | None, future: bool, trigger: Token | None = None) -> dict[str, Any] | None:
    """The first DATE of the sentence, resolved against the publication date; one that resolves
    right after beats one that does not ("Tuesday (October 28, 2025)" with no publication date). A deadline
    ("by 2027") is skipped, and so, for an event reported as done, is a date after the
    publication (a statement made "by 2027" was made before the article). With `trigger`, only a
    date in the trigger's own clause counts (a second event of the sentence does not take the
    first one's date)."""
    fallback = None
    for ent in sentence_ents(sent):
        if ent.label_ != "DATE" or (ent.start > sent.start and sent.doc[ent.start - 1].lower_ in DEADLINE_WORDS):
            continue
        if trigger is not None and not _governs(trigger, ent.root):
            continue
        resolved = resolve_date(ent.text, anchor, tense="future" if future else "past")
        if resolved is None or (not future and anchor is not None and resolved.value is not None and resolved.value > anchor):
            continue
        found = {"event_date": resolved.value, "date_text": resolved.text, "date_granularity": resolved.granularity, "date_method": resolved.method}
        if fallback is not None and ent.start - fallback[0] > 3:
            break  # a date further on belongs to something else
        if resolved.value is not None:
            return found
        fallback = fallback or (ent.end, found)
    return fallback[1] if fallback else None


def _governs(trigger: Token, token: Token) -> bool:
    """Is the token in the clause of the trigger (under it, or under the verb a noun trigger is
    the object of)?"""
    tops = {trigger.i, trigger.head.i} if trigger.pos_ in {"NOUN", "PROPN"} else {trigger.i}
    return token.i in tops or any(a.i in tops for a in token.ancestors)
