"""The spaCy pipeline: the configured model, then the gazetteer (flows/extract/gazetteer.py) and a
label fixer after its NER.

Rules live in flows/rules/*.yaml and world knowledge in flows.core.world; this module only turns
them into spaCy components.
"""

from __future__ import annotations

import functools
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import numpy
import spacy
import spacy.util
from spacy.attrs import LOWER, ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans
from spacy.vocab import Vocab

from flows.core import world
from flows.core.rules import load_rules
from flows.extract.gazetteer import entities_of  # and registers the newsflow_gazetteer factory
from flows.extract.lexicon import Lexicon, apposed_label, defines_acronym, elided, is_descriptive, is_place, load_lexicon
from flows.extract.mentions import doc_text

# Entities that are values, not names: the fixer's name rules leave them alone ("2025" is a date).
VALUE_LABELS = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"}
# Particles inside a name: "Mohammed bin Salman", "Luiz Inácio Lula da Silva", "Ursula von der Leyen".
NAME_PARTICLES = {"bin", "bint", "ibn", "al", "el", "da", "de", "do", "dos", "das", "van", "von", "der", "le", "la"}
# Labels NER gives to a person's name glued to the words around it; a titled person wins over them.
GLUED_LABELS = {"ORG", "GPE", "NORP", "FAC", "PRODUCT"}

# Components the extractors never read: skipping them is free throughput.
UNUSED_COMPONENTS = ["lemmatizer"]


@functools.cache
def _platforms() -> frozenset[str]:
    return frozenset(load_rules("titles")["social_platforms"])


def is_entity_name(text: str) -> bool:
    """Could this be the name of a person, organisation or place? Not one character, not text
    without a letter (decoded binary, "2024", "⣃"), not a bare social platform ("posted on X")."""
    stripped = text.strip()
    return len(stripped) >= 2 and any(c.isalpha() for c in stripped) and stripped not in _platforms()


def _followed_by(span: Span, words: set[str], window: int = 3) -> bool:
    doc = span.doc
    for token in doc[span.end : min(len(doc), span.end + window + 1)]:
        if token.lower_ in words:
            return True
        if not (token.is_punct or token.pos_ in {"ADJ", "NOUN", "PROPN"} or token.is_lower):
            return False
    return False


@Language.factory("newsflow_entity_fixer")
def make_entity_fixer(nlp: Language, name: str) -> "EntityFixer":
    world.places_named("")  # the city index is built at load, not on the first article
    return EntityFixer(load_rules("titles"), nlp.vocab, load_lexicon(nlp.path))


