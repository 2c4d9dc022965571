"""flows.core.spanlist: published evidence lists held as Arrow give the rows, tables and checks plain lists give."""

from __future__ import annotations

import pyarrow as pa
import pytest

from flows.core import spanlist
from flows.core.spanlist import SpanList
from flows.resolve import retract
from flows.validate import contracts
from flows.validate import expectations as validate
from tests.resolve.test_incremental import CHUNKS, _resolve

CONTRACTS = contracts.load_contracts()
TABLES = ("entities", "events", "deals")
ITEM = CONTRACTS["events"].arrow_schema.field("evidence").type.value_type


def ev(aid: str, start: int) -> dict:
    return {"article_id": aid, "sentence_index": 0, "start": start, "end": start + 1, "text": "x"}


def arrow_of(state: dict) -> dict[str, pa.Table]:
    return {name: contracts.to_arrow(state[name], CONTRACTS[name]) for name in TABLES}


def frozen(state: dict) -> dict:
    """The state as the flow keeps it after a commit: list<struct> values are SpanLists."""
    return {name: spanlist.rows_from_table(table) for name, table in arrow_of(state).items()}


def test_a_span_list_reads_as_its_items_and_copies_share_the_published_part():
    items = SpanList(pa.array([ev("a1", 0), ev("a2", 5)], ITEM))
    copy = items.copy()
    copy.append(ev("a3", 9))
    assert len(items) == 2 and len(copy) == 3
    assert list(copy) == [ev("a1", 0), ev("a2", 5), ev("a3", 9)] == copy
    assert copy.frozen is items.frozen and items.added == []
    assert items != copy and items == [ev("a1", 0), ev("a2", 5)]
    assert spanlist.articles_of(copy) == {"a1", "a2", "a3"}
    assert spanlist.items_in(copy, frozenset({"a2", "a3"})) == [ev("a2", 5), ev("a3", 9)]
    kept = spanlist.without_articles(copy, frozenset({"a1", "a3"}))
    assert isinstance(kept, SpanList) and list(kept) == [ev("a2", 5)]


def test_a_list_column_mixes_span_lists_plain_lists_and_nulls():
    values = [SpanList(pa.array([ev("a1", 0)], ITEM), [ev("a1", 4)]), None, [], [ev("b", 1)], SpanList(pa.array([], ITEM))]
    column = spanlist.list_column(values, pa.list_(ITEM))
    plain = [v.to_list() if isinstance(v, SpanList) else v for v in values]
    assert column.equals(pa.array(plain, pa.list_(ITEM)))


def test_rows_read_back_as_span_lists_write_the_same_table():
    tables = arrow_of(_resolve(CHUNKS[0], {n: [] for n in TABLES}))
    for name, table in tables.items():
        rows = spanlist.rows_from_table(table)
        assert all(isinstance(r["evidence" if name != "entities" else "mentions"], SpanList) for r in rows)
        assert contracts.to_arrow(rows, CONTRACTS[name]).equals(table), name
    # A slice of a table (rows of a later Delta file) keeps its own items.
    sliced = tables["entities"].slice(1)
    assert contracts.to_arrow(spanlist.rows_from_table(sliced), CONTRACTS["entities"]).equals(sliced)


def test_resolving_and_retracting_against_span_lists_equals_plain_lists():
    first = _resolve(CHUNKS[0], {n: [] for n in TABLES})
    expected = arrow_of(_resolve(CHUNKS[1], first))
    got = arrow_of(_resolve(CHUNKS[1], frozen(first)))
    for name in TABLES:
        assert got[name].equals(expected[name]), name
    both = _resolve(CHUNKS[1], first)
    plain_retracted = arrow_of(retract.retract_articles({**both, "articles": []}, {"a1"}))
    frozen_retracted = arrow_of(retract.retract_articles({**frozen(both), "articles": []}, {"a1"}))
    for name in TABLES:
        assert frozen_retracted[name].equals(plain_retracted[name]), name


def test_freeze_holds_committed_rows_as_slices_of_the_written_table():
    rows = _resolve(CHUNKS[0], {n: [] for n in TABLES})["entities"]
    table = contracts.to_arrow(rows, CONTRACTS["entities"])
    spanlist.freeze(rows, table)
    assert all(isinstance(r["mentions"], SpanList) and not r["mentions"].added for r in rows)
    assert contracts.to_arrow(rows, CONTRACTS["entities"]).equals(table)


@pytest.mark.parametrize("mentions, rule", [(None, "not_null"), ([], "min_items")])
def test_evidence_lists_are_validated_on_their_length(mentions, rule):
    row = _resolve(CHUNKS[0], {n: [] for n in TABLES})["events"][0]
    table = contracts.to_arrow([row, {**row, "event_id": "v_0000000000000000", "evidence": mentions}], CONTRACTS["events"])
    result = validate.validate_table(table, CONTRACTS["events"])
    failing = [(f.column, f.rule, f.sample_rows) for f in result.critical_failures]
    assert failing == [("evidence", rule, [1])]
