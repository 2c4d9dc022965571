"""Currencies: ISO 4217 (pycountry) with names, plural names and symbols from CLDR (babel).

A symbol is collected from the English locale and from the locales of the territories that use
the currency ("Ksh" from en_KE, "৳" from bn, "R$" from pt), so one symbol may name several
currencies ("$", "¥"): lookups give every candidate, the English locale's own first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Currency:
    code: str  # ISO 4217 alpha code
    numeric: str
    name: str  # English name ("Kenyan Shilling")
    names: tuple[str, ...]  # English names a text may use: name, plural ("Kenyan shillings")
    symbols: tuple[str, ...]  # the English locale's first, then those of the locales where it is used
    countries: tuple[str, ...]  # ISO alpha-3 of the territories where it is legal tender today


def _own_symbols(locale_id: str, cache: dict[str, dict[str, str]]) -> dict[str, str]:
    """The currency symbols a CLDR locale sets itself, without its parents' (babel's Locale would
    load and keep the whole merged locale: ~150 MB for the few hundred locales read here)."""
    from babel import localedata

    if locale_id not in cache:
        try:
            data: dict[str, Any] = dict(localedata.load(locale_id, merge_inherited=False))
        except (OSError, ValueError):
            data = {}
        cache[locale_id] = data.get("currency_symbols", {})
    return cache[locale_id]


def build_currencies(alpha3_of: dict[str, str]) -> list[Currency]:
    """Every current ISO 4217 currency; `alpha3_of` maps ISO alpha-2 to alpha-3 (slow: call once)."""
    import pycountry
    from babel import Locale, localedata
    from babel.core import get_global
    from babel.numbers import get_currency_name, get_territory_currencies

    english = Locale("en")
    known = set(localedata.locale_identifiers())
    cache: dict[str, dict[str, str]] = {}
    used_in: dict[str, list[str]] = defaultdict(list)
    symbols: dict[str, list[str]] = defaultdict(list)
    funds: set[str] = set()  # ISO 4217 fund codes (CHE, USN, ...) are no money a text speaks of
    for a2, languages in sorted(get_global("territory_languages").items()):
        try:
            codes = get_territory_currencies(a2, tender=True, non_tender=False)
            funds.update(get_territory_currencies(a2, tender=False, non_tender=True))
        except Exception:  # a region CLDR lists without currencies
            continue
        spoken = sorted(languages, key=lambda lang: -languages[lang].get("population_percent", 0))
        for code in codes:
            if a2 in alpha3_of:
                used_in[code].append(alpha3_of[a2])
            for language in spoken:
                regional = f"{language}_{a2}"
                found = (_own_symbols(regional, cache) if regional in known else {}).get(code)
                found = found or (_own_symbols(language, cache) if language in known else {}).get(code)
                if found and found != code:
                    symbols[code].append(found)
    root = _own_symbols("root", cache)
    result = []
    for iso in pycountry.currencies:
        code = iso.alpha_3
        if code in funds and not code.startswith("X"):  # ISO's X block (SDR, gold) is supranational, no fund
            continue
        name = english.currencies.get(code) or iso.name
        plural = get_currency_name(code, count=2, locale="en")
        own = [s for s in (english.currency_symbols.get(code), root.get(code)) if s and s != code]
        result.append(
            Currency(
                code=code,
                numeric=iso.numeric,
                name=name,
                names=tuple(dict.fromkeys(n for n in (name, plural, iso.name) if n)),
                symbols=tuple(dict.fromkeys([*own, *symbols.get(code, [])])),
                countries=tuple(dict.fromkeys(used_in.get(code, []))),
            )
        )
    return result
