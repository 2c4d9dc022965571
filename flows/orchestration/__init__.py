"""Orchestration: the Prefect flow and its thin tasks over the stages (the only package that knows Prefect), a run's state and summary, the temporary API server, progress."""

from flows.core.lazy import lazy_exports

__all__ = ["news_pipeline", "run_pipeline", "serve_pipeline"]
__getattr__ = lazy_exports(
    __name__,
    {
        "news_pipeline": "flows.orchestration.flow",
        "run_pipeline": "flows.orchestration.flow",
        "serve_pipeline": "flows.orchestration.flow",
    },
)
