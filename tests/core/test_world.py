"""The world gazetteer (flows.core.world): countries, demonyms, capitals and currencies from packages."""

from __future__ import annotations

from collections import Counter

import pytest

from flows.core import world
from flows.core.world.country_data import surface_key


@pytest.mark.parametrize("name", ["Türkiye", "Turkey", "Turkiye", "Republic of Türkiye", "the Republic of Turkey", "Türkiye’s"])
def test_the_names_of_turkiye_are_one_country(name):
    country = world.country_by_name(name)
    assert country is not None and country.alpha3 == "TUR" and country.alpha2 == "TR"


def test_a_country_named_three_ways_is_published_under_one_name():
    names = {world.country_by_name("Türkiye"), world.country_by_name("Turkey"), world.country_by_demonym("Turkish")}
    assert len(names) == 1 and next(iter(names)).name == "Turkey"


@pytest.mark.parametrize(
    ("name", "alpha3"),
    [("Ivory Coast", "CIV"), ("Côte d’Ivoire", "CIV"), ("DRC", "COD"), ("Democratic Republic of the Congo", "COD"), ("U.S.", "USA"), ("USA", "USA"), ("UAE", "ARE"), ("U.K.", "GBR"), ("Britain", "GBR"), ("Holland", "NLD"), ("Swaziland", "SWZ"), ("East Timor", "TLS"), ("Kingdom of Belgium", "BEL")],
)
def test_common_and_official_names_and_acronyms(name, alpha3):
    assert world.country_by_name(name).alpha3 == alpha3


def test_acronyms_match_in_their_case_only_and_a_longer_name_is_not_its_country():
    assert world.country_by_name("us") is None and world.country_by_name("KENYA").alpha3 == "KEN"
    assert world.country_by_name("Bank of Japan") is None
    assert world.country_by_name("GB") is None  # a unit of storage before it is Great Britain


@pytest.mark.parametrize(("demonym", "alpha3"), [("Turkish", "TUR"), ("Kenyan", "KEN"), ("Emirati", "ARE"), ("Kazakh", "KAZ"), ("Uzbek", "UZB"), ("Saudi", "SAU"), ("Ivorian", "CIV"), ("Chinese", "CHN")])
def test_demonyms_name_their_country(demonym, alpha3):
    assert world.country_by_demonym(demonym).alpha3 == alpha3


def test_a_demonym_two_states_share_names_neither():
    assert world.country_by_demonym("Congolese") is None
    assert world.country_by_demonym("Dominican") is None


def test_codes_in_any_form():
    assert world.country_by_code("ke") is world.country_by_code("KEN") is world.country_by_code("404") is world.country_by_name("Kenya")
    assert world.demonym_of("Kenya") == "Kenyan"


def test_capitals_carry_their_geonames_record():
    nairobi = world.capital_of("Kenya")
    assert nairobi.name == "Nairobi" and isinstance(nairobi.geonames_id, int)
    assert -2 < nairobi.latitude < 0 and 36 < nairobi.longitude < 38
    assert world.country_of_capital("Astana").alpha3 == "KAZ"  # renamed: found by its GeoNames alternate name
    assert world.capital_of("Brazil").name == "Brasília" and world.country_of_capital("Brasilia").alpha3 == "BRA"


def test_names_keep_their_accents():
    assert world.country_by_code("CIV").name == "Côte d'Ivoire"
    assert world.country_by_code("ALA").name == "Åland Islands"
    assert world.country_by_code("TLS").name == "Timor-Leste"


def test_no_surface_names_two_countries():
    surfaces = Counter()
    for country in world.countries():
        surfaces.update({surface_key(n) for n in country.names} | set(country.acronyms))
    assert [s for s, n in surfaces.items() if n > 1] == []


def test_every_un_member_has_a_name_codes_and_a_capital():
    members = [c for c in world.countries() if c.un_member]
    assert len(members) >= 190
    assert all(len(c.alpha2) == 2 and len(c.alpha3) == 3 and c.name for c in members)
    assert sum(c.capital is not None for c in members) >= len(members) - 2


def test_currencies_by_code_symbol_and_name():
    shilling = world.currency_by_code("KES")
    assert shilling.name == "Kenyan Shilling" and "Ksh" in shilling.symbols and shilling.countries == ("KEN",)
    yen = world.currencies_by_symbol("¥")
    assert yen[0].code == "JPY" and "CNY" in {c.code for c in yen}
    assert world.currencies_by_symbol("R$")[0].code == "BRL" and world.currency_by_symbol("$").code == "USD"
    assert world.currencies_by_name("yen")[0].code == "JPY"
    assert world.currencies_by_name("Kenyan shillings")[0].code == "KES"
    assert world.currencies_by_name("dollars")[0].code == "USD"
    assert world.currency_of("Bangladesh").code == "BDT"


def test_fund_codes_are_no_currency():
    assert world.currency_by_code("USN") is None and world.currency_by_code("XDR") is not None
