"""Places and home countries of entities (issue 17): each GPE/LOC matched to a GeoNames record in
the context of the articles that mention it, and an ISO alpha-3 `country_code` on every entity
that has one.

A place name is read as a country (world.country_by_name), a first-level division (a US state) or a
GeoNames city of 15,000+. When a name has several readings (Georgia the country or the state;
Santiago, Córdoba, Hyderabad, Lagos), the article decides: the countries it names, directly or by
demonym, capital or an unambiguous city, and its dateline (counted twice) support the readings in
those countries; a country reading is also supported by its neighbours and wins ties. With no
support, only a city that outnumbers every namesake ten to one is taken; otherwise the name
stays unresolved, never guessed. An entity mentioned by several articles takes the reading most
of them give.

Organisations and people get a home country when the text says so ("Kenya's Treasury", "the
Turkish foreign minister X", "X, Turkey's foreign minister") or, for an organisation, when its
name holds exactly one country ("Bank of Japan").
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from flows.core import world
from flows.core.rules import load_rules
from flows.core.world.country_data import fold
from flows.resolve.names import gazetteer_entry

Row = dict[str, Any]
PLACE_FIELDS = ("geonames_id", "place_kind", "latitude", "longitude", "geo_precision", "population", "country_code", "wikidata_id")
DOMINANT = 10  # a city this many times larger than every namesake is taken without context
DATELINE_WEIGHT = 2
_WORD = re.compile(r"[A-Za-zÀ-ÿ][\w.’'-]*")
_COMPLEMENT = {"to", "in", "at", "for"}  # words that make a country the complement of a role
_BOUNDARY = re.compile(r"[,;:()\[\]\"“”!?]|\.\s")


def country_of_word(word: str) -> str | None:
    """The alpha-3 of a country a word or short phrase names: a name, an acronym in exact case, a
    demonym or a capital ("Kenya's", "U.S.", "Turkish", "Ankara")."""
    word = word.strip(" ,.;:")
    if not word:
        return None
    found = world.country_by_name(word) or world.country_by_demonym(word) or world.country_of_capital(re.sub(r"(?:'s|’s)$", "", word))
    return found.alpha3 if found is not None else None


def country_in_name(name: str) -> str | None:
    """The one country an organisation's name holds ("Bank of Japan", "US Export-Import Bank"); None
    for none or several."""
    words = name.split()
    found = set()
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            code = country_of_word(" ".join(words[i : i + size]))
            if code is not None:
                found.add(code)
    return found.pop() if len(found) == 1 else None


@functools.cache
def _title_words() -> frozenset[str]:
    """Lower-cased words of titles and roles (rules/titles.yaml): what may stand between a country
    and the person it qualifies ("Turkish Foreign Minister X")."""
    titles = load_rules("titles")
    phrases = [*titles["person_titles"], *titles["titles"], *(p for group in titles["roles"].values() for p in group)]
    return frozenset(w.lower().strip(".") for p in phrases for w in p.split()) - {"and", "for", "to", "with"}


def _country_ending(words: list[str]) -> tuple[str, int] | None:
    """The country the last words name (the longest phrase first: "Democratic Republic of Congo's"), and how many words it took."""
    for size in (5, 4, 3, 2, 1):
        if size <= len(words):
            code = country_of_word(" ".join(words[-size:]))
            if code is not None:
                return code, size
    return None


def _cue_before(body: str, start: int, person: bool) -> str | None:
    """A country qualifying the name that follows: "Kenya's Treasury" (right before an organisation),
    "US Trade Representative X" (only title or capitalised words between, four at most, for a person); nothing past a comma or
    a sentence's end."""
    window = body[max(0, start - 100) : start]
    cut = list(_BOUNDARY.finditer(window))
    words = _WORD.findall(window[cut[-1].end() :] if cut else window)[-8:]
    between = 0
    while words:
        found = _country_ending(words)
        rest = words[: len(words) - found[1]] if found is not None else []
        before = [w for w in rest[-3:] if w.lower() != "the"][-2:]
        # "Ambassador to the US", "envoy in Kenya": a role's preposition makes the country where it serves.
        complement = len(before) == 2 and before[1].lower() in _COMPLEMENT and before[0].lower().strip(".") in _title_words()
        if found is not None and not (person and complement):
            return found[0]
        if found is not None:  # "Pakistan's Ambassador to the US X": the country a role is for, not of
            while rest and rest[-1].lower() in _COMPLEMENT | {"the"}:
                rest = rest[:-1]
            words, between = rest, between + found[1]
            continue
        word = words[-1]
        if not person or between >= 4 or not (word.lower().strip(".") in _title_words() or word[:1].isupper()):
            return None
        words, between = words[:-1], between + 1
    return None


