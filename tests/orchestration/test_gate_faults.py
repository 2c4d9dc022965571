"""The gate under injected faults: refused tables stay at their last good version, the report names
the failing rows and expectations, the run fails; warning-level expectations report but never block."""

from __future__ import annotations

import json
import shutil

import pytest

from flows.cli.app import main
from flows.core.schemas import SCHEMAS_ENV, SOURCE_SCHEMAS
from flows.publish import storage
from tests.conftest import SEEDS
from tests.faults import TABLES, dangling_article_ids, duplicate_keys, inject, read_all

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


def duplicate_deal(tables):
    tables["deals"].append(dict(tables["deals"][-1]))
    return "deals", "deal_id", tables["deals"][-1]["deal_id"]


def unknown_column(tables):
    tables["events"][-1] = {**tables["events"][-1], "mood": "upbeat"}
    return "events", None, tables["events"][-1]["event_id"]


def mistyped_amount(tables):
    tables["deals"][-1] = {**tables["deals"][-1], "amount": "a lot"}
    return "deals", None, tables["deals"][-1]["deal_id"]


def resolve_key(table: str) -> str:
    return {"entities": "entity_id", "events": "event_id", "deals": "deal_id"}[table]


def copy_published(published_once, tmp_path):
    inputs, good = published_once
    data = tmp_path / "data"
    shutil.copytree(good, data)
    return inputs, data


@pytest.mark.parametrize("fault", [orphan_event, null_entity_id, negative_amount])
def test_a_row_that_breaks_a_row_check_is_rejected_and_everything_else_published(published_once, tmp_path, monkeypatch, capsys, fault):
    inputs, data = copy_published(published_once, tmp_path)
    before = read_all(data)
    injected = inject(monkeypatch, fault)
    monkeypatch.setenv("NEWSFLOW_PROCESSES", "1")

    code = main(["run", "--input", str(inputs), "--data", str(data), "--json"])
    summary = json.loads(capsys.readouterr().out)
    table, column, bad_id = injected["where"]
    assert code == 0 and summary["success"]
    after = read_all(data)
    assert len(after["articles"]) == 2  # the new article is published (it is done)
    assert not duplicate_keys(after) and not dangling_article_ids(after)
    # The bad row is not published; when it was a published row's new version, the old one stays.
    published_before = {row[resolve_key(table)]: row for row in before[table]}
    assert {row[resolve_key(table)]: row for row in after[table]}.get(bad_id) == published_before.get(bad_id)
    assert len(after[table]) >= len(before[table])  # the table's good rows of the new article went in
    rejected = [r for r in storage.read_rows(data, "rejections") if r["table"] == table and r["column"] == column]
    assert rejected and all(r["severity"] == "critical" and r["resolved_by_run"] is None for r in rejected)
    assert bad_id in {r["row_key"] for r in rejected} or bad_id is None and None in {r["row_key"] for r in rejected}
    report = json.loads((data / "reports" / f"{summary['run_id']}.json").read_text(encoding="utf-8"))
    assert report["tables"][table]["rejected"] == 1 and report["tables"][table]["valid"] is True
    assert any(g["table"] == table and g["column"] == column for g in report["rejected"]["by_rule"])

    monkeypatch.undo()  # the same code again: nothing to redo, nothing committed
    monkeypatch.setenv("NEWSFLOW_PROCESSES", "1")
    versions = {name: storage.current_version(data, name) for name in (*TABLES, "rejections")}
    assert main(["run", "--input", str(inputs), "--data", str(data)]) == 0
    capsys.readouterr()
    assert {name: storage.current_version(data, name) for name in (*TABLES, "rejections")} == versions


@pytest.mark.parametrize("fault", [duplicate_deal, unknown_column, mistyped_amount])
def test_a_table_check_that_fails_refuses_the_table_and_keeps_its_last_good_version(published_once, tmp_path, monkeypatch, capsys, fault):
    inputs, data = copy_published(published_once, tmp_path)
    before = read_all(data)
    versions = {name: storage.current_version(data, name) for name in TABLES}
    injected = inject(monkeypatch, fault)
    monkeypatch.setenv("NEWSFLOW_PROCESSES", "1")

    code = main(["run", "--input", str(inputs), "--data", str(data), "--json"])
    summary = json.loads(capsys.readouterr().out)
    table, _, bad_id = injected["where"]
    assert code == 1 and not summary["success"]
    assert storage.current_version(data, table) == versions[table]
    assert storage.read_rows(data, table) == before[table]  # the previous version stays current and readable
    assert storage.read_rows(data, "articles") == before["articles"]  # so the refused work is redone next run
    assert summary["tables"]["articles"]["held_back"] == 1
    report = json.loads((data / "reports" / f"{summary['run_id']}.json").read_text(encoding="utf-8"))
    entry = report["tables"][table]
    assert entry["valid"] is False and entry["published"] is False
    assert entry["validation"]["refused"] and all(f["severity"] == "critical" for f in entry["validation"]["failures"])
    assert not entry["refused_rows"] or any(row[resolve_key(table)] == bad_id for row in entry["refused_rows"])

    monkeypatch.undo()
    monkeypatch.setenv("NEWSFLOW_PROCESSES", "1")
    assert main(["run", "--input", str(inputs), "--data", str(data)]) == 0
    capsys.readouterr()
    after = read_all(data)
    assert not duplicate_keys(after) and not dangling_article_ids(after) and len(after["articles"]) == 2


def test_a_warning_level_expectation_reports_but_does_not_block(published_once, tmp_path, monkeypatch):
    inputs, good = published_once
    data = tmp_path / "data"
    shutil.copytree(good, data)
    schemas = tmp_path / "schemas"
    shutil.copytree(SOURCE_SCHEMAS, schemas)
    deals_yaml = (schemas / "deals.yaml").read_text(encoding="utf-8")
    assert "  - name: amount\n    type: float64\n    min: 0\n" in deals_yaml
    deals_yaml = deals_yaml.replace("  - name: amount\n    type: float64\n    min: 0\n", "  - name: amount\n    type: float64\n    min: 0\n    severity: warning\n")
    (schemas / "deals.yaml").write_text(deals_yaml, encoding="utf-8")
    monkeypatch.setenv(SCHEMAS_ENV, str(schemas))
    injected = inject(monkeypatch, negative_amount)
    from flows.core.settings import load_settings
    from flows.orchestration.flow import news_pipeline

    summary = news_pipeline(load_settings({"input_path": inputs, "data_dir": data, "processes": 1}))
    assert summary["success"]
    deals = summary["tables"]["deals"]
    assert deals["valid"] and deals["validation"]["n_warnings"] >= 1
    assert any(f["column"] == "amount" and f["severity"] == "warning" for f in deals["validation"]["failures"])
    _, _, bad_id = injected["where"]
    assert {d["deal_id"]: d["amount"] for d in storage.read_rows(data, "deals")}[bad_id] == -5.0
    assert len(storage.read_rows(data, "articles")) == 2


def test_the_last_line_of_a_refused_run_is_the_true_one(tmp_path):
    """With its own temporary Prefect server, a run's last log records reach the API before the
    server stops: no "Error logging to API" after the outcome."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(next(SEEDS.glob("000_*.txt")), inputs)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false", NEWSFLOW_PROCESSES="1", PREFECT_LOGGING_LEVEL="INFO")
    command = [sys.executable, "-m", "tests.fault_runner", "refuse:deals", "--", "run", "--input", str(inputs), "--data", str(tmp_path / "data")]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "deals refused" in done.stderr and "Error logging to API" not in done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("FAILED: deals refused by the gate")
