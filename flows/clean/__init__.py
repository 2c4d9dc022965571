"""Clean: RawDocument in, Article out (Unicode repaired; header, dateline, headline and summary bullets kept apart; hashes); and which inputs a run must redo."""

from flows.core.lazy import lazy_exports

__all__ = ["clean_document", "article_id_for", "source_hash_for", "select_articles", "skip_unchanged"]
__getattr__ = lazy_exports(
    __name__,
    {
        "clean_document": "flows.clean.cleaner",
        "article_id_for": "flows.clean.hashes",
        "source_hash_for": "flows.clean.hashes",
        "select_articles": "flows.clean.redo",
        "skip_unchanged": "flows.clean.redo",
    },
)
