"""Validation: each contract rule catches a bad row and names it by primary key."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
import yaml

from flows.core.schemas import SOURCE_SCHEMAS as DEFAULT_SCHEMAS_DIR
from flows.validate.contracts import load_contracts, to_arrow
from flows.validate.declarations import TableContract
from flows.validate.expectations import validate_table, validate_tables
from flows.validate.results import ValidationResult
from flows.validate.suites import build_suite

ARTICLE_IDS = [f"a_{i:016x}" for i in range(3)]
REFERENCES = {"articles.article_id": set(ARTICLE_IDS)}


def evidence(article_id: str = ARTICLE_IDS[0]) -> dict[str, Any]:
    return {"article_id": article_id, "sentence_index": 0, "start": 0, "end": 5, "text": "Hello"}


def make_article(i: int) -> dict[str, Any]:
    return {
        "article_id": f"a_{i:016x}",
        "content_hash": f"{i:016x}",
        "source_uri": f"seeds/{i}.txt",
        "outlet": None,
        "headline": "Hello",
        "dateline": "Islamabad",
        "published_date": dt.date(2025, 12, 10),
        "published_date_source": "header",
        "summary": [],
        "body": "Hello world",
        "language": "en",
        "word_count": 2,
        "story_id": f"s_{i:016x}",
        "quality_flags": ["no_published_date"],
        "run_id": "run-1",
    }


def make_entity(i: int) -> dict[str, Any]:
    return {
        "entity_id": f"e_{i:016x}",
        "name": f"Entity {i}",
        "type": "ORG",
        "aliases": [f"Entity {i}"],
        "article_ids": [ARTICLE_IDS[i % 3]],
        "mention_count": 1,
        "mentions": [evidence(ARTICLE_IDS[i % 3])],
        "extractor": "model",
        "run_id": "run-1",
    }


def make_event(i: int) -> dict[str, Any]:
    return {
        "event_id": f"v_{i:016x}",
        "event_type": "meeting",
        "plover_category": "CONSULT",
        "plover_mode": None,
        "actors": ["Ishaq Dar"],
        "location": None,
        "event_date": None,
        "date_text": None,
        "date_granularity": None,
        "date_method": "none",
        "article_ids": [ARTICLE_IDS[0], ARTICLE_IDS[1]],
        "evidence": [evidence(), evidence(ARTICLE_IDS[1])],
        "extractor": "triggers:meeting",
        "confidence": 0.5,
        "run_id": "run-1",
    }


def make_deal(i: int) -> dict[str, Any]:
    return {
        "deal_id": f"d_{i:016x}",
        "deal_type": "loan",
        "status": "signed",
        "parties": ["ADB", "Pakistan"],
        "party_roles": [{"name": "ADB", "role": "financier"}],
        "amount": 5.0e8,
        "currency": "USD",
        "amount_text": "USD 500 million",
        "amount_qualifier": None,
        "sector": None,
        "project": None,
        "counts_toward_totals": True,
        "part_of": None,
        "announced_date": dt.date(2025, 12, 10),
        "article_ids": [ARTICLE_IDS[2]],
        "evidence": [evidence(ARTICLE_IDS[2])],
        "extractor": "deal_triggers:loan",
        "confidence": 0.8,
        "run_id": "run-1",
    }


MAKERS: dict[str, Callable[[int], dict[str, Any]]] = {
    "articles": make_article,
    "entities": make_entity,
    "events": make_event,
    "deals": make_deal,
}


@pytest.fixture(scope="module")
def contracts() -> dict[str, TableContract]:
    return load_contracts()


def make_rows(table: str, n: int = 5) -> list[dict[str, Any]]:
    return [MAKERS[table](i) for i in range(n)]


def find_failure(result: ValidationResult, expectation: str, column: str):
    matches = [f for f in result.failures if f.expectation == expectation and f.column == column]
    assert matches, f"no {expectation} failure on {column}: {result.to_dict()}"
    return matches[0]


@pytest.mark.parametrize("table", ["articles", "entities", "events", "deals"])
def test_valid_table_passes(contracts, table):
    result = validate_table(
        to_arrow(make_rows(table), contracts[table]), contracts[table], references=REFERENCES
    )
    assert result.success, result.to_dict()
    assert result.failures == []
    assert result.n_rows == 5
    assert result.n_expectations > len(contracts[table].columns)


# (table, column, bad value, GE expectation that must catch it)
BAD_VALUES = [
    ("articles", "published_date_source", "guessed", "expect_column_values_to_be_in_set"),
    ("articles", "language", "English", "expect_column_values_to_match_regex"),
    ("articles", "story_id", "s_XYZ", "expect_column_values_to_match_regex"),
    ("articles", "word_count", 0, "expect_column_values_to_be_between"),
    ("articles", "body", "", "expect_column_value_lengths_to_be_between"),
    ("articles", "source_uri", None, "expect_column_values_to_not_be_null"),
    ("articles", "summary", None, "expect_column_values_to_not_be_null"),
    ("entities", "type", "person", "expect_column_values_to_be_in_set"),
    ("entities", "name", "X", "expect_column_value_lengths_to_be_between"),
    ("events", "event_type", "phonecall", "expect_column_values_to_be_in_set"),
    ("events", "confidence", 1.5, "expect_column_values_to_be_between"),
    ("events", "actors", [], "expect_column_values_to_be_between"),
    ("events", "evidence", [], "expect_column_values_to_be_between"),
    ("deals", "amount", -1.0, "expect_column_values_to_be_between"),
    ("deals", "currency", "usd", "expect_column_values_to_match_regex"),
    ("deals", "status", "rumoured", "expect_column_values_to_be_in_set"),
    ("deals", "article_ids", [], "expect_column_values_to_be_between"),
    ("deals", "counts_toward_totals", None, "expect_column_values_to_not_be_null"),
]


@pytest.mark.parametrize(("table", "column", "value", "expectation"), BAD_VALUES)
def test_bad_value_fails_and_names_the_row(contracts, table, column, value, expectation):
    rows = make_rows(table)
    rows[3][column] = value
    contract = contracts[table]
    result = validate_table(to_arrow(rows, contract), contract, references=REFERENCES)
    assert not result.success
    failure = find_failure(result, expectation, column)
    assert failure.severity == "critical"
    assert failure.unexpected_count == 1
    assert failure.sample_ids == [rows[3][contract.primary_key]]
    assert failure.sample_rows == [3]
    assert failure.table == table
    # Only the broken rule fails; a check that misfires on good rows would show up here.
    assert [(f.expectation, f.column) for f in result.failures] == [(expectation, column)]


def test_null_id_is_reported_by_row_position(contracts):
    rows = make_rows("deals")
    rows[2]["deal_id"] = None
    result = validate_table(to_arrow(rows, contracts["deals"]), contracts["deals"])
    failure = find_failure(result, "expect_column_values_to_not_be_null", "deal_id")
    assert failure.sample_ids == [None]
    assert failure.sample_rows == [2]


def test_duplicate_id_names_both_rows(contracts):
    rows = make_rows("entities")
    rows[4]["entity_id"] = rows[1]["entity_id"]
    result = validate_table(to_arrow(rows, contracts["entities"]), contracts["entities"])
    failure = find_failure(result, "expect_column_values_to_be_unique", "entity_id")
    assert failure.unexpected_count == 2
    assert failure.sample_rows == [1, 4]
    assert failure.sample_ids == [rows[1]["entity_id"]] * 2
    assert not result.success


@pytest.mark.parametrize("table", ["entities", "events", "deals"])
def test_unknown_article_id_fails_referential_integrity(contracts, table):
    rows = make_rows(table)
    rows[2]["article_ids"] = [ARTICLE_IDS[0], "a_ffffffffffffffff"]
    contract = contracts[table]
    result = validate_table(to_arrow(rows, contract), contract, references=REFERENCES)
    failure = find_failure(result, "expect_column_values_to_be_in_set", "article_ids")
    assert failure.sample_ids == [rows[2][contract.primary_key]]
    assert failure.unexpected_count == 1
    assert "a_ffffffffffffffff" in failure.detail
    assert not result.success


def test_references_are_skipped_when_not_given(contracts):
    rows = make_rows("entities")
    rows[0]["article_ids"] = ["a_ffffffffffffffff"]
    result = validate_table(to_arrow(rows, contracts["entities"]), contracts["entities"])
    assert result.success


def test_validate_tables_takes_references_from_the_articles_given(contracts):
    entities = make_rows("entities")
    entities[1]["article_ids"] = ["a_ffffffffffffffff"]
    tables = {
        "articles": to_arrow(make_rows("articles", 3), contracts["articles"]),
        "entities": to_arrow(entities, contracts["entities"]),
        "deals": to_arrow(make_rows("deals"), contracts["deals"]),
    }
    results = validate_tables(tables, contracts)
    assert results["articles"].success and results["deals"].success
    assert not results["entities"].success
    failure = find_failure(results["entities"], "expect_column_values_to_be_in_set", "article_ids")
    assert failure.sample_ids == [entities[1]["entity_id"]]


def test_validate_tables_adds_known_ids_to_the_articles_given(contracts):
    entities = make_rows("entities")
    entities[1]["article_ids"] = ["a_ffffffffffffffff"]
    tables = {
        "articles": to_arrow(make_rows("articles", 3), contracts["articles"]),
        "entities": to_arrow(entities, contracts["entities"]),
    }
    known = {"articles.article_id": {"a_ffffffffffffffff"}}
    assert validate_tables(tables, contracts, references=known)["entities"].success


def test_each_validation_of_a_chunk_starts_on_a_new_ge_context(contracts):
    """GE's context keeps something of every batch it validated: a long run renews it per chunk."""
    from flows.validate.context import get_gx_context

    tables = {"articles": to_arrow(make_rows("articles", 3), contracts["articles"])}
    validate_tables(tables, contracts)
    first = get_gx_context()
    assert validate_tables(tables, contracts)["articles"].success
    assert get_gx_context() is not first


