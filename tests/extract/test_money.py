"""Amount forms (rules/money.yaml and the world's currencies) on text written for these tests."""

from __future__ import annotations

import pytest

from flows.extract.money import drop_restatements, find_amounts, parse_money


def amounts(text: str) -> list[tuple[float, str | None, str]]:
    return [(m.amount, m.currency, m.text) for m in drop_restatements(text, find_amounts(text, 0, len(text)))]


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("a $40-million grant", 4e7, "USD"),  # a hyphen before the scale
        ("a 12.5-billion-yen loan", 1.25e10, "JPY"),  # and before a currency name
        ("$70 millions", 7e7, "USD"),  # a plural scale
        ("KSh7.2 billion", 7.2e9, "KES"),  # a symbol from the world tables, glued to the number
        ("Dh15 billion", 1.5e10, "AED"),  # a newswire form no package knows
        ("Tk 3,480 crore", 3.48e10, "BDT"),  # crore
        ("Rs 2.5 lakh", 2.5e5, "PKR"),  # lakh, and the house reading of "Rs"
        ("Rs 1,25,000", 1.25e5, "PKR"),  # lakh grouping of digits
        ("SDR 1.1bn", 1.1e9, "XDR"),
        ("¥9bn", 9e9, "JPY"),
        ("R$ 4 bi", 4e9, "BRL"),  # the Portuguese scale word
        ("NGN 80 billion", 8e10, "NGN"),  # any ISO code
        ("450 million Kenyan shillings", 4.5e8, "KES"),  # a currency's English name
        ("3 billion tenge", 3e9, "KZT"),
        ("2 trillion won", 2e12, "KRW"),  # a shared name read as the file says
        ("Ksh14 billon", 1.4e10, "KES"),  # a scale word with a letter dropped keeps its scale
        ("$8 milion", 8e6, "USD"),
    ],
)
def test_amount_forms(text, amount, currency):
    found = amounts(text)
    assert len(found) == 1 and found[0][0] == pytest.approx(amount) and found[0][1] == currency


@pytest.mark.parametrize("text", ["all 3 members", "won 5 seats in May", "a 5-year term", "K 200 runners"])
def test_words_that_look_like_markers_mark_no_amount(text):
    assert amounts(text) == []


def test_a_bracketed_conversion_restates_the_amount_before_it():
    found = amounts("a loan of 40 billion yen (about $270 million) for the port")
    assert [a[:2] for a in found] == [(4e10, "JPY")]
    found = amounts("a credit of $90 million (roughly Tk 1,070 crore at Tk 119 per dollar), and $5 million more")
    assert [a[:2] for a in found] == [(9e7, "USD"), (5e6, "USD")]  # the bracket's rate goes too; the next amount stays


def test_a_bracket_that_does_not_follow_an_amount_keeps_its_amount():
    assert [a[1] for a in amounts("the agency (which lent €30 million) said")] == ["EUR"]


def test_a_sentence_end_is_no_part_of_the_amount():
    assert parse_money("$3.3bn.", 0, 7).text == "$3.3bn"
    assert amounts("grew to $8 million-")[0][2] == "$8 million"
