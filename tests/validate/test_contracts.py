"""Contracts: YAML declarations -> Arrow schema, rules, to_arrow, data dictionary."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from flows.core.schemas import SOURCE_SCHEMAS as DEFAULT_SCHEMAS_DIR
from flows.core.schemas import load_codebook
from flows.validate.contracts import load_contracts, to_arrow
from flows.validate.declarations import ContractError, list_rules
from flows.validate.dictionary import DEFAULT_OUTPUT, render_dictionary

TABLES = ["articles", "entities", "events", "deals", "rejections"]

# Written out by hand (not derived from flows.contracts) so a parsing bug cannot hide.
EVIDENCE = pa.struct(
    [
        ("article_id", pa.string()),
        ("sentence_index", pa.int32()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("text", pa.string()),
    ]
)
PARTY_ROLE = pa.struct([("name", pa.string()), ("role", pa.string())])
EXPECTED_TYPES = {
    "string": pa.string(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "evidence": EVIDENCE,
    "party_role": PARTY_ROLE,
}


def expected_type(declared: str) -> pa.DataType:
    if declared.startswith("list<") and declared.endswith(">"):
        return pa.list_(expected_type(declared[5:-1]))
    return EXPECTED_TYPES[declared]


def read_declaration(table: str) -> dict:
    return yaml.safe_load((DEFAULT_SCHEMAS_DIR / f"{table}.yaml").read_text(encoding="utf-8"))


EVIDENCE_ROW = {
    "article_id": "a_0000000000000001",
    "sentence_index": 0,
    "start": 0,
    "end": 5,
    "text": "Hello",
}

SAMPLE_ROWS = {
    "articles": {
        "article_id": "a_0000000000000001",
        "content_hash": "0123456789abcdef",
        "source_hash": "fedcba9876543210",
        "source_uri": "seeds/x.txt",
        "outlet": None,
        "headline": "Hello",
        "dateline": "Islamabad",
        "published_date": dt.date(2025, 12, 10),
        "published_date_source": "header",
        "summary": ["one", "two"],
        "body": "Hello world",
        "language": "en",
        "word_count": 2,
        "story_id": "s_0000000000000001",
        "quality_flags": [],
        "run_id": "run-1",
    },
    "entities": {
        "entity_id": "e_0000000000000001",
        "name": "Ishaq Dar",
        "type": "PERSON",
        "aliases": ["Ishaq Dar", "Mr Dar"],
        "article_ids": ["a_0000000000000001"],
        "mention_count": 1,
        "mentions": [EVIDENCE_ROW],
        "extractor": "model",
        "country_code": "PAK",
        "wikidata_id": None,
        "geonames_id": None,
        "place_kind": None,
        "latitude": None,
        "longitude": None,
        "geo_precision": None,
        "population": None,
        "run_id": "run-1",
    },
    "events": {
        "event_id": "v_0000000000000001",
        "event_type": "phone_call",
        "plover_category": "CONSULT",
        "plover_mode": "phone",
        "actors": ["Ishaq Dar", "Marco Rubio"],
        "location": None,
        "location_country": None,
        "location_geonames_id": None,
        "actor_countries": ["PAK", "USA"],
        "event_date": dt.date(2025, 4, 7),
        "date_text": "on Monday",
        "date_granularity": "day",
        "date_method": "relative",
        "article_ids": ["a_0000000000000001"],
        "evidence": [EVIDENCE_ROW],
        "extractor": "triggers:phone_call",
        "confidence": 0.85,
        "run_id": "run-1",
    },
    "deals": {
        "deal_id": "d_0000000000000001",
        "deal_type": "financing",
        "status": "approved",
        "parties": ["EXIM", "Reko Diq"],
        "party_roles": [{"name": "EXIM", "role": "financier"}],
        "amount": 1250000000.0,
        "currency": "USD",
        "amount_usd": 1250000000.0,
        "fx_version": "usd",
        "fx_source": "usd",
        "amount_usd_constant": 1252000000.0,
        "deflator_version": "BLS CPI-U CUUR0000SA0, 2025 dollars (cpi 2.1.0)",
        "recipient_country": "PAK",
        "financier_country": "USA",
        "amount_text": "USD 1.25 billion",
        "amount_qualifier": "up to",
        "sector": "mining",
        "project": "Reko Diq",
        "counts_toward_totals": True,
        "part_of": None,
        "announced_date": dt.date(2025, 12, 10),
        "fx_date": dt.date(2025, 12, 10),
        "article_ids": ["a_0000000000000001"],
        "evidence": [EVIDENCE_ROW],
        "extractor": "deal_triggers:financing",
        "confidence": 0.8,
        "run_id": "run-1",
    },
    "rejections": {
        "rejection_id": "r_0000000000000001",
        "run_id": "run-1",
        "table": "entities",
        "row_key": "e_0000000000000001",
        "expectation": "expect_column_value_lengths_to_be_between",
        "rule": "min_length 2",
        "column": "name",
        "value": "X",
        "severity": "critical",
        "row": '{"entity_id": "e_0000000000000001", "name": "X"}',
        "article_ids": ["a_0000000000000001"],
        "code_version": "0.1.0+abc1234",
        "contract_version": "0123456789ab",
        "rejected_at": dt.datetime(2025, 12, 11, 8, 0, 3, tzinfo=dt.UTC),
        "resolved_by_run": None,
    },
}


@pytest.fixture(scope="module")
def contracts():
    return load_contracts()


def test_loads_every_table_in_publication_order(contracts):
    assert list(contracts) == TABLES


@pytest.mark.parametrize("table", TABLES)
def test_arrow_schema_matches_the_yaml_declaration(contracts, table):
    declaration = read_declaration(table)
    schema = contracts[table].arrow_schema
    assert schema.names == [column["name"] for column in declaration["columns"]]
    for column in declaration["columns"]:
        arrow_field = schema.field(column["name"])
        assert arrow_field.type == expected_type(column["type"]), column["name"]
        assert arrow_field.nullable == column.get("nullable", True), column["name"]
        assert arrow_field.metadata[b"description"].decode() == column["description"]
    assert contracts[table].primary_key == declaration["primary_key"]
    assert contracts[table].column_names == schema.names


def test_struct_fields_carry_descriptions(contracts):
    mentions = contracts["entities"].arrow_schema.field("mentions").type.value_type
    assert mentions.field("text").metadata[b"description"].startswith(b"The evidence text")


def test_allowed_from_resolves_codebook_keys(contracts):
    codebook = load_codebook()
    assert contracts["events"].get_column("event_type").allowed == tuple(codebook["event_types"])
    assert contracts["deals"].get_column("status").allowed == tuple(codebook["deal_statuses"])
    assert contracts["articles"].get_column("published_date_source").allowed == (
        "metadata",
        "header",
        "dateline",
        "none",
    )


def test_column_attributes_come_from_the_yaml(contracts):
    deals = contracts["deals"]
    assert deals.get_column("deal_id").unique and not deals.get_column("deal_id").nullable
    assert deals.get_column("confidence").min == 0 and deals.get_column("confidence").max == 1
    assert deals.get_column("evidence").min_items == 1
    assert deals.get_column("article_ids").references == "articles.article_id"
    assert deals.get_column("amount").severity == "critical"
    assert contracts["articles"].get_column("body").min_length == 1
    assert contracts["articles"].get_column("language").regex == "^([a-z]{2}|und)$"


def test_rules_follow_the_declaration(contracts):
    kinds = [rule.kind for rule in list_rules(contracts["events"].get_column("article_ids"))]
    assert kinds == ["not_null", "min_items", "references"]
    assert list_rules(contracts["articles"].get_column("outlet")) == []


@pytest.mark.parametrize("table", TABLES)
def test_to_arrow_round_trips_rows(contracts, table):
    row = SAMPLE_ROWS[table]
    arrow_table = to_arrow([row, row], contracts[table])
    assert arrow_table.schema == contracts[table].arrow_schema
    assert arrow_table.to_pylist() == [row, row]


def test_to_arrow_fills_missing_keys_with_null(contracts):
    row = {"article_id": "a_0000000000000001", "body": "x"}
    (back,) = to_arrow([row], contracts["articles"]).to_pylist()
    assert back["article_id"] == "a_0000000000000001"
    assert back["outlet"] is None and back["summary"] is None


def test_to_arrow_rejects_unknown_keys(contracts):
    with pytest.raises(ValueError, match="bogus"):
        to_arrow([{**SAMPLE_ROWS["articles"], "bogus": 1}], contracts["articles"])


def test_to_arrow_rejects_unknown_keys_inside_structs(contracts):
    row = {**SAMPLE_ROWS["events"], "evidence": [{**EVIDENCE_ROW, "char_start": 3}]}
    with pytest.raises(ValueError, match="char_start"):
        to_arrow([row], contracts["events"])


def test_to_arrow_rejects_values_of_the_wrong_type(contracts):
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError)):
        to_arrow([{**SAMPLE_ROWS["articles"], "word_count": "many"}], contracts["articles"])


@pytest.mark.parametrize("table", TABLES)
def test_to_arrow_of_no_rows_is_an_empty_table_with_the_schema(contracts, table):
    empty = to_arrow([], contracts[table])
    assert empty.num_rows == 0
    assert empty.schema.equals(contracts[table].arrow_schema, check_metadata=True)


@pytest.fixture
def schemas_copy(tmp_path: Path) -> Path:
    target = tmp_path / "schemas"
    shutil.copytree(DEFAULT_SCHEMAS_DIR, target)
    return target


def edit_column(schemas_dir: Path, table: str, column: str, **changes) -> None:
    path = schemas_dir / f"{table}.yaml"
    declaration = yaml.safe_load(path.read_text(encoding="utf-8"))
    for spec in declaration["columns"]:
        if spec["name"] == column:
            spec.update(changes)
    path.write_text(yaml.safe_dump(declaration, sort_keys=False), encoding="utf-8")


def test_schemas_dir_can_be_overridden(schemas_copy):
    edit_column(schemas_copy, "deals", "amount", severity="warning")
    assert load_contracts(schemas_copy)["deals"].get_column("amount").severity == "warning"


@pytest.mark.parametrize(
    ("table", "column", "changes", "message"),
    [
        ("deals", "amount", {"nulable": False}, "unknown keys"),
        ("deals", "article_ids", {"references": "articles.nope"}, "references unknown"),
        ("deals", "status", {"allowed_from": "codebook.missing"}, "not in codebook"),
        ("deals", "parties", {"min": 1}, "numeric"),
        ("articles", "word_count", {"regex": "^x$"}, "need a string"),
        ("articles", "body", {"min_items": 1}, "list type"),
        ("articles", "body", {"type": "text"}, "unknown type"),
        ("articles", "body", {"severity": "fatal"}, "severity"),
        ("articles", "article_id", {"nullable": True}, "primary key"),
    ],
)
def test_inconsistent_declarations_are_refused(schemas_copy, table, column, changes, message):
    edit_column(schemas_copy, table, column, **changes)
    with pytest.raises(ContractError, match=message):
        load_contracts(schemas_copy)


def test_data_dictionary_is_up_to_date():
    expected = render_dictionary(load_contracts(), load_codebook())
    assert DEFAULT_OUTPUT.read_text(encoding="utf-8") == expected, (
        "docs/tables.md is stale: run `python -m flows.validate.dictionary`"
    )


def test_data_dictionary_names_every_column_and_codebook_entry(contracts):
    text = render_dictionary(contracts, load_codebook())
    for contract in contracts.values():
        assert f"## {contract.name}" in text
        for name in contract.column_names:
            assert f"| `{name}`" in text
    assert "| `phone_call` | A phone or video call between the actors. | CONSULT | phone |" in text
    assert "`^([a-z]{2}\\|und)$`" in text  # a bare | would break the Markdown table
    assert "not null; unique; matches `^d_[0-9a-f]{16}$` (critical)" in text


def test_contracts_are_parsed_again_when_a_schema_file_changes(schemas_copy):
    assert load_contracts(schemas_copy)["deals"].get_column("amount").severity == "critical"
    assert load_contracts(schemas_copy) is not load_contracts(schemas_copy)  # callers get their own dict
    edit_column(schemas_copy, "deals", "amount", severity="warning")
    assert load_contracts(schemas_copy)["deals"].get_column("amount").severity == "warning"
