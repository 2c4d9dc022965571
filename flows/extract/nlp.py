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

import spacy
import spacy.util
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from flows.core.rules import load_rules
from flows.extract import gazetteer  # noqa: F401  (registers the newsflow_gazetteer factory)

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
    return EntityFixer(load_rules("titles"))


class EntityFixer:
    """Corrects NER labels with general rules: organisation suffixes, facility words, one label per name."""

    def __init__(self, rules: dict[str, Any]) -> None:
        self.org_suffixes = {w.lower() for w in rules["org_suffixes"]}
        self.facility_words = {w.lower() for w in rules["facility_words"]}
        self.not_entities = set(rules["not_entities"])
        self.person_titles = {w.lower() for w in rules["person_titles"]}
        self.honorifics = [h.lower().split() for h in sorted(rules["honorifics"], key=len, reverse=True)]
        self.generic = {w.lower() for w in rules["generic_words"]}
        self.programme_words = {w.lower() for w in rules["programme_words"]}
        self.company_roles = {w.lower() for w in rules["company_roles"]}
        self.adjective_suffixes = {w.lower() for w in rules["adjective_suffixes"]}
        self.title_words = {w.lower() for t in [*rules["titles"], *rules["person_titles"]] for w in t.split()} - {"of", "the"}
        self.capital_titles = {w for w in rules["person_titles"] if w[:1].isupper()} - {"General", "Major"}
        self.currencies = {c.lower() for c in load_rules("money")["currencies"] if c.isalpha()}

    def relabel(self, span: Span) -> str:
        if span.ent_id_:  # gazetteer match: trust it
            return span.label_
        if span.label_ in {"PERSON", "PRODUCT", "WORK_OF_ART", "ORG"} and _followed_by(span, self.facility_words):
            return "FAC"
        if span.label_ in {"PERSON", "PRODUCT", "WORK_OF_ART", "FAC"} and span[-1].lower_ in self.org_suffixes:
            return "ORG"
        return span.label_

    def _honorific(self, span: Span) -> bool:
        words = [t.lower_.rstrip(".") for t in span]
        return any(len(words) > len(h) and words[: len(h)] == h for h in self.honorifics)

    def repair(self, span: Span) -> Span | None:
        """Trim what is not part of the name, drop what is no name, fix labels the context decides."""
        doc, start, end, label = span.doc, span.start, span.end, span.label_
        if span.ent_id_:
            return span
        while end - start > 1 and (doc[end - 1].text in {"-", "(", "–"} or doc[end - 1].lower_ in self.adjective_suffixes and doc[end - 2].text == "-"):
            end -= 2 if doc[end - 1].lower_ in self.adjective_suffixes else 1  # "Trump-backed", "Pak-"
        if "(" in [t.text for t in doc[start:end]] and doc[end - 1].text != ")":
            end = next(t.i for t in doc[start:end] if t.text == "(")  # "Railway (LAR"
        of = next((t.i for t in doc[start:end] if t.lower_ == "of"), None)
        if label == "ORG" and of is not None and of > start and all(t.lower_ in self.title_words for t in doc[start:of]):
            start = of + 1  # "Vice Chairman of Cnergyico": the organisation is after "of"
        if label == "ORG":  # "AFC President & CEO Samaila Zubairu": the organisation ends at the title
            start_title = next((t.i for t in doc[start + 1 : end] if t.text in self.capital_titles), None)
            end = start_title if start_title is not None else end
        if start >= end:
            return None
        words = doc[start:end]
        if not is_entity_name(words.text):
            return None
        if all(t.lower_.rstrip(".") in self.title_words for t in words):
            return None  # a title alone ("Engr")
        if words.text.lower() in self.generic or words[-1].lower_ in self.currencies:
            return None
        if label in {"ORG", "GPE", "PERSON"} and words[-1].lower_ in self.programme_words:
            return None
        nxt = doc[end] if end < len(doc) else None
        if label in {"ORG", "GPE"} and len(words) == 1 and not words[0].is_upper and nxt is not None and nxt.lower_ in self.title_words:
            return None  # "Commerce" in "Commerce Secretary Jawad Paul"
        if label != "PERSON" and self._honorific(words) and words[-1].lower_ not in self.org_suffixes:
            label = "PERSON"
        elif label in {"GPE", "PERSON"} and nxt is not None and nxt.lower_ in self.company_roles:
            label = "ORG"
        elif label in {"GPE", "ORG"} and words[-1].lower_ in self.facility_words:
            label = "FAC"
        elif label == "PERSON" and end + 1 < len(doc) and doc[end].lower_ == "of" and doc[end + 1].is_title:
            label = "ORG"  # "Joint Chiefs of Staff": a name that goes on past "of" is no person
        return Span(doc, start, end, label=label, kb_id=span.kb_id, span_id=span.id)

    def named_orgs(self, doc: Doc) -> list[Span]:
        """Capitalised runs ending in an organisation word ("Mota-Engil Group") that NER missed."""
        found = []
        for token in doc:
            if token.lower_ not in self.org_suffixes or not token.is_title:
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
        for token in doc[2:-1]:
            if not (doc[token.i - 1].text == "(" and doc[token.i + 1].text == ")" and token.is_upper and 2 <= len(token) <= 8):
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
        """One to three capitalised words right after a person title ("Field Marshal Asim Munir")."""
        found = []
        for token in doc[:-1]:
            if token.text.rstrip(".").lower() not in self.person_titles or not token.text[:1].isupper():
                continue
            end = token.i + 1
            while end < len(doc) and end - token.i <= 3 and doc[end].is_title and doc[end].pos_ == "PROPN" and doc[end].lower_ not in self.org_suffixes and doc[end].text.rstrip(".").lower() not in self.person_titles:
                end += 1
            if end > token.i + 1 and (end == len(doc) or doc[end].lower_ != "of"):
                found.append(Span(doc, token.i + 1, end, label="PERSON"))
        return found

    def __call__(self, doc: Doc) -> Doc:
        spans = [s for s in doc.ents if s.text not in self.not_entities]
        for extra in self.defined_acronyms(doc) + self.named_orgs(doc) + self.titled_people(doc):
            inside = [s for s in spans if s.start >= extra.start and s.end <= extra.end]
            clash = [s for s in spans if s.start < extra.end and extra.start < s.end and s not in inside]
            if not clash and not any(s.start == extra.start and s.end == extra.end for s in inside):
                spans = [s for s in spans if s not in inside] + [extra]
        spans = sorted(filter_spans([r for r in map(self.repair, spans) if r is not None]), key=lambda s: s.start)
        labels = [self.relabel(s) for s in spans]
        spans, labels = _join_people(spans, labels)
        # A lone word that is the surname of a person named in the document is that person.
        surnames = {s[-1].text for s, label in zip(spans, labels) if label == "PERSON" and len(s) > 1}
        labels = ["PERSON" if len(s) == 1 and s.text in surnames and label in {"GPE", "ORG", "NORP"} else label for s, label in zip(spans, labels)]
        # One label per surface in a document: the model often types the same name two ways.
        votes: dict[str, Counter[str]] = {}
        for span, label in zip(spans, labels):
            votes.setdefault(span.text, Counter())[label] += 2 if label != span.label_ or span.ent_id_ else 1
        fixed = []
        for span in spans:
            label = votes[span.text].most_common(1)[0][0]
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


def _join_people(spans: list[Span], labels: list[str]) -> tuple[list[Span], list[str]]:
    """Adjacent person spans are one name ("Bilal" + "bin Saqib"); a two- or three-word name listed
    with people ("Zach Witkoff, Zak Folkman and Chase Herro") is a person too."""
    joined: list[Span] = []
    kept: list[str] = []
    for span, label in zip(spans, labels):
        if joined and label == kept[-1] == "PERSON" and joined[-1].end == span.start and not joined[-1].ent_id_:
            joined[-1] = Span(span.doc, joined[-1].start, span.end, label="PERSON")
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
