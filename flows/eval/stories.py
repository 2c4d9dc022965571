"""Stories: every gold duplicate pair shares a ``story_id``; articles sharing a story_id
without a gold duplicate relation are false merges."""

from __future__ import annotations

from itertools import combinations

from flows.core.unionfind import UnionFind
from flows.eval.score import ErrorRecord, EvalReport


def score_stories(file_rows: dict[str, list[dict]], gold_pairs: set[tuple[str, str]], report: EvalReport) -> None:
    """gold_pairs: unordered pairs of labels telling the same story."""
    stories = {label: {str(r.get("story_id")) for r in rows if r.get("story_id")} for label, rows in file_rows.items()}
    for a, b in sorted(gold_pairs):
        report.story_pairs_total += 1
        if stories.get(a, set()) & stories.get(b, set()):
            report.story_pairs_found += 1
        else:
            report.misses.append(f"story pair not merged: {a} and {b} tell the same story")
            report.errors.append(ErrorRecord("story", "miss", "story_missed", a, f"{a} and {b} tell the same story"))
    # Gold pairs join into groups: two articles of one group may share a story without a pair of their own.
    same = UnionFind(gold_pairs).find
    for a, b in combinations(sorted(stories), 2):
        shared = stories[a] & stories[b]
        if shared and same(a) != same(b):
            report.false_merges += 1
            report.false_positives.append(f"false merge: {a} and {b} share story {sorted(shared)[0]} but are different stories")
            report.errors.append(ErrorRecord("story", "fp", "false_merge", a, f"{a} and {b} share a story"))
