"""What a user types on a first run: each mistake is one line on stderr, never a traceback; and
what `show` and `config` print reads plainly. Tables here are a few rows written by hand."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli.app import main
from flows.core.settings import SETTING_NAMES
from flows.publish import storage
from flows.validate import contracts
from tests.conftest import ROOT, SEEDS


def one_line(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1 and "Traceback" not in err, err
    return err


def write_table(data: Path, name: str, rows: list[dict]) -> None:
    """rows, their other non-nullable columns filled with a blank of their type (Delta refuses nulls there)."""
    contract = contracts.load_contracts()[name]
    blank = {"string": "x", "bool": False, "float64": 0.5, "int32": 1}
    filled = [{**{c.name: blank.get(c.type, []) for c in contract.columns if not c.nullable}, **row} for row in rows]
    storage.upsert(data, name, contracts.to_arrow(filled, contract), key=contract.primary_key, metadata={"run_id": "hand-made"})


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """deals and entities at version 0, in an order that is neither their ids' nor their dates'."""
    folder = tmp_path_factory.mktemp("hand-made") / "data"
    write_table(folder, "deals", [
        {"deal_id": "d_0000000000000001", "status": "approved", "announced_date": dt.date(2025, 6, 1)},
        {"deal_id": "d_0000000000000002", "status": "signed", "announced_date": None},
        {"deal_id": "d_0000000000000003", "status": "approved", "announced_date": dt.date(2024, 1, 15)},
    ])
    write_table(folder, "entities", [
        {"entity_id": "e_0000000000000001", "name": "Zhob", "type": "GPE"},
        {"entity_id": "e_0000000000000002", "name": "Asian Development Bank", "type": "ORG"},
    ])
    return folder


# --- eval ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "missing"), [([], "--gold, --articles"), (["--gold", "gold.jsonl"], "--articles")])
def test_eval_without_its_arguments_says_which_in_one_line(capsys, args, missing):
    with pytest.raises(SystemExit) as exit_info:
        main(["eval", *args])
    assert exit_info.value.code == 2
    err = one_line(capsys.readouterr().err)
    assert missing in err and "newsflow eval --help" in err


def test_eval_paths_that_are_not_there_are_one_line_errors(tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    assert main(["eval", "--gold", str(gold), "--articles", str(SEEDS)]) == 2
    assert f"--gold {gold} is not a file" in one_line(capsys.readouterr().err)
    gold.write_text("{}\n", encoding="utf-8")
    assert main(["eval", "--gold", str(gold), "--articles", str(tmp_path / "articles")]) == 2
    assert "--articles" in one_line(capsys.readouterr().err)
    assert main(["eval", "--gold", str(gold), "--articles", str(SEEDS)]) == 2  # a dev set's gold needs its sources.jsonl
    assert "sources.jsonl" in one_line(capsys.readouterr().err)


def test_make_eval_without_the_dev_set_says_so_in_one_line_before_setting_up(tmp_path):
    # -n: make only prints what it would run, so a missing check shows as printed set-up commands, never runs them
    done = subprocess.run(["make", "-n", "--no-print-directory", "eval", f"DEVSET={tmp_path / 'devset'}"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and done.stdout == ""
    assert "dev set" in one_line(done.stderr) and str(tmp_path / "devset") in done.stderr


# --- serve --------------------------------------------------------------------------------------

def test_a_cron_prefect_would_refuse_is_a_one_line_error():
    from flows.orchestration.flow import ServeError, check_serving

    for cron in ("61 * * * *", "* * *", "H * * * *"):
        with pytest.raises(ServeError) as info:
            check_serving(cron)
        assert "\n" not in str(info.value) and repr(cron) in str(info.value)


def serve(tmp_path: Path, cron: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSFLOW_"))}
    clean.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false", **env)
    command = [sys.executable, "-m", "flows.cli", "serve", "--cron", cron, "--input", str(SEEDS), "--data", str(tmp_path / "data")]
    return subprocess.run(command, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def test_serve_refuses_a_bad_cron_or_no_server_in_one_line(tmp_path):
    done = serve(tmp_path, "61 * * * *")
    assert done.returncode == 2 and "is not a cron schedule" in one_line(done.stderr)
    done = serve(tmp_path, "0 6 * * *")  # no PREFECT_API_URL: Prefect would serve to a temporary server no scheduler reads
    assert done.returncode == 2 and "PREFECT_API_URL" in one_line(done.stderr)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        nobody = f"http://127.0.0.1:{s.getsockname()[1]}/api"
    done = serve(tmp_path, "0 6 * * *", PREFECT_API_URL=nobody)
    assert done.returncode == 2 and f"no Prefect server answers at PREFECT_API_URL={nobody}" in one_line(done.stderr)


# --- run ----------------------------------------------------------------------------------------

def test_an_input_folder_that_does_not_exist_is_one_line(tmp_path, capsys):
    assert main(["run", "--input", str(tmp_path / "inbox"), "--data", str(tmp_path / "data")]) == 2
    assert f"input {tmp_path / 'inbox'} does not exist" in one_line(capsys.readouterr().err)
    assert not (tmp_path / "data").exists()


def test_prefect_state_goes_to_the_checkout_unless_prefect_home_is_set(tmp_path, monkeypatch):
    from flows.cli.common import default_prefect_home

    environ: dict[str, str] = {}
    default_prefect_home(environ, tmp_path)
    assert environ == {"PREFECT_HOME": str(tmp_path / ".prefect")}
    environ = {"PREFECT_HOME": "/elsewhere"}
    default_prefect_home(environ, tmp_path)
    assert environ == {"PREFECT_HOME": "/elsewhere"}
    environ = {}
    default_prefect_home(environ, None)  # an installed newsflow: Prefect's own default, ~/.prefect
    assert environ == {}
    monkeypatch.delenv("PREFECT_HOME")
    assert main(["config"]) == 0
    assert os.environ["PREFECT_HOME"] == str(ROOT / ".prefect")


# --- show, diff ---------------------------------------------------------------------------------

def test_diff_of_a_table_with_one_version(data, capsys):
    assert main(["diff", "deals", "0", "1", "--data", str(data)]) == 1
    assert "deals has only version 0" in one_line(capsys.readouterr().err)


def test_diff_names_its_arguments_not_a_flag(data, capsys):
    assert main(["diff", "deals", "a", "b", "--data", str(data)]) == 1
    err = one_line(capsys.readouterr().err)
    assert "version or time 'a'" in err and "--as-of" not in err


def test_show_as_of_a_time_before_the_table_says_when_it_begins(data, capsys):
    first = storage.history(data, "deals")[-1]["timestamp"][:19]
    assert main(["show", "deals", "--data", str(data), "--as-of", "2000-01-01"]) == 1
    err = one_line(capsys.readouterr().err)
    assert "did not exist yet" in err and first in err


def test_an_unquoted_string_value_gets_a_hint(data, capsys):
    assert main(["show", "deals", "--data", str(data), "--where", "status = approved"]) == 1
    assert """--where "status = 'approved'\"""" in one_line(capsys.readouterr().err)
    assert main(["show", "deals", "--data", str(data), "--where", "status = 'approved'", "--json"]) == 0  # the hint works
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_a_negative_limit_is_refused_by_the_parser(data, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["show", "deals", "--data", str(data), "--limit", "-3"])
    assert exit_info.value.code == 2
    assert "--limit" in one_line(capsys.readouterr().err)


def test_show_orders_rows_by_date_or_name_and_prints_dates_plainly(data, capsys):
    assert main(["show", "deals", "--data", str(data), "--columns", "deal_id,announced_date"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[1:-1]] == ["d_0000000000000003", "d_0000000000000001", "d_0000000000000002"]  # dated first, by date
    assert lines[1].split()[1] == "2024-01-15" and '"' not in "".join(lines)
    assert main(["show", "entities", "--data", str(data), "--json"]) == 0
    assert [json.loads(line)["name"] for line in capsys.readouterr().out.splitlines()] == ["Asian Development Bank", "Zhob"]


def test_config_aligns_every_setting(capsys):
    assert main(["config"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert [line.split()[0] for line in lines] == list(SETTING_NAMES)
    sources = {line.rindex("(") for line in lines}
    values = {len(line) - len(line[len(line.split()[0]) :].lstrip()) for line in lines if len(line.split()) > 2}
    assert len(sources) == 1 and len(values) == 1, lines
