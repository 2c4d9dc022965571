"""Eval: the real pipeline run on annotated articles, scored by the dev set's rules."""

from flows.core.lazy import lazy_exports

__all__ = ["run_evaluation", "score_devset", "score_seeds"]
__getattr__ = lazy_exports(
    __name__,
    {
        "run_evaluation": "flows.eval.run",
        "score_devset": "flows.eval.score",
        "score_seeds": "flows.eval.score",
    },
)
