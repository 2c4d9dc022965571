"""What a run reports: the summary the CLI prints, the run report renders and reports/<run_id>.json keeps.

Plain data from a finished `Run` and its `Intake`; no Prefect, no storage.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flows.orchestration.run import Intake, Run
from flows.validate import gate


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


def run_summary(run: Run, intake: Intake) -> dict[str, Any]:
    """The summary of a run whose chunks are all committed (the Data Docs and report page are added after)."""
    settings, counts = run.settings, intake.counts
    return {
        "run_id": run.run_id,
        "input": str(settings.input_path),
        "data": str(settings.data_dir),
        "documents": run.documents,
        "new_articles": counts["new"],
        "edited_articles": counts["edited"],
        "redone_articles": counts["redone"],  # published articles extracted again for their open rejections
        "already_published": run.documents - counts["new"],  # inputs skipped because their content is published
        "quarantined": dict(Counter(q["reason"] for q in intake.quarantined)),
        "tables": run.tables,
        "rejected": summarise_rejections(run.rejected),
        "success": run.valid,
        "seconds": run.seconds,  # wall time per stage in this process; "extract_wait" = idle on workers
        "chunks": run.chunk_seconds,  # per chunk: what was published after it, its stages' seconds
    }
