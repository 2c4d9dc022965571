"""The validation gate: a table that breaks a critical expectation is not published."""

from __future__ import annotations

import shutil

from flows import resolve, storage
from flows.cli import main
from tests.conftest import SEEDS


def test_bad_rows_are_not_published_and_the_last_good_version_stays(run_flow, tmp_path, monkeypatch):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(next(SEEDS.glob("000_*.txt")), inputs)
    data = tmp_path / "data"
    assert run_flow(inputs, data)["success"]
    good_deals = storage.read_rows(data, "deals")
    shutil.copy(next(SEEDS.glob("002_*.txt")), inputs)

    real = resolve.build_tables

    def with_a_negative_amount(*args, **kwargs):
        tables = real(*args, **kwargs)
        tables["deals"][0] = {**tables["deals"][0], "amount": -5.0}
        return tables

    monkeypatch.setattr(resolve, "build_tables", with_a_negative_amount)
    summary = run_flow(inputs, data)
    assert not summary["success"]
    deals = summary["tables"]["deals"]
    assert not deals["valid"] and deals["version"] == 0
    failed = {(f["column"], f["severity"]) for f in deals["validation"]["failures"]}
    assert ("amount", "critical") in failed
    page = (storage.report_dir(data) / "index.html").read_text(encoding="utf-8")  # the run report says so too
    assert summary["run_id"] in page and "no (validation failed)" in page and "1 of " in page
    assert storage.read_rows(data, "deals") == good_deals
    # Articles are the "done" marker: not published, so the next good run redoes the new article.
    assert len(storage.read_rows(data, "articles")) == 1
    monkeypatch.setattr(resolve, "build_tables", real)
    assert run_flow(inputs, data)["success"]
    assert len(storage.read_rows(data, "articles")) == 2
    assert main(["validate", "--data", str(data)]) == 0
