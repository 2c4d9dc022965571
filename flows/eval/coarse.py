"""The coarse event classes the dev set scores events by (its README): consult, agree,
financing, statement, other."""

from __future__ import annotations

import re

_COARSE = {
    "consult": ("consult", "phone_call", "call", "meeting", "visit", "talks"),
    "agree": ("agree", "agreement", "agreement_signed", "mou", "trade_deal", "trade_agreement"),
    "financing": (
        "financing",
        "financing_approved",
        "loan",
        "investment",
        "approval",
    ),
    "statement": ("statement",),
}
_COARSE_OF = {t: cls for cls, types in _COARSE.items() for t in types}


def coarse_event_class(t: str) -> str:
    """consult, agree, financing, statement or other (ceasefire, sanction, ... are other)."""
    key = re.sub(r"[\s\-]+", "_", (t or "").strip().casefold())
    return _COARSE_OF.get(key, "other")
