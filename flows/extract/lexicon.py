"""English words, read from the model's own lemmatizer tables (WordNet's index of nouns, verbs,
adjectives and adverbs, its inflection rules and exceptions), and the name shapes built on them.

The tables ship inside the model package, so nothing is downloaded and no word list is kept in the
project: they tell a descriptive phrase the model capitalised and tagged ORG ("Strategic Planning",
"Energy Cooperation", the title words of a programme) from a name ("Mota-Engil", "Orion Resource
Partners"), whose distinctive words are no English words or are places.
"""

from __future__ import annotations

import functools
from pathlib import Path

from spacy.lookups import Lookups
from spacy.tokens import Span, Token

from flows.core import world

# Words that join the words of a title; they say nothing either way.
FUNCTION_WORDS = frozenset({"of", "and", "for", "the", "on", "to", "in", "&", "-", "–", "at", "with", "by"})


class Lexicon:
    """`word in lexicon`: is the lower-cased word an English dictionary word or an inflection of one?"""

    def __init__(self, lookups: Lookups) -> None:
        index = lookups.get_table("lemma_index")
        exceptions = lookups.get_table("lemma_exc")
        rules = lookups.get_table("lemma_rules")
        self.words = frozenset(w for part in index.values() for w in part)
        self.inflected = frozenset(w for part in exceptions.values() for w in part)
        self.rules = [(old, new) for part in rules.values() for old, new in part if old]
        self.verbs = frozenset(index.get("verb", []))
        self.verb_rules = [(old, new) for old, new in rules.get("verb", []) if old == "ing"]

    @functools.lru_cache(maxsize=1 << 15)
    def __contains__(self, word: object) -> bool:
        w = str(word).lower().replace("’", "'")
        if w in self.words or w in self.inflected:
            return True
        return any(w.endswith(old) and len(w) > len(old) + 1 and w[: len(w) - len(old)] + new in self.words for old, new in self.rules)

    def is_gerund(self, word: str) -> bool:
        """A verb's -ing form ("Promoting", "Signing"): what opens the title of an act, not a name."""
        w = word.lower()
        return w.endswith("ing") and any(w[: len(w) - 3] + new in self.verbs for _, new in self.verb_rules)

    def __hash__(self) -> int:  # lru_cache on a method keys on self
        return id(self)


def load_lexicon(model_path: Path | None) -> Lexicon | None:
    """The model's lexicon, or None when the model ships no lemmatizer tables (then no rule uses it)."""
    if model_path is None or not (model_path / "lemmatizer" / "lookups" / "lookups.bin").exists():
        return None
    lookups = Lookups().from_disk(model_path / "lemmatizer" / "lookups")
    if not all(lookups.has_table(t) for t in ("lemma_index", "lemma_exc", "lemma_rules")):
        return None
    return Lexicon(lookups)


def is_descriptive(words: list[str], lexicon: Lexicon, heads: frozenset[str], is_place) -> bool:
    """Is a capitalised run only English words describing something, no name? Two or more content
    words, every one a dictionary word, no acronym, no place or demonym, and no head that makes a
    body of one ("Economic Relations Division", "Supreme Court"): "Strategic Planning",
    "Sustainable Development Goals". A run opened by a gerund titles an act whatever its head
    ("Promoting Direct Investments", "Signing and Exchange of Notes")."""
    content = [w for w in words if w.lower() not in FUNCTION_WORDS]
    if len(content) < 2 or any(w.isupper() and len(w) > 1 for w in content):
        return False
    if not all(w in lexicon for w in content) or any(is_place(w) for w in content):
        return False
    return content[-1].lower() not in heads or lexicon.is_gerund(content[0])


def apposed_label(span: Span, lexicon: Lexicon, heads: frozenset[str], nouns: dict[str, frozenset[str]]) -> str | None:
    """The type a noun in apposition gives a name: a person's role ("Tanu Okafor, chief operating
    officer of ...") makes a name of no English words a person, a place noun ("its exclave,
    Veldra") or a country after it ("held in Port Sabine, Jamaica") makes a lone name a place."""
    root = span.root
    apposed = [c for c in root.children if c.dep_ == "appos" and not span.start <= c.i < span.end]
    if root.dep_ == "appos" and not span.start <= root.head.i < span.end:
        apposed.append(root.head)
    if not apposed:
        return None
    words = [t for t in span if t.lower_ != "the"]
    plain = all(t.pos_ == "PROPN" and t.text not in lexicon and t.lower_ not in heads for t in words)
    if plain and 2 <= len(words) <= 3 and span.label_ != "PERSON" and any(t.lower_ in nouns["PERSON"] for t in apposed):
        return "PERSON"
    if plain and len(words) <= 2 and span.label_ != "GPE" and any(t.lower_ in nouns["GPE"] for t in apposed):
        return "GPE"
    placed = root.dep_ == "pobj" and root.head.lower_ in {"in", "at", "near", "from"}
    if placed and span.label_ in {"FAC", "LOC", "ORG"} and any(world.country_by_name(t.text) is not None and t.ent_type_ == "GPE" for t in apposed):
        return "GPE"
    return None


def defines_acronym(words: Span) -> bool:
    """Is the run followed by an acronym in brackets, "Greater Harbour Community (GHC)"?"""
    doc = words.doc
    return words.end + 2 < len(doc) and doc[words.end].text == "(" and doc[words.end + 1].is_upper and doc[words.end + 2].text == ")"


@functools.lru_cache(maxsize=1 << 14)
def is_place(word: str) -> bool:
    """A country, demonym, capital or city: a word that makes a run a name ("Fiji Government")."""
    return world.country_by_name(word) is not None or world.country_by_demonym(word) is not None or bool(world.places_named(word))


def elided(token: Token) -> bool:
    """A surname with an elided particle, which the tagger often reads as a noun: "D’Souza", "O'Neill"."""
    text = token.text
    return len(text) > 3 and text[1] in "’'" and text[0].isupper() and text[2].isupper()
