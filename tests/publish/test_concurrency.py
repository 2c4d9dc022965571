"""Two runs on one --data: the lock makes the second wait (or give up with a clear message)."""

from __future__ import annotations

import shutil

import pytest

from flows.cli.app import main
from flows.publish import storage
from tests.conftest import SEEDS
from tests.faults import TABLES, duplicate_keys, read_all, run_args, start_cli


def test_lock_is_exclusive_released_on_exit_and_a_no_op_on_object_stores(tmp_path):
    with storage.lock_data_dir(tmp_path, timeout=0):
        with pytest.raises(storage.DataDirLocked, match="another run holds the lock"):
            storage.lock_data_dir(tmp_path, timeout=0)
    with storage.lock_data_dir(tmp_path, timeout=0):
        pass
    with storage.lock_data_dir("s3://bucket/newsflow", timeout=0):
        with storage.lock_data_dir("s3://bucket/newsflow", timeout=0):
            pass


def test_a_run_that_cannot_get_the_lock_exits_with_a_clear_message(prefect_harness, tmp_path, monkeypatch, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(next(SEEDS.glob("000_*.txt")), inputs)
    data = tmp_path / "data"
    monkeypatch.setenv("NEWSFLOW_LOCK_TIMEOUT", "0")
    # flock conflicts between two open file descriptions even within one process: this is a real second holder.
    with storage.lock_data_dir(data, timeout=0):
        code = main(["run", "--input", str(inputs), "--data", str(data)])
    err = capsys.readouterr().err
    assert code == 3
    (line,) = [x for x in err.splitlines() if x.startswith("newsflow:")]
    assert "another run holds the lock" in line and "Traceback" not in err
    assert not (data / "tables").exists()


def test_two_runs_started_at_once_commit_once_without_duplicates(prefect_harness, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(next(SEEDS.glob("000_*.txt")), inputs)
    data = tmp_path / "data"
    runs = [start_cli("none", run_args(inputs, data, "--json")) for _ in range(2)]
    outcomes = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err[-2000:] for _, err in outcomes]
    tables = read_all(data)
    assert not duplicate_keys(tables)
    assert len(tables["articles"]) == 1
    # One run published; the other waited for the lock, then found nothing new to commit.
    for name in TABLES:
        assert len(storage.history(data, name)) == 1, name
    assert sorted('"new_articles": 1' in out for out, _ in outcomes) == [False, True]
