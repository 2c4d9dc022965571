"""Places and country codes (issue 17), on text written for these tests."""

from __future__ import annotations

from collections import Counter

from flows.resolve.places import attach_places, country_of_word, home_country, read_place


def mention(article, text, label="GPE", start=0):
    return {"article_id": article, "text": text, "label": label, "start": start, "end": start + len(text), "sentence_index": 0, "canonical_hint": None, "source": "model"}


def extraction(article, *names, datelines=()):
    return {"article_id": article, "mentions": [mention(article, n) for n in names], "datelines": list(datelines), "events": [], "deals": []}


def entity(name, type_, articles, mentions=()):
    return {"entity_id": "e_" + name, "name": name, "type": type_, "article_ids": list(articles), "mentions": list(mentions), "aliases": [name]}


def locate(extractions, rows, bodies=None, events=(), deals=(), published=()):
    """attach_places on rows this chunk touched, beside `published` deals it did not."""
    tables = {"entities": rows, "events": list(events), "deals": [*deals, *published]}
    touched = {"entities": {r["entity_id"] for r in rows}, "events": {e["event_id"] for e in events}, "deals": {d["deal_id"] for d in deals}}
    articles = [{"article_id": a, "body": b} for a, b in (bodies or {}).items()]
    attach_places(tables, touched, extractions, articles)
    return tables


def test_georgia_is_the_state_among_american_places_and_the_country_among_its_neighbours():
    rows = [entity("Georgia", "GPE", ["a1"]), entity("Georgia ", "GPE", ["a2"])]
    rows[1]["name"] = "Georgia"
    us = extraction("a1", "Georgia", "Atlanta", "Savannah", "Alabama", datelines=["ATLANTA"])
    caucasus = extraction("a2", "Georgia", "Armenia", "Azerbaijan", "Tbilisi")
    state = locate([us], [rows[0]])["entities"][0]
    country = locate([caucasus], [rows[1]])["entities"][0]
    assert (state["place_kind"], state["country_code"], state["geo_precision"]) == ("admin1", "USA", "admin1")
    assert state["latitude"] is not None and state["wikidata_id"] is None
    assert (country["place_kind"], country["country_code"], country["wikidata_id"]) == ("country", "GEO", "Q230")
    # Naming the United States is not enough for the state: it takes American places.
    assert read_place("Georgia", Counter({"USA": 3}))["place_kind"] == "country"
    assert read_place("Georgia", Counter({"USA": 3}), Counter({"USA": 1}))["place_kind"] == "admin1"


def test_a_city_several_countries_have_is_read_from_the_article_or_left_unresolved():
    pakistan = read_place("Hyderabad", Counter({"PAK": 2}))
    india = read_place("Hyderabad", Counter({"IND": 1}))
    assert pakistan["country_code"] == "PAK" and india["country_code"] == "IND"
    assert pakistan["geonames_id"] != india["geonames_id"] and pakistan["place_kind"] == "city"
    assert read_place("Hyderabad", Counter()) is None  # two large cities and no context: never guessed
    assert read_place("Córdoba", Counter({"ESP": 1}))["country_code"] == "ESP"
    assert read_place("Cordoba", Counter({"ARG": 1}))["country_code"] == "ARG"
    assert read_place("Santiago", Counter({"CHL": 1}))["country_code"] == "CHL"
    # One reading dwarfs the others: Lagos is Nigeria's unless the article is about Portugal.
    assert read_place("Lagos", Counter())["country_code"] == "NGA"
    assert read_place("Lagos", Counter({"PRT": 2}))["country_code"] == "PRT"
    assert read_place("Narnia Heights", Counter({"GBR": 3})) is None


def test_the_dateline_and_other_places_of_the_article_are_its_context():
    row = entity("Hyderabad", "GPE", ["a1"])
    (located,) = locate([extraction("a1", "Hyderabad", datelines=["KARACHI"])], [row])["entities"]
    assert located["country_code"] == "PAK" and located["latitude"] is not None and located["population"] > 100_000


def test_a_country_named_three_ways_is_coded_once():
    assert country_of_word("Türkiye") == country_of_word("Turkey") == country_of_word("Turkish") == "TUR"
    rows = [entity("Türkiye", "GPE", ["a1"]), entity("Turkish", "NORP", ["a1"])]
    located = locate([extraction("a1", "Türkiye", "Turkey", "Turkish")], rows)["entities"]
    assert [r["country_code"] for r in located] == ["TUR", "TUR"]
    assert located[0]["wikidata_id"] == "Q43" and located[1]["wikidata_id"] is None


