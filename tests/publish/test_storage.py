from __future__ import annotations

import pyarrow as pa

from flows.publish import storage

SCHEMA = pa.schema([("id", pa.string()), ("n", pa.int64()), ("tags", pa.list_(pa.string()))])


def rows(*items):
    return pa.Table.from_pylist([{"id": i, "n": n, "tags": [str(n)]} for i, n in items], schema=SCHEMA)


def test_upsert_creates_merges_and_deletes_in_one_commit_each(tmp_path):
    assert storage.read_table(tmp_path, "t") is None and storage.current_version(tmp_path, "t") is None
    assert storage.upsert(tmp_path, "t", rows(("a", 1), ("b", 2)), key="id", metadata={"run_id": "r1"}) == 0
    assert storage.upsert(tmp_path, "t", rows(("b", 3), ("c", 4)), key="id", delete_keys=["a"], metadata={"run_id": "r2"}) == 1
    latest = sorted(storage.read_rows(tmp_path, "t"), key=lambda r: r["id"])
    assert latest == [{"id": "b", "n": 3, "tags": ["3"]}, {"id": "c", "n": 4, "tags": ["4"]}]
    assert sorted(r["id"] for r in storage.read_rows(tmp_path, "t", version=0)) == ["a", "b"]
    history = storage.history(tmp_path, "t")
    assert [(h["version"], h["run_id"], h["rows"]) for h in history] == [(1, "r2", 2), (0, "r1", 2)]


def test_a_column_the_contract_gained_is_added_and_reads_as_null_for_older_rows(tmp_path):
    storage.upsert(tmp_path, "t", rows(("a", 1)), key="id", metadata={"run_id": "r1"})
    assert storage.read_columns(tmp_path, "t", ["id", "hash"]) == [{"id": "a", "hash": None}]
    wider = rows(("b", 2)).append_column("hash", pa.array(["h"]))
    storage.upsert(tmp_path, "t", wider, key="id", metadata={"run_id": "r2"})
    read = sorted(storage.read_columns(tmp_path, "t", ["id", "hash"]), key=lambda r: r["id"])
    assert read == [{"id": "a", "hash": None}, {"id": "b", "hash": "h"}]


def test_empty_first_write_still_creates_a_readable_table(tmp_path):
    storage.upsert(tmp_path, "t", rows(), key="id", metadata={"run_id": "r"})
    table = storage.read_table(tmp_path, "t")
    assert table.num_rows == 0 and table.schema.names == SCHEMA.names


def test_quarantine_and_report_files(tmp_path):
    assert storage.write_quarantine(tmp_path, "r1", []) is None
    path = storage.write_quarantine(tmp_path, "r1", [{"source_uri": "x.txt", "reason": "empty"}])
    assert path.read_text().count("\n") == 1 and '"empty"' in path.read_text()
    assert storage.write_report(tmp_path, "r1", {"ok": True}).exists()
