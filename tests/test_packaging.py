"""A wheel carries what a run needs besides the code: the contracts (schemas/) and the default input
(seeds/). Installed outside the checkout, it runs the seeds and validates what it published."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import flows
from flows.core.schemas import BUNDLED, CHECKOUT, SCHEMAS_ENV, SOURCE_SCHEMAS, gated_tables, rejections_table, schemas_dir, shipped
from flows.core.settings import DEFAULTS
from flows.publish import storage
from tests.conftest import ROOT

SHIPPED = ("schemas", "seeds")
# What a wheel is made of (README.md is pyproject's readme). The build runs on a copy: setuptools
# writes build/ and newsflow.egg-info/ into the folder it builds, and the checkout stays as it is.
BUILD_INPUTS = ("pyproject.toml", "README.md", "flows", *SHIPPED)


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def setuptools_config() -> dict:
    return pyproject()["tool"]["setuptools"]


def setuptools_pins() -> dict[str, list[str]]:
    """Every place that pins setuptools: the build backend, the dev extras, the lock."""
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    places = {"build-system": pyproject()["build-system"]["requires"], "dev extras": pyproject()["project"]["optional-dependencies"]["dev"], "requirements.lock": lock}
    return {place: [r.strip() for r in reqs if r.strip().lower().startswith("setuptools")] for place, reqs in places.items()}


def test_setuptools_is_pinned_once_exactly_everywhere():
    pins = setuptools_pins()
    assert len({tuple(p) for p in pins.values()}) == 1 and len(pins["requirements.lock"]) == 1 and "==" in pins["requirements.lock"][0], pins


def test_every_folder_under_flows_is_a_listed_package_and_the_shipped_folders_are_mapped_in():
    # The list in pyproject.toml is written by hand (see there why): a new package must be added.
    config = setuptools_config()
    bundled = {f"flows.{BUNDLED}.{folder}": folder for folder in SHIPPED}
    folders = {ROOT / "flows", *(p for p in (ROOT / "flows").rglob("*") if p.is_dir() and "__pycache__" not in p.parts)}
    assert set(config["packages"]) == {".".join(p.relative_to(ROOT).parts) for p in folders} | set(bundled)
    assert config["package-dir"] == bundled
    assert set(bundled) <= set(config["package-data"])


def test_a_checkout_reads_its_own_folders_and_the_environment_wins_for_schemas(tmp_path, monkeypatch):
    assert CHECKOUT == ROOT
    assert (SOURCE_SCHEMAS, DEFAULTS.input_path, DEFAULTS.data_dir) == (ROOT / "schemas", ROOT / "seeds", ROOT / "data")
    monkeypatch.delenv(SCHEMAS_ENV, raising=False)
    assert schemas_dir() == ROOT / "schemas"
    monkeypatch.setenv(SCHEMAS_ENV, str(tmp_path))
    assert schemas_dir() == tmp_path


def test_without_a_checkout_the_installed_copy_is_read():
    package = Path(flows.__file__).parent
    assert [shipped(folder, checkout=None) for folder in SHIPPED] == [package / BUNDLED / folder for folder in SHIPPED]


def run(command: list[str | Path], timeout: float, **kwargs) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=timeout, **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, command))} exited {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


def build_wheel(tmp_path: Path) -> Path:
    pinned = setuptools_pins()["build-system"][0].partition("==")[2]
    installed = importlib.metadata.version("setuptools")
    assert installed == pinned, f"this venv has setuptools {installed}, pyproject.toml pins {pinned}: `make test` installs the dev extras again"
    source, dist = tmp_path / "source", tmp_path / "dist"
    source.mkdir()
    for name in BUILD_INPUTS:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, source / name)
    # --no-build-isolation: the venv's own setuptools (pinned in the dev extras) builds it, so
    # nothing is downloaded; --no-index makes sure of it.
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist, source], timeout=180)
    assert "Warning" not in built.stdout + built.stderr, built.stdout + built.stderr  # e.g. a data folder that is not a listed package
    (wheel,) = dist.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, inside in [*((f, f"flows/{BUNDLED}/{f}") for f in SHIPPED), ("flows/rules", "flows/rules")]:
        files = {f"{inside}/{p.name}" for p in (source / folder).iterdir() if p.is_file()}
        assert files and {n for n in names if n.rpartition("/")[0] == inside} == files, folder
    return wheel


def install(wheel: Path, venv: Path) -> Path:
    """A venv with the wheel alone; its dependencies are this interpreter's site-packages."""
    run([sys.executable, "-m", "venv", "--without-pip", venv], timeout=120)
    python = venv / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "--quiet", wheel], timeout=180)
    # Written after the install, so that pip saw an empty environment. Only site-packages folders:
    # the checkout, which is on this process's sys.path too, must not be importable there.
    deps = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    purelib = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], timeout=30).stdout.strip())
    (purelib / "newsflow-dependencies.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    return purelib


def test_an_installed_wheel_runs_the_seeds_outside_the_checkout(tmp_path):
    wheel = build_wheel(tmp_path)
    venv = tmp_path / "venv"
    purelib = install(wheel, venv)
    elsewhere, data = tmp_path / "elsewhere", tmp_path / "data"
    elsewhere.mkdir()
    assert ROOT not in elsewhere.parents
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSFLOW_")) and k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_LOGGING_LEVEL="WARNING", NEWSFLOW_PROCESSES="1")
    where = dict(cwd=elsewhere, env=env)

    probe = "import json, flows; from flows.core import schemas, settings; print(json.dumps([flows.__file__, str(schemas.CHECKOUT), str(schemas.schemas_dir()), str(settings.DEFAULTS.input_path), str(settings.DEFAULTS.data_dir)]))"
    found = json.loads(run([venv / "bin" / "python", "-c", probe], timeout=60, **where).stdout)
    package = purelib / "flows"
    assert found == [str(package / "__init__.py"), "None", str(package / BUNDLED / "schemas"), str(package / BUNDLED / "seeds"), "data"]

    newsflow = venv / "bin" / "newsflow"
    assert "--data" in run([newsflow, "validate", "--help"], timeout=60, **where).stdout
    run([newsflow, "run", "--data", data], timeout=300, **where)  # the default input: the wheel's seeds
    for name in (*gated_tables(), rejections_table()):
        assert (data / "tables" / name / "_delta_log").is_dir(), name
    assert len(storage.read_rows(data, "articles")) == len(list((ROOT / "seeds").iterdir()))
    run([newsflow, "validate", "--data", data], timeout=300, **where)
    assert sorted(p.name for p in elsewhere.iterdir()) == []  # nothing written where it ran
