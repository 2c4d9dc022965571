"""A union-find over strings: names that denote one entity, articles that tell one story."""

from __future__ import annotations

from collections.abc import Iterable


class UnionFind:
    """Groups of keys; a group is named by its smallest key, so results do not depend on the
    order in which pairs were joined."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self.parent: dict[str, str] = {}
        for a, b in pairs:
            self.union(a, b)

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]  # path halving
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)
