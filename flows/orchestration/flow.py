"""The Prefect flow `news_pipeline`: thin tasks over the stage modules, and the wiring between them.
Only this module knows Prefect; what a run keeps between chunks is run.py's, its summary summary.py's.

The flow streams: documents are read, cleaned and extracted chunk by chunk (`chunk_size`), and
each chunk is resolved against what is already published, validated and committed before the
next one, so memory holds one chunk of articles plus the resolution state, never the corpus.
While the flow resolves and commits chunk k, the workers already parse chunk k+1.
"""

from __future__ import annotations

import time
from collections import deque
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.utilities.annotations import quote

from flows.clean import cleaner as clean
from flows.clean import redo
from flows.core import schemas
from flows.core.settings import Settings
from flows.extract import workers
from flows.ingest import readers as ingest
from flows.orchestration import progress
from flows.orchestration.run import Gated, Intake, Run
from flows.orchestration.state import StoredState
from flows.orchestration.summary import run_summary
from flows.publish import plan as publish
from flows.publish import storage
from flows.report import artifacts, writer
from flows.resolve import resolver as resolve
from flows.resolve.stories import StoryIndex
from flows.validate import contracts

TASK = {"cache_policy": NO_CACHE, "persist_result": False}
# Big arguments go in quote(): Prefect otherwise walks every item of every argument on each call
# to find upstream futures, which cost more than resolution itself at 1,000 articles.
_POOL: Executor | None = None  # this run's local worker pool; None on Dask workers and with one process


@task(**TASK)
def clean_task(documents: list[Any]) -> list[Any]:
    return [clean.clean_document(d) for d in documents]


@task(**TASK)
def extract_task(articles: list[Any], settings: Settings) -> tuple[list[dict[str, Any]], workers.Timing]:
    return workers.extract_chunk(_POOL, articles, model=settings.model, batch_size=settings.batch_size, parts=settings.effective_processes)


@task(**TASK)
def open_state_task(data_dir: Any, published: dict[str, str]) -> StoredState:
    return StoredState.open(data_dir, published)


@task(**TASK)
def resolve_task(articles: list[Any], extractions: list[Any], published: StoredState, run_id: str, stories: StoryIndex) -> resolve.Proposal:
    return resolve.build_tables(articles, extractions, published, run_id, stories)


@task(**TASK)
def to_arrow_task(changes: dict[str, publish.Changes]) -> dict[str, Any]:
    """Each table's upserts as Arrow, once: validation checks the very table publishing writes."""
    return contracts.to_arrow_tables({name: change.upserts for name, change in changes.items()})


@task(**TASK)
def validate_task(tables: dict[str, Any], article_ids: set[str]) -> dict[str, Any]:
    from flows.validate import expectations  # Great Expectations takes seconds to import: only runs with new articles pay it

    return expectations.validate_chunk(tables, article_ids)


@task(**TASK)
def publish_task(data_dir: Any, name: str, upserts: Any, deletes: list[str], metadata: dict[str, str]) -> dict[str, Any]:
    return storage.commit(data_dir, name, upserts, key=contracts.load_contracts()[name].primary_key, delete_keys=deletes, metadata=metadata)


@task(**TASK)
def data_docs_task(data_dir: Any, key: str, results: dict[str, Any]) -> dict[str, Any]:
    """A chunk's GE results stored and their pages rendered; {} for an object store (no Data Docs site)."""
    from flows.validate import datadocs  # Great Expectations: imported only by runs that validate

    dirs = storage.data_docs_dirs(data_dir)
    return datadocs.render_chunk(results, key, site_dir=dirs[0], store_dir=dirs[1]) if dirs else {}


@task(**TASK)
def data_docs_index_task(data_dir: Any, stored: dict[str, Any]) -> str:
    from flows.validate import datadocs

    dirs = storage.data_docs_dirs(data_dir)
    assert dirs is not None, "results are stored only for a local data dir"
    return datadocs.render_index(stored, site_dir=dirs[0], store_dir=dirs[1])