def _cue_after(body: str, end: int) -> str | None:
    """An apposition naming a person's country and role: "X, Turkey's foreign minister", "X, the Kenyan envoy"."""
    match = re.match(r",\s+(?:the\s+|a\s+)?((?:[A-Z][\w.’'-]*\s){1,4})([a-zA-Z]+)", body[end : end + 80])
    if match is None or match.group(2).lower() not in _title_words():
        return None
    found = _country_ending(match.group(1).split())
    return found[0] if found is not None else None


class Context:
    """The countries each article names (alpha-3 -> weight), from its mentions and dateline."""

    def __init__(self, extractions: Iterable[dict[str, Any]]) -> None:
        self.countries: dict[str, Counter[str]] = {}
        self.placed: dict[str, Counter[str]] = {}  # the part of `countries` that places in them (cities, states, datelines) give
        self.mentions_of: dict[str, list[tuple[str, str]]] = defaultdict(list)  # article -> (text, label)
        for ex in extractions:
            counts: Counter[str] = Counter()
            placed: Counter[str] = Counter()
            for m in ex["mentions"]:
                if m.get("refers_to"):
                    continue
                label = m.get("type") or m["label"]
                self.mentions_of[ex["article_id"]].append((m["text"], label))
                if label in {"GPE", "LOC", "NORP"}:
                    code = country_of_word(m.get("canonical_hint") or m["text"])
                    city = None if code is not None else _unique_city(m["text"])
                    if code or city:
                        counts[code or city] += 1
                    if city:
                        placed[city] += 1
            for place in ex.get("datelines", []):
                place = place.title() if place.isupper() else place
                code = country_of_word(place) or _unique_city(place)
                if code is not None:
                    counts[code] += DATELINE_WEIGHT
                    placed[code] += DATELINE_WEIGHT
            self.countries[ex["article_id"]] = counts
            self.placed[ex["article_id"]] = placed

    def support(self, article_id: str | None, name: str) -> tuple[Counter[str], Counter[str]]:
        """The article's countries and the part its places give, without what the name itself
        contributes (its own mentions)."""
        counts = Counter(self.countries.get(article_id, {}))
        placed = Counter(self.placed.get(article_id, {}))
        own = country_of_word(name)
        city = None if own is not None else _unique_city(name)
        mine = sum(1 for text, _ in self.mentions_of.get(article_id, []) if text == name)
        if own or city:
            counts[own or city] -= mine
        if city:
            placed[city] -= mine
        return +counts, +placed


def _unique_city(name: str) -> str | None:
    """The country of a city name with one clear reading (one city, or one ten times larger), or of
    a first-level division ("Alabama")."""
    found = world.places_called(name)
    if not found:
        divisions = {d.country for d in world.divisions_named(name)}
        return divisions.pop() if len(divisions) == 1 else None
    if len(found) == 1 or (found[0].population or 0) >= DOMINANT * (found[1].population or 0):
        return found[0].country
    return None


def _country_fields(code: str) -> dict[str, Any]:
    country = world.country_by_code(code)
    centre = world.country_centre(code)
    return {
        "geonames_id": country.geonames_id if country else None,
        "place_kind": "country",
        "latitude": centre[0] if centre else None,
        "longitude": centre[1] if centre else None,
        "geo_precision": "country",
        "population": world.country_population(code),
        "country_code": code,
        "wikidata_id": world.wikidata_id(code),
    }


