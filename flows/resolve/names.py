"""Names: a mention's text cleaned to a name, a key to compare names by, the gazetteer's entry for
a name, and what each surface of one article names (its acronyms and surnames tied to full names)."""

from __future__ import annotations

import functools
import re
from typing import Any

from flows.core import world
from flows.core.rules import load_rules
from flows.extract.nlp import is_entity_name


@functools.cache
def _title_pattern() -> re.Pattern[str]:
    titles = sorted(load_rules("titles")["titles"], key=len, reverse=True)
    alternatives = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in titles)
    return re.compile(rf"^(?:(?:the|us|u\.s\.|pakistani|american|chinese|indian)\s+)?(?:(?:{alternatives})\.?\s+)+", re.IGNORECASE)


@functools.cache
def _gazetteer() -> dict[str, tuple[str, str]]:
    """name key -> (canonical name, type) for every known name: the rule file's names and aliases,
    and from flows.core.world every country's names, acronyms and demonyms ("Türkiye", "Turkey"
    and "Turkish" are all Turkey) and every capital's names."""
    table: dict[str, tuple[str, str]] = {}
    for country in world.countries():
        if country.capital is not None:
            for surface in country.capital.names:
                table.setdefault(name_key(surface), (country.capital.name, "GPE"))
    for country in world.countries():  # a country's name outranks a capital's ("Djibouti")
        for surface in (*country.names, *country.acronyms, *country.demonyms):
            table[name_key(surface)] = (country.name, "GPE")
    for entry in load_rules("gazetteer"):
        if "name" in entry and "type" in entry:
            for surface in [entry["name"], *entry.get("aliases", [])]:
                table[name_key(surface)] = (entry["name"], entry["type"])
    return table


def gazetteer_entry(name: str) -> tuple[str, str] | None:
    """(canonical name, type) of the gazetteer entry that has `name` as its name or an alias, if one does."""
    return _gazetteer().get(name_key(name))


# Names repeat across thousands of articles, and these depend only on the text and the cached rules.
@functools.lru_cache(maxsize=1 << 16)
def clean_name(text: str, label: str) -> str:
    """Strip articles, titles, possessives and stray punctuation; repair shouted surnames."""
    name = re.sub(r"\s+", " ", text).strip(" .,;:-–—\"“”‘’'")
    name = re.sub(r"(?:'s|’s|’|')$", "", name)
    name = re.sub(r"^(the|The|THE)\s+", "", name)
    if label == "ORG":
        name = re.sub(r"\.(com|pk|org|net|co\.uk)$", "", name)  # "Dawn.com" is the outlet Dawn
        name = re.sub(r"\bCorp\b\.?", "Corporation", name)
    if label == "PERSON":
        name = _title_pattern().sub("", name).strip()
        name = " ".join(w.capitalize() if w.isupper() and len(w) > 2 else w for w in name.split())
    return name.strip()


@functools.lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """A comparison key: case, punctuation, a leading 'the' and spelling variants folded."""
    variants = load_rules("titles")["spelling_variants"]
    words = re.findall(r"[\w]+", name.casefold().replace("’", "'"))
    words = [variants.get(w, w) for w in words if w not in {"the", "s"}]
    return " ".join(words)


def is_acronym(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][A-Za-z]*[A-Z]", name)) and len(name) <= 8


def _initials(name: str) -> str:
    """The acronym a name spells: "Africa Finance Corporation" -> "AFC" (joining words left out)."""
    return "".join(w[0] for w in re.findall(r"\w+", name) if w.lower() not in {"of", "and", "for", "the", "de"}).upper()


def local_names(extraction: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """surface text -> (name, type) within one article: gazetteer, defined acronyms, surnames."""
    mentions = extraction["mentions"]
    acronyms = {short: long for short, long in extraction["acronyms"]}
    result: dict[str, tuple[str, str]] = {}
    full_people = [clean_name(m["text"], "PERSON") for m in mentions if m["label"] == "PERSON"]
    full_people = [p for p in full_people if len(p.split()) > 1]
    orgs = {clean_name(m["text"], "ORG") for m in mentions if m["label"] == "ORG"}
    labels = {m["text"]: m["label"] for m in mentions if not m.get("refers_to")}
    suffixes = {w.lower() for w in load_rules("titles")["org_suffixes"]}
    for m in mentions:
        label = m["label"]
        if m.get("refers_to"):
            continue
        if m["canonical_hint"]:
            result[m["text"]] = _gazetteer().get(name_key(m["canonical_hint"]), (m["canonical_hint"], m.get("type", label)))
            continue
        name = clean_name(m["text"], label)
        if m["text"] in acronyms or name in acronyms:
            long = acronyms.get(m["text"], acronyms.get(name, name))
            # The short form names what the long form does ("Velmi" of "Velora Mining"), but an
            # acronym is an organisation's even when its long form reads as a facility ("the X Railway (XR)").
            label = label if label == "ORG" else labels.get(long, label)
            name = clean_name(long, label)
        elif is_acronym(name) and gazetteer_entry(name) is None and len(spelled := [o for o in orgs if _initials(o) == name.upper()]) == 1:
            name, label = spelled[0], "ORG"  # "AFC" where the article names the "Africa Finance Corporation"
        elif label == "PERSON" and len(name.split()) == 1:
            same = [p for p in full_people if name_key(p.split()[-1]) == name_key(name)]
            # Where the family name comes first ("Xi" of "Xi Jinping") or the short form is the
            # given name ("Anwar" of "Anwar Ibrahim"): the one full name that starts with it.
            same = same or list(dict.fromkeys(p for p in full_people if name_key(p.split()[0]) == name_key(name)))
            if same and (len(same) == 1 or name_key(same[0].split()[-1]) == name_key(name)):
                name = same[0]
        elif label == "PERSON" and len(tail := name_key(name).split()) > 1:
            # A name's last words are that name: "Bin Saqib" of "Bilal bin Saqib", when only one ends so.
            longer = list(dict.fromkeys(p for p in full_people if len(p.split()) > len(tail) and name_key(p).split()[-len(tail) :] == tail))
            if len(longer) == 1:
                name = longer[0]
        elif label == "ORG":  # "World Liberty" is the "World Liberty Financial" the article names
            longer = [o for o in orgs if o.startswith(name + " ") and all(w.lower() in suffixes for w in o[len(name) + 1 :].split())]
            if len(longer) == 1:
                name = longer[0]
        hit = gazetteer_entry(name)
        if hit or is_entity_name(name):  # a surface that cleans to no name ("Mr X") names nobody
            result[m["text"]] = hit if hit else (name, label)
    for m in mentions:  # "the army chief" is whoever the article introduced as its army chief
        if m.get("refers_to") and m["refers_to"] in result:
            result[m["text"]] = result[m["refers_to"]]
    return result
