from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from flows.cli.app import build_parser, main
from flows.extract.workers import MIN_POOL_ARTICLES
from tests.conftest import SEEDS


def test_missing_input_is_a_one_line_error_with_exit_2(tmp_path, capsys):
    assert main(["run", "--input", str(tmp_path / "nope"), "--data", str(tmp_path / "d")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_validate_without_tables_fails(tmp_path, capsys):
    assert main(["validate", "--data", str(tmp_path)]) == 1


@pytest.mark.parametrize("command", ["run", "validate", "history", "eval", "tables", "show", "diff", "export", "config", "serve"])
def test_every_command_has_help_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([command, "--help"])
    assert exit_info.value.code == 0
    assert "example:" in capsys.readouterr().out


def test_history_lists_versions(seeds_run, capsys):
    data, first, _ = seeds_run
    assert main(["history", "deals", "--data", str(data)]) == 0
    assert first["run_id"] in capsys.readouterr().out


def test_a_run_too_small_for_a_worker_pool_is_told_apart_without_reading_everything(tmp_path):
    from flows.cli.run import _small_input

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text("x" * 1_000)
    (tmp_path / "two.jsonl").write_text("x" * 1_000)
    assert _small_input(tmp_path) and _small_input(tmp_path / "two.jsonl")
    (tmp_path / "a" / "big.jsonl").write_bytes(b"x" * (MIN_POOL_ARTICLES * 2_000))
    assert not _small_input(tmp_path) and _small_input(tmp_path / "two.jsonl")
    assert _small_input(SEEDS)  # the seeds parse in the flow's process, so the model loads while the server boots


def test_console_script_skips_teardown_but_not_threads_handlers_or_output(tmp_path):
    # entry() leaves by os._exit: a thread still running, an exit handler and buffered output
    # must all finish first, and main's exit code must come through.
    script = f"""
import atexit, threading, time
from pathlib import Path
from flows.cli import app as cli
out = Path({str(tmp_path)!r})
def late():
    time.sleep(0.3)
    (out / "thread").write_text("done")
def fake_main(argv=None):
    threading.Thread(target=late).start()
    atexit.register(lambda: (out / "atexit").write_text("done"))
    print("buffered", end="")
    return 3
cli.main = fake_main
cli.entry()
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    assert (proc.returncode, proc.stdout) == (3, "buffered"), proc.stderr
    assert (tmp_path / "thread").read_text() == "done" and (tmp_path / "atexit").read_text() == "done"
    assert entry_points(group="console_scripts")["newsflow"].value == "flows.cli.app:entry"


def test_the_hint_names_newsflow_as_the_user_can_type_it(tmp_path, monkeypatch):
    from flows.cli.common import invoked_as

    script = tmp_path / "bin" / "newsflow"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert invoked_as(".venv/bin/newsflow") == ".venv/bin/newsflow"  # not on PATH: the path typed
    monkeypatch.setenv("PATH", f"{script.parent}:/usr/bin:/bin")
    assert invoked_as(str(script)) == "newsflow"  # on PATH: the name
    assert invoked_as("/usr/lib/python3/pytest") == "python -m flows.cli"