def test_warning_severity_is_reported_but_does_not_fail(tmp_path):
    schemas = tmp_path / "schemas"
    shutil.copytree(DEFAULT_SCHEMAS_DIR, schemas)
    path = schemas / "deals.yaml"
    declaration = yaml.safe_load(path.read_text(encoding="utf-8"))
    for column in declaration["columns"]:
        if column["name"] == "amount":
            column["severity"] = "warning"
    path.write_text(yaml.safe_dump(declaration, sort_keys=False), encoding="utf-8")
    lenient = load_contracts(schemas)["deals"]
    rows = make_rows("deals")
    rows[0]["amount"] = -3.0
    result = validate_table(to_arrow(rows, lenient), lenient)
    assert result.success
    assert result.critical_failures == []
    (warning,) = result.warnings
    assert warning.severity == "warning" and warning.column == "amount"
    assert warning.sample_ids == [rows[0]["deal_id"]]


def test_nulls_pass_rules_on_nullable_columns(contracts):
    rows = make_rows("deals")
    for column in ("amount", "currency", "amount_qualifier"):
        rows[0][column] = None
    result = validate_table(to_arrow(rows, contracts["deals"]), contracts["deals"])
    assert result.success, result.to_dict()


def test_critical_failure_is_listed_apart_from_warnings(contracts):
    rows = make_rows("deals")
    rows[0]["currency"] = "usd"
    result = validate_table(to_arrow(rows, contracts["deals"]), contracts["deals"])
    assert [f.column for f in result.critical_failures] == ["currency"]
    assert result.warnings == []


