"""Decide what a run publishes: the rows that changed, the ids that went away, the commit metadata."""

from __future__ import annotations

import datetime as dt
import secrets
import subprocess
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows import __version__
from flows.core import spanlist

VOLATILE = ("run_id",)


@dataclass
class Changes:
    upserts: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.upserts and not self.deletes


def new_run_id(now: dt.datetime | None = None) -> str:
    moment = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{moment}-{secrets.token_hex(3)}"


def _comparable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in VOLATILE}


def plan_changes(current: list[dict[str, Any]], proposed: list[dict[str, Any]], key: str, touched: Collection[Any]) -> Changes:
    """Rows to upsert (new, or touched and different apart from run_id) and keys to delete (no longer proposed).

    `touched` holds the keys of the rows resolution made or changed (resolve.Proposal): a proposed
    row of a published key not among them is unchanged by contract, and is not compared. A key not
    published is new whatever `touched` says."""
    before = {row[key]: row for row in current}
    after_keys = {row[key] for row in proposed}
    upserts = [row for row in proposed if (old := before.get(row[key])) is None or (row[key] in touched and _comparable(old) != _comparable(row))]
    deletes = sorted(k for k in before if k not in after_keys)
    return Changes(upserts=upserts, deletes=deletes)


def refused_rows(rows: list[dict[str, Any]], failures: list[Any]) -> list[dict[str, Any]]:
    """The sampled rows behind critical failures, each once, for the run report."""
    positions = sorted({i for f in failures for i in f.sample_rows if 0 <= i < len(rows)})
    return [{k: spanlist.plain(v) for k, v in rows[i].items()} for i in positions]


def code_version() -> str:
    """Package version plus the git commit when run from a checkout."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        sha = ""
    return f"{__version__}+{sha}" if sha else __version__


def commit_metadata(run_id: str, model: str, model_version: str, input_count: int) -> dict[str, str]:
    return {
        "run_id": run_id,
        "code_version": code_version(),
        "spacy_model": model,
        "spacy_model_version": model_version,
        "input_count": str(input_count),
    }