@task(**TASK)
def report_task(data_dir: Any, summary: dict[str, Any]) -> str:
    """Write data/report/index.html and publish the summary and validation table as Prefect artifacts."""
    path = writer.write_run_report(data_dir, summary)
    create_markdown_artifact(artifacts.render_markdown(summary, path), key="newsflow-run-summary", description="What the run ingested, quarantined and published")
    create_table_artifact(artifacts.validation_rows(summary), key="newsflow-validation", description="Great Expectations results per table")
    return path


def _progress(stage: str, done: int, total: int) -> None:
    get_run_logger().info("%s: %d/%d articles", stage, done, total)
    progress.update(stage, done, total)


def plan(proposed: resolve.Proposal, new_ids: set[str]) -> dict[str, publish.Changes]:
    """What a chunk changes: its new articles (published ones never change) and the other tables'
    diffs against the published rows resolution read (those it did not read stay as they are)."""
    known = contracts.load_contracts()
    changes = {name: publish.plan_changes(proposed.fetched.get(name, []), proposed[name], known[name].primary_key, proposed.touched_in(name)) for name in schemas.derived_tables()}
    changes["articles"] = publish.Changes(upserts=[a for a in proposed["articles"] if a["article_id"] in new_ids])
    return changes


def commit_chunk(run: Run, new: list[Any], extractions: list[dict[str, Any]]) -> None:
    """Resolve one chunk against the published state, validate what changes, publish what passes."""
    data = run.settings.data_dir
    clock, before = time.perf_counter(), dict(run.seconds)
    if run.state is None:  # opened once per run; each chunk reads from it what it needs
        run.state = open_state_task(data, quote(run.published_hashes))
    index = run.state.story_window(new)
    clock = run.tick("read_state", clock)
    # Edited sources, and residue of a run that crashed before committing articles, are redone
    # from scratch: resolution retracts their old contributions first (flows/resolve/retract.py).
    todo = {a["article_id"] for a in new}
    proposed = resolve_task(quote(new), quote(extractions), quote(run.state), run.run_id, quote(index))
    changes = plan(proposed, todo)
    known_ids = run.published_ids()  # the chunk's own are added once they pass
    clock = run.tick("resolve", clock)
    tables = to_arrow_task(quote(changes))
    results = validate_task(quote(tables), quote(known_ids))
    run.add_data_docs(data_docs_task(data, run.next_results_key(), quote(results)))
    clock = run.tick("validate", clock)
    gated = run.judge(todo, proposed, changes, tables, results)
    run.write_state(gated, index)
    publish_chunk(run, gated)
    run.tick("publish", clock)
    run.close_chunk(gated, index)
    run.record_chunk(len(new), before)


def publish_chunk(run: Run, gated: Gated) -> None:
    """Commit what the gate let through, table by table in publish order; the run records each commit."""
    data, metadata = run.settings.data_dir, run.commit_metadata()
    for name in schemas.publish_order():
        if name == "rejections":  # created empty on a first run, so that readers find it
            done = None if gated.refused else publish_task(data, name, quote(gated.rejections_table()), quote([]), metadata)
            run.record_rejections(gated, done)
            continue
        verdict = gated.verdicts[name]
        done = publish_task(data, name, quote(verdict.accepted), quote(gated.changes[name].deletes), metadata) if gated.publishes(name) else None
        run.record_table(name, gated, done)


def _commit_next(run: Run, pending: deque[tuple[list[Any], PrefectFuture[Any]]], clock: float) -> float:
    chunk, future = pending.popleft()
    extractions, timing = future.result()
    clock = run.tick("extract_wait", clock)
    run.add_worker_seconds(timing)
    commit_chunk(run, chunk, extractions)
    run.extracted += len(chunk)
    _progress("extract", run.extracted, run.to_extract)
    return time.perf_counter()


