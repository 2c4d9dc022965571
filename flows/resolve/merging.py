"""Merging candidates into rows: what events and deals share.

Each candidate (an event or deal one article reports) merges into the first row it matches, or
becomes a new row. Rows are indexed by blocking keys (`Blocks`), so a candidate is compared only
with rows it could match, in the order a full scan would try them. Published rows are shared with
the caller until a candidate merges into one (copy on write): a chunk touches few of them, and
what it touched is what planning compares (`MergedRows.touched`).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flows.core.schemas import load_codebook

Row = dict[str, Any]
Key = tuple[Any, ...]
Stories = dict[str, str]  # article id -> story id


@functools.cache
def load_rules_codebook() -> dict[str, Any]:
    return load_codebook()


def canonical_names(names: Iterable[str], surface: dict[str, str]) -> list[str]:
    """Each name as its article's surface map names it, once, in order."""
    return list(dict.fromkeys(surface.get(n, n) for n in names))


def overlap(a: Iterable[str], b: Iterable[str]) -> int:
    return len(set(a) & set(b))


def merge_rows(target: Row, other: Row, list_fields: tuple[str, ...]) -> None:
    """Merge `other` into `target`: list items, evidence and articles it lacks, fields it has no value for, and more confidence."""
    for field in list_fields:
        for item in other[field]:
            if item not in target[field]:
                target[field].append(item)
    # A row reported by hundreds of articles is merged into hundreds of times a chunk: evidence
    # from an article the row lacks cannot repeat, so only the rest is compared item by item.
    articles = set(target["article_ids"])
    for ev in other["evidence"]:
        if ev["article_id"] not in articles or ev not in target["evidence"]:
            target["evidence"].append(ev)
    for aid in other["article_ids"]:
        if aid not in articles:
            articles.add(aid)
            target["article_ids"].append(aid)
    for key, value in other.items():
        if target.get(key) is None and value is not None:
            target[key] = value
    target["confidence"] = round(min(1.0, max(target["confidence"], other["confidence"]) + 0.05), 3)


class Blocks:
    """Rows indexed by blocking keys, so a candidate is compared only with rows it could match.

    Candidates are tried in row order, so the first match is the one a full scan would find.
    Keys with a None last part stand for "matches anything of this kind".
    """

    def __init__(self, rows: list[Row], keys: Callable[[Row], list[Key]]) -> None:
        self.index: dict[Key, set[int]] = defaultdict(set)
        self.keys_at: dict[int, set[Key]] = defaultdict(set)  # what each position is indexed under
        self.position: dict[int, int] = {}
        self.owned: set[int] = set()  # ids of the rows this resolution made or copied
        for at, row in enumerate(rows):
            self.position[id(row)] = at
            self.add(rows, row, keys(row))

    def own(self, rows: list[Row], row: Row, list_fields: tuple[str, ...] = ()) -> Row:
        """The row, copied in place in `rows` first when it is a published one: published rows are
        shared with the caller's state, which must not change unless the chunk is published."""
        if id(row) in self.owned:
            return row
        at = self.position.get(id(row))
        if at is not None:
            row = {**row, **{f: list(row[f]) for f in (*list_fields, "article_ids", "evidence")}}
            rows[at] = row
            self.position[id(row)] = at
        self.owned.add(id(row))
        return row

    def add(self, rows: list[Row], row: Row, keys: list[Key]) -> None:
        at = self.position.setdefault(id(row), len(rows) - 1)  # a row not met yet was just appended
        # A row re-added after each merge keeps its keys: index only the new ones, or a deal reported
        # by hundreds of articles costs hundreds of set insertions per merge.
        known = self.keys_at[at]
        for key in keys:
            if key in known:
                continue
            known.add(key)
            self.index[key].add(at)
            if key[-1] is not None:
                self.index[(*key[:-1], "*")].add(at)

    def first(self, rows: list[Row], keys: list[Key], same: Callable[[Row], bool]) -> Row | None:
        found: set[int] = set()
        for key in keys:
            wildcard = key[-1] is None
            found |= self.index.get((*key[:-1], "*") if wildcard else key, set())
            found |= self.index.get((*key[:-1], None), set())
        return next((rows[i] for i in sorted(found) if same(rows[i])), None)


class RowStories:
    """A row's set of stories, cached by identity and kept current by the caller as rows merge:
    a big row has thousands of sources, and it is asked once per candidate compared with it."""

    def __init__(self, blocks: Blocks, stories: Stories) -> None:
        self.blocks, self.stories = blocks, stories
        self.known: dict[int, set[str]] = {}

    def __call__(self, row: Row) -> set[str]:
        indexed = id(row) in self.blocks.position  # a candidate's id may be reused: never cache one
        found = self.known.get(id(row)) if indexed else None
        if found is None:
            found = {self.stories[x] for x in row["article_ids"] if self.stories.get(x) is not None}
            if indexed:
                self.known[id(row)] = found
        return found


@dataclass(frozen=True)
class Kind:
    """What differs between the tables candidates merge into: the id field, the blocking keys of a
    row, when two rows report one thing, how one merges into another, and the list fields (beside
    article_ids and evidence) a merge changes, which a published row has copied first."""

    key: str
    keys: Callable[[Row, Stories], list[Key]]
    same: Callable[[Row, Row, Stories, RowStories], bool]
    merge: Callable[[Row, Row], None]
    list_fields: tuple[str, ...]


class MergedRows:
    """One table's rows as candidates merge into them: the published ones first, in their order."""

    def __init__(self, existing: list[Row], kind: Kind, stories: Stories) -> None:
        self.rows = list(existing)  # shared until a candidate merges into one (copy on write, see Blocks.own)
        self.kind, self.stories = kind, stories
        self.blocks = Blocks(self.rows, lambda r: kind.keys(r, stories))
        self.stories_of = RowStories(self.blocks, stories)

    def place(self, row: Row, query: list[Key], new_id: Callable[[], str], run_id: str) -> Row:
        """The row the candidate `row` is now part of: the first one matching it under the blocking
        keys `query`, merged into, or else the candidate itself, added under the id new_id()."""
        kind, stories_of = self.kind, self.stories_of
        match = self.blocks.first(self.rows, query, lambda r: kind.same(r, row, self.stories, stories_of))
        if match is None:
            row[kind.key] = new_id()
            row["run_id"] = run_id
            self.rows.append(row)
            match = self.blocks.own(self.rows, row)
        else:
            merged = stories_of(match) | stories_of(row)
            match = self.blocks.own(self.rows, match, kind.list_fields)
            kind.merge(match, row)
            match["run_id"] = run_id
            stories_of.known[id(match)] = merged
        # Only what this candidate brought: its articles and stories, with the row's other fields. The
        # keys of the row's earlier sources are indexed already (a big row has thousands).
        self.blocks.add(self.rows, match, kind.keys({**match, "article_ids": row["article_ids"]}, self.stories))
        return match

    def owns(self, row: Row) -> bool:
        """Whether this resolution made or copied the row (and may change it), or shares a published one."""
        return id(row) in self.blocks.owned

    def update(self, at: int, values: dict[str, Any]) -> None:
        """Set fields of the row at position `at`, copying a published one first."""
        row = self.rows[at]
        if not self.owns(row):
            row = self.rows[at] = dict(row)
            self.blocks.owned.add(id(row))
        row.update(values)

    def touched(self) -> set[str]:
        """The ids of the rows this resolution made or changed: every other row is a published one, as it was."""
        return {row[self.kind.key] for row in self.rows if self.owns(row)}
