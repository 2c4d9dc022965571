"""The gazetteer component: known names matched as phrases after the model's NER.

Patterns are data (`phrases()`): the entries of rules/gazetteer.yaml (lenders, agencies, firms,
outlets) and, from flows.core.world, every country's names, acronyms and demonyms and every
capital. Two PhraseMatchers, built once when the pipeline is loaded (once per process), find them:
one on LOWER (names, demonyms; a match must not start lower-case, so "turkey" the bird stays one),
one on ORTH for acronyms and one-word rule names ("US", "UAE", "DFC"). A match's canonical name
goes to the span's id (`ent_id_`), which find_mentions passes on as `canonical_hint`.

Running after NER lets the model keep the longer names it found around a place ("Bank of Japan",
"Turkish Airlines"), while the gazetteer:
- puts rule names in place of whatever NER made of their words, a longer name included (they are
  curated; "the IMF Executive Board" is the IMF's);
- types a country, capital or city (GeoNames', 100,000 people or more) GPE when NER gave its
  exact span another label ("Benin" as a person, "Uzbekistan" as an organisation) or none (a city
  then only when tagged a proper noun); a lone word that is also the given or family name of a
  person in the text goes back to that person in the fixer;
- marks a demonym NORP with its country ("Turkish" -> Turkey), unless several states share it.
A place or demonym inside a longer name NER kept ("Japanese" in "Japanese Trade Representatives",
"Montevideo" in "the Montevideo Metropolitan Area") goes to doc.spans["newsflow_inner"]: the
entities table counts it as a mention of that place, the extractors never see it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy
from spacy.attrs import ENT_ID, ENT_IOB, ENT_KB_ID, ENT_TYPE
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from flows.core import world
from flows.core.rules import load_rules

# Which source wins when two claim the same surface.
PRIORITY = {"rule": 0, "country": 1, "capital": 2, "city": 3, "demonym": 4, "town": 5}
PLACES = {"capital", "city", "town"}
TOWN_POPULATION = 15_000  # towns (below world.CITY_POPULATION) count only where their country is named
GLUE = {"'s", "’s", "-", "–", "/"}
NAMES = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"}
AREA_LABELS = {"LOC", "FAC", "EVENT"}
INNER = "newsflow_inner"  # doc.spans key: places and demonyms inside a longer name NER kept


@dataclass(frozen=True)
class Phrase:
    text: str
    label: str  # GPE, NORP, ORG ...
    canonical: str  # the name resolve publishes: the rule entry's name, the country's name
    kind: str  # rule, country, capital, demonym
    exact: bool  # matched in exact case (acronyms, one-word rule names)
    country: str = ""  # ISO alpha-3 of the place's country, for places and demonyms


def phrases() -> list[Phrase]:
    """Every phrase the component matches, one per surface (the PRIORITY source wins)."""
    found: list[Phrase] = []
    for entry in load_rules("gazetteer"):
        if "name" not in entry or "type" not in entry or entry.get("ruler", True) is False:
            continue
        names = [] if entry.get("ruler") == "aliases" else [entry["name"]]
        for surface in [*names, *entry.get("aliases", [])]:
            if not surface.lower().startswith("the "):
                found.append(Phrase(surface, entry["type"], entry["name"], "rule", " " not in surface.strip()))
    for country in world.countries():
        code = country.alpha3
        found += [Phrase(n, "GPE", country.name, "country", False, code) for n in country.names]
        found += [Phrase(a, "GPE", country.name, "country", True, code) for a in country.acronyms]
        found += [Phrase(d, "NORP", country.name, "demonym", False, code) for d in country.demonyms]
        if country.capital is not None:
            found += [Phrase(n, "GPE", country.capital.name, "capital", False, code) for n in country.capital.names]
    for city in world.cities(TOWN_POPULATION):
        kind = "city" if (city.population or 0) >= world.CITY_POPULATION else "town"
        found += [Phrase(n, "GPE", city.name, kind, True, city.country) for n in city.names]  # in their case: "INA" is no "Ina"
    best: dict[tuple[bool, str], Phrase] = {}
    for phrase in found:
        key = (phrase.exact, phrase.text if phrase.exact else phrase.text.lower())
        if key not in best or PRIORITY[phrase.kind] < PRIORITY[best[key].kind]:
            best[key] = phrase
    lowered = {text for exact, text in best if not exact}
    # An exact-case phrase whose words a case-insensitive one already covers adds nothing.
    return [p for (exact, text), p in best.items() if not exact or text.lower() not in lowered or p.kind == "rule"]


def entities_of(doc: Doc) -> list[Span]:
    """doc.ents, read from the Doc's arrays: spaCy's getter builds a Python Token for every word."""
    if not len(doc):
        return []
    rows = doc.to_array([ENT_IOB, ENT_TYPE, ENT_KB_ID, ENT_ID])
    iob = rows[:, 0]
    starts = numpy.flatnonzero(iob == 3)  # B
    if not len(starts):
        return []
    outside = numpy.append(numpy.flatnonzero(iob != 1), len(doc))  # where an entity cannot go on
    ends = outside[numpy.searchsorted(outside, starts, side="right")]
    return [Span(doc, int(b), int(e), label=int(rows[b, 1]), kb_id=int(rows[b, 2]), span_id=int(rows[b, 3])) for b, e in zip(starts, ends)]


def _longest_first(matches: list[tuple[Phrase, int, int]]) -> list[tuple[Phrase, int, int]]:
    """Matches that do not overlap: the longest first, then the earliest, then the PRIORITY source."""
    ranked = sorted(matches, key=lambda m: (m[1] - m[2], m[1], PRIORITY[m[0].kind]))
    taken: set[int] = set()
    kept = []
    for phrase, start, end in ranked:
        if not taken.intersection(range(start, end)):
            taken.update(range(start, end))
            kept.append((phrase, start, end))
    return kept


def _pattern_docs(nlp: Language, texts: list[str]) -> list[Doc]:
    """The phrases as the tokenizer splits them; words of letters only, which it never splits
    unless a special case says so ("cannot"), are made into Docs directly (a third of the cost)."""
    special = set(nlp.tokenizer.rules or {})
    plain = [all(w.isalpha() and w not in special and w.lower() not in special for w in t.split(" ")) and "  " not in t for t in texts]
    parsed = iter(nlp.tokenizer.pipe(t for t, p in zip(texts, plain) if not p))
    return [Doc(nlp.vocab, words=t.split(" ")) if p else next(parsed) for t, p in zip(texts, plain)]


def _same_name(ent: Span, span: Span) -> bool:
    """NER's span is the phrase, give or take an article and a possessive ("the United States's")."""
    if not (ent.start <= span.start and span.end <= ent.end):
        return False
    extra = [t for t in (*ent.doc[ent.start : span.start], *ent.doc[span.end : ent.end])]
    return all(t.lower_ in {"the", "'s", "’s"} or t.is_punct for t in extra)


