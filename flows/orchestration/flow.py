"""The Prefect flow `news_pipeline`: thin tasks over the stage modules. Only this module knows Prefect.

The flow streams: documents are read, cleaned and extracted chunk by chunk (`chunk_size`), and
each chunk is resolved against what is already published, validated and committed before the
next one, so memory holds one chunk of articles plus the resolution state, never the corpus.
While the flow resolves and commits chunk k, the workers already parse chunk k+1.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, deque
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import pyarrow as pa
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.utilities.annotations import quote

from flows.clean import cleaner as clean
from flows.clean import redo
from flows.core import schemas, spanlist
from flows.core.settings import Settings
from flows.extract import nlp, workers
from flows.ingest import readers as ingest
from flows.orchestration import progress
from flows.publish import plan as publish
from flows.publish import storage
from flows.report import artifacts
from flows.report import page as report
from flows.resolve import resolver as resolve
from flows.resolve.stories import StoryIndex
from flows.validate import contracts, gate

TASK = {"cache_policy": NO_CACHE, "persist_result": False}
# Big arguments go in quote(): Prefect otherwise walks every item of every argument on each call
# to find upstream futures, which cost more than resolution itself at 1,000 articles.
# Columns of published articles that resolution reads. Bodies are read once per run, into the story
# index (flows/stories.py: term ids and counts, ~1 KB an article), and not kept.
ARTICLE_STATE = ["article_id", "content_hash", "story_id", "published_date"]
_POOL: Executor | None = None  # this run's local worker pool; None on Dask workers and with one process


@task(**TASK)
def clean_task(documents: list[Any]) -> list[Any]:
    return [clean.clean_document(d) for d in documents]


@task(**TASK)
def extract_task(articles: list[Any], settings: Settings) -> list[dict[str, Any]]:
    return workers.extract_chunk(_POOL, articles, model=settings.model, batch_size=settings.batch_size, parts=settings.effective_processes)


@task(**TASK)
def load_published_task(data_dir: Any) -> tuple[dict[str, list[dict[str, Any]]], StoryIndex]:
    # Evidence lists stay Arrow (flows/spanlist.py): most of the state's size, rarely read.
    state = {name: spanlist.rows_from_table(storage.read_table(data_dir, name)) for name in schemas.derived_tables()}
    articles = storage.read_columns(data_dir, "articles", [*ARTICLE_STATE, "body"])
    stories = StoryIndex()
    stories.add_published(articles)
    return {**state, "articles": _keep(articles, "articles")}, stories


@task(**TASK)
def resolve_task(articles: list[Any], extractions: list[Any], published: dict[str, Any], run_id: str, stories: StoryIndex) -> resolve.Proposal:
    return resolve.build_tables(articles, extractions, published, run_id, stories)


@task(**TASK)
def to_arrow_task(changes: dict[str, publish.Changes]) -> dict[str, Any]:
    """Each table's upserts as Arrow, once: validation checks the very table publishing writes.
    A table whose rows do not fit its schema comes back as the error's text."""
    return build_tables(changes)


@task(**TASK)
def validate_task(tables: dict[str, Any], article_ids: set[str]) -> dict[str, Any]:
    from flows.validate import expectations as validate  # Great Expectations takes seconds to import: only runs with new articles pay it

    built = {n: t for n, t in tables.items() if not isinstance(t, str)}
    results = validate.validate_tables(built, contracts.load_contracts(), references={validate.ARTICLE_IDS: article_ids})
    return {n: results[n] if n in results else validate.unbuildable(n, tables[n]) for n in tables}


@task(**TASK)
def publish_task(data_dir: Any, name: str, upserts: Any, deletes: list[str], metadata: dict[str, str]) -> dict[str, Any]:
    contract = contracts.load_contracts()[name]
    if upserts.num_rows == 0 and not deletes and storage.current_version(data_dir, name) is not None:
        return {"version": storage.current_version(data_dir, name), "upserts": 0, "deletes": 0}
    version = storage.upsert(data_dir, name, upserts, key=contract.primary_key, delete_keys=deletes, metadata=metadata)
    return {"version": version, "upserts": upserts.num_rows, "deletes": len(deletes)}