class EntityFixer:
    """Corrects NER labels with general rules: organisation suffixes, facility words, one label per name."""

    def __init__(self, rules: dict[str, Any], vocab: Vocab, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon
        self.heads = frozenset(w.lower() for w in [*rules["org_suffixes"], *rules["institution_heads"]])
        self.apposition = {"PERSON": frozenset(rules["person_nouns"]), "GPE": frozenset(rules["place_nouns"])}
        self.org_suffixes = {w.lower() for w in rules["org_suffixes"]}
        self.facility_words = {w.lower() for w in rules["facility_words"]}
        self.not_entities = set(rules["not_entities"])
        self.person_titles = {w.lower() for w in rules["person_titles"]}
        self.honorifics = {tuple(h.lower().split()) for h in rules["honorifics"]}
        self.longest_honorific = max(len(h) for h in self.honorifics)
        self.generic = {w.lower() for w in rules["generic_words"]}
        self.programme_words = {w.lower() for w in rules["programme_words"]}
        self.company_roles = {w.lower() for w in rules["company_roles"]}
        self.adjective_suffixes = {w.lower() for w in rules["adjective_suffixes"]}
        self.title_words = {w.lower() for t in [*rules["titles"], *rules["person_titles"]] for w in t.split()} - {"of", "the", "and"}
        self.capital_titles = {w for w in rules["person_titles"] if w[:1].isupper()} - {"General", "Major"}
        self.currencies = {c.lower() for c in load_rules("money")["currencies"] if c.isalpha()}
        # The candidates of named_orgs, titled_people and defined_acronyms are found on the Doc's
        # arrays (one C call per Doc), not by building a Python Token for every word.
        hashes = lambda words: numpy.array(sorted({vocab.strings.add(w) for w in words}), dtype=numpy.uint64)  # noqa: E731
        self.suffix_hashes = hashes(self.org_suffixes)
        self.title_hashes = hashes([*self.person_titles, *(t + "." for t in self.person_titles)])
        self.brackets = (vocab.strings.add("("), vocab.strings.add(")"))

    def relabel(self, span: Span) -> str:
        if span.ent_id_:  # gazetteer match: trust it
            return span.label_
        if span.label_ in {"PERSON", "PRODUCT", "WORK_OF_ART", "ORG"} and _followed_by(span, self.facility_words):
            return "FAC"
        if span.label_ in {"PERSON", "PRODUCT", "WORK_OF_ART", "FAC"} and span[-1].lower_ in self.org_suffixes:
            return "ORG"
        doc = span.doc
        if span.label_ == "PERSON" and span.start >= 2 and span.end < len(doc) and doc[span.start - 1].text == "(" and doc[span.end].text == ")" and doc[span.start - 2].ent_type_ == "PERSON":
            return "ORG"  # "Jane Doe (Acme Kehui)": the bracket after a person names where they work
        if span.label_ == "GPE" and any(t.ent_type_ == "ORG" and t.ent_id_ for t in span.root.conjuncts):
            return "ORG"  # a "place" no gazetteer knows, listed with known organisations ("Trafigura, X and Y")
        if self.lexicon is not None and span.label_ in {"PERSON", "ORG", "GPE", "FAC", "LOC", "NORP"}:
            return apposed_label(span, self.lexicon, self.heads, self.apposition) or span.label_
        return span.label_

    def _honorific(self, lowers: list[str]) -> bool:
        """Does the name open with an honorific and go on past it ("Mr Aurangzeb", "Datuk Seri Anwar")?"""
        words = tuple(w.rstrip(".") for w in lowers[: self.longest_honorific + 1])
        return any(words[:k] in self.honorifics for k in range(1, len(words)))

    def repair(self, span: Span) -> Span | None:
        """Trim what is not part of the name, drop what is no name, fix labels the context decides."""
        doc, start, end, label = span.doc, span.start, span.end, span.label_
        if span.ent_id_ or label in VALUE_LABELS:
            return span  # a gazetteer name, or a date, amount or number: no name rule applies
        texts = [t.text for t in span]  # once per span: each doc[i] builds a Token
        lowers = [t.lower() for t in texts]
        while end - start > 1 and (texts[end - 1 - span.start] in {"-", "(", "–"} or lowers[end - 1 - span.start] in self.adjective_suffixes and texts[end - 2 - span.start] == "-"):
            end -= 2 if lowers[end - 1 - span.start] in self.adjective_suffixes else 1  # "Trump-backed", "Pak-"
        if "(" in texts[: end - span.start] and texts[end - 1 - span.start] != ")":
            end = span.start + texts.index("(")  # "Railway (LAR"
        if ")" in texts[: end - span.start] and "(" not in texts[: texts.index(")")]:
            start = span.start + texts.index(")") + 1  # "Agency (Ja) Field Office": the name after the bracket
        if label != "PERSON" and self._honorific(lowers[1:] if lowers[0] == "the" else lowers) and lowers[-1] not in self.org_suffixes:
            label = "PERSON"  # "the Honourable Jane Doe": decided before the organisation rules cut at the title
        if label == "ORG" and "of" in lowers[: end - span.start]:
            of = span.start + lowers.index("of")
            if of > start and all(w in self.title_words for w in lowers[: of - span.start]):
                start = of + 1  # "Vice Chairman of Cnergyico": the organisation is after "of"
        if label == "ORG":  # "AFC President & CEO Samaila Zubairu": the organisation ends at the title
            start_title = next((i for i in range(start + 1, end) if texts[i - span.start] in self.capital_titles), None)
            end = start_title if start_title is not None else end
        if start >= end:
            return None
        if end + 1 < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_ and not doc[end].whitespace_ and doc[end + 1].is_title and not doc[end + 1].ent_type_:
            end += 2  # a name NER cut at its hyphen: "Velo-Marques"
        if start >= 2 and doc[start - 1].text == "-" and not doc[start - 2].whitespace_ and not doc[start - 1].whitespace_ and doc[start - 2].is_title:
            start -= 2
        words = doc[start:end]
        kept = lowers[start - span.start : end - span.start] if span.start <= start and end <= span.end else [t.lower_ for t in words]
        text = doc_text(doc)[words.start_char : words.end_char]
        if not is_entity_name(text) or not any(c.isupper() for c in text):
            return None  # no name: "2024" as an organisation, "turkey" the bird as a place
        if all(w.rstrip(".") in self.title_words for w in kept):
            return None  # a title alone ("Engr")
        if text.lower() in self.generic or kept[-1] in self.currencies:
            return None
        if label in {"ORG", "GPE", "PERSON"} and kept[-1] in self.programme_words:
            return None
        if self.no_name(words, label):
            return None
        nxt = doc[end] if end < len(doc) else None
        if label in {"ORG", "GPE"} and len(words) == 1 and not text.isupper() and nxt is not None and nxt.lower_ in self.title_words:
            return None  # "Commerce" in "Commerce Secretary Jawad Paul"
        if label != "PERSON" and self._honorific(kept) and kept[-1] not in self.org_suffixes:
            label = "PERSON"
        elif label in {"GPE", "PERSON"} and nxt is not None and (nxt.lower_ in self.company_roles or nxt.lower_ in {"deputy", "vice", "acting"} and end + 1 < len(doc) and doc[end + 1].lower_ in self.company_roles):
            label = "ORG"
        elif label in {"GPE", "ORG"} and kept[-1] in self.facility_words:
            label = "FAC"
        elif label == "PERSON" and end + 1 < len(doc) and doc[end].lower_ == "of" and doc[end + 1].is_title:
            label = "ORG"  # "Joint Chiefs of Staff": a name that goes on past "of" is no person
        return Span(doc, start, end, label=label, kb_id=span.kb_id, span_id=span.id)

    def no_name(self, words: Span, label: str) -> bool:
        """Words the model took for a name that are none: a descriptive phrase or the title of an
        act as an organisation, a person of English words and no proper noun ("the Stand-by Loan"), an amount."""
        if any(t.like_num and any(c in t.text for c in ",.") for t in words):
            return True  # "Tk 5,152.56": a formatted number is no part of a name
        if self.lexicon is None:
            return False
        if label == "PERSON" and not any(t.pos_ == "PROPN" or t.text not in self.lexicon for t in words):
            return True  # every word an English word the tagger reads as one; not "Seán O’Brien"
        if label != "ORG" or defines_acronym(words):
            return False  # a long form the text defines an acronym for is a name ("Caribbean Community (CARICOM)")
        texts = [t.text for t in words]
        doc, after = words.doc, words.end + 1 + (words.end + 1 < len(words.doc) and words.doc[words.end + 1].lower_ == "the")
        # Bodies named after their organisation; a dict, not a set: a Doc's user_data must serialise
        # (msgpack) when spaCy hands Docs between processes (nlp.pipe(n_process=...)).
        bodies = doc.user_data.setdefault("newsflow_bodies", {})
        key = " ".join(t for t in texts if t.lower() != "the").lower()
        if words.end < len(doc) and doc[words.end].lower_ == "of" and after < len(doc) and doc[after].ent_type_ == "ORG" or key in bodies:
            if is_descriptive(texts, self.lexicon, frozenset(), is_place):  # "the Executive Board of the X Fund" is the fund's,
                bodies[key] = True  # and so is "the Executive Board" after it
                return True
        # One that acts or owns is a name ("General Electric said", "Golden Harvest's board").
        acts = words.root.dep_ in {"nsubj", "nsubjpass", "poss"} and not self.lexicon.is_gerund(words[0].text)
        return not acts and is_descriptive(texts, self.lexicon, self.heads, is_place)

    def name_part(self, span: Span) -> bool:
        """Could this span be part of a person's name the model cut in two ("Md Rafiq" + "Hasan
        Chowdhury")? Proper nouns in title case, one at least no English word, no organisation word."""
        words = [t for t in span]
        return self.lexicon is not None and all(t.pos_ == "PROPN" and t.is_title and t.lower_ not in self.heads for t in words) and any(t.text not in self.lexicon for t in words)

    def named_orgs(self, doc: Doc) -> list[Span]:
        """Capitalised runs ending in an organisation word ("Mota-Engil Group") that NER missed."""
        found = []
        for i in numpy.flatnonzero(numpy.isin(doc.to_array(LOWER), self.suffix_hashes)):
            token = doc[int(i)]
            if not token.is_title:
                continue
            start = token.i
            while start > 0:
                prev = doc[start - 1]
                if prev.is_title or prev.is_upper and prev.is_alpha or prev.text in {"-", "&"} and start > 1:
                    start -= 1
                elif prev.lower_ in {"of", "and", "for"} and start > 1 and doc[start - 2].is_title:
                    start -= 1
                else:
                    break
            while start < token.i and (doc[start].lower_ in {"of", "and", "for", "the", "-", "&"}):
                start += 1
            if start < token.i and doc[start].sent == token.sent:
                found.append(Span(doc, start, token.i + 1, label="ORG"))
        return found

    def defined_acronyms(self, doc: Doc) -> list[Span]:
        """Long forms defined with an acronym, "United States Strategic Metals (USSM)", as one ORG span."""
        found = []
        orth = doc.to_array(ORTH)
        inside = numpy.flatnonzero((orth[:-2] == self.brackets[0]) & (orth[2:] == self.brackets[1])) + 1
        for i in inside[(inside >= 2) & (inside < len(doc) - 1)]:
            token = doc[int(i)]
            if not (token.is_upper and 2 <= len(token) <= 8):
                continue
            letters, i = token.text.lower(), token.i - 2
            while letters and i >= 0 and doc[i].sent == token.sent:
                word = doc[i]
                if word.lower_ in {"of", "and", "for", "the", "-", "&"} and not word.is_sent_start:
                    i -= 1
                    continue
                if not word.text[:1].isupper() or word.text[0].lower() != letters[-1]:
                    break
                letters, i = letters[:-1], i - 1
            if not letters:
                found.append(Span(doc, i + 1, token.i - 1, label="ORG"))
        return found

    def titled_people(self, doc: Doc) -> list[Span]:
        """One to three name words right after a person title ("Field Marshal Asim Munir"), joined
        by hyphens or particles ("President Kassym-Jomart Tokayev", "Prince Faisal bin Farhan"),
        past the state of an envoy ("Ambassador to Japan SAIDA Shinichi") or in apposition
        ("the new Prime Minister, Jane Doe, said")."""
        found = []
        for i in numpy.flatnonzero(numpy.isin(doc.to_array(LOWER)[:-1], self.title_hashes)):
            token = doc[int(i)]
            lowered = not token.text[:1].isupper()  # "ministry spokesperson Jane Doe": a role in lower case
            start = _past_posting(doc, token.i + 1)
            apposed = start + 1 < len(doc) and doc[start].text == ","  # "Prime Minister, Jane Doe, said"
            start += apposed
            end, words = start, 0
            while end < len(doc) and words < 3:
                word = doc[end]
                if _name_word(word) and (word.pos_ == "PROPN" or elided(word)) and word.lower_ not in self.org_suffixes and word.text.rstrip(".").lower() not in self.person_titles:
                    end, words = end + 1, words + 1
                elif words and end + 1 < len(doc) and (word.text == "-" or word.lower_ in NAME_PARTICLES) and _name_word(doc[end + 1]):
                    end += 1
                else:
                    break
            closed = end == len(doc) or doc[end].text in {",", ".", ";"}
            if lowered and (words < 2 or any(t.ent_type_ and t.ent_type_ != "PERSON" for t in doc[start:end])):
                continue  # after a role in lower case, only a full name the model did not give another type
            if words and (end == len(doc) or doc[end].lower_ != "of") and (closed or not apposed):
                found.append(Span(doc, start, end, label="PERSON"))
        return found

    def __call__(self, doc: Doc) -> Doc:
        body = doc_text(doc)
        text = lambda s: body[s.start_char : s.end_char]  # noqa: E731  (Span.text joins its tokens again)
        spans = [s for s in entities_of(doc) if text(s) not in self.not_entities]
        # The acronym of a programme is no organisation either: "Extended Fund Facility (EFF)", then "the EFF".
        programmes = {text(s) for s in spans if 2 <= s.start and s.end < len(doc) and doc[s.start - 1].text == "(" and doc[s.end].text == ")" and doc[s.start - 2].lower_ in self.programme_words}
        spans = [s for s in spans if text(s) not in programmes]
        people = self.titled_people(doc)
        for extra in self.defined_acronyms(doc) + self.named_orgs(doc) + people:
            inside = {id(s) for s in spans if s.start >= extra.start and s.end <= extra.end}
            clash = [s for s in spans if s.start < extra.end and extra.start < s.end and id(s) not in inside]
            if extra in people and all(s.label_ in GLUED_LABELS and not s.ent_id_ for s in clash):
                inside |= {id(s) for s in clash}  # "Ambassador SAIDA Shinichi" out of NER's "Bangladesh SAIDA Shinichi and ..." organisation
                clash = []
            if not clash and (extra in people or not any(s.start == extra.start and s.end == extra.end for s in spans if id(s) in inside)):
                spans = [s for s in spans if id(s) not in inside] + [extra]
        spans = sorted(filter_spans([r for r in map(self.repair, spans) if r is not None]), key=lambda s: s.start)
        labels = [self.relabel(s) for s in spans]
        spans, labels = _join_people(spans, labels, self.name_part)
        # A lone word that is the given or family name of a person named in the document is that person.
        surnames = {t.text for s, label in zip(spans, labels) if label == "PERSON" and len(s) > 1 for t in (s[0], s[-1])}
        labels = ["PERSON" if len(s) == 1 and text(s) in surnames and label in {"GPE", "ORG", "NORP"} else label for s, label in zip(spans, labels)]
        # One label per surface in a document: the model often types the same name two ways.
        votes: dict[str, Counter[str]] = {}
        for span, label in zip(spans, labels):
            votes.setdefault(text(span), Counter())[label] += 2 if label != span.label_ or span.ent_id_ else 1
        fixed = []
        for span in spans:
            label = votes[text(span)].most_common(1)[0][0]
            start = self._given_names(span) if label == "PERSON" else span.start
            fixed.append(Span(doc, start, span.end, label=label, kb_id=span.kb_id, span_id=span.id))
        doc.ents = filter_spans(fixed)
        return doc

    def _given_names(self, span: Span) -> int:
        """Where a person's name starts: "Iva Petrova" when the model only took "Petrova"."""
        doc, start = span.doc, span.start
        while start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].is_title and not doc[start - 1].ent_type_ and span.start <= doc[start - 1].head.i < span.end and doc[start - 1].lower_ not in self.title_words:
            start -= 1
        return start


