"""Names: when a predicted name names the same thing as a gold name, per the dev set's rule.

Equal after folding (case, accents, punctuation, titles); one the acronym of the other; or most
distinctive words shared. The scorer keeps its own title and stopword lists on purpose: it must
not move when the pipeline's rule files change.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_TITLE_WORDS = frozenset(
    """
    mr mrs ms miss mx dr prof professor sir dame lord lady hon honourable honorable
    dpm pm fm president vice secretary sec gen general lt lieutenant maj col colonel brig
    brigadier adm admiral minister prime deputy field marshal chief sir ceo cfo chairman
    chairwoman chair chairperson ambassador envoy senator sen rep governor king queen
    prince princess sheikh commander coas spokesperson spokesman spokeswoman excellency
    """.split()
)
# Multi-word titles whose words are not titles on their own (state, foreign, ...).
_TITLE_PHRASES: tuple[tuple[str, ...], ...] = (
    ("secretary", "of", "state"),
    ("sec", "of", "state"),
    ("state", "secretary"),
    ("foreign", "minister"),
    ("finance", "minister"),
    ("commerce", "minister"),
    ("treasury", "secretary"),
    ("commerce", "secretary"),
    ("army", "chief"),
    ("chief", "of", "army", "staff"),
    ("crown", "prince"),
    ("charge", "daffaires"),
)
_STOPWORDS = frozenset("of the and for de da du des del di la le a an in on at to und fur &".split())
# Common organisational words: they count, but little, when comparing word sets.
_GENERIC_WORDS = frozenset(
    """
    bank company co corporation corp inc incorporated ltd limited llc plc pvt private group
    groups holding holdings association organisation organization international national
    development finance financial fund agency authority council ministry department office
    institute institution board commission committee mining resources energy industries
    industry services service trust foundation federation society centre center government
    federal republic
    """.split()
)
_GENERIC_WEIGHT = 0.25
_APOSTROPHES = "'’`´‘"


def _fold(text: str) -> str:
    """Strip accents (NFKD, combining marks dropped), keep case."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _squash(text: str) -> str:
    """Lower-cased, accents and punctuation and spaces dropped."""
    return re.sub(r"[\W_]+", "", _fold(text).casefold())


def normalise_text(value: Any) -> str:
    """Lower-cased words without accents or punctuation, one space apart (headlines, datelines)."""
    return " ".join(re.sub(r"[^\w\s]+", " ", _fold(str(value or "")).casefold()).split())


def _raw_tokens(name: str) -> list[tuple[str, bool]]:
    """Word tokens as (lower-case token, was all upper-case in the text)."""
    text = _fold(name)
    text = re.sub(r"[" + _APOSTROPHES + r"]s\b", "", text)  # possessive 's
    text = re.sub(r"[" + _APOSTROPHES + r".]", "", text)  # U.S. -> US, D'Abreu -> DAbreu
    out = []
    for tok in re.findall(r"[^\W_]+", text):
        letters = [c for c in tok if c.isalpha()]
        upper = len(letters) >= 2 and all(c.isupper() for c in letters)
        out.append((tok.casefold(), upper))
    return out