@task(**TASK)
def data_docs_task(data_dir: Any, key: str, results: dict[str, Any]) -> dict[str, Any]:
    """Store a chunk's GE results and render their pages; {} for an object store (no Data Docs site)."""
    from flows.validate import datadocs  # Great Expectations: imported only by runs that validate

    dirs = storage.data_docs_dirs(data_dir)
    if dirs is None:
        return {}  # the results are in the run report
    stored = datadocs.store_results(results, key, site_dir=dirs[0], store_dir=dirs[1])
    return {"stored": stored, **datadocs.build_site(stored, site_dir=dirs[0], store_dir=dirs[1], index=False)}


@task(**TASK)
def data_docs_index_task(data_dir: Any, stored: dict[str, Any]) -> str:
    """The Data Docs index, once per run: it lists every stored result, so building it per chunk
    cost more with every chunk and every run. GE builds it with at least one page: one again."""
    from flows.validate import datadocs

    dirs = storage.data_docs_dirs(data_dir)
    assert dirs is not None, "results are stored only for a local data dir"
    table, identifiers = next((t, ids) for t, ids in stored.items() if ids)
    return str(datadocs.build_site({table: identifiers[:1]}, site_dir=dirs[0], store_dir=dirs[1])["index"])


@task(**TASK)
def report_task(data_dir: Any, summary: dict[str, Any]) -> str:
    """Write data/report/index.html and publish the summary and validation table as Prefect artifacts."""
    rows = {name: storage.read_columns(data_dir, name, columns) for name, columns in report.COLUMNS.items()}
    history = {name: storage.history(data_dir, name) for name in schemas.publish_order()}
    html = report.render_run_report(report.ReportData(summary, rows, history), storage.report_dir(data_dir))
    path = str(storage.write_run_page(data_dir, summary["run_id"], html))
    create_markdown_artifact(artifacts.render_markdown(summary, path), key="newsflow-run-summary", description="What the run ingested, quarantined and published")
    create_table_artifact(artifacts.validation_rows(summary), key="newsflow-validation", description="Great Expectations results per table")
    return path


def _progress(stage: str, done: int, total: int) -> None:
    get_run_logger().info("%s: %d/%d articles", stage, done, total)
    progress.update(stage, done, total)


def build_tables(changes: dict[str, publish.Changes]) -> dict[str, Any]:
    known = contracts.load_contracts()
    tables: dict[str, Any] = {}
    for name, change in changes.items():
        try:
            tables[name] = contracts.to_arrow(change.upserts, known[name])
        except (ValueError, TypeError, pa.ArrowException) as error:
            tables[name] = str(error)
    return tables


def plan(published: dict[str, list[dict[str, Any]]], proposed: resolve.Proposal, new_ids: set[str]) -> dict[str, publish.Changes]:
    """What a chunk changes: its new articles (published ones never change) and the other tables' diffs."""
    known = contracts.load_contracts()
    changes = {name: publish.plan_changes(published[name], proposed[name], known[name].primary_key, proposed.touched_in(name)) for name in schemas.derived_tables()}
    changes["articles"] = publish.Changes(upserts=[a for a in proposed["articles"] if a["article_id"] in new_ids])
    return changes


