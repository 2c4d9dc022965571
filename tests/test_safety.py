"""Safety: inputs are data, never code; paths stay inside --input and --data; Prefect stays local."""

from __future__ import annotations

import ast
import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from flows.ingest.readers import ingest_path
from flows.orchestration.api_server import quiet_prefect
from flows.publish import storage
from tests.conftest import ROOT

FLOWS = sorted((ROOT / "flows").rglob("*.py"))
# Modules that turn bytes into live objects or run code; none has a place in a pipeline reading untrusted text.
CODE_LOADERS = {"pickle", "cPickle", "dill", "cloudpickle", "marshal", "shelve", "joblib"}
CODE_RUNNERS = {"eval", "exec", "compile", "__import__"}


def calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node, ast.unparse(node.func)


@pytest.mark.parametrize("module", FLOWS, ids=lambda p: str(p.relative_to(ROOT / "flows")))
def test_no_module_unpickles_evaluates_or_shells_out(module: Path):
    tree = ast.parse(module.read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not imported & CODE_LOADERS
    for node, name in calls(tree):
        assert name not in CODE_RUNNERS, f"{module.name}:{node.lineno} calls {name}"
        assert name not in {"os.system", "os.popen", "yaml.load", "yaml.unsafe_load", "pd.read_pickle", "np.load"}, f"{module.name}:{node.lineno}"
        if name in {"subprocess.run", "subprocess.Popen", "subprocess.call", "subprocess.check_call", "subprocess.check_output"}:
            # We start git, and Prefect's API server on 127.0.0.1 (api_server.py): literal argument
            # lists, no shell; the only values not written out are this Python, the port and the
            # installed package's folder.
            variables = {"sys.executable", "str(port)", "app_dir"} if module.name == "api_server.py" else set()
            assert isinstance(node.args[0], ast.List) and all(isinstance(a, ast.Constant) or ast.unparse(a) in variables for a in node.args[0].elts), f"{module.name}:{node.lineno}"
            if module.name == "api_server.py":
                assert "127.0.0.1" in [a.value for a in node.args[0].elts if isinstance(a, ast.Constant)]
            assert not any(k.arg == "shell" for k in node.keywords), f"{module.name}:{node.lineno}"


def test_a_planted_loader_would_be_caught(tmp_path: Path):
    bad = ast.parse("import pickle\npickle.loads(data)\neval(text)\n")
    assert {n for _, n in calls(bad)} >= {"pickle.loads", "eval"}


def test_symlinked_files_and_folders_are_never_followed(tmp_path: Path):
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "secret.txt").write_text("Secret text that must stay outside.", encoding="utf-8")
    (outside / "deep" / "more.txt").write_text("More secret text.", encoding="utf-8")
    root = tmp_path / "in"
    root.mkdir()
    (root / "ok.txt").write_text("Officials met on Monday.", encoding="utf-8")
    (root / "file.txt").symlink_to(outside / "secret.txt")
    (root / "folder").symlink_to(outside / "deep", target_is_directory=True)
    docs, quarantined = ingest_path(root)
    assert [d["source_uri"] for d in docs] == ["ok.txt"]
    assert {q["source_uri"]: q["reason"] for q in quarantined} == {"file.txt": "symlink", "folder": "symlink"}


@pytest.mark.parametrize("name", ["../escape", "a/b", "", "..", "/abs"])
def test_storage_refuses_names_that_would_leave_the_data_dir(tmp_path: Path, name: str):
    with pytest.raises(ValueError, match="not a plain name"):
        storage.table_uri(tmp_path, name)
    with pytest.raises(ValueError, match="not a plain name"):
        storage.write_report(tmp_path, name, {})
    assert not (tmp_path.parent / "escape.json").exists()


def test_the_cli_keeps_prefects_server_on_the_loopback_interface(monkeypatch):
    from prefect.settings import Settings

    monkeypatch.delenv("PREFECT_SERVER_API_HOST", raising=False)
    quiet_prefect()
    assert os.environ["PREFECT_SERVER_API_HOST"] == "127.0.0.1"
    assert Settings().server.api.host == "127.0.0.1"


def test_the_temporary_server_listens_on_127_0_0_1_only(prefect_harness):
    # The harness starts the same SubprocessASGIServer a CLI run without PREFECT_API_URL starts.
    import prefect.settings

    url = urlparse(str(prefect.settings.PREFECT_API_URL.value()))
    assert url.hostname == "127.0.0.1"
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            pytest.skip("no /proc/net to inspect")
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port = local.rsplit(":", 1)
            if state == "0A" and int(port, 16) == url.port:  # 0A = LISTEN
                listening.add(address)
    assert listening == {"0100007F"}  # 127.0.0.1, and not 0.0.0.0 or ::