@pytest.mark.parametrize("table", ["articles", "entities", "events", "deals"])
def test_empty_table_passes(contracts, table):
    result = validate_table(to_arrow([], contracts[table]), contracts[table], references=REFERENCES)
    assert result.success and result.n_rows == 0 and result.failures == []


def test_missing_column_is_reported_once(contracts):
    table = to_arrow(make_rows("articles"), contracts["articles"]).drop_columns(["language"])
    result = validate_table(table, contracts["articles"])
    assert not result.success
    assert {(f.expectation, f.column) for f in result.failures} == {
        ("expect_column_to_exist", "language"),
        ("expect_table_columns_to_match_set", None),
    }


def test_extra_column_is_reported(contracts):
    frame = pd.DataFrame(make_rows("articles"))
    frame["surprise"] = 1
    result = validate_table(frame, contracts["articles"])
    failure = find_failure(result, "expect_table_columns_to_match_set", None)
    assert "surprise" in failure.detail
    assert not result.success


def test_dataframe_with_python_lists_is_validated_and_not_mutated(contracts):
    rows = make_rows("events")
    rows[1]["evidence"] = []
    rows[2]["article_ids"] = ["a_ffffffffffffffff"]
    frame = pd.DataFrame(rows, index=[10, 20, 30, 40, 50])
    before = frame.copy()
    result = validate_table(frame, contracts["events"], references=REFERENCES)
    pd.testing.assert_frame_equal(frame, before)
    short = find_failure(result, "expect_column_values_to_be_between", "evidence")
    assert short.sample_ids == [rows[1]["event_id"]]
    unknown = find_failure(result, "expect_column_values_to_be_in_set", "article_ids")
    assert unknown.sample_rows == [2]