class _Run:
    """One run's bookkeeping across chunks: the published state, the summary, the open rejections."""

    def __init__(self, settings: Settings, run_id: str) -> None:
        self.settings = settings
        self.run_id = run_id
        self.published: dict[str, list[dict[str, Any]]] | None = None
        self.stories = StoryIndex()
        self.tables: dict[str, dict[str, Any]] = {}
        self.valid = True
        self.documents = 0
        self.seconds: dict[str, float] = {}
        self.chunks = 0
        self.extracted = 0
        self.to_extract = 0
        self.data_docs: dict[str, Any] = {}
        self.last_stored: dict[str, Any] = {}  # the last chunk's stored GE results, to build the Data Docs index with
        self.judgement = gate.Judgement(run_id, publish.code_version(), contracts.contracts_version(), dt.datetime.now(dt.UTC))
        self.open_rejections: dict[str, dict[str, Any]] = {}  # rejection_id -> row, while unresolved
        self.processed: set[str] = set()  # articles this run extracted and published
        self.rejected: list[dict[str, Any]] = []  # this run's rejections, for the summary

    def commit_chunk(self, new: list[Any], extractions: list[dict[str, Any]]) -> None:
        """Resolve one chunk against the published state, validate what changes, publish what passes."""
        data = self.settings.data_dir
        clock = time.perf_counter()
        if self.published is None:  # read once per run, then kept current in memory
            self.published, self.stories = load_published_task(data)
        published = self.published
        clock = self.tick("read_state", clock)
        # Edited sources, and residue of a run that crashed before committing articles, are redone
        # from scratch: resolution retracts their old contributions first (flows/resolve/retract.py).
        todo = {a["article_id"] for a in new}
        proposed = resolve_task(quote(new), quote(extractions), quote(published), self.run_id, quote(self.stories))
        changes = plan(published, proposed, todo)
        known_ids = {a["article_id"] for a in published["articles"]}  # the chunk's own are added once they pass
        clock = self.tick("resolve", clock)
        tables = to_arrow_task(quote(changes))
        results = validate_task(quote(tables), quote(known_ids))
        self.chunks += 1
        self.store_data_docs(results)
        clock = self.tick("validate", clock)
        known = contracts.load_contracts()
        verdicts = {n: gate.judge(changes[n].upserts, tables[n], results[n], known[n], self.judgement, todo) for n in changes}
        refused = any(v.refused for v in verdicts.values())
        rejections: list[dict[str, Any]] = []
        if not refused:  # a refused chunk is redone by the next run: its rejections would be made again
            self.processed |= todo - verdicts["articles"].rejected_keys
            made = [r for v in verdicts.values() for r in v.rejections]
            accepted = {n: {row[known[n].primary_key] for row in v.accepted_rows} for n, v in verdicts.items()}
            rejections = gate.settle(self.open_rejections, made, accepted, self.processed, self.run_id)
            self.rejected += [r for r in made if r["severity"] == "critical"]
        metadata = publish.commit_metadata(self.run_id, self.settings.model, nlp.model_version(self.settings.model), self.documents)
        for name in schemas.publish_order():
            entry = self.tables.setdefault(name, {"rows": 0, "valid": True, "upserts": 0, "deletes": 0, "rejected": 0, "validation": None})
            if name == "rejections":
                self.publish_rejections(entry, rejections, metadata, write=not refused)
                continue
            verdict, result = verdicts[name], results[name]
            # articles mark work as done: publish them only when no table was refused, so refused work is redone.
            if not verdict.refused and (name != "articles" or not refused):
                done = publish_task(data, name, quote(verdict.accepted), quote(changes[name].deletes), metadata)
                entry["version"] = done["version"]
                entry["upserts"] += done["upserts"]
                entry["deletes"] += done["deletes"]
                entry["rejected"] += len(verdict.rejected_keys)
                spanlist.freeze(verdict.accepted_rows, verdict.accepted)  # what the chunk added stays as Arrow only
                published[name] = _keep(gate.published_after(published[name], proposed[name], verdict.rejected_keys, known[name].primary_key), name)
            elif verdict.refused:
                entry["version"] = storage.current_version(data, name)
                entry["published"] = False
                entry["refused_rows"] = entry.get("refused_rows", []) + publish.refused_rows(changes[name].upserts, result.critical_failures)
                get_run_logger().error("%s refused: a check of the whole table failed, nothing of it published", name)
            else:  # the articles of a chunk with a refused table wait for the next run
                entry["version"] = storage.current_version(data, name)
                entry["held_back"] = entry.get("held_back", 0) + len(changes[name].upserts)
                get_run_logger().error("%d articles held back: %s refused, so the next run processes them again", len(changes[name].upserts), ", ".join(n for n, v in verdicts.items() if v.refused))
            entry["valid"] = entry["valid"] and not verdict.refused
            if not result.success or entry["validation"] is None:
                entry["validation"] = result.to_dict()
            entry["rows"] = len(published[name])
        self.tick("publish", clock)
        if refused:  # the chunk's articles stay unpublished: they are no story for later ones
            self.stories.rollback(todo)
        elif verdicts["articles"].rejected_keys:
            self.stories.rollback(verdicts["articles"].rejected_keys)
        self.valid = self.valid and not refused
        workers.release_memory()  # the chunk's frames and Arrow tables are garbage now

    def publish_rejections(self, entry: dict[str, Any], rejections: list[dict[str, Any]], metadata: dict[str, str], *, write: bool) -> None:
        """Commit the chunk's rejections (new, made again, resolved); the table is created empty
        on a first run so that readers find it."""
        data = self.settings.data_dir
        if not write:
            entry["version"] = storage.current_version(data, "rejections")
            return
        table = contracts.to_arrow(rejections, contracts.load_contracts()["rejections"])
        done = publish_task(data, "rejections", quote(table), quote([]), metadata)
        entry["version"] = done["version"]
        entry["upserts"] += done["upserts"]
        for row in rejections:
            if row["resolved_by_run"] is None:
                self.open_rejections[row["rejection_id"]] = row
            else:
                self.open_rejections.pop(row["rejection_id"], None)
                entry["resolved"] = entry.get("resolved", 0) + 1
        entry["rows"] = storage.count_rows(data, "rejections")
        entry["open"] = len(self.open_rejections)

    def store_data_docs(self, results: dict[str, Any]) -> None:
        docs = data_docs_task(self.settings.data_dir, self.run_id if self.chunks == 1 else f"{self.run_id}-{self.chunks}", quote(results))
        if docs:
            self.last_stored = docs["stored"]
            self.data_docs = {"pages": {n: [*self.data_docs.get("pages", {}).get(n, []), *p] for n, p in docs["pages"].items()}}

    def tick(self, stage: str, since: float) -> float:
        """Add the time since `since` to a stage's total (the run report's `seconds`); returns now."""
        now = time.perf_counter()
        self.seconds[stage] = round(self.seconds.get(stage, 0.0) + now - since, 3)
        return now


