"""Publish: what a chunk changes, committed to Delta Lake tables (the only package that knows paths and Delta Lake); quarantine records, reports, exports, the data dir's lock."""

from flows.core.lazy import lazy_exports

__all__ = ["plan_changes", "commit_metadata", "upsert", "read_table", "lock_data_dir", "write_export"]
__getattr__ = lazy_exports(
    __name__,
    {
        "plan_changes": "flows.publish.plan",
        "commit_metadata": "flows.publish.plan",
        "upsert": "flows.publish.storage",
        "read_table": "flows.publish.storage",
        "lock_data_dir": "flows.publish.storage",
        "write_export": "flows.publish.export",
    },
)
