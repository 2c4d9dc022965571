"""`newsflow validate --junit`: every contract check becomes a JUnit test case; failures name rows."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from flows.cli.app import main
from flows.publish import storage
from flows.validate import contracts
from flows.validate import expectations as validate
from flows.validate.junit import junit_xml


def suites(document: str) -> dict[str, ET.Element]:
    root = ET.fromstring(document)
    assert root.tag == "testsuites"
    return {s.get("name"): s for s in root.findall("testsuite")}


def test_a_broken_table_fails_exactly_its_broken_check(seeds_run):
    data, _, _ = seeds_run
    known = contracts.load_contracts()
    tables = {name: storage.read_table(data, name) for name in known}
    deals = tables["deals"].to_pylist()
    deals[0]["deal_type"] = "raffle"
    tables["deals"] = contracts.to_arrow(deals, known["deals"])
    results = validate.validate_tables(tables, known)
    assert not results["deals"].success

    found = suites(junit_xml(results, known))
    assert set(found) == {f"newsflow.{name}" for name in known}
    for name, result in results.items():
        suite = found[f"newsflow.{name}"]
        assert int(suite.get("tests")) == result.n_expectations == len(suite.findall("testcase"))
    failed = [c for c in found["newsflow.deals"].findall("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == [next(c.get("name") for c in failed if c.get("name").startswith("deal_type: one of"))]
    assert deals[0]["deal_id"] in failed[0].find("failure").text
    assert found["newsflow.deals"].get("failures") == "1"
    assert all(s.get("failures") == "0" for n, s in found.items() if n != "newsflow.deals")


def test_cli_writes_junit_for_published_tables(seeds_run, tmp_path, capsys):
    import shutil

    data = tmp_path / "data"  # validate adds Data Docs: never write into the shared run
    shutil.copytree(seeds_run[0], data)
    report = tmp_path / "reports" / "junit.xml"
    assert main(["validate", "--data", str(data), "--junit", str(report)]) == 0
    root = ET.parse(report).getroot()
    assert root.get("failures") == "0" and root.get("errors") == "0"
    assert int(root.get("tests")) == len(root.findall("testsuite/testcase")) > 4 * 10
    names = {c.get("name") for c in root.iterfind("testsuite[@name='newsflow.deals']/testcase")}
    assert {"deal_id: unique", "deal_id: exists", "exactly the contract's columns"} <= names


def test_missing_tables_are_junit_errors_and_exit_1(tmp_path):
    report = tmp_path / "junit.xml"
    assert main(["validate", "--data", str(tmp_path), "--junit", str(report)]) == 1
    root = ET.parse(report).getroot()
    assert root.get("errors") == "5"
    assert {e.get("message") for e in root.iter("error")} == {f"no published table {n}" for n in ("articles", "entities", "events", "deals", "rejections")}


def test_validate_builds_data_docs_for_its_own_validation(seeds_run, tmp_path, capsys):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(seeds_run[0], data)
    before = set((data / "validations").rglob("*.json")) if (data / "validations").exists() else set()
    assert main(["validate", "--data", str(data)]) == 0
    added = set((data / "validations").rglob("*.json")) - before
    suites = {p.relative_to(data / "validations").parts[0] for p in added}
    assert {"articles", "entities", "events", "deals"} <= suites  # a stored result per table
    assert "Data Docs:" in capsys.readouterr().out and (data / "docs" / "index.html").exists()
