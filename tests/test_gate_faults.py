"""The gate under injected faults: refused tables stay at their last good version, the report names
the failing rows and expectations, the run fails; warning-level expectations report but never block."""

from __future__ import annotations

import json
import shutil

import pytest

from flows import contracts, resolve, storage
from flows.cli import main
from tests.conftest import SEEDS
from tests.faults import TABLES, dangling_article_ids, duplicate_keys, read_all

GHOST = "a_ffffffffffffffff"


def orphan_event(tables):
    event = tables["events"][-1]
    tables["events"][-1] = {**event, "article_ids": [GHOST], "evidence": [{**e, "article_id": GHOST} for e in event["evidence"]]}
    return "events", "article_ids", tables["events"][-1]["event_id"]


def null_entity_id(tables):
    tables["entities"][-1] = {**tables["entities"][-1], "entity_id": None}
    return "entities", "entity_id", None


def negative_amount(tables):
    tables["deals"][-1] = {**tables["deals"][-1], "amount": -5.0}
    return "deals", "amount", tables["deals"][-1]["deal_id"]


@pytest.fixture(scope="module")
def published_once(run_flow, tmp_path_factory):
    """One good run over a seed; each test copies its data dir."""
    inputs, data = tmp_path_factory.mktemp("gate-in"), tmp_path_factory.mktemp("gate-data")
    shutil.copy(next(SEEDS.glob("000_*.txt")), inputs)
    assert run_flow(inputs, data)["success"]
    shutil.copy(next(SEEDS.glob("001_*.txt")), inputs)
    return inputs, data


def inject(monkeypatch, fault):
    real = resolve.build_tables
    injected = {}

    def build_tables(*args, **kwargs):
        tables = real(*args, **kwargs)
        injected["where"] = fault(tables)
        return tables

    monkeypatch.setattr(resolve, "build_tables", build_tables)
    return injected


@pytest.mark.parametrize("fault", [orphan_event, null_entity_id, negative_amount])
def test_a_critical_failure_keeps_the_last_good_version_and_reports_the_rows(published_once, tmp_path, monkeypatch, capsys, fault):
    inputs, good = published_once
    data = tmp_path / "data"
    shutil.copytree(good, data)
    before = read_all(data)
    versions = {name: storage.current_version(data, name) for name in TABLES}
    injected = inject(monkeypatch, fault)
    monkeypatch.setenv("NEWSFLOW_PROCESSES", "1")

    code = main(["run", "--input", str(inputs), "--data", str(data), "--json"])
    summary = json.loads(capsys.readouterr().out)
    table, column, bad_id = injected["where"]
    assert code == 1 and not summary["success"]
    assert storage.current_version(data, table) == versions[table]
    assert storage.read_rows(data, table) == before[table]  # the previous version stays current and readable
    assert storage.read_rows(data, "articles") == before["articles"]  # so the refused work is redone next run

    report = json.loads((data / "reports" / f"{summary['run_id']}.json").read_text(encoding="utf-8"))
    entry = report["tables"][table]
    assert entry["valid"] is False and entry["published"] is False
    failures = [f for f in entry["validation"]["failures"] if f["column"] == column]
    assert failures and all(f["severity"] == "critical" for f in failures)
    assert any(row[resolve_key(table)] == bad_id for row in entry["refused_rows"])

    monkeypatch.undo()
    monkeypatch.setenv("NEWSFLOW_PROCESSES", "1")
    assert main(["run", "--input", str(inputs), "--data", str(data)]) == 0
    capsys.readouterr()
    after = read_all(data)
    assert not duplicate_keys(after) and not dangling_article_ids(after) and len(after["articles"]) == 2


def resolve_key(table: str) -> str:
    return {"entities": "entity_id", "events": "event_id", "deals": "deal_id"}[table]


def test_a_warning_level_expectation_reports_but_does_not_block(published_once, tmp_path, monkeypatch):
    inputs, good = published_once
    data = tmp_path / "data"
    shutil.copytree(good, data)
    schemas = tmp_path / "schemas"
    shutil.copytree(contracts.DEFAULT_SCHEMAS_DIR, schemas)
    deals_yaml = (schemas / "deals.yaml").read_text(encoding="utf-8")
    assert "  - name: amount\n    type: float64\n    min: 0\n" in deals_yaml
    deals_yaml = deals_yaml.replace("  - name: amount\n    type: float64\n    min: 0\n", "  - name: amount\n    type: float64\n    min: 0\n    severity: warning\n")
    (schemas / "deals.yaml").write_text(deals_yaml, encoding="utf-8")
    monkeypatch.setattr(contracts, "DEFAULT_SCHEMAS_DIR", schemas)
    injected = inject(monkeypatch, negative_amount)
    from flows.pipeline import news_pipeline
    from flows.settings import load_settings

    summary = news_pipeline(load_settings({"input_path": inputs, "data_dir": data, "processes": 1}))
    assert summary["success"]
    deals = summary["tables"]["deals"]
    assert deals["valid"] and deals["validation"]["n_warnings"] >= 1
    assert any(f["column"] == "amount" and f["severity"] == "warning" for f in deals["validation"]["failures"])
    _, _, bad_id = injected["where"]
    assert {d["deal_id"]: d["amount"] for d in storage.read_rows(data, "deals")}[bad_id] == -5.0
    assert len(storage.read_rows(data, "articles")) == 2
