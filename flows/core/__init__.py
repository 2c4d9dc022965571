"""The shared core every stage may import: plain records, stable ids, settings, the rule files, where the table contracts live, evidence lists kept as Arrow, a union-find."""

from flows.core.lazy import lazy_exports

__all__ = ["Settings", "load_settings", "resolve_settings", "load_rules", "schemas_dir", "table_order", "publish_order", "SpanList", "stable_id", "UnionFind"]
__getattr__ = lazy_exports(
    __name__,
    {
        "Settings": "flows.core.settings",
        "load_settings": "flows.core.settings",
        "resolve_settings": "flows.core.settings",
        "load_rules": "flows.core.rules",
        "schemas_dir": "flows.core.schemas",
        "table_order": "flows.core.schemas",
        "publish_order": "flows.core.schemas",
        "SpanList": "flows.core.spanlist",
        "stable_id": "flows.core.ids",
        "UnionFind": "flows.core.unionfind",
    },
)
