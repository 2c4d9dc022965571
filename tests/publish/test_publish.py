from __future__ import annotations

from flows.publish.plan import commit_metadata, new_run_id, plan_changes


def test_plan_changes_ignores_run_id_and_finds_updates_and_deletes():
    current = [{"id": "a", "x": 1, "run_id": "r1"}, {"id": "b", "x": 2, "run_id": "r1"}]
    proposed = [{"id": "a", "x": 1, "run_id": "r2"}, {"id": "b", "x": 3, "run_id": "r2"}, {"id": "c", "x": 4, "run_id": "r2"}]
    changes = plan_changes(current, proposed, "id", touched={"a", "b", "c"})
    assert [r["id"] for r in changes.upserts] == ["b", "c"]
    assert changes.deletes == []
    gone = plan_changes(current, proposed[:1], "id", touched={"a"})
    assert gone.upserts == [] and gone.deletes == ["b"]
    assert plan_changes(current, current, "id", touched=set()).empty


def test_plan_changes_goes_by_the_touched_keys_not_by_object_identity():
    current = [{"id": "a", "x": 1}, {"id": "b", "x": 2}]
    # Copies, not the published objects: only the marks say what resolution changed.
    proposed = [{"id": "a", "x": 9}, {"id": "b", "x": 3}, {"id": "c", "x": 4}]
    changes = plan_changes(current, proposed, "id", touched={"b"})
    assert [r["id"] for r in changes.upserts] == ["b", "c"]  # a: not touched, so unchanged by contract; c: new, marked or not
    assert plan_changes(current, [dict(r) for r in current], "id", touched={"a", "b"}).empty  # touched and equal field by field


def test_run_ids_are_unique_and_metadata_is_strings():
    assert new_run_id() != new_run_id()
    meta = commit_metadata("r", "m", "v", 3)
    assert meta["input_count"] == "3" and all(isinstance(v, str) for v in meta.values())