def _past_posting(doc: Doc, i: int) -> int:
    """After "Ambassador", the state of the posting ("to Bangladesh") is no part of the name."""
    if i + 1 < len(doc) and doc[i].lower_ == "to":
        for width in (3, 2, 1):
            place = doc[i + 1 : i + 1 + width]
            if len(place) == width and world.country_by_name(place.text) is not None:
                return i + 1 + width
    return i


def _name_word(token: Token) -> bool:
    """A word of a person's name: capitalised, or a surname in capitals as official texts write it ("SAIDA")."""
    return token.is_title or token.is_upper and token.is_alpha and len(token) >= 3


def _join_people(spans: list[Span], labels: list[str], name_part=lambda span: False) -> tuple[list[Span], list[str]]:
    """Adjacent person spans are one name ("Bilal" + "bin Saqib"), and so are two joined by a name
    particle ("Aisha" bint "Ahmed Al-Mansouri"); a two- or three-word name listed with people
    ("Zach Witkoff, Zak Folkman and Chase Herro") is a person too."""
    joined: list[Span] = []
    kept: list[str] = []
    for span, label in zip(spans, labels):
        gap = span.start - joined[-1].end if joined else -1
        particle = gap == 1 and span.doc[span.start - 1].lower_ in NAME_PARTICLES
        fragment = gap == 0 and "PERSON" in (label, kept[-1]) and name_part(span if label != "PERSON" else joined[-1])
        if joined and (label == kept[-1] == "PERSON" and (gap == 0 or particle) or fragment) and not joined[-1].ent_id_ and not span.ent_id_:
            joined[-1] = Span(span.doc, joined[-1].start, span.end, label="PERSON")
            kept[-1] = "PERSON"
            continue
        joined.append(span)
        kept.append(label)
    people = {s.root.i for s, label in zip(joined, kept) if label == "PERSON"}
    for i, (span, label) in enumerate(zip(joined, kept)):
        listed = span.root.dep_ == "conj" and span.root.head.i in people or any(c.dep_ == "conj" and c.i in people for c in span.root.children)
        if label == "ORG" and not span.ent_id_ and 2 <= len(span) <= 3 and all(t.is_title for t in span) and listed:
            kept[i] = "PERSON"
    return joined, kept


