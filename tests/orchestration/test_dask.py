"""The Dask task runner produces the same tables as the default runner."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.core.schemas import publish_order
from flows.core.settings import load_settings
from flows.publish import plan as publish
from flows.publish import storage
from tests.conftest import SEEDS

CHUNK = 2  # the 4 seeds become 2 chunks, so both workers get one


def _contents(data: Path, name: str) -> list[dict]:
    rows = storage.read_rows(data, name)
    key = {"articles": "article_id", "entities": "entity_id", "events": "event_id", "deals": "deal_id", "rejections": "rejection_id"}[name]
    return sorted(({k: v for k, v in r.items() if k not in publish.VOLATILE} for r in rows), key=lambda r: r[key])


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local


def test_dask_runner_tables_equal_default_runner(prefect_harness, cluster, tmp_path):
    from flows.orchestration.flow import run_pipeline

    default = run_pipeline(load_settings({"input_path": SEEDS, "data_dir": tmp_path / "default", "processes": 1, "chunk_size": CHUNK}))
    on_dask = run_pipeline(
        load_settings({"input_path": SEEDS, "data_dir": tmp_path / "dask", "processes": 2, "chunk_size": CHUNK, "task_runner": "dask", "dask_address": cluster.scheduler_address})
    )
    assert default["success"] and on_dask["success"]
    assert on_dask["new_articles"] == default["new_articles"] == 4
    for name in publish_order():
        expected = _contents(tmp_path / "default", name)
        assert expected or name == "rejections", f"{name} is empty"  # the seeds make no bad row
        assert _contents(tmp_path / "dask", name) == expected, name
    # Extraction really ran on the cluster: its workers loaded the spaCy pipeline.
    with distributed_client(cluster) as client:
        loaded = client.run(_pipelines_loaded)
    assert sum(loaded.values()) >= 1, loaded


def distributed_client(cluster):
    from distributed import Client

    return Client(cluster.scheduler_address)


def _pipelines_loaded() -> int:
    import sys

    nlp = sys.modules.get("flows.extract.nlp")
    return nlp.loaded_pipelines() if nlp else 0