def test_arrow_input_is_not_mutated(contracts):
    table = to_arrow(make_rows("deals"), contracts["deals"])
    before = table.to_pylist()
    validate_table(table, contracts["deals"], references=REFERENCES)
    assert table.to_pylist() == before
    assert table.schema == contracts["deals"].arrow_schema


def test_sample_ids_are_capped_at_twenty(contracts):
    rows = make_rows("articles", 30)
    for row in rows:
        row["language"] = "English"
    result = validate_table(to_arrow(rows, contracts["articles"]), contracts["articles"])
    failure = find_failure(result, "expect_column_values_to_match_regex", "language")
    assert failure.unexpected_count == 30
    assert failure.sample_ids == [row["article_id"] for row in rows[:20]]


def test_to_dict_is_json_ready(contracts):
    rows = make_rows("events")
    rows[0]["confidence"] = 2.0
    rows[1]["event_id"] = None
    result = validate_table(to_arrow(rows, contracts["events"]), contracts["events"])
    payload = json.loads(json.dumps(result.to_dict()))
    assert payload["success"] is False
    assert payload["n_rows"] == 5
    assert payload["n_critical_failures"] == len(result.critical_failures) == 2
    assert {f["column"] for f in payload["failures"]} == {"event_id", "confidence"}


def test_suite_is_derived_from_the_contract(contracts):
    suite = build_suite(contracts["deals"])
    expectations = {(e.expectation_type, getattr(e, "column", None)) for e in suite.expectations}
    assert ("expect_column_values_to_be_unique", "deal_id") in expectations
    assert ("expect_column_values_to_match_regex", "deal_id") in expectations
    assert ("expect_column_values_to_be_in_set", "deal_type") in expectations
    assert ("expect_column_values_to_be_between", "evidence__len") in expectations
    assert ("expect_column_values_to_not_be_null", "amount") not in expectations
    exists = {column for kind, column in expectations if kind == "expect_column_to_exist"}
    assert exists == set(contracts["deals"].column_names)
    assert all(e.meta["severity"] in ("critical", "warning") for e in suite.expectations)


def test_repeated_calls_reuse_one_context(contracts):
    table = to_arrow(make_rows("articles"), contracts["articles"])
    first = validate_table(table, contracts["articles"])
    second = validate_table(table, contracts["articles"])
    assert first.to_dict() == second.to_dict()
    from flows.validate.context import get_gx_context

    assert get_gx_context() is get_gx_context()
    # Assets are removed after each run, so a long pipeline does not pile up frames.
    assert get_gx_context().data_sources.get("newsflow").assets == []


def test_numpy_list_values_are_counted(contracts):
    # Arrow -> pandas yields numpy arrays for list columns; lengths must still be checked.
    rows = make_rows("deals")
    rows[4]["parties"] = []
    frame = to_arrow(rows, contracts["deals"]).to_pandas()
    assert not isinstance(frame["parties"].iloc[0], list)
    result = validate_table(frame, contracts["deals"])
    assert find_failure(result, "expect_column_values_to_be_between", "parties").sample_rows == [4]


def test_arrow_table_type_is_accepted_directly(contracts):
    assert isinstance(to_arrow(make_rows("articles"), contracts["articles"]), pa.Table)


