"""Shared fixtures: Prefect runs against a throwaway harness, never the user's home."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="newsflow-prefect-"))
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEEDS_EXPECTED = ROOT / "tests" / "data" / "seeds_expected.json"  # what the seeds say, written from their text
ANALYST_SEEDS_EXPECTED = ROOT.parent / "shared" / "golden" / "seeds_expected.json"  # optional: a cross-check when present

# `e2e` = runs the real flow, a CLI in a subprocess, a server or a browser; `slow` = takes long on
# its own. `make test-fast` runs neither. A test that uses prefect_harness (itself or through
# run_flow/seeds_run) is e2e without being listed; these are the ones that get there another way:
# a whole module, or module::test when the module's other tests are unit tests. They are listed
# here rather than in each module so that what `make test-fast` leaves out is decided in one place.
MARKS: dict[str, tuple[str, ...]] = {
    "orchestration/test_serve.py": ("e2e", "slow"),  # a real `prefect server start` and `newsflow serve`
    "orchestration/test_dask.py": ("e2e", "slow"),  # a local Dask cluster
    "orchestration/test_gate.py": ("e2e",),  # `main(["run", ...])` without the harness: a temporary server each
    "orchestration/test_gate_faults.py": ("e2e",),  # one of them a CLI subprocess with its own server
    "report/test_run_report_e2e.py": ("e2e",),  # headless Chromium
    "resolve/test_incremental.py::test_temporary_api_server_boots_and_is_torn_down": ("e2e",),
    "test_packaging.py::test_an_installed_wheel_runs_the_seeds_outside_the_checkout": ("e2e", "slow"),
    "cli/test_cli_errors.py::test_serve_refuses_a_bad_cron_or_no_server_in_one_line": ("e2e",),  # three CLI subprocesses
    "orchestration/test_scale.py::test_state_on_disk_resolves_as_a_full_scan_in_memory": ("slow",),  # dozens of Delta commits per seed
    # Data outside the project: `make test` means the same on every clone, `make eval` runs these.
    "eval/test_seeds_expected.py::test_nothing_the_analyst_expects_is_missing": ("shared",),
}


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def run_flow(prefect_harness):
    """Run the real flow: run_flow(input_path, data_dir, **settings) -> summary."""
    from flows.core.settings import load_settings
    from flows.orchestration.flow import news_pipeline

    def run(input_path: Path, data_dir: Path, **overrides):
        return news_pipeline(load_settings({"input_path": input_path, "data_dir": data_dir, "processes": 1, **overrides}))

    return run


@pytest.fixture(scope="session")
def seeds_run(run_flow, tmp_path_factory):
    """One run over the seeds, then a rerun: (data_dir, first summary, second summary)."""
    data = tmp_path_factory.mktemp("seeds-data")
    first = run_flow(SEEDS, data)
    second = run_flow(SEEDS, data)
    return data, first, second


def _unknown_marked() -> list[str]:
    """MARKS entries that no longer name a module or a test (renamed, moved): they would mark nothing."""
    stale = []
    for key in MARKS:
        module, _, test = key.partition("::")
        path = ROOT / "tests" / module
        if not path.is_file() or (test and f"def {test}(" not in path.read_text(encoding="utf-8")):
            stale.append(key)
    return stale


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    stale = _unknown_marked()
    if stale:
        raise pytest.UsageError(f"tests/conftest.py MARKS names what is not there (moved or renamed?): {', '.join(stale)}")
    for item in items:
        if not item.path.is_relative_to(ROOT / "tests"):
            continue  # a test from elsewhere collected in the same session
        module = item.path.relative_to(ROOT / "tests").as_posix()
        names = [*MARKS.get(module, ()), *MARKS.get(f"{module}::{getattr(item, 'originalname', item.name)}", ())]
        if "prefect_harness" in item.fixturenames:
            names.append("e2e")
        for name in dict.fromkeys(names):
            item.add_marker(getattr(pytest.mark, name))