def _drop_titles(tokens: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    words = [t for t, _ in tokens]
    keep = [True] * len(tokens)
    for phrase in sorted(_TITLE_PHRASES, key=len, reverse=True):
        n = len(phrase)
        for i in range(len(words) - n + 1):
            if tuple(words[i : i + n]) == phrase:
                for j in range(i, i + n):
                    keep[j] = False
    for i, w in enumerate(words):
        if w in _TITLE_WORDS:
            keep[i] = False
    kept = [tok for tok, k in zip(tokens, keep) if k]
    # A name that is only titles keeps its words (e.g. "General").
    return kept if any(w not in _STOPWORDS for w, _ in kept) else tokens


def _us_equivalent(words: list[str]) -> list[str]:
    """US / U.S. / USA / United States (of America) -> 'us'; UK likewise."""
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else None
        if w == "united" and nxt == "states":
            if words[i + 2 : i + 4] == ["of", "america"]:
                i += 4
            else:
                i += 2
            out.append("us")
            continue
        if w == "united" and nxt == "kingdom":
            out.append("uk")
            i += 2
            continue
        out.append({"usa": "us", "gb": "uk"}.get(w, w))
        i += 1
    return out


def _content_words(name: str) -> list[str]:
    words = [t for t, _ in _drop_titles(_raw_tokens(name))]
    return [w for w in _us_equivalent(words) if w not in _STOPWORDS]


def distinctive_words(name: str) -> set[str]:
    """The words of a name that tell it apart: no title, stopword or generic organisation word."""
    return {w for w in _content_words(name) if w not in _GENERIC_WORDS}


def _acronyms(name: str) -> set[str]:
    """Acronyms a long name may be written as (FWO for Frontier Works Organisation)."""
    tokens = _drop_titles(_raw_tokens(name))
    variants: list[list[tuple[str, bool]]] = [tokens]
    words = [t for t, _ in tokens]
    if words[:1] == ["us"] or words[:1] == ["usa"]:
        variants.append(tokens[1:])
    if words[:2] == ["united", "states"]:
        variants.append(tokens[2:])
    out: set[str] = set()
    for toks in variants:
        for with_stop in (False, True):
            picked = [(t, up) for t, up in toks if with_stop or t not in _STOPWORDS]
            if len(picked) < 2:
                continue
            out.add("".join(t[0] for t, _ in picked))
            out.add("".join(t if up and len(t) <= 5 else t[0] for t, up in picked))
    return {a for a in out if len(a) >= 2}


def _acronym_token(name: str) -> str | None:
    """The name as an acronym candidate: one token with at least two capitals."""
    tokens = _drop_titles(_raw_tokens(name))
    if len(tokens) != 1:
        return None
    folded = re.sub(r"[" + _APOSTROPHES + r".\s]", "", _fold(name))
    if sum(1 for c in folded if c.isupper()) < 2:
        return None
    tok = tokens[0][0]
    return tok if 2 <= len(tok) <= 10 else None


def _weight(word: str) -> float:
    return _GENERIC_WEIGHT if word in _GENERIC_WORDS else 1.0


def _words_match(a: list[str], b: list[str]) -> bool:
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return False
    shared = sa & sb
    if not shared:
        return False
    extra_a, extra_b = sa - sb, sb - sa
    # Different distinctive words on both sides: two different names (Railway vs Holdings).
    if extra_a and extra_b and any(w not in _GENERIC_WORDS for w in extra_a | extra_b):
        return False
    w_shared = sum(_weight(w) for w in shared)
    w_union = sum(_weight(w) for w in sa | sb)
    return 2 * w_shared > w_union


def match_strength(a: str, b: str) -> int:
    """3 equal, 2 acronym, 1 most distinctive words shared, 0 no match."""
    if not a or not b:
        return 0
    if _squash(a) == _squash(b):
        return 3
    ca, cb = _content_words(a), _content_words(b)
    if ca and cb and "".join(ca) == "".join(cb):
        return 3
    for short, long_ in ((a, b), (b, a)):
        acr = _acronym_token(short)
        if acr and len(_content_words(long_)) >= 2 and acr in _acronyms(long_):
            return 2
    return 1 if _words_match(ca, cb) else 0


def names_match(a: str, b: str) -> bool:
    """Whether two names name the same thing, per the dev set's rule.

    Equal after lower-casing and dropping punctuation (titles ignored); one the acronym of
    the other (FWO ~ Frontier Works Organisation, stopwords skipped); or most distinctive
    words shared (US Export-Import Bank ~ Export-Import Bank of the United States), where
    US/U.S./USA/United States are one word, titles (Mr, DPM, President, Secretary, Gen,
    ...) are not words and generic organisation words (Bank, Corporation, ...) weigh less.
    "Most" is a strict majority of the weighted union, and two names that each have a
    distinctive word the other lacks do not match (Lobito Atlantic Railway vs Holdings).
    """
    return match_strength(a, b) > 0
