"""Ingest: a file or a folder of .txt, .jsonl and .html articles in, RawDocument records out; what cannot be read is quarantined with a reason."""

from flows.core.lazy import lazy_exports

__all__ = ["iter_chunks", "ingest_path", "InputError"]
__getattr__ = lazy_exports(
    __name__,
    {
        "iter_chunks": "flows.ingest.readers",
        "ingest_path": "flows.ingest.readers",
        "InputError": "flows.ingest.readers",
    },
)