def _place_fields(place: Any, kind: str) -> dict[str, Any]:
    return {
        "geonames_id": place.geonames_id,
        "place_kind": kind,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "geo_precision": kind,
        "population": getattr(place, "population", None),
        "country_code": place.country,
        "wikidata_id": None,
    }


def read_place(name: str, support: Counter[str], placed: Counter[str] | None = None) -> dict[str, Any] | None:
    """The GeoNames reading of a place name in an article whose countries are `support`, `placed`
    the part of it that places in those countries give (cities, states, the dateline); None when
    the name names no known place or the context cannot tell its readings apart."""
    placed = placed if placed is not None else Counter()
    country = world.country_by_name(name)
    divisions = world.divisions_named(name)
    cities = [p for p in world.places_called(name) if country is None or p.country != country.alpha3]
    if country is not None:
        own = support[country.alpha3] + 0.5 * sum(support[n] for n in world.neighbours(country.alpha3))
        # A division's reading needs places of its own country (naming the country alone is not enough)
        # to outweigh the country's support.
        rivals = [(placed[d.country], d, "admin1") for d in divisions]
        best = max(rivals, key=lambda r: r[0], default=None)
        if best is not None and best[0] > own:
            return _place_fields(best[1], best[2])
        return _country_fields(country.alpha3)
    if divisions and not cities:
        return _place_fields(divisions[0], "admin1")
    if not cities:
        return None
    if len(cities) == 1:
        return _place_fields(cities[0], "city")
    scored = sorted(((support[c.country], c.population or 0, c) for c in cities), key=lambda s: (s[0], s[1]), reverse=True)
    top, second = scored[0], scored[1]
    if top[0] > second[0]:
        return _place_fields(top[2], "city")
    tied = [s for s in scored if s[0] == top[0]]
    if len(tied) == 1 or top[1] >= DOMINANT * tied[1][1]:
        return _place_fields(top[2], "city")
    return None


def locate_entities(rows: list[Row], touched: set[str], extractions: list[dict[str, Any]], bodies: dict[str, str]) -> None:
    """Fill the place and country columns of the touched entity rows, in place (they are this chunk's
    own copies). A row resolved already keeps its reading (published codes stay stable, as names do);
    one without (new, unresolved, or published before these columns) is read from the chunk's articles."""
    context = Context(extractions)
    chunk = set(context.countries)
    for row in rows:
        if row.get("entity_id") not in touched or row.get("country_code") is not None or row.get("geonames_id") is not None:
            continue
        found = _resolve(row, context, chunk, bodies)
        if found is None:
            for field in PLACE_FIELDS:
                row.setdefault(field, None)
        else:
            row.update(found)


def _resolve(row: Row, context: Context, chunk: set[str], bodies: dict[str, str]) -> dict[str, Any] | None:
    articles = [a for a in row["article_ids"] if a in chunk]
    if row["type"] in {"GPE", "LOC"}:
        readings = Counter()
        keep: dict[Any, dict[str, Any]] = {}
        for a in articles or [None]:
            found = read_place(row["name"], *context.support(a, row["name"]))
            if found is not None:
                readings[found["geonames_id"] or found["country_code"]] += 1
                keep[found["geonames_id"] or found["country_code"]] = found
        if readings:
            return keep[readings.most_common(1)[0][0]]
        return None
    code = None
    if row["type"] in {"ORG", "FAC", "PERSON"}:
        place = _mistyped_place(row, articles, context)
        if place is not None:
            return place
    if row["type"] == "NORP":
        code = country_of_word(row["name"])
    elif row["type"] in {"ORG", "PERSON"}:
        code = home_country(row, bodies)
    if code is None:
        return None
    return {**dict.fromkeys(PLACE_FIELDS), "country_code": code}