def test_only_failed_checks_carry_unexpected_values_each_its_own(contracts):
    # Two bad values in two columns plus a missing column (whose checks raise, and GE lists
    # them last): each failure keeps its own examples, and passing checks carry no lists.
    rows = make_rows("articles")
    rows[1]["language"] = "english"
    rows[3]["published_date_source"] = "guessed"
    table = to_arrow(rows, contracts["articles"]).drop_columns(["dateline"])
    result = validate_table(table, contracts["articles"])
    by_column = {f.column: f for f in result.failures}
    assert by_column["language"].sample_ids == [rows[1]["article_id"]] and "english" in by_column["language"].detail
    assert by_column["published_date_source"].sample_ids == [rows[3]["article_id"]] and "guessed" in by_column["published_date_source"].detail
    assert "dateline" in by_column
    outcome = result.outcomes[0]
    passed = [r for r in outcome.results if r.success]
    assert passed and all("partial_unexpected_list" not in (r.result or {}) for r in passed)
    assert all("partial_unexpected_list" in r.result for r in outcome.results if not r.success and r.expectation_config.kwargs.get("column") in {"language", "published_date_source"})


@pytest.mark.parametrize(("table", "column", "value", "expectation"), BAD_VALUES)
def test_a_broken_row_check_names_every_breaking_row_and_refuses_nothing(contracts, table, column, value, expectation):
    rows = make_rows(table, 8)
    for i in (1, 6):
        rows[i][column] = value
    result = validate_table(to_arrow(rows, contracts[table]), contracts[table], references=REFERENCES)
    failure = find_failure(result, expectation, column)
    assert failure.row_level and [row for row, _ in failure.breaks] == [1, 6]
    assert not result.refused and result.rejected_rows == {1, 6}


def test_every_breaking_row_is_named_past_the_sample(contracts):
    rows = make_rows("entities", 60)
    for row in rows[5:55]:
        row["name"] = "X"
    result = validate_table(to_arrow(rows, contracts["entities"]), contracts["entities"], references=REFERENCES)
    failure = find_failure(result, "expect_column_value_lengths_to_be_between", "name")
    assert len(failure.sample_ids) == 20 and result.rejected_rows == set(range(5, 55))
    assert {value for _, value in failure.breaks} == {"X"}


def test_a_null_key_rejects_its_row_by_position(contracts):
    rows = make_rows("deals")
    rows[2]["deal_id"] = None
    result = validate_table(to_arrow(rows, contracts["deals"]), contracts["deals"])
    assert not result.refused and result.rejected_rows == {2}


@pytest.mark.parametrize("fault", ["duplicate key", "missing column", "extra column"])
def test_a_broken_table_check_refuses_the_table(contracts, fault):
    rows = make_rows("entities")
    if fault == "duplicate key":
        rows[4]["entity_id"] = rows[1]["entity_id"]
        table = to_arrow(rows, contracts["entities"])
    else:
        table = to_arrow(rows, contracts["entities"])
        table = table.drop_columns(["extractor"]) if fault == "missing column" else table.append_column("mood", pa.array(["ok"] * len(rows)))
    result = validate_table(table, contracts["entities"], references=REFERENCES)
    assert result.refused and not result.success


def test_a_rejected_article_anchors_no_reference(contracts):
    articles = make_rows("articles", 3)
    articles[0]["language"] = "English"
    entities = make_rows("entities", 3)  # entity i cites article i
    results = validate_tables({"articles": to_arrow(articles, contracts["articles"]), "entities": to_arrow(entities, contracts["entities"])}, contracts)
    assert results["articles"].rejected_rows == {0}
    assert results["entities"].rejected_rows == {0} and not results["entities"].refused


def test_an_unknown_reference_in_a_row_citing_several_articles_rejects_that_row(contracts):
    rows = make_rows("events", 4)
    for row in rows:
        row["article_ids"] = [ARTICLE_IDS[0], ARTICLE_IDS[1]]
        row["evidence"] = [evidence(ARTICLE_IDS[0]), evidence(ARTICLE_IDS[1])]
    rows[2]["article_ids"] = [ARTICLE_IDS[0], "a_ffffffffffffffff", "a_eeeeeeeeeeeeeeee", ARTICLE_IDS[1]]
    result = validate_table(to_arrow(rows, contracts["events"]), contracts["events"], references=REFERENCES)
    failure = find_failure(result, "expect_column_values_to_be_in_set", "article_ids")
    assert failure.breaks == [(2, "a_ffffffffffffffff"), (2, "a_eeeeeeeeeeeeeeee")] and result.rejected_rows == {2}
