"""The run report written where the data is: the rows and version history it shows are read back
from the published tables, so the page states what an analyst will find."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flows.core import schemas
from flows.publish import storage
from flows.report.page import COLUMNS, ReportData, render_run_report


def absolute(path: Any) -> str:
    """A local path as an absolute one (the page is read from anywhere); an object store's URI as it is."""
    return str(path) if path is None or storage.is_uri(path) else str(Path(path).resolve())


def write_run_report(data_dir: Path | str, summary: dict[str, Any]) -> str:
    """data/report/<run_id>.html and index.html (the latest run); returns the index's path."""
    rows = {name: storage.read_columns(data_dir, name, columns) for name, columns in COLUMNS.items()}
    history = {name: storage.history(data_dir, name) for name in schemas.publish_order()}
    shown = {**summary, "data": absolute(summary.get("data")), "input": absolute(summary.get("input"))}
    html = render_run_report(ReportData(shown, rows, history), storage.report_dir(data_dir))
    return str(storage.write_run_page(data_dir, summary["run_id"], html))
