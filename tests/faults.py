"""Helpers for tests that run the CLI in a subprocess, with or without an injected fault."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from flows.publish import storage
from flows.resolve import resolver as resolve
from tests.conftest import ROOT

TABLES = ("articles", "entities", "events", "deals")
KEYS = {"articles": "article_id", "entities": "entity_id", "events": "event_id", "deals": "deal_id"}


def cli_env(**extra: str) -> dict[str, str]:
    """Environment for a child run: the session's Prefect test server (no 5 s server start per run),
    one spaCy process, no analytics."""
    import prefect.settings

    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "NEWSFLOW_PROCESSES": "1"}
    env["PREFECT_API_URL"] = str(prefect.settings.PREFECT_API_URL.value())
    env.update(extra)
    return env


def start_cli(fault: str, args: list[str], **env: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.fault_runner", fault, "--", *args]
    return subprocess.Popen(command, cwd=ROOT, env=cli_env(**env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_cli(fault: str, args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    process = start_cli(fault, args, **env)
    out, err = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def run_args(inputs: Path, data: Path, *more: str) -> list[str]:
    return ["run", "--input", str(inputs), "--data", str(data), *more]


def read_all(data: Path) -> dict[str, list[dict]]:
    return {name: storage.read_rows(data, name) for name in TABLES}


def duplicate_keys(tables: dict[str, list[dict]]) -> dict[str, list[str]]:
    found = {}
    for name, rows in tables.items():
        counts = Counter(row[KEYS[name]] for row in rows)
        found[name] = [k for k, n in counts.items() if n > 1]
    return {name: keys for name, keys in found.items() if keys}


def dangling_article_ids(tables: dict[str, list[dict]]) -> set[str]:
    """Article ids cited by entities, events or deals that the articles table does not hold."""
    known = {a["article_id"] for a in tables["articles"]}
    cited = {aid for name in ("entities", "events", "deals") for row in tables[name] for aid in row["article_ids"]}
    return cited - known


def mark_broken(proposal, before: dict[str, set[int]]) -> None:
    """Mark as touched every row a fault put in the proposal (rows not there before, by object),
    as resolution marks the rows it changes: planning publishes only touched rows of known keys."""
    for name, rows in proposal.tables.items():
        key = KEYS.get(name)
        if key:
            proposal.touched.setdefault(name, set()).update(row[key] for row in rows if id(row) not in before.get(name, set()))


def rows_of(proposal) -> dict[str, set[int]]:
    return {name: {id(row) for row in rows} for name, rows in proposal.tables.items()}


def inject(monkeypatch, fault):
    """Make resolution hand `fault` its proposed tables to break, in this process; `fault` returns
    where it broke them, kept in the returned dict under "where"."""
    real, injected = resolve.build_tables, {}

    def build_tables(*args, **kwargs):
        tables = real(*args, **kwargs)
        before = rows_of(tables)
        injected["where"] = fault(tables)
        mark_broken(tables, before)
        return tables

    monkeypatch.setattr(resolve, "build_tables", build_tables)
    return injected