def _in_flight(settings: Settings) -> int:
    """Chunks extracted ahead of the one being committed: one per Dask worker, one with a local pool.

    Without a pool, extraction shares this process's spaCy pipeline, so it never runs beside another.
    """
    if settings.task_runner == "dask":
        return max(1, settings.effective_processes)
    return 1 if _POOL is not None else 0


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
    global _POOL
    run = Run(settings, publish.new_run_id(), get_run_logger())
    intake = run.read_intake()
    try:
        _stream(run, intake)
    finally:
        if _POOL is not None:
            _POOL.shutdown(cancel_futures=True)
        _POOL = None
    return _finish(run, intake)


def _stream(run: Run, intake: Intake) -> None:
    """Read, clean and extract chunk by chunk, committing each chunk as its extraction is ready."""
    settings = run.settings
    pending: deque[tuple[list[Any], PrefectFuture[Any]]] = deque()
    clock = time.perf_counter()
    for start in range(0, len(intake.stale), settings.chunk_size):  # published articles, extracted again
        clock = _submit(run, pending, storage.read_articles(settings.data_dir, intake.stale[start : start + settings.chunk_size]), clock)
        intake.counts["redone"] += min(settings.chunk_size, len(intake.stale) - start)
    for documents, bad in ingest.iter_chunks(settings.input_path, max_bytes=settings.max_bytes, chunk_size=settings.chunk_size):
        run.documents += len(documents)
        intake.quarantined += [dict(q) for q in bad]
        clock = run.tick("ingest", clock)
        todo = redo.skip_unchanged(documents, intake.sources)
        new, _ = redo.select_articles(clean_task(quote(todo)), intake.known_rows())
        intake.add_new(new)
        clock = run.tick("clean", clock)
        _progress("clean", run.documents, run.documents)
        clock = _submit(run, pending, new, clock)
    while pending:
        clock = _commit_next(run, pending, clock)
    tables_exist = all(storage.current_version(settings.data_dir, n) is not None for n in schemas.publish_order())
    if not tables_exist and not intake.counts["new"] and not intake.stale:
        commit_chunk(run, [], [])  # creates the empty tables, so readers find their schemas


def _finish(run: Run, intake: Intake) -> dict[str, Any]:
    """Write the quarantine records, the summary, the Data Docs index and the run report."""
    data, counts, quarantined = run.settings.data_dir, intake.counts, len(intake.quarantined)
    storage.write_quarantine(data, run.run_id, intake.quarantined)
    run.logger.info("%d inputs: %d new articles (%d edited), %d already published, %d quarantined; %d extracted again", run.documents + quarantined, counts["new"], counts["edited"], run.documents - counts["new"], quarantined, counts["redone"])
    run.record_untouched(schemas.publish_order())
    summary = run_summary(run, intake)
    if run.last_stored:
        summary["data_docs"] = {"index": data_docs_index_task(data, quote(run.last_stored)), **run.data_docs}
    summary["report_page"] = report_task(data, summary)
    storage.write_report(data, run.run_id, summary)
    return summary


def _submit(run: Run, pending: deque[tuple[list[Any], PrefectFuture[Any]]], new: list[Any], clock: float) -> float:
    """Send a chunk's articles to extraction, and commit what is ready while they parse."""
    global _POOL
    if not new:
        return clock
    settings = run.settings
    run.to_extract += len(new)
    if _POOL is None and settings.task_runner != "dask" and len(new) >= workers.MIN_POOL_ARTICLES:
        _POOL = workers.open_pool(settings.model, settings.effective_processes)
    pending.append((new, extract_task.submit(new, settings)))  # not quote(): Dask would pass the wrapper through
    clock = run.tick("submit", clock)
    while len(pending) > _in_flight(settings):
        clock = _commit_next(run, pending, clock)
    return clock