@Language.factory("newsflow_gazetteer")
def make_gazetteer(nlp: Language, name: str) -> "Gazetteer":
    return Gazetteer(nlp, phrases())


class Gazetteer:
    """Two PhraseMatchers with one key per case mode; a match's phrase is found by its words."""

    def __init__(self, nlp: Language, patterns: list[Phrase]) -> None:
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.by_words: dict[tuple[str, ...], Phrase] = {}  # the phrase's words (lower-cased unless exact)
        self.ids: dict[str, int] = {}  # canonical name -> its hash, the span's id
        self.programme_words = {w.lower() for w in load_rules("titles")["programme_words"]}
        self.state_bodies = {w.lower() for w in load_rules("titles")["state_bodies"]}
        for matcher, exact in ((self.lower, False), (self.exact, True)):
            group = [p for p in patterns if p.exact is exact]
            docs = _pattern_docs(nlp, [p.text for p in group])
            for phrase, doc in zip(group, docs):
                words = tuple(t.text if exact else t.lower_ for t in doc)
                self.by_words.setdefault(words if exact else ("",) + words, phrase)
                self.ids[phrase.canonical] = nlp.vocab.strings.add(phrase.canonical)
            # One key for all (adding thousands of keys costs half a second at every load).
            matcher.add("exact" if exact else "lower", docs)

    def __call__(self, doc: Doc) -> Doc:
        found = [(self._phrase(doc, start, end, False), start, end) for _, start, end in self.lower(doc) if not doc[start].is_lower]
        found += [(self._phrase(doc, start, end, True), start, end) for _, start, end in self.exact(doc)]
        # A town is one only in a text that names its country ("Néma" with Mauritania).
        named = {p.country for p, _, _ in found if p.kind != "town"}
        found = [m for m in found if m[0].kind != "town" or m[0].country in named]
        if not found:
            return doc
        ents = entities_of(doc)  # NER's: sorted, none overlapping
        ends = [e.end for e in ents]
        removed: set[int] = set()
        added, inner = [], []
        for phrase, start, end in _longest_first(found):
            i = bisect.bisect_right(ends, start)
            overlap = []
            while i < len(ents) and ents[i].start < end:
                if i not in removed:
                    overlap.append(i)
                i += 1
            span = Span(doc, start, end, label=phrase.label, span_id=self.ids[phrase.canonical])
            if self.accepts(phrase, span, [ents[j] for j in overlap]):
                removed.update(overlap)
                added.append(span)
            elif any(_names_inside(phrase, span, ents[j]) for j in overlap):
                inner.append(span)
        if inner:
            doc.spans[INNER] = inner
        if added:
            doc.ents = sorted([e for j, e in enumerate(ents) if j not in removed] + added, key=lambda e: e.start)
        return doc

    def _phrase(self, doc: Doc, start: int, end: int, exact: bool) -> Phrase:
        words = doc[start:end]
        return self.by_words[tuple(t.text for t in words)] if exact else self.by_words[("",) + tuple(t.lower_ for t in words)]

    def accepts(self, phrase: Phrase, span: Span, overlap: list[Span]) -> bool:
        """Does the phrase replace the NER spans it overlaps (or fill a gap when there are none)?"""
        if phrase.kind == "rule":
            # A curated name wins over whatever NER made of its words, a longer name included: its
            # sub-bodies and legal forms are the same organisation ("the IMF Executive Board",
            # "Barrick Gold Mining", "the Board of Afreximbank").
            return True
        if not overlap:  # a city NER did not see must read as a proper name: not "Reading the report"
            return phrase.kind not in PLACES or all(t.pos_ == "PROPN" for t in span)
        same = next((e for e in overlap if _same_name(e, span)), None)
        if phrase.kind == "town":  # NER's reading of a small town's name wins unless it is its very span, no person
            return same is not None and len(overlap) == 1 and same.label_ != "PERSON"
        wider = next((e for e in overlap if e is not same and e.start <= span.start and span.end <= e.end), None)
        if same is None and wider is None and any(not (span.start <= e.start and e.end <= span.end) for e in overlap):
            return False  # NER's name crosses the phrase: its reading wins
        # NER saw a longer name around the place ("Bank of Japan", "Turkish Airlines"): it stays,
        # unless it only glued the place to its neighbour ("Türkiye's Investment Office").
        return wider is None or _glued(wider, span) and self.splittable(wider) or phrase.kind == "country" and self.governs(wider, span)

    def governs(self, ent: Span, span: Span) -> bool:
        """Is NER's name only the state's government ("the Fiji Government", "Kenyan authorities")?
        Then it is the country itself."""
        rest = [t.lower_ for t in (*ent.doc[ent.start : span.start], *ent.doc[span.end : ent.end])]
        return bool(rest) and all(w in self.state_bodies or w in {"the", "'s", "’s"} for w in rest) and any(w in self.state_bodies for w in rest)

    def splittable(self, ent: Span) -> bool:
        """A name NER may have glued together; an agreement or programme named after its members
        ("the United States-Mexico-Canada Agreement") stays whole."""
        return ent.label_ in NAMES and ent[-1].lower_ not in self.programme_words


def _names_inside(phrase: Phrase, span: Span, ent: Span) -> bool:
    """Is the phrase, opening NER's longer name, still a mention of its place? A demonym that opens
    an organisation ("Japanese Trade Representatives"), a country or capital that opens the name of
    an area, a building or an event ("the Montevideo Metropolitan Area", "the Gaza war"); not a
    place an organisation or a person is named after ("Bank of Japan", "Lancaster House")."""
    opens = span.start == ent.start or ent.doc[ent.start].lower_ == "the" and span.start == ent.start + 1
    if not opens or span.end > ent.end:
        return False  # "Latin America" is no mention of the United States
    return phrase.kind == "demonym" or phrase.kind in {"country", "capital"} and ent.label_ in AREA_LABELS


def _glued(ent: Span, span: Span) -> bool:
    """NER glued the phrase to its neighbour with a possessive, a hyphen or a slash: "Türkiye's
    Investment Office", "Pak-US", "WASHINGTON/ISLAMABAD": the phrase is a name of its own."""
    doc = ent.doc
    before = doc[span.start - 1].text if span.start > ent.start else ""
    after = doc[span.end].text if span.end < ent.end else ""
    return bool({before, after} & GLUE)
