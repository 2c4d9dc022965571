"""One-to-one matching of gold items with predictions: as many pairs as possible, then the best ones."""

from __future__ import annotations

from collections.abc import Sequence

from flows.eval.names import match_strength


def assign(weights: list[list[float]]) -> list[tuple[int, int]]:
    """Optimal one-to-one matching: most pairs first, then the largest total weight.

    weights[i][j] > 0 is an allowed pair (gold i, prediction j). Returns (i, j) pairs.
    Hungarian algorithm on a rectangular matrix.
    """
    n = len(weights)
    m = len(weights[0]) if n else 0
    if n == 0 or m == 0:
        return []
    transposed = n > m
    if transposed:
        weights = [list(col) for col in zip(*weights)]
        n, m = m, n
    big = 1.0 + sum(max((w for w in row if w > 0), default=0.0) for row in weights)
    cost = [[-(big + w) if w > 0 else 0.0 for w in row] for row in weights]
    inf = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    p = [0] * (m + 1)
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = [inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0 = p[j0]
            delta = inf
            j1 = 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j] = cur
                        way[j] = j0
                    if minv[j] < delta:
                        delta = minv[j]
                        j1 = j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    pairs = []
    for j in range(1, m + 1):
        if p[j] and weights[p[j] - 1][j - 1] > 0:
            pairs.append((j - 1, p[j] - 1) if transposed else (p[j] - 1, j - 1))
    return sorted(pairs)


def count_named(gold_names: Sequence[str], predicted_names: Sequence[str]) -> int:
    """How many gold names are named by distinct predicted names (one-to-one)."""
    gold = [g for g in gold_names if g]
    pred = [p for p in predicted_names if p]
    if not gold or not pred:
        return 0
    return len(assign([[match_strength(g, p) for p in pred] for g in gold]))