def flush_prefect_logs(timeout: float = 10.0) -> None:
    """Send the log records and events Prefect still queues, while its API server runs: after a
    temporary server stops, they fail at exit with "Error logging to API", which then reads as
    the run's last word."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=timeout)
    EventsWorker.drain_all(timeout=timeout)


def run_pipeline(settings: Settings) -> dict[str, Any]:
    """news_pipeline on the configured task runner: Prefect's default threads, or a Dask cluster."""
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        runner = DaskTaskRunner(address=settings.dask_address) if settings.dask_address else DaskTaskRunner()
        return news_pipeline.with_options(task_runner=runner)(settings)
    return news_pipeline(settings)


class ServeError(ValueError):
    """What keeps `newsflow serve` from serving, in one line: a cron Prefect refuses, no server."""


def check_serving(cron: str, timeout: float = 5.0) -> str:
    """The API URL to serve to, after checking what would otherwise fail later as a traceback: the
    cron expression (by Prefect's own schedule class, so exactly what its scheduler accepts) and a
    server that answers (without one, Prefect would register the deployment on a temporary server
    of this process that no scheduler ever reads)."""
    import urllib.error
    import urllib.request

    from prefect.client.schemas.schedules import CronSchedule
    from prefect.settings import get_current_settings
    from pydantic import ValidationError

    try:
        CronSchedule(cron=cron)
    except ValidationError as error:
        reason = str(error.errors()[0]["msg"]).removeprefix("Value error, ")
        raise ServeError(f"--cron {cron!r} is not a cron schedule ({reason}); e.g. '0 6 * * *' is 06:00 UTC daily") from None
    api = get_current_settings().api.url
    if not api:
        raise ServeError("serve needs a Prefect server: start one with `prefect server start`, then export PREFECT_API_URL=http://127.0.0.1:4200/api")
    try:
        with urllib.request.urlopen(f"{api.rstrip('/')}/health", timeout=timeout):
            pass
    except urllib.error.HTTPError:
        pass  # a server answers, if not at /health (Prefect Cloud's workspace URLs need a key)
    except (urllib.error.URLError, OSError) as error:
        raise ServeError(f"no Prefect server answers at PREFECT_API_URL={api} ({getattr(error, 'reason', error)}); start one with `prefect server start`") from None
    return api


def serve_pipeline(settings: Settings, cron: str, name: str = "scheduled") -> None:
    """Register the deployment `news_pipeline/<name>` on a cron schedule and run its flow runs
    from this process until SIGTERM or Ctrl-C (against PREFECT_API_URL, e.g. a `prefect server start`)."""
    import asyncio
    from dataclasses import asdict

    from prefect.deployments.runner import EntrypointType
    from prefect.runner import Runner

    class _Runner(Runner):
        def handle_sigterm(self, *args: Any, **kwargs: Any) -> None:
            # Prefect's handler calls stop() inside the event loop, where it only makes the
            # coroutine astop() ("was never awaited"), then exits mid-loop: stop from the loop instead.
            print("SIGTERM: stopping", flush=True)
            self._stopping_task = asyncio.get_running_loop().create_task(self.astop())

    api = check_serving(cron)
    parameters = {"settings": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(settings).items()}}
    # A deployment (not flow.serve) makes the runner re-import flows.pipeline for each run; a pickled
    # flow would lose the module globals its `settings: Settings` annotation needs.
    deployment = news_pipeline.to_deployment(name=name, cron=cron, parameters=parameters, entrypoint_type=EntrypointType.MODULE_PATH)
    runner = _Runner()  # pauses the schedule when it stops, as `prefect.serve` does
    runner.add_deployment(deployment)
    print(f"serving news_pipeline/{name} on cron {cron!r} (UTC) to {api}; stop with Ctrl-C or SIGTERM", flush=True)
    try:
        asyncio.run(runner.start())
    except KeyboardInterrupt:
        pass
