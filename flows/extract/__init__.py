"""Extract: articles parsed by spaCy (nlp.pipe, on every core) into entity mentions and event and deal candidates, with amounts and dates."""

from flows.core.lazy import lazy_exports

__all__ = ["extract_articles", "extract_chunk", "open_pool", "load_pipeline"]
__getattr__ = lazy_exports(
    __name__,
    {
        "extract_articles": "flows.extract.articles",
        "extract_chunk": "flows.extract.workers",
        "open_pool": "flows.extract.workers",
        "load_pipeline": "flows.extract.nlp",
    },
)
