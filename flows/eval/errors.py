"""Error classes: what the classifiers (`classify` for deals and events, `entities` for names)
share. The catalogue of classes is data (rules/eval_classes.yaml); what a predicted party is (a
place, a "-based" modifier, a generic noun, a ministry) is read off the row and the world tables,
and whether a gold item and a prediction are near is read off their fields and evidence."""

from __future__ import annotations

import functools
import re

from flows.core import world
from flows.core.rules import load_rules
from flows.eval.names import distinctive_words, match_strength, normalise_text

# Share of a gold evidence sentence's words the prediction's evidence must hold to be "the same sentence".
SAME_SENTENCE = 0.6


@functools.cache
def error_classes() -> dict[str, str]:
    """Class key -> label, in the order the table prints them."""
    return dict(load_rules("eval_classes")["classes"])


@functools.cache
def _particles() -> frozenset[str]:
    return frozenset(str(p).casefold() for p in load_rules("eval_classes")["name_particles"])


def is_place(name: str) -> bool:
    """A country (any of its names), a capital or a city of the world tables."""
    name = name.strip()
    return bool(name) and bool(world.country_by_name(name) or world.country_of_capital(name) or world.places_named(name))


def same_country(a: str, b: str) -> bool:
    """Two names of one country ("Türkiye" and "Turkey"), neither matching the other as a name."""
    ca, cb = world.country_by_name(a), world.country_by_name(b)
    return ca is not None and cb is not None and ca.alpha3 == cb.alpha3


def _words(text: str) -> set[str]:
    return set(normalise_text(text).split())


def same_sentence(gold_evidence: str, predicted_evidence: str) -> bool:
    """Whether the prediction's evidence holds most of the words of the gold's evidence sentence."""
    gold, pred = _words(gold_evidence), _words(predicted_evidence)
    return bool(gold) and len(gold & pred) >= SAME_SENTENCE * len(gold)


def generic_name(name: str) -> bool:
    """No capitalised word and no digit: a common noun ("the lender", "capex"), not a name."""
    return not re.search(r"[A-Z0-9]", re.sub(r"^the\s+", "", name.strip(), flags=re.I))


def party_class(predicted: list[str], gold: list[str], evidence: str = "") -> str:
    """The class of a prediction whose parties (or actors) are wrong: the first of its names no gold
    name matches, as a "-based" modifier in its evidence, a place, a ministry, a generic noun or
    another name; "party_missing" when every name it has is right (too few of them)."""
    wrong = [p for p in predicted if p and not any(match_strength(g, p) for g in gold)]
    text = evidence.casefold()
    for test, cls in (
        (lambda p: f"{p.casefold()}-based" in text, "party_based"),
        (is_place, "party_place"),
        (lambda p: "ministry" in p.casefold(), "party_ministry"),
        (generic_name, "party_generic"),
    ):
        if any(test(p) for p in wrong):
            return cls
    return "party_other" if wrong else "party_missing"


def name_class(gold: str, predicted: str) -> str | None:
    """How a predicted name falls short of a gold name of the same type, or None if not near
    (no distinctive word shared, neither inside the other): two names of one country; a name whose lost or changed words
    carry accents (diacritics); one with a particle or an apostrophe (particles); one whose words
    are all in the other (split or cut); else another form of the name (inflection, order)."""
    g, p = gold.strip(), predicted.strip()
    if not g or not p:
        return None
    if same_country(g, p):
        return "world_gpe"
    gw, pw = distinctive_words(g), distinctive_words(p)
    inside = _words(p) <= _words(g) or _words(g) <= _words(p)  # "Keefe" in "O'Keefe"
    if not gw & pw and not inside:
        return None
    lost = [w for w in g.split() if w not in p.split()]  # gold words the prediction lost or spelt otherwise
    if any(not c.isascii() and c.isalpha() for w in lost for c in w):
        return "name_diacritics"
    if _particles() & (_words(g) | _words(p)) or re.search(r"['’]", g + p):
        return "name_particles"
    return "name_split" if inside or gw <= pw or pw <= gw else "name_variant"


def date_class(gold_date: str | None, predicted_date: str | None) -> str:
    """What is wrong with a matched event's date (both YYYY-MM-DD or None)."""
    if gold_date is None:
        return "date_invented"
    if predicted_date is None:
        return "date_missing"
    if predicted_date[5:] == "01-01" and gold_date[5:7] != "01":
        return "date_month"
    if predicted_date[4:] == gold_date[4:]:
        return "date_year"
    return "date_other"
