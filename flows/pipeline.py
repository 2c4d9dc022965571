"""The Prefect flow `news_pipeline`: thin tasks over the stage modules. Only this module knows Prefect."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows import clean, contracts, datadocs, extract, ingest, progress, publish, report, resolve, retract, storage, validate
from flows.nlp import model_version
from flows.settings import Settings

TASK = {"cache_policy": NO_CACHE, "persist_result": False}


@task(**TASK)
def ingest_task(input_path: Path, max_bytes: int) -> tuple[list[Any], list[Any]]:
    return ingest.ingest_path(input_path, max_bytes=max_bytes)


@task(**TASK)
def clean_task(documents: list[Any]) -> list[Any]:
    return [clean.clean_document(d) for d in documents]


@task(**TASK)
def load_published_task(data_dir: Path) -> dict[str, list[dict[str, Any]]]:
    return {name: storage.read_rows(data_dir, name) for name in publish.PUBLISH_ORDER}


@task(**TASK)
def extract_task(articles: list[Any], settings: Settings) -> list[dict[str, Any]]:
    return extract.extract_articles(articles, model=settings.model, processes=settings.effective_processes, batch_size=settings.batch_size)


@task(**TASK)
def resolve_task(articles: list[Any], extractions: list[Any], published: dict[str, Any], run_id: str) -> dict[str, list[dict[str, Any]]]:
    return resolve.build_tables(articles, extractions, published, run_id)


@task(**TASK)
def validate_task(tables: dict[str, list[dict[str, Any]]]) -> dict[str, validate.ValidationResult]:
    known = contracts.load_contracts()
    return validate.validate_tables({n: contracts.to_arrow(rows, known[n]) for n, rows in tables.items()}, known)


@task(**TASK)
def publish_task(data_dir: Path, name: str, current: list[dict[str, Any]], proposed: list[dict[str, Any]], metadata: dict[str, str]) -> dict[str, Any]:
    contract = contracts.load_contracts()[name]
    changes = publish.plan_changes(current, proposed, contract.primary_key)
    if changes.empty and storage.current_version(data_dir, name) is not None:
        return {"version": storage.current_version(data_dir, name), "upserts": 0, "deletes": 0}
    version = storage.upsert(data_dir, name, contracts.to_arrow(changes.upserts, contract), key=contract.primary_key, delete_keys=changes.deletes, metadata=metadata)
    return {"version": version, "upserts": len(changes.upserts), "deletes": len(changes.deletes)}


# --- run report, Data Docs, Prefect artifacts and progress (issue 6, `report`) ---------------


@task(**TASK)
def data_docs_task(data_dir: Path, run_id: str, results: dict[str, validate.ValidationResult]) -> dict[str, Any]:
    site_dir, store_dir = storage.data_docs_dirs(data_dir)
    return datadocs.build_data_docs(results, run_id, site_dir=site_dir, store_dir=store_dir)


@task(**TASK)
def report_task(data_dir: Path, summary: dict[str, Any]) -> str:
    """Write data/report/index.html and publish the summary and validation table as Prefect artifacts."""
    rows = {name: storage.read_columns(data_dir, name, columns) for name, columns in report.COLUMNS.items()}
    history = {name: storage.history(data_dir, name) for name in publish.PUBLISH_ORDER}
    html = report.render_run_report(report.ReportData(summary, rows, history), storage.report_dir(data_dir))
    path = str(storage.write_run_page(data_dir, summary["run_id"], html))
    create_markdown_artifact(report.render_markdown(summary, path), key="newsflow-run-summary", description="What the run ingested, quarantined and published")
    create_table_artifact(report.validation_rows(summary), key="newsflow-validation", description="Great Expectations results per table")
    return path


def _progress(logger: Any, stage: str, done: int, total: int) -> None:
    logger.info("%s: %d/%d articles", stage, done, total)
    progress.update(stage, done, total)


# --- end of issue 6 additions ------------------------------------------------------------


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


@flow(name="news_pipeline", log_prints=False)
def news_pipeline(settings: Settings) -> dict[str, Any]:
    """Ingest, clean, extract, resolve, validate and publish the articles under settings.input_path."""
    try:
        lock = storage.lock_data_dir(settings.data_dir, settings.lock_timeout)
    except storage.DataDirLocked as busy:
        return {"success": False, "error": str(busy), "data": str(settings.data_dir)}
    with lock:
        return _run_pipeline(settings)


def _run_pipeline(settings: Settings) -> dict[str, Any]:
    logger = get_run_logger()
    run_id = publish.new_run_id()
    documents, quarantined = ingest_task(settings.input_path, settings.max_bytes)
    storage.write_quarantine(settings.data_dir, run_id, [dict(q) for q in quarantined])
    cleaned: list[Any] = []
    _progress(logger, "clean", 0, len(documents))
    for chunk in _chunks(documents, settings.chunk_size):
        cleaned += clean_task(chunk)
        _progress(logger, "clean", len(cleaned), len(documents))
    current = load_published_task(settings.data_dir)
    new, edited = retract.select_articles(cleaned, current["articles"])
    # Edited sources, and residue of a run that crashed before committing articles, are redone from scratch.
    published = retract.retract_articles(current, {a["article_id"] for a in new})
    logger.info("%d inputs: %d new articles, %d already published, %d quarantined", len(documents) + len(quarantined), len(new), len(cleaned) - len(new), len(quarantined))
    summary: dict[str, Any] = {
        "run_id": run_id,
        "input": str(settings.input_path),
        "data": str(settings.data_dir),
        "documents": len(documents),
        "new_articles": len(new),
        "edited_articles": len(edited),
        "quarantined": dict(Counter(q["reason"] for q in quarantined)),
        "tables": {},
        "success": True,
    }
    tables_exist = all(storage.current_version(settings.data_dir, n) is not None for n in publish.PUBLISH_ORDER)
    if not new and tables_exist:
        for name in publish.PUBLISH_ORDER:
            summary["tables"][name] = {"rows": len(published[name]), "version": storage.current_version(settings.data_dir, name), "upserts": 0, "deletes": 0, "valid": True}
        summary["report_page"] = report_task(settings.data_dir, summary)
        storage.write_report(settings.data_dir, run_id, summary)
        return summary
    extractions: list[Any] = []
    _progress(logger, "extract", 0, len(new))
    for chunk in _chunks(new, settings.chunk_size):
        extractions += extract_task(chunk, settings)
        _progress(logger, "extract", len(extractions), len(new))
    proposed = resolve_task(new, extractions, published, run_id)
    results = validate_task(proposed)
    summary["data_docs"] = data_docs_task(settings.data_dir, run_id, results)
    all_valid = all(r.success for r in results.values())
    metadata = publish.commit_metadata(run_id, settings.model, model_version(settings.model), len(documents))
    for name in publish.PUBLISH_ORDER:
        result = results[name]
        entry: dict[str, Any] = {"rows": len(proposed[name]), "valid": result.success, "validation": result.to_dict()}
        # articles mark work as done: publish them only when every table passed, so failed work is redone.
        if result.success and (name != "articles" or all_valid):
            entry.update(publish_task(settings.data_dir, name, current[name], proposed[name], metadata))
        else:
            entry.update({"version": storage.current_version(settings.data_dir, name), "upserts": 0, "deletes": 0, "published": False})
            entry["refused_rows"] = publish.refused_rows(proposed[name], result.critical_failures)
            logger.error("%s failed validation: not published", name)
        summary["tables"][name] = entry
    summary["success"] = all_valid
    summary["report_page"] = report_task(settings.data_dir, summary)
    storage.write_report(settings.data_dir, run_id, summary)
    return summary


def serve_pipeline(settings: Settings, cron: str, name: str = "scheduled") -> None:
    """Register the deployment `news_pipeline/<name>` on a cron schedule and run its flow runs
    from this process until interrupted (against PREFECT_API_URL, e.g. a `prefect server start`)."""
    from dataclasses import asdict

    from prefect import serve
    from prefect.deployments.runner import EntrypointType

    parameters = {"settings": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(settings).items()}}
    # A deployment (not flow.serve) makes the runner re-import flows.pipeline for each run; a pickled
    # flow would lose the module globals its `settings: Settings` annotation needs.
    deployment = news_pipeline.to_deployment(name=name, cron=cron, parameters=parameters, entrypoint_type=EntrypointType.MODULE_PATH)
    serve(deployment)