def _mistyped_place(row: Row, articles: list[str], context: Context) -> dict[str, Any] | None:
    """A city the model typed as something else ("Montego Bay" as a facility): its own GeoNames name
    or a spelling only one city has (never a country's name), a city of a country each article that mentions it
    names, and for a person a single word (a full name is a person's, even when a town shares it)."""
    if (row["type"] == "PERSON" and " " in row["name"]) or row["name"].isupper() or world.country_by_name(row["name"]) is not None or not articles:
        return None
    key = fold(row["name"]).casefold()
    called = world.places_called(row["name"])
    cities = [p for p in called if fold(p.name).casefold() == key] or list(called[:1] if len(called) == 1 else ())  # "Nema" for "Néma"; one city's spelling
    if not cities:
        return None
    supported = [c for c in cities if all(context.support(a, row["name"])[0][c.country] > 0 for a in articles)]
    if len({c.country for c in supported}) != 1:
        return None
    return _place_fields(supported[0], "city")


def home_country(row: Row, bodies: dict[str, str]) -> str | None:
    """An organisation's or person's country: from its name (organisations), else what the text
    says around its mentions, by majority."""
    if row["type"] == "ORG":
        named = country_in_name(row["name"])
        if named is not None:
            return named
    if row["type"] == "ORG" and gazetteer_entry(row["name"]) is not None:
        return None  # a well-known body the gazetteer lists with no country in its name: international
    votes: Counter[str] = Counter()
    read = 0
    for m in row["mentions"]:
        body = bodies.get(m["article_id"])
        if body is None:
            continue
        read += 1
        person = row["type"] == "PERSON"
        code = _cue_before(body, m["start"], person) or (_cue_after(body, m["end"]) if person else None)
        if code is None and row["type"] == "PERSON" and m["text"] != row["name"]:
            code = next((c for w in m["text"].split() if (c := world.country_by_demonym(w)) is not None), None)
            code = code.alpha3 if code is not None else None
        if code is not None:
            votes[code] += 1
    ranked = votes.most_common(2)
    # An organisation qualified by a country in a third of its mentions or more ("Pakistan's IMF
    # programme" once in ten mentions makes the IMF no Pakistani body).
    enough = row["type"] == "PERSON" or (ranked and 3 * ranked[0][1] >= read)
    if ranked and enough and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return ranked[0][0]
    return None


def country_of_name(name: str, entities: dict[str, Row]) -> str | None:
    """The country of an entity by canonical name: its row's code, else what the name alone says."""
    row = entities.get(name)
    if row is not None and row.get("country_code"):
        return row["country_code"]
    code = country_of_word(name)
    if code is None and (row is None or row.get("type") == "ORG"):
        code = country_in_name(name)
    return code


def locate_events(rows: list[Row], touched: set[str], entities: dict[str, Row]) -> None:
    """events.location_country, location_geonames_id and actor_countries of the touched rows."""
    for row in rows:
        if row.get("event_id") not in touched:
            continue
        place = entities.get(row["location"]) if row.get("location") else None
        code = country_of_name(row["location"], entities) if row.get("location") else None
        row["location_country"] = code
        row["location_geonames_id"] = place.get("geonames_id") if place is not None else None
        if row["location_geonames_id"] is None and code is not None and row.get("location") and country_of_word(row["location"]) == code:
            country = world.country_by_code(code)
            row["location_geonames_id"] = country.geonames_id if country else None
        row["actor_countries"] = list(dict.fromkeys(c for c in (country_of_name(a, entities) for a in row["actors"]) if c))


def locate_deals(rows: list[Row], touched: set[str], entities: dict[str, Row]) -> None:
    """deals.recipient_country and financier_country of the touched rows, from the parties' roles."""
    for row in rows:
        if row.get("deal_id") not in touched:
            continue
        for role, column in (("recipient", "recipient_country"), ("financier", "financier_country")):
            codes = [country_of_name(p["name"], entities) for p in row["party_roles"] if p["role"] == role]
            row[column] = next((c for c in codes if c), None)


def attach_places(tables: dict[str, list[Row]], touched: dict[str, set[str]], extractions: list[dict[str, Any]], articles: list[dict[str, Any]]) -> None:
    """Places, coordinates and country codes on the touched rows of entities, events and deals."""
    bodies = {a["article_id"]: a.get("body") or "" for a in articles}
    locate_entities(tables["entities"], touched["entities"], extractions, bodies)
    by_name = {row["name"]: row for row in tables["entities"]}
    locate_events(tables["events"], touched["events"], by_name)
    locate_deals(tables["deals"], touched["deals"], by_name)
