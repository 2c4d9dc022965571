"""One-to-one matching of gold items with predictions: as many pairs as possible, then the best ones."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

from flows.eval.names import match_strength


def assign(weights: Sequence[Sequence[float]]) -> list[tuple[int, int]]:
    """Optimal one-to-one matching: most pairs first, then the largest total weight.

    weights[i][j] > 0 is an allowed pair (gold i, prediction j). Returns (i, j) pairs, by i.
    """
    matrix = np.asarray(weights, dtype=float)
    if matrix.size == 0:
        return []
    allowed = matrix > 0
    # Each pair is worth more than all weights together, so a matching with one more pair beats
    # any total weight: weight only chooses among the matchings with the most pairs.
    bonus = 1.0 + np.where(allowed, matrix, 0.0).max(axis=1).sum()
    rows, cols = linear_sum_assignment(np.where(allowed, bonus + matrix, 0.0), maximize=True)
    return [(int(i), int(j)) for i, j in zip(rows, cols) if allowed[i, j]]


def count_named(gold_names: Sequence[str], predicted_names: Sequence[str]) -> int:
    """How many gold names are named by distinct predicted names (one-to-one)."""
    gold = [g for g in gold_names if g]
    pred = [p for p in predicted_names if p]
    if not gold or not pred:
        return 0
    return len(assign([[match_strength(g, p) for p in pred] for g in gold]))
