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
GOLDEN = Path(os.environ.get("NEWSFLOW_SEEDS_EXPECTED", ROOT.parent / "shared" / "golden" / "seeds_expected.json"))


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
