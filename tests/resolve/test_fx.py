"""Comparable money (issue 17): amounts at the rate of the deal's date, constant dollars, fallbacks."""

from __future__ import annotations

import datetime as dt
import socket

import pytest

from flows.core.rules import load_rules
from flows.resolve import fx


def deal(amount, currency, on, **published):
    return {"amount": amount, "currency": currency, "announced_date": on, **published}


def test_a_yen_deal_of_2019_and_one_of_2025_convert_at_their_own_rates():
    old = fx.convert_row(deal(50e9, "JPY", dt.date(2019, 3, 12)))
    new = fx.convert_row(deal(50e9, "JPY", dt.date(2025, 3, 12)))
    assert old["fx_source"] == new["fx_source"] == "ecb"
    assert old["fx_date"] == dt.date(2019, 3, 12) and new["fx_date"] == dt.date(2025, 3, 12)
    assert old["amount_usd"] != new["amount_usd"]
    # The yen lost about a quarter against the dollar between those days (about 111 and 148 to the dollar).
    assert 0.70 < new["amount_usd"] / old["amount_usd"] < 0.82
    # In constant 2025 dollars the 2019 amount is worth more than its nominal dollars; a 2025 one about the same.
    assert old["amount_usd_constant"] > 1.15 * old["amount_usd"]
    assert new["amount_usd_constant"] == pytest.approx(new["amount_usd"], rel=0.02)
    assert "CPI-U" in old["deflator_version"] and "2025" in old["deflator_version"]


def test_a_date_string_and_a_weekend_convert_too():
    saturday = fx.convert_row(deal(1e6, "EUR", "2024-06-15"))
    assert saturday["fx_source"] == "ecb" and saturday["fx_date"] == dt.date(2024, 6, 15)
    assert 1.0e6 < saturday["amount_usd"] < 1.2e6


def test_a_currency_the_ecb_lacks_falls_back_to_the_yearly_table():
    table = load_rules("fx")
    row = fx.convert_row(deal(2e9, "PKR", dt.date(2025, 8, 1)))
    assert row["fx_source"] == "table" and row["fx_version"] == table["version"]
    assert row["amount_usd"] == pytest.approx(2e9 * table["rates"]["PKR"])
    assert row["amount_usd_constant"] is not None


def test_a_currency_nobody_has_a_rate_for_stays_null():
    assert all(v is None for v in fx.convert_row(deal(5e6, "XYZ", dt.date(2025, 1, 2))).values())
    assert all(v is None for v in fx.convert_row(deal(None, None, dt.date(2025, 1, 2))).values())


def test_dollars_are_not_converted_and_an_undated_amount_is_taken_as_of_the_base_year():
    row = fx.convert_row(deal(3e8, "USD", None))
    assert row["amount_usd"] == 3e8 and row["fx_source"] == "usd" and row["fx_date"] is None
    assert row["amount_usd_constant"] == 3e8 and "undated" in row["deflator_version"]


def test_a_month_the_index_skipped_uses_the_month_before():
    # BLS published no CPI for October 2025: the September figure stands in.
    october = fx.constant_usd(1e6, dt.date(2025, 10, 20))
    september = fx.constant_usd(1e6, dt.date(2025, 9, 20))
    assert october == september


def test_a_published_row_keeps_its_figures_and_gains_what_it_lacked():
    before = deal(1e9, "EUR", dt.date(2021, 5, 5), amount_usd=1.13e9, fx_version="2025-avg-v1")
    row = fx.convert_row(before)
    assert row["amount_usd"] == 1.13e9 and row["fx_version"] == "2025-avg-v1" and row["fx_source"] == "table"
    assert row["amount_usd_constant"] is not None
    again = fx.convert_row({**before, **row})
    assert again == row


def test_nothing_is_downloaded(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    for cached in (fx._converter, fx._cpi, fx.ecb_version):
        cached.cache_clear()
    row = fx.convert_row(deal(7e6, "GBP", dt.date(2023, 2, 1)))
    assert row["fx_source"] == "ecb" and row["amount_usd_constant"] is not None
