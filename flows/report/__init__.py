"""Report: the run report page (page.py, its SVG charts in charts.py, its sortable tables of deals, events and entities with their evidence in listings.py), and the Markdown and rows of the Prefect artifacts (artifacts.py), rendered from plain data."""

from flows.core.lazy import lazy_exports

__all__ = ["render_run_report", "render_markdown", "validation_rows", "ReportData"]
__getattr__ = lazy_exports(
    __name__,
    {
        "render_run_report": "flows.report.page",
        "render_markdown": "flows.report.artifacts",
        "validation_rows": "flows.report.artifacts",
        "ReportData": "flows.report.page",
    },
)
