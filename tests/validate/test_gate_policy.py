"""The gate's policy on plain rows: what is published, what is rejected, when a rejection closes."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from flows.validate import gate
from flows.validate.contracts import load_contracts, to_arrow
from flows.validate.expectations import validate_table
from tests.validate.test_validate import REFERENCES, make_rows

JUDGEMENT = gate.Judgement("run-2", "0.1.0+new", "aaaaaaaaaaaa", dt.datetime(2026, 1, 2, tzinfo=dt.UTC))


@pytest.fixture(scope="module")
def contracts():
    return load_contracts()


def judged(contracts, table, rows):
    arrow = to_arrow(rows, contracts[table])
    return gate.judge(rows, arrow, validate_table(arrow, contracts[table], references=REFERENCES), contracts[table], JUDGEMENT, {"a_0000000000000001"})


def test_a_rejected_row_leaves_the_table_and_becomes_a_rejection_with_its_reasons(contracts):
    rows = make_rows("deals")
    rows[1].update(amount=-5.0, currency="usd")  # two rules broken by one row
    verdict = judged(contracts, "deals", rows)
    assert not verdict.refused and verdict.rejected_keys == {rows[1]["deal_id"]}
    assert verdict.accepted.num_rows == 4 and [r["deal_id"] for r in verdict.accepted_rows] == [r["deal_id"] for i, r in enumerate(rows) if i != 1]
    assert {(r["column"], r["rule"], r["value"]) for r in verdict.rejections} == {("amount", "min 0", "-5.0"), ("currency", "regex", "usd")}
    for r in verdict.rejections:
        assert r["row_key"] == rows[1]["deal_id"] and json.loads(r["row"])["amount"] == -5.0
        assert (r["run_id"], r["code_version"], r["contract_version"]) == ("run-2", "0.1.0+new", "aaaaaaaaaaaa")
    assert len({r["rejection_id"] for r in verdict.rejections}) == 2
    to_arrow(verdict.rejections, contracts["rejections"])  # they fit their own contract


def test_a_refused_table_publishes_nothing(contracts):
    rows = make_rows("deals")
    rows[3]["deal_id"] = rows[0]["deal_id"]
    verdict = judged(contracts, "deals", rows)
    assert verdict.refused and verdict.accepted is None and not verdict.rejections


def test_a_rejection_names_the_chunks_articles_that_made_the_row(contracts):
    rows = make_rows("entities", 2)
    rows[0].update(name="X", article_ids=["a_0000000000000000", "a_0000000000000001"])
    (rejection,) = judged(contracts, "entities", rows).rejections
    assert rejection["article_ids"] == ["a_0000000000000001"]  # the other article's part is published already


def open_rejection(**fields):
    base = {"rejection_id": "r_1", "run_id": "run-1", "table": "entities", "row_key": "e_1", "article_ids": ["a_1"], "code_version": "0.1.0+old", "contract_version": "aaaaaaaaaaaa", "resolved_by_run": None, "row": "{}"}
    return {**base, **fields}


def test_settle_resolves_by_key_or_by_articles_redone_and_merges_articles_of_a_repeat():
    by_key = open_rejection(rejection_id="r_key", row_key="e_9")
    redone = open_rejection(rejection_id="r_redone", article_ids=["a_1", "a_2"])
    half = open_rejection(rejection_id="r_half", article_ids=["a_1", "a_3"])
    again = open_rejection(rejection_id="r_again", article_ids=["a_4"])
    made_again = {**again, "run_id": "run-2", "article_ids": ["a_5"]}
    written = {r["rejection_id"]: r for r in gate.settle({r["rejection_id"]: r for r in (by_key, redone, half, again)}, [made_again], {"entities": {"e_9"}}, {"a_1", "a_2"}, "run-2")}
    assert written["r_key"]["resolved_by_run"] == written["r_redone"]["resolved_by_run"] == "run-2"
    assert "r_half" not in written  # a_3 was not extracted again
    assert written["r_again"]["resolved_by_run"] is None and written["r_again"]["article_ids"] == ["a_4", "a_5"]


def test_a_rejection_of_this_run_is_not_resolved_by_its_own_articles():
    mine = open_rejection(run_id="run-2")
    assert gate.settle({"r_1": mine}, [], {}, {"a_1"}, "run-2") == []


def test_stale_rejections_send_their_articles_back_and_fresh_rejected_articles_are_skipped():
    rows = [
        open_rejection(rejection_id="r_a", article_ids=["a_1"]),  # other code
        open_rejection(rejection_id="r_b", article_ids=["a_2"], code_version="0.1.0+new"),  # this code
        open_rejection(rejection_id="r_c", article_ids=["a_3"], code_version="0.1.0+new", contract_version="bbbbbbbbbbbb"),  # other contracts
        open_rejection(rejection_id="r_d", table="articles", row_key="a_4", article_ids=["a_4"], code_version="0.1.0+new", row=json.dumps({"source_hash": "s4", "content_hash": "c4"})),
    ]
    assert gate.stale_articles(rows, "0.1.0+new", "aaaaaaaaaaaa") == {"a_1", "a_3"}
    assert gate.skipped_sources(rows, "0.1.0+new", "aaaaaaaaaaaa") == {"a_4": ("s4", "c4")}


def test_published_after_keeps_the_published_row_where_its_new_version_was_rejected():
    old = {"k": "a", "v": 1}
    proposed = [{"k": "a", "v": 2}, {"k": "b", "v": 1}, {"k": "c", "v": 1}]
    assert gate.published_after([old], proposed, {"a", "c"}, "k") == [old, proposed[1]]


def test_the_rejection_line_counts_rows_and_rules():
    rows = [
        {"table": "entities", "row_key": "e_1", "rejection_id": "r_1", "column": "name", "rule": "min_length 2", "severity": "critical"},
        {"table": "entities", "row_key": "e_2", "rejection_id": "r_2", "column": "name", "rule": "min_length 2", "severity": "critical"},
        {"table": "deals", "row_key": "d_1", "rejection_id": "r_3", "column": "amount", "rule": "max 1000000000", "severity": "critical"},
        {"table": "deals", "row_key": "d_1", "rejection_id": "r_4", "column": "sector", "rule": "allowed", "severity": "warning"},
    ]
    assert gate.rejection_line(rows) == "3 rows rejected: entities.name min_length 2 (2), deals.amount max 1000000000 (1)"
    assert gate.rejection_line([]) == ""
