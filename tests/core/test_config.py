"""Settings: defaults < config file < environment < flags, with the source of every value."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from flows.cli.app import main
from flows.core.settings import DEFAULTS, ConfigError, resolve_settings


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_source(tmp_path):
    resolved = resolve_settings({}, environ={}, cwd=tmp_path)
    assert resolved.settings == DEFAULTS
    assert set(resolved.sources.values()) == {"default"}
    assert resolved.config_file is None


def test_file_then_env_then_flag_win_in_that_order(tmp_path):
    config = write(tmp_path / "newsflow.toml", 'model = "from_file"\nchunk_size = 7\nprocesses = 3\nmax_bytes = 10\n')
    env = {"NEWSFLOW_CHUNK_SIZE": "8", "NEWSFLOW_PROCESSES": "4"}
    resolved = resolve_settings({"processes": 5, "model": None}, environ=env, cwd=tmp_path)
    s = resolved.settings
    assert (s.model, s.max_bytes, s.chunk_size, s.processes) == ("from_file", 10, 8, 5)
    assert resolved.sources["model"] == f"file {config}"
    assert resolved.sources["chunk_size"] == "env NEWSFLOW_CHUNK_SIZE"
    assert resolved.sources["processes"] == "flag --processes"
    assert resolved.sources["batch_size"] == "default"


def test_relative_paths_in_a_file_are_relative_to_the_file(tmp_path):
    folder = tmp_path / "conf"
    folder.mkdir()
    config = write(folder / "site.toml", '[newsflow]\ninput_path = "inbox"\ndata_dir = "/srv/data"\n')
    s = resolve_settings({}, environ={"NEWSFLOW_CONFIG": str(config)}, cwd=tmp_path).settings
    assert s.input_path == folder.resolve() / "inbox"
    assert s.data_dir == Path("/srv/data")


def test_explicit_config_beats_env_config_and_local_file(tmp_path):
    write(tmp_path / "newsflow.toml", 'model = "local"\n')
    named_env = write(tmp_path / "env.toml", 'model = "env"\n')
    explicit = write(tmp_path / "explicit.toml", 'model = "explicit"\n')
    env = {"NEWSFLOW_CONFIG": str(named_env)}
    assert resolve_settings({}, environ=env, config_file=explicit, cwd=tmp_path).settings.model == "explicit"
    assert resolve_settings({}, environ=env, cwd=tmp_path).settings.model == "env"
    assert resolve_settings({}, environ={}, cwd=tmp_path).settings.model == "local"


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ("modle = 'x'\n", {}, "unknown setting(s) modle"),
        ("processes = 'two'\n", {}, "processes = 'two' from file"),
        ("chunk_size = -1\n", {}, "must not be negative"),
        ("model = [1]\n", {}, "expected a string"),
        ("model = \n", {}, "config file"),
        ("", {"NEWSFLOW_MAX_BYTES": "lots"}, "from env NEWSFLOW_MAX_BYTES"),
    ],
)
def test_bad_values_are_errors_naming_their_source(tmp_path, text, env, message):
    write(tmp_path / "newsflow.toml", text)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolve_settings({}, environ=env, cwd=tmp_path)


def test_a_named_config_file_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        resolve_settings({}, environ={"NEWSFLOW_CONFIG": str(tmp_path / "missing.toml")}, cwd=tmp_path)


def test_config_command_prints_values_and_sources(tmp_path, monkeypatch, capsys):
    config = write(tmp_path / "newsflow.toml", 'data_dir = "out"\nmodel = "en_core_web_lg"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSFLOW_CHUNK_SIZE", "9")
    monkeypatch.delenv("NEWSFLOW_CONFIG", raising=False)
    assert main(["config", "--processes", "2", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["data_dir"] == {"value": str(tmp_path.resolve() / "out"), "source": f"file {config}"}
    assert shown["model"]["source"] == f"file {config}"
    assert shown["chunk_size"] == {"value": "9", "source": "env NEWSFLOW_CHUNK_SIZE"}
    assert shown["processes"] == {"value": "2", "source": "flag --processes"}
    assert main(["config"]) == 0
    text = capsys.readouterr().out
    assert f"config file: {config}" in text
    assert re.search(r"^chunk_size +9 +\(env NEWSFLOW_CHUNK_SIZE\)$", text, re.M), text


def test_commands_use_the_config_file(tmp_path, monkeypatch, capsys):
    write(tmp_path / "newsflow.toml", f'input_path = "{tmp_path / "nowhere"}"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSFLOW_INPUT_PATH", raising=False)
    assert main(["run"]) == 2
    assert str(tmp_path / "nowhere") in capsys.readouterr().err


def test_a_bad_config_is_a_one_line_error_with_exit_2(tmp_path, capsys):
    bad = write(tmp_path / "bad.toml", "nope = 1\n")
    assert main(["config", "--config", str(bad)]) == 2
    assert "unknown setting(s) nope" in capsys.readouterr().err
