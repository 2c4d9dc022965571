"""Data Docs identifiers: every run id gives a storable key."""

from __future__ import annotations

from flows.validate.datadocs import identify


def test_a_run_id_that_looks_like_a_utc_offset_still_makes_a_key():
    # GE parses a bare run name as a date: "-091234" would read as an offset of 9 hours 12 minutes ...
    key = identify("deals", 0, "20261122T182926Z-091234").to_tuple()
    assert key[1] == "20261122T182926Z-091234" and key[0] == key[-1] == "deals"
    assert identify("deals", 1, "r").to_tuple()[0] == "deals-references"
