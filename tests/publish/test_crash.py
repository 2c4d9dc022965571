"""Crash safety: SIGKILL the real CLI at three points; tables stay readable and whole, the next run repairs."""

from __future__ import annotations

import shutil
import signal

import pytest

from flows.publish import storage
from tests.conftest import SEEDS
from tests.faults import TABLES, dangling_article_ids, duplicate_keys, read_all, run_args, run_cli


def versions(data) -> dict[str, int | None]:
    return {name: storage.current_version(data, name) for name in TABLES}


def essentials(tables: dict[str, list[dict]]) -> dict[str, list]:
    """What a repaired run must agree on with an uninterrupted one: everything but run ids."""
    return {name: sorted(repr({k: v for k, v in row.items() if k != "run_id"}) for row in rows) for name, rows in tables.items()}


@pytest.fixture(scope="module")
def clean_reference(run_flow, tmp_path_factory):
    """The same two runs as below, without faults, in-process."""
    inputs, data = tmp_path_factory.mktemp("ref-in"), tmp_path_factory.mktemp("ref-data")
    shutil.copy(next(SEEDS.glob("000_*.txt")), inputs)
    assert run_flow(inputs, data)["success"]
    shutil.copy(next(SEEDS.glob("001_*.txt")), inputs)
    assert run_flow(inputs, data)["success"]
    return read_all(data)


def test_sigkill_at_three_points_leaves_whole_tables_and_the_next_run_repairs(run_flow, clean_reference, tmp_path):
    inputs, data = tmp_path / "in", tmp_path / "data"
    inputs.mkdir()
    shutil.copy(next(SEEDS.glob("000_*.txt")), inputs)
    assert run_flow(inputs, data)["success"]  # only the killed runs need a process of their own
    baseline, baseline_versions = read_all(data), versions(data)
    shutil.copy(next(SEEDS.glob("001_*.txt")), inputs)

    # Killed before anything is published: every table is exactly as before.
    for fault in ("kill:extract", "kill:publish"):
        killed = run_cli(fault, run_args(inputs, data))
        assert killed.returncode == -signal.SIGKILL, (fault, killed.stderr[-2000:])
        assert versions(data) == baseline_versions, fault
        assert read_all(data) == baseline, fault

    # Killed inside the deals commit, after entities and events were committed.
    killed = run_cli("kill:commit:deals", run_args(inputs, data))
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    now = versions(data)
    assert now["deals"] == baseline_versions["deals"] and now["articles"] == baseline_versions["articles"]
    assert now["entities"] == baseline_versions["entities"] + 1 and now["events"] == baseline_versions["events"] + 1
    crashed = read_all(data)
    assert not duplicate_keys(crashed)
    assert crashed["deals"] == baseline["deals"] and crashed["articles"] == baseline["articles"]
    # Documented state: entities/events are ahead of articles, which mark what is done.
    assert dangling_article_ids(crashed)
    for name in TABLES:  # every version ever committed reads whole
        for entry in storage.history(data, name):
            assert storage.read_table(data, name, version=entry["version"]).num_rows == entry["rows"]

    assert run_flow(inputs, data)["success"]  # the repair run
    repaired = read_all(data)
    assert not duplicate_keys(repaired)
    assert not dangling_article_ids(repaired)
    assert len(repaired["articles"]) == 2
    assert essentials(repaired) == essentials(clean_reference)

    settled = versions(data)
    assert run_flow(inputs, data)["success"]
    assert versions(data) == settled
    assert read_all(data) == repaired