def _commit_next(run: _Run, pending: deque[tuple[list[Any], PrefectFuture[Any]]], clock: float) -> float:
    chunk, future = pending.popleft()
    extractions = future.result()
    clock = run.tick("extract_wait", clock)
    run.commit_chunk(chunk, extractions)
    run.extracted += len(chunk)
    _progress("extract", run.extracted, run.to_extract)
    return time.perf_counter()


def _keep(rows: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """The published state kept between chunks: articles shrink to the columns resolution reads."""
    if name != "articles":
        return rows
    return [{c: row[c] for c in ARTICLE_STATE} for row in rows]


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
    logger = get_run_logger()
    run = _Run(settings, publish.new_run_id())
    # An article is to do when its source is new or its content changed (content_hash); an input
    # whose source_hash is published is not even cleaned.
    state = storage.read_columns(settings.data_dir, "articles", ["article_id", "content_hash", "source_hash"])
    known = {r["article_id"]: r["content_hash"] for r in state}
    sources = {r["article_id"]: r["source_hash"] for r in state if r["source_hash"]}
    initially = set(known)
    # Open rejections: those made by other code or contracts send their articles through again;
    # a rejected article judged by these is not redone each time its input is read.
    run.open_rejections = {r["rejection_id"]: r for r in storage.read_rows(settings.data_dir, "rejections") if r["resolved_by_run"] is None}
    judged = (run.judgement.code_version, run.judgement.contract_version)
    for article_id, (source_hash, content_hash) in gate.skipped_sources(run.open_rejections.values(), *judged).items():
        sources.setdefault(article_id, source_hash)
        known.setdefault(article_id, content_hash)
    stale = sorted(gate.stale_articles(run.open_rejections.values(), *judged) & initially)
    quarantined: list[dict[str, Any]] = []
    pending: deque[tuple[list[Any], PrefectFuture[Any]]] = deque()
    counts = Counter[str]()
    try:
        clock = time.perf_counter()
        for start in range(0, len(stale), settings.chunk_size):  # published articles, extracted again
            clock = _submit(run, pending, storage.read_articles(settings.data_dir, stale[start : start + settings.chunk_size]), counts, clock)
            counts["redone"] += min(settings.chunk_size, len(stale) - start)
        for documents, bad in ingest.iter_chunks(settings.input_path, max_bytes=settings.max_bytes, chunk_size=settings.chunk_size):
            run.documents += len(documents)
            quarantined += [dict(q) for q in bad]
            clock = run.tick("ingest", clock)
            todo = redo.skip_unchanged(documents, sources)
            new, _ = redo.select_articles(clean_task(quote(todo)), [{"article_id": k, "content_hash": v} for k, v in known.items()])
            known.update({a["article_id"]: a["content_hash"] for a in new})
            sources.update({a["article_id"]: a["source_hash"] for a in new})
            counts["edited"] += sum(a["article_id"] in initially for a in new)  # published before this run
            counts["new"] += len(new)
            clock = run.tick("clean", clock)
            _progress("clean", run.documents, run.documents)
            clock = _submit(run, pending, new, counts, clock)
        while pending:
            clock = _commit_next(run, pending, clock)
        tables_exist = all(storage.current_version(settings.data_dir, n) is not None for n in schemas.publish_order())
        if not tables_exist and not counts["new"] and not stale:
            run.commit_chunk([], [])  # creates the empty tables, so readers find their schemas
    finally:
        if _POOL is not None:
            _POOL.shutdown(cancel_futures=True)
        _POOL = None
    storage.write_quarantine(settings.data_dir, run.run_id, quarantined)
    new_count, skipped = counts["new"], run.documents - counts["new"]
    logger.info("%d inputs: %d new articles (%d edited), %d already published, %d quarantined; %d extracted again", run.documents + len(quarantined), new_count, counts["edited"], skipped, len(quarantined), counts["redone"])
    for name in schemas.publish_order():
        if name not in run.tables:  # nothing new: every table stays at its version
            run.tables[name] = {"rows": storage.count_rows(settings.data_dir, name), "version": storage.current_version(settings.data_dir, name), "upserts": 0, "deletes": 0, "valid": True}
    summary: dict[str, Any] = {
        "run_id": run.run_id,
        "input": str(settings.input_path),
        "data": str(settings.data_dir),
        "documents": run.documents,
        "new_articles": new_count,
        "edited_articles": counts["edited"],
        "redone_articles": counts["redone"],  # published articles extracted again for their open rejections
        "already_published": skipped,  # inputs skipped because their content is published
        "quarantined": dict(Counter(q["reason"] for q in quarantined)),
        "tables": run.tables,
        "rejected": summarise_rejections(run.rejected),
        "success": run.valid,
        "seconds": run.seconds,  # wall time per stage in this process; "extract_wait" = idle on workers
    }
    if run.last_stored:
        summary["data_docs"] = {"index": data_docs_index_task(settings.data_dir, quote(run.last_stored)), **run.data_docs}
    summary["report_page"] = report_task(settings.data_dir, summary)
    storage.write_report(settings.data_dir, run.run_id, summary)
    return summary


def _submit(run: _Run, pending: deque[tuple[list[Any], PrefectFuture[Any]]], new: list[Any], counts: Counter[str], clock: float) -> float:
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


def summarise_rejections(rejections: list[dict[str, Any]], examples: int = 3) -> dict[str, Any]:
    """The run's rejected rows: how many, by table and rule, with a few examples of each."""
    groups: dict[str, dict[str, Any]] = {}
    rejections = list({r["rejection_id"]: r for r in rejections}.values())  # a row rejected by two chunks counts once
    for r in rejections:
        group = groups.setdefault(f"{r['table']}.{r['column']} {r['rule']}", {"table": r["table"], "column": r["column"], "rule": r["rule"], "expectation": r["expectation"], "rows": 0, "examples": []})
        group["rows"] += 1
        if len(group["examples"]) < examples:
            group["examples"].append({"row_key": r["row_key"], "value": r["value"]})
    return {"rows": len({(r["table"], r["row_key"] or r["rejection_id"]) for r in rejections}), "line": gate.rejection_line(rejections), "by_rule": list(groups.values())}


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