def test_home_countries_the_text_states():
    body = "Zafira Oduya, Kenya's trade minister, met the Turkish Foreign Minister Ayla Demir. Kenya's Treasury agreed. Pakistan's Ambassador to the US Omar Qadir attended."
    at = lambda text: [{"article_id": "a1", "start": body.index(text), "end": body.index(text) + len(text), "text": text}]  # noqa: E731
    bodies = {"a1": body}
    assert home_country(entity("Zafira Oduya", "PERSON", ["a1"], at("Zafira Oduya")), bodies) == "KEN"
    assert home_country(entity("Ayla Demir", "PERSON", ["a1"], at("Ayla Demir")), bodies) == "TUR"
    assert home_country(entity("Treasury", "ORG", ["a1"], at("Treasury")), bodies) == "KEN"
    assert home_country(entity("Omar Qadir", "PERSON", ["a1"], at("Omar Qadir")), bodies) == "PAK"  # the US is where he serves
    assert home_country(entity("Bank of Japan", "ORG", ["a1"]), bodies) == "JPN"  # its name says so
    assert home_country(entity("Orlo Vance", "PERSON", ["a1"], at("attended")), bodies) is None


def test_events_and_deals_get_their_countries_and_untouched_rows_stay_as_they_were():
    rows = [entity("Kenya", "GPE", ["a1"]), entity("Mombasa", "GPE", ["a1"]), entity("Export-Import Bank of China", "ORG", ["a1"])]
    event = {"event_id": "v1", "location": "Mombasa", "actors": ["Kenya", "Export-Import Bank of China"]}
    deal = {"deal_id": "d1", "party_roles": [{"name": "Export-Import Bank of China", "role": "financier"}, {"name": "Kenya", "role": "recipient"}]}
    old = {"deal_id": "d0", "party_roles": [{"name": "Kenya", "role": "recipient"}]}
    tables = locate([extraction("a1", "Kenya", "Mombasa")], rows, events=[event], deals=[deal], published=[old])
    (ev,) = tables["events"]
    assert ev["location_country"] == "KEN" and ev["location_geonames_id"] == rows[1]["geonames_id"] is not None
    assert ev["actor_countries"] == ["KEN", "CHN"]
    assert (deal["recipient_country"], deal["financier_country"]) == ("KEN", "CHN")
    assert "recipient_country" not in old  # a published row lacking the column gets it when next touched
    locate([extraction("a1", "Kenya")], rows[:1], deals=[old])
    assert old["recipient_country"] == "KEN"


def test_published_rows_from_before_the_columns_still_resolve():
    from flows.resolve.resolver import build_tables

    body = "Kenya signed the accord in Mombasa."
    old_entity = {**entity("Kenya", "GPE", ["a0"]), "entity_id": "e_0000000000000001", "mention_count": 1, "extractor": "model", "run_id": "r0"}
    old_entity["mentions"] = [{"article_id": "a0", "sentence_index": 0, "start": 0, "end": 5, "text": "Kenya"}]
    published = {"articles": [{"article_id": "a0", "story_id": "s_0", "published_date": None, "body": body}], "entities": [old_entity], "events": [], "deals": []}
    ex = {"article_id": "a1", "mentions": [mention("a1", "Kenya"), mention("a1", "Mombasa", start=27)], "acronyms": [], "datelines": [], "events": [], "deals": []}
    article = {"article_id": "a1", "published_date": None, "body": body, "headline": None, "summary": []}
    proposal = build_tables([article], [ex], published, "r1")
    rows = {r["name"]: r for r in proposal.tables["entities"]}
    assert rows["Kenya"]["country_code"] == "KEN" and rows["Kenya"]["article_ids"] == ["a0", "a1"]
    assert rows["Mombasa"]["country_code"] == "KEN" and rows["Mombasa"]["place_kind"] == "city"
    assert "country_code" not in old_entity  # the published row itself is untouched: the chunk changed a copy


def test_a_city_the_model_typed_otherwise_is_placed_only_in_its_countrys_articles():
    rows = [entity("Kisumu", "FAC", ["a1"]), entity("Eldoret Mwangi", "PERSON", ["a1"]), entity("Kisumu", "FAC", ["a2"])]
    rows[2]["entity_id"] = "e_other"
    kenyan = locate([extraction("a1", "Kenya", "Kisumu")], rows[:2])["entities"]
    assert kenyan[0]["country_code"] == "KEN" and kenyan[0]["place_kind"] == "city" and kenyan[0]["latitude"] is not None
    assert kenyan[1]["latitude"] is None  # a full name is a person's
    (elsewhere,) = locate([extraction("a2", "Peru", "Kisumu")], rows[2:])["entities"]
    assert elsewhere["latitude"] is None and elsewhere["country_code"] is None


def test_a_resolved_row_keeps_its_reading_and_an_unresolved_one_is_read_again():
    resolved = {**entity("Hyderabad", "GPE", ["a1"]), "country_code": "PAK", "geonames_id": 1176734, "place_kind": "city"}
    unresolved = {**entity("Córdoba", "GPE", ["a1"]), "country_code": None, "geonames_id": None}
    locate([extraction("a1", "Hyderabad", "Córdoba", "India", "Spain", "Spain")], [resolved, unresolved])
    assert resolved["country_code"] == "PAK" and resolved["geonames_id"] == 1176734
    assert unresolved["country_code"] == "ESP" and unresolved["place_kind"] == "city"
