"""The run's Prefect artifacts, rendered from the run summary: the Markdown summary and the rows of
the validation table. Pure: orchestration (flows/orchestration/flow.py) publishes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.report.page import TABLES, validation_state


def validation_rows(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per table for a Prefect table artifact."""
    rows = []
    for name in TABLES:
        t = (summary.get("tables") or {}).get(name)
        if t is None:
            continue
        v = t.get("validation") or {}
        rows.append({
            "table": name,
            "result": validation_state(t),
            "rows": t.get("rows", 0),
            "expectations": v.get("n_expectations"),
            "critical_failures": v.get("n_critical_failures", 0),
            "warnings": v.get("n_warnings", 0),
            "rejected_rows": t.get("rejected", 0),
            "version": t.get("version"),
            "failed": "; ".join(f"{f['expectation']} on {f.get('column')}" for f in v.get("failures", [])),
        })
    return rows


def render_markdown(summary: Mapping[str, Any], report_path: str | None = None) -> str:
    quarantined = summary.get("quarantined") or {}
    lines = [
        f"# newsflow run `{summary.get('run_id')}`",
        "",
        f"**{'Success' if summary.get('success') else 'FAILED: some tables were not published'}** · "
        f"{summary.get('documents', 0)} documents read · {summary.get('new_articles', 0)} new articles · "
        f"{sum(quarantined.values())} quarantined" + (f" ({', '.join(f'{n} {r}' for r, n in sorted(quarantined.items()))})" if quarantined else ""),
        "",
        "| table | rows | version | upserted | deleted | rejected | validation |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name in TABLES:
        t = (summary.get("tables") or {}).get(name)
        if t is not None:
            lines.append(f"| {name} | {t.get('rows', 0)} | {t.get('version', '-')} | {t.get('upserts', 0)} | {t.get('deletes', 0)} | {t.get('rejected', 0)} | {validation_state(t)} |")
    rejected = summary.get("rejected") or {}
    if rejected.get("by_rule"):
        lines += ["", f"**{rejected['line']}** (kept in the `rejections` table)", "", "| table.column | rule | rows | examples |", "| --- | --- | ---: | --- |"]
        for g in rejected["by_rule"]:
            examples = ", ".join(f"{e.get('row_key')}: {e.get('value')!r}" for e in g["examples"])
            lines.append(f"| {g['table']}.{g['column']} | {g['rule']} | {g['rows']} | {examples} |")
    if report_path:
        lines += ["", f"Run report: `{report_path}`"]
    if (summary.get("data_docs") or {}).get("index"):
        lines += [f"Data Docs: `{summary['data_docs']['index']}`"]
    return "\n".join(lines) + "\n"
