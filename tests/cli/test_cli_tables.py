"""newsflow tables / show / diff / export over a real run's output plus one known change."""

from __future__ import annotations

import csv
import json
import shutil

import pyarrow.parquet as pq
import pytest

from flows.cli.app import main
from flows.publish import storage
from flows.validate import contracts


def reading_order(deal: dict) -> tuple:
    """Deals as `show` and `export` list them: by announced date (undated last), then id."""
    return (deal["announced_date"] is None, deal["announced_date"] or "", deal["deal_id"])


@pytest.fixture(scope="module")
def two_versions(seeds_run, tmp_path_factory):
    """The seeds run's tables, then a deals commit that changes one row, deletes one and adds one."""
    data = tmp_path_factory.mktemp("two-versions") / "data"
    shutil.copytree(seeds_run[0], data)
    rows = sorted(storage.read_rows(data, "deals"), key=lambda r: r["deal_id"])
    changed, removed = dict(rows[0], status="completed"), rows[1]["deal_id"]
    added = dict(rows[2], deal_id="d_00000000000000ff")
    contract = contracts.load_contracts()["deals"]
    storage.upsert(data, "deals", contracts.to_arrow([changed, added], contract), key="deal_id", delete_keys=[removed], metadata={"run_id": "test-edit"})
    return data, rows, {"changed": changed["deal_id"], "removed": removed, "added": added["deal_id"]}


def test_tables_lists_version_rows_and_last_run(two_versions, capsys):
    data, rows, _ = two_versions
    assert main(["tables", "--data", str(data), "--json"]) == 0
    listed = {t["table"]: t for t in json.loads(capsys.readouterr().out)}
    assert set(listed) == {"articles", "entities", "events", "deals", "rejections"}
    assert listed["deals"]["version"] == 1 and listed["deals"]["run_id"] == "test-edit"
    assert listed["deals"]["rows"] == len(rows)  # one added, one removed
    for name in ("articles", "events"):
        assert listed[name]["version"] == 0
        assert listed[name]["rows"] == len(storage.read_rows(data, name))


def test_tables_says_when_nothing_is_published(tmp_path, capsys):
    assert main(["tables", "--data", str(tmp_path)]) == 0
    assert capsys.readouterr().out.count("not published") == 5


def test_show_filters_with_sql_and_limits(two_versions, capsys):
    data, rows, _ = two_versions
    matching = [r for r in storage.read_rows(data, "deals") if r["amount"] is not None and r["amount"] > 1e8]
    expected = [r["deal_id"] for r in sorted(matching, key=reading_order)]
    assert expected, "the seeds should have deals with amounts"
    assert main(["show", "deals", "--data", str(data), "--where", "amount > 1e8", "--json", "--limit", "100"]) == 0
    shown = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["deal_id"] for r in shown] == expected
    assert main(["show", "deals", "--data", str(data), "--limit", "2", "--columns", "deal_id,status"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["deal_id", "status"] and out[-1] == "(2 rows)"


def test_show_as_of_a_version_and_a_time(two_versions, capsys):
    data, rows, edit = two_versions
    past = {e["version"]: e["timestamp"] for e in storage.history(data, "deals")}
    for as_of in ("0", past[0]):
        assert main(["show", "deals", "--data", str(data), "--as-of", as_of, "--json", "--limit", "100"]) == 0
        shown = {r["deal_id"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
        assert set(shown) == {r["deal_id"] for r in rows}
        assert shown[edit["changed"]]["status"] != "completed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "7"], "versions 0 to 1"),
        (["--as-of", "2000-01-01"], "did not exist yet"),
        (["--as-of", "yesterday"], "neither a version number"),
        (["--where", "no_such_column = 1"], "cannot read deals"),
        (["--where", "__import__('os').system('true')"], "cannot read deals"),
        (["--columns", "deal_id,nope"], "no column nope"),
    ],
)
def test_show_rejects_bad_requests_with_a_message(two_versions, capsys, args, message):
    assert main(["show", "deals", "--data", str(two_versions[0]), *args]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err  # one line, even where DataFusion's message runs over several


def test_diff_reports_added_changed_removed_by_id(two_versions, capsys):
    data, _, edit = two_versions
    assert main(["diff", "deals", "0", "1", "--data", str(data), "--json"]) == 0
    diff = json.loads(capsys.readouterr().out)
    assert diff["added"] == [edit["added"]]
    assert diff["removed"] == [edit["removed"]]
    assert diff["changed"] == {edit["changed"]: ["status"]}
    assert main(["diff", "deals", "0", "1", "--data", str(data)]) == 0
    assert capsys.readouterr().out.startswith("deals 0 -> 1: 1 added, 1 changed, 1 removed")
    assert main(["diff", "events", "0", "0", "--data", str(data)]) == 0
    assert "0 added, 0 changed, 0 removed" in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_export_writes_the_version_asked_for(two_versions, tmp_path, fmt):
    data, rows, _ = two_versions
    out = tmp_path / f"deals.{fmt}"
    assert main(["export", "deals", "--data", str(data), "--as-of", "0", "--format", fmt, "--out", str(out)]) == 0
    if fmt == "parquet":
        back = pq.ParquetFile(out).read().to_pylist()
    elif fmt == "jsonl":
        back = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    else:
        with out.open(encoding="utf-8", newline="") as handle:
            back = list(csv.DictReader(handle))
        for row in back:  # nested columns travel as JSON text
            row["evidence"] = json.loads(row["evidence"])
    by_id = {r["deal_id"]: r for r in back}
    assert set(by_id) == {r["deal_id"] for r in rows}
    for row in rows:
        assert [e["text"] for e in by_id[row["deal_id"]]["evidence"]] == [e["text"] for e in row["evidence"]]
    if fmt == "parquet":
        assert back == sorted(rows, key=reading_order)
