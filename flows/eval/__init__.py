"""Eval: the real pipeline run on annotated articles, scored by the dev set's rules.

`run` runs the pipeline in a scratch directory; `gold` loads the two gold formats, which
`devset` and `seeds` score through `items` (deals, events), `entities` and `stories`, with
names compared by `names` and gold items paired with rows one-to-one by `match`; `score` holds
the counts and `render` prints them with every miss and false positive.
"""

from flows.core.lazy import lazy_exports

__all__ = ["run_evaluation", "score_devset", "score_seeds", "render_report", "load_devset", "load_seeds_expected", "names_match", "EvalReport", "Score"]
__getattr__ = lazy_exports(
    __name__,
    {
        "run_evaluation": "flows.eval.run",
        "score_devset": "flows.eval.devset",
        "score_seeds": "flows.eval.seeds",
        "render_report": "flows.eval.render",
        "load_devset": "flows.eval.gold",
        "load_seeds_expected": "flows.eval.gold",
        "names_match": "flows.eval.names",
        "EvalReport": "flows.eval.score",
        "Score": "flows.eval.score",
    },
)
