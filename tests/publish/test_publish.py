from __future__ import annotations

from flows.publish.plan import commit_metadata, new_run_id, plan_changes


def test_plan_changes_ignores_run_id_and_finds_updates_and_deletes():
    current = [{"id": "a", "x": 1, "run_id": "r1"}, {"id": "b", "x": 2, "run_id": "r1"}]
    proposed = [{"id": "a", "x": 1, "run_id": "r2"}, {"id": "b", "x": 3, "run_id": "r2"}, {"id": "c", "x": 4, "run_id": "r2"}]
    changes = plan_changes(current, proposed, "id")
    assert [r["id"] for r in changes.upserts] == ["b", "c"]
    assert changes.deletes == []
    gone = plan_changes(current, proposed[:1], "id")
    assert gone.upserts == [] and gone.deletes == ["b"]
    assert plan_changes(current, current, "id").empty


def test_run_ids_are_unique_and_metadata_is_strings():
    assert new_run_id() != new_run_id()
    meta = commit_metadata("r", "m", "v", 3)
    assert meta["input_count"] == "3" and all(isinstance(v, str) for v in meta.values())
