"""Validation results as JUnit XML, so a CI server lists every contract check of every table.

One <testsuite> per table, one <testcase> per check of its suite (the same checks
flows/validate/suites.py builds from schemas/<table>.yaml). A failed critical check is a <failure>;
a failed warning-level check passes but carries the warning in <system-out>; a table that is
not published at all is an <error>.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

from flows.validate.declarations import TableContract, list_rules
from flows.validate.results import ExpectationFailure, ValidationResult


def _checks(contract: TableContract) -> list[tuple[str | None, str, str]]:
    """(column, rule kind, words) for every check the table's suite runs, in suite order."""
    checks: list[tuple[str | None, str, str]] = [(None, "columns", "exactly the contract's columns")]
    for column in contract.columns:
        checks.append((column.name, "exists", "exists"))
        checks += [(rule.column, rule.kind, rule.words) for rule in list_rules(column)]
    return checks


def _describe(failure: ExpectationFailure) -> str:
    ids = ", ".join(map(str, failure.sample_ids[:20]))
    return f"{failure.detail} ({failure.unexpected_count} rows; e.g. {ids})" if ids else failure.detail


def _testcase(suite: ET.Element, table: str, name: str, failures: Sequence[ExpectationFailure]) -> tuple[int, int]:
    case = ET.SubElement(suite, "testcase", classname=f"newsflow.{table}", name=name)
    critical = [f for f in failures if f.severity == "critical"]
    for failure in critical:
        node = ET.SubElement(case, "failure", message=failure.detail, type=failure.expectation)
        node.text = _describe(failure)
    warnings = [f for f in failures if f.severity != "critical"]
    if warnings:
        ET.SubElement(case, "system-out").text = "\n".join(f"warning: {_describe(f)}" for f in warnings)
    return 1, 1 if critical else 0


def junit_xml(
    results: Mapping[str, ValidationResult],
    contracts: Mapping[str, TableContract],
    missing: Sequence[str] = (),
) -> str:
    """The JUnit XML document for one `newsflow validate`."""
    root = ET.Element("testsuites", name="newsflow validate")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for table in missing:
        suite = ET.SubElement(root, "testsuite", name=f"newsflow.{table}", tests="1", failures="0", errors="1")
        case = ET.SubElement(suite, "testcase", classname=f"newsflow.{table}", name="table is published")
        ET.SubElement(case, "error", message=f"no published table {table}", type="missing")
        totals["tests"] += 1
        totals["errors"] += 1
    for table, result in results.items():
        suite = ET.SubElement(root, "testsuite", name=f"newsflow.{table}")
        pending = list(result.failures)
        tests = failed = 0
        for column, kind, words in _checks(contracts[table]):
            mine = [f for f in pending if f.column == column and f.rule == kind]
            pending = [f for f in pending if all(f is not m for m in mine)]
            t, f = _testcase(suite, table, f"{column}: {words}" if column else words, mine)
            tests, failed = tests + t, failed + f
        for failure in pending:  # a failure no declared check names: still reported, never dropped
            t, f = _testcase(suite, table, f"{failure.column or table}: {failure.expectation}", [failure])
            tests, failed = tests + t, failed + f
        suite.attrib.update(tests=str(tests), failures=str(failed), errors="0")
        totals["tests"] += tests
        totals["failures"] += failed
    root.attrib.update({k: str(v) for k, v in totals.items()})
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
