"""`newsflow run`, `serve` and `config`: the pipeline, on demand or on a schedule, and the settings it runs with."""

from __future__ import annotations

import argparse
import gc
import json
import os
from pathlib import Path
from typing import Any

from flows.cli.common import fail, input_problem, invoked_as, settings_from, warn
from flows.core.settings import SETTING_NAMES, Settings


def cmd_run(args: argparse.Namespace) -> int:
    from flows.ingest.readers import InputError
    from flows.orchestration.api_server import ServerError

    settings = settings_from(args).settings
    problem = input_problem(settings.input_path)
    if problem:
        return fail(problem, 2)
    try:
        summary = _run_beside_a_server(settings)
    except InputError as error:
        return fail(str(error), 2)
    except ServerError as error:
        return fail(str(error), 1)
    if summary.get("error"):  # another run holds --data
        return fail(summary["error"], 3)
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
    else:
        _print_run(summary)
    if not summary["documents"]:
        quarantined = sum(summary["quarantined"].values())
        found = f"{quarantined} inputs quarantined (see {summary['data']}/quarantine/{summary['run_id']}.jsonl)" if quarantined else "no file in it"
        warn(f"no readable document in {summary['input']}: {found}; newsflow reads .txt, .jsonl and .html/.htm")
    if not summary["success"]:
        return 1
    return 1 if args.strict and (summary.get("rejected") or {}).get("rows") else 0


def _run_beside_a_server(settings: Settings) -> dict[str, Any]:
    """The run's summary, with a temporary Prefect API server (unless PREFECT_API_URL names one)
    booted on the other core while this process imports and loads the model."""
    from flows.orchestration.api_server import quiet_prefect, temporary_api_server, wait_until_ready

    quiet_prefect()
    with temporary_api_server() as server:  # boots while the imports below run
        from flows.orchestration.flow import flush_prefect_logs, run_pipeline
        from flows.orchestration.progress import attach_terminal_bar
        from flows.validate import expectations as validate  # noqa: F401  Great Expectations: the slowest import, made while the server boots

        if _small_input(settings.input_path):  # parsed in this process: load the model while the server boots
            from flows.extract.nlp import load_pipeline

            load_pipeline(settings.model)
        # The imports' ~380,000 objects live as long as the process; frozen, a full collection
        # (after every chunk, and whenever allocations trigger one) no longer scans them: ~0.13 s each.
        gc.freeze()
        wait_until_ready(server, float(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"]))
        try:
            with attach_terminal_bar():  # a bar with ETA on a terminal only
                return run_pipeline(settings)
        finally:
            flush_prefect_logs()  # while the server still answers


def _small_input(path: Path) -> bool:
    """Too few bytes to hold the articles that start a worker pool (workers.MIN_POOL_ARTICLES, at
    2 KB or more each): such a run parses in its own process. Stops counting at the threshold."""
    from flows.extract.workers import MIN_POOL_ARTICLES

    budget = MIN_POOL_ARTICLES * 2_000
    walk = [(str(path.parent), [], [path.name])] if path.is_file() else os.walk(path)  # links not followed
    for folder, _, names in walk:
        for name in names:
            try:
                budget -= os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue  # ingest quarantines what it cannot read
            if budget < 0:
                return False
    return True


def _print_run(summary: dict[str, Any]) -> None:
    redone = f", {summary['redone_articles']} extracted again (open rejections)" if summary.get("redone_articles") else ""
    print(f"run {summary['run_id']}: {summary['documents']} documents read, {summary['new_articles']} new articles{redone}")
    if summary["quarantined"]:
        reasons = ", ".join(f"{n} {r}" for r, n in sorted(summary["quarantined"].items()))
        print(f"quarantined: {reasons} (see {summary['data']}/quarantine/{summary['run_id']}.jsonl)")
    print(f"{'table':<10} {'rows':>6} {'version':>8} {'changed':>8}  validation")
    for name, t in summary["tables"].items():
        changed = t.get("upserts", 0) + t.get("deletes", 0)
        if not t["valid"]:
            state = "FAILED (not published)"
        elif t.get("held_back"):
            state = f"held back ({t['held_back']} articles wait for the refused tables)"
        else:
            state = f"passed, {t['rejected']} rows rejected" if t.get("rejected") else "passed"
        version = "-" if t.get("version") is None else t["version"]
        print(f"{name:<10} {t['rows']:>6} {version:>8} {changed or 'none':>8}  {state}")
        if not t["valid"] and t.get("validation"):
            for f in t["validation"]["failures"]:
                if not f.get("row_level"):
                    print(f"    {f['severity']}: {f['expectation']} on {f['column']}: {f['detail']} (rows {', '.join(map(str, f['sample_ids'][:5]))})")
    program = invoked_as()
    print(f"tables in {summary['data']}/tables; read one with: {program} show deals --data {summary['data']}")
    # The last line is the outcome: what was refused, else what the gate kept back.
    refused = [name for name, t in summary["tables"].items() if not t["valid"]]
    line = (summary.get("rejected") or {}).get("line")
    if refused:
        print(f"FAILED: {', '.join(refused)} refused by the gate (their last good versions stay current); the articles of the refused chunks are processed again by the next run")
    elif line:
        print(f"{line}; see {program} show rejections --data {summary['data']}")


def cmd_serve(args: argparse.Namespace) -> int:
    settings = settings_from(args).settings
    problem = input_problem(settings.input_path)
    if problem:
        return fail(problem, 2)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.orchestration.flow import ServeError, serve_pipeline

    try:
        serve_pipeline(settings, args.cron, name=args.name)
    except ServeError as error:
        return fail(str(error), 2)
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    resolved = settings_from(args)
    values = {name: str(getattr(resolved.settings, name)) for name in SETTING_NAMES}
    if args.json:
        print(json.dumps({name: {"value": values[name], "source": resolved.sources[name]} for name in SETTING_NAMES}, indent=2))
        return 0
    print(f"config file: {resolved.config_file or 'none'}")
    name_width, width = max(map(len, SETTING_NAMES)), max(len(v) for v in values.values())
    for name in SETTING_NAMES:
        print(f"{name:<{name_width}}  {values[name]:<{width}}  ({resolved.sources[name]})")
    return 0
