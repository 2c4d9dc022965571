"""The gate: a row that breaks a check of single rows is rejected and kept with its reason while the
rest is published; a contract change or a code change sends its articles through again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flows.cli.app import main
from flows.core.schemas import SCHEMAS_ENV, SOURCE_SCHEMAS
from flows.publish import plan as publish
from flows.publish import storage
from flows.resolve import resolver as resolve
from tests.conftest import SEEDS
from tests.faults import TABLES, dangling_article_ids, inject

LIMIT = 1_000_000_000
AMOUNT = "  - name: amount\n    type: float64\n    min: 0\n"


def versions(data: Path) -> dict[str, int | None]:
    return {name: storage.current_version(data, name) for name in (*TABLES, "rejections")}


def run_cli(capsys, *args: str) -> tuple[int, dict]:
    code = main(["run", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture
def tight_schemas(prefect_harness, tmp_path, monkeypatch):
    """schemas/ copied, with deals.amount capped at LIMIT; the copy is the contracts the code reads."""
    schemas = tmp_path / "schemas"
    shutil.copytree(SOURCE_SCHEMAS, schemas)
    text = (schemas / "deals.yaml").read_text(encoding="utf-8")
    assert AMOUNT in text
    (schemas / "deals.yaml").write_text(text.replace(AMOUNT, AMOUNT + f"    max: {LIMIT}\n"), encoding="utf-8")
    monkeypatch.setenv(SCHEMAS_ENV, str(schemas))
    monkeypatch.setenv("NEWSFLOW_PROCESSES", "1")
    return schemas


def test_a_tightened_contract_rejects_the_rows_over_it_and_publishes_the_rest(seeds_run, tight_schemas, tmp_path, monkeypatch, capsys):
    everything = {d["deal_id"]: d for d in storage.read_rows(seeds_run[0], "deals")}  # the seeds under the real contract
    over = {k for k, d in everything.items() if d["amount"] is not None and d["amount"] > LIMIT}
    assert over and len(over) < len(everything)  # the limit splits the seeds' deals
    data = tmp_path / "data"

    code, summary = run_cli(capsys, "--input", str(SEEDS), "--data", str(data))
    assert code == 0 and summary["success"]
    assert {d["deal_id"] for d in storage.read_rows(data, "deals")} == set(everything) - over
    assert len(storage.read_rows(data, "articles")) == len(list(SEEDS.glob("*.txt")))  # every article published
    rejections = storage.read_rows(data, "rejections")
    assert {r["row_key"] for r in rejections} == over
    assert {(r["table"], r["column"], r["expectation"], r["severity"]) for r in rejections} == {("deals", "amount", "expect_column_values_to_be_between", "critical")}
    assert all(r["rule"] == f"max {LIMIT}" and float(r["value"]) > LIMIT and r["resolved_by_run"] is None for r in rejections)
    assert all(json.loads(r["row"])["deal_id"] == r["row_key"] and r["article_ids"] for r in rejections)
    assert summary["rejected"]["rows"] == len(over) and summary["tables"]["deals"]["rejected"] == len(over)
    assert summary["rejected"]["line"] == f"{len(over)} rows rejected: deals.amount max {LIMIT} ({len(over)})"

    before = versions(data)
    code, again = run_cli(capsys, "--input", str(SEEDS), "--data", str(data))
    assert code == 0 and versions(data) == before and again["redone_articles"] == 0  # a rerun commits nothing
    assert main(["validate", "--data", str(data)]) == 0  # what was published keeps its contract
    assert main(["validate", "--data", str(data), "--strict"]) == 1  # ... but rows wait in rejections
    capsys.readouterr()

    # The contract is relaxed again (a fix): the rejected deals' articles go through once more.
    monkeypatch.delenv(SCHEMAS_ENV)
    code, fixed = run_cli(capsys, "--input", str(SEEDS), "--data", str(data))
    assert code == 0 and fixed["redone_articles"] >= 1 and fixed["new_articles"] == 0
    assert {d["deal_id"] for d in storage.read_rows(data, "deals")} == set(everything)
    assert {r["row_key"]: r["resolved_by_run"] for r in storage.read_rows(data, "rejections")} == dict.fromkeys(over, fixed["run_id"])
    assert main(["validate", "--data", str(data), "--strict"]) == 0
    capsys.readouterr()
    before = versions(data)
    run_cli(capsys, "--input", str(SEEDS), "--data", str(data))
    assert versions(data) == before


def test_run_strict_exits_1_when_rows_were_rejected(tight_schemas, tmp_path, capsys):
    assert main(["run", "--input", str(SEEDS), "--data", str(tmp_path / "data"), "--strict"]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert f" rows rejected: deals.amount max {LIMIT} (" in out[-1]
    assert out[-1].endswith(f"show rejections --data {tmp_path / 'data'}")
    assert main(["show", "rejections", "--data", str(tmp_path / "data"), "--columns", "table,column,rule"]) == 0
    assert "deals" in capsys.readouterr().out


def break_article(tables):
    tables["articles"][-1] = {**tables["articles"][-1], "language": "English"}
    return "articles", tables["articles"][-1]["article_id"], "language"


def break_entity(tables):
    tables["entities"][-1] = {**tables["entities"][-1], "name": "X"}
    return "entities", tables["entities"][-1]["entity_id"], "name"


def break_event(tables):
    tables["events"][-1] = {**tables["events"][-1], "event_type": "party"}
    return "events", tables["events"][-1]["event_id"], "event_type"


def break_deal(tables):
    tables["deals"][-1] = {**tables["deals"][-1], "parties": []}
    return "deals", tables["deals"][-1]["deal_id"], "parties"


KEYS = {"articles": "article_id", "entities": "entity_id", "events": "event_id", "deals": "deal_id"}


@pytest.mark.parametrize("fault", [break_article, break_entity, break_event, break_deal])
def test_a_row_breaking_one_expectation_is_rejected_and_the_rest_published(seeds_run, tmp_path, monkeypatch, capsys, fault):
    monkeypatch.setenv("NEWSFLOW_PROCESSES", "1")
    where = inject(monkeypatch, fault)
    data = tmp_path / "data"
    code, summary = run_cli(capsys, "--input", str(SEEDS), "--data", str(data))
    table, key, column = where["where"]
    assert code == 0 and summary["success"]
    published = {name: storage.read_rows(data, name) for name in TABLES}
    assert key not in {row[KEYS[table]] for row in published[table]}
    rejected = [r for r in storage.read_rows(data, "rejections") if r["row_key"] == key]
    assert [(r["table"], r["column"]) for r in rejected] == [(table, column)]
    assert not dangling_article_ids(published)
    reference = {name: storage.read_rows(seeds_run[0], name) for name in TABLES}  # the same seeds, nothing broken
    if table == "articles":  # the rows that cite the rejected article are rejected with it
        assert len(published["articles"]) == len(reference["articles"]) - 1
        cascaded = {r["table"] for r in storage.read_rows(data, "rejections") if r["column"] == "article_ids"}
        assert cascaded and cascaded <= {"entities", "events", "deals"}
    else:
        assert len(published["articles"]) == len(reference["articles"])
        assert len(published[table]) == len(reference[table]) - 1
    assert summary["tables"][table]["rejected"] >= 1


def test_a_rejected_row_is_resolved_once_the_code_that_made_it_changes(prefect_harness, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NEWSFLOW_PROCESSES", "1")
    inputs, data = tmp_path / "in", tmp_path / "data"
    inputs.mkdir()
    shutil.copy(next(SEEDS.glob("000_*.txt")), inputs)
    real = resolve.build_tables

    def with_a_bad_name(*args, **kwargs):  # an extractor bug: a one-letter organisation
        tables = real(*args, **kwargs)
        good = tables["entities"][0]
        tables["entities"].append({**good, "entity_id": "e_00000000000000ff", "name": "X", "aliases": ["X"]})
        return tables

    monkeypatch.setattr(resolve, "build_tables", with_a_bad_name)
    code, first = run_cli(capsys, "--input", str(inputs), "--data", str(data))
    assert code == 0 and len(storage.read_rows(data, "articles")) == 1
    (rejection,) = storage.read_rows(data, "rejections")
    assert rejection["row_key"] == "e_00000000000000ff" and rejection["resolved_by_run"] is None

    before = versions(data)
    code, same = run_cli(capsys, "--input", str(inputs), "--data", str(data))  # same code, same contracts
    assert code == 0 and same["redone_articles"] == 0 and versions(data) == before

    monkeypatch.setattr(resolve, "build_tables", real)  # the bug fixed, in a new code version
    monkeypatch.setattr(publish, "code_version", lambda: "0.1.0+fixed")
    code, fixed = run_cli(capsys, "--input", str(inputs), "--data", str(data))
    assert code == 0 and fixed["redone_articles"] == 1
    (rejection,) = storage.read_rows(data, "rejections")
    assert rejection["resolved_by_run"] == fixed["run_id"]
    assert "X" not in {e["name"] for e in storage.read_rows(data, "entities")}
    before = versions(data)
    run_cli(capsys, "--input", str(inputs), "--data", str(data))
    assert versions(data) == before  # resolved: nothing is redone again