_LOADING = threading.Lock()  # a warm-up thread and a task may ask at once: load the model once


def load_pipeline(model: str) -> Language:
    """The model with the gazetteer and the fixer after its NER; cached per process."""
    with _LOADING:
        return _load_pipeline(model)


def loaded_pipelines() -> int:
    """How many pipelines this process has loaded (a worker should load its model once)."""
    return _load_pipeline.cache_info().currsize


@functools.cache
def _load_pipeline(model: str) -> Language:
    nlp = spacy.load(model, exclude=UNUSED_COMPONENTS)
    nlp.add_pipe("newsflow_gazetteer", after="ner")
    nlp.add_pipe("newsflow_entity_fixer", after="newsflow_gazetteer")
    return nlp


def model_version(model: str) -> str:
    """The model's lang_name@version, from its package meta when installed (no load), else loaded."""
    try:
        meta = spacy.util.get_model_meta(spacy.util.get_package_path(model))
    except (OSError, ImportError, ValueError):
        meta = load_pipeline(model).meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', model)}@{meta.get('version', '?')}"


def parse(nlp: Language, texts: Iterable[str], *, processes: int = 1, batch_size: int = 64) -> Iterator[Doc]:
    """Docs in input order; one process for small inputs, where worker start-up would dominate."""
    return nlp.pipe(texts, n_process=max(1, processes), batch_size=batch_size)
