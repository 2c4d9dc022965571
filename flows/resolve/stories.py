"""Stories: which articles retell the same news, by TF-IDF cosine between articles close in time.

Each chunk of new articles joins an index of the published ones (`assign_stories`), tokenised once
and compared, by sparse products, only with the articles within STORY_MAX_DAYS of it. The index
keeps term ids and counts, not bodies: a few bytes per distinct word of an article. A run keeps
them on disk (orchestration/state.py): a chunk's index holds the vocabulary and document
frequencies of every published article (`with_stats`) but the term vectors only of those within
STORY_MAX_DAYS of the chunk (`load`); what the chunk publishes goes back as vectors (`vectors`).
Without a store, `add_published` tokenises published bodies into one index.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np
from scipy import sparse
from spacy.lang.en.stop_words import STOP_WORDS

from flows.core.ids import stable_id

STORY_THRESHOLD = 0.33  # TF-IDF cosine; same-story pairs score ~0.4-0.6, related stories ~0.2-0.27
STORY_MAX_DAYS = 10
_NO_DAY = np.iinfo(np.int32).min
# Candidates are weighted once per chunk, in tiles of days: a tile meets the new articles within
# STORY_MAX_DAYS of it, so a chunk spanning years costs one pass over the index, not one per day.
_TILE_DAYS = STORY_MAX_DAYS + 1
_COLUMNS = 5_000  # candidates weighted at once (~1.5 M terms): bounds memory when a tile is crowded
_PAIRS = 2_000_000  # scores per sparse product (candidates x new articles), ~25 MB


def _count_terms(text: str) -> Counter[str]:
    words = re.findall(r"[a-z0-9][a-z0-9\-.]*[a-z0-9]|[a-z]", text.lower())
    return Counter(w for w in words if w not in STOP_WORDS and len(w) > 2)


def _to_day(value: dt.date | None) -> int:
    return _NO_DAY if value is None else value.toordinal()


def _make_room(array: np.ndarray, size: int) -> np.ndarray:
    """The array, reallocated a quarter larger when size exceeds it: appends stay amortised O(1), slack small."""
    if size <= len(array):
        return array
    grown = np.zeros(max(size, len(array) * 5 // 4), array.dtype)
    grown[: len(array)] = array
    return grown


class StoryIndex:
    """Every known article as term ids and counts, day and story, with the vocabulary and document frequencies.

    Articles sit at positions in the order they were added (ties go to the later one); a removed
    article leaves a dead position. Article k's terms are terms[offsets[k]:offsets[k + 1]].
    """

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self.df = np.zeros(0, np.int32)  # by term id; may be longer than the vocabulary
        self.documents = 0  # live articles: the n of the IDF
        self._terms = np.zeros(0, np.int32)
        self._counts = np.zeros(0, np.uint8)  # widened if an article repeats a word > 255 times
        self._nnz = 0
        self._offsets = np.zeros(1, np.int64)
        self._days = np.zeros(0, np.int32)
        self._stories = np.zeros(0, np.int32)  # codes into _story_ids: one string per story, not per article
        self._live = np.zeros(0, bool)
        self._size = 0
        self._position: dict[str, int] = {}
        self._story_ids: list[str] = []
        self._story_codes: dict[str, int] = {}
        self._replaced: dict[str, int] = {}  # article id -> its previous position, dead since its new text came

    def __len__(self) -> int:
        return self.documents

    @classmethod
    def with_stats(cls, vocabulary: dict[str, int], df: np.ndarray, documents: int) -> StoryIndex:
        """An index that knows every published article's terms (vocabulary, document frequencies,
        count) and holds none of their vectors yet. The vocabulary is shared and grows in place."""
        index = cls()
        index.vocabulary, index.df, index.documents = vocabulary, df, documents
        return index

    def load(self, article_ids: list[str], days: list[int | None], stories: list[str], lengths: np.ndarray, terms: np.ndarray, counts: np.ndarray) -> None:
        """Add the vectors of published articles already counted in the document frequencies (see
        `with_stats`), in publication order; article i's terms are the next lengths[i] of `terms`."""
        first, last, end = self._size, self._size + len(article_ids), self._nnz + len(terms)
        if len(counts) and counts.max() > np.iinfo(self._counts.dtype).max:
            self._counts = self._counts.astype(np.promote_types(self._counts.dtype, np.min_scalar_type(counts.max())))
        self._terms, self._counts = _make_room(self._terms, end), _make_room(self._counts, end)
        self._terms[self._nnz : end], self._counts[self._nnz : end] = terms, counts
        self._offsets = _make_room(self._offsets, last + 1)
        self._offsets[first + 1 : last + 1] = self._nnz + np.cumsum(lengths, dtype=np.int64)
        self._nnz, self._size = end, last
        self._days, self._stories, self._live = (_make_room(a, last) for a in (self._days, self._stories, self._live))
        self._days[first:last] = [_NO_DAY if d is None else d for d in days]
        self._stories[first:last] = [self._intern(story) for story in stories]
        self._live[first:last] = True
        self._position.update((a, first + i) for i, a in enumerate(article_ids))

    def vectors(self, article_ids: Iterable[str]) -> dict[str, Any]:
        """What `load` takes back for these articles (those the index holds): ids, days (ordinal
        or None), stories, and their term ids and counts as flat arrays with lengths."""
        ids = [a for a in article_ids if a in self._position]
        at = np.array([self._position[a] for a in ids], np.int64)
        starts, ends = self._offsets[at], self._offsets[at + 1]
        spans = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)]) if len(at) else np.zeros(0, np.int64)
        days = [None if d == _NO_DAY else int(d) for d in self._days[at]]
        return {"article_ids": ids, "days": days, "stories": [self._story_ids[c] for c in self._stories[at]], "lengths": ends - starts, "terms": self._terms[spans], "counts": self._counts[spans]}

    def add_published(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Add articles that have a story (article_id, body, published_date, story_id); may be called per batch."""
        rows = list({r["article_id"]: r for r in rows}.values())
        first = self._add(rows)
        self._stories[first : first + len(rows)] = [self._intern(r["story_id"]) for r in rows]

    def remove(self, article_ids: Iterable[str]) -> None:
        """Forget articles: an edited one before its new text comes, or a chunk that was not published."""
        for article_id in article_ids:
            k = self._position.pop(article_id, None)
            if k is None:
                continue
            self.df[self._terms[self._offsets[k] : self._offsets[k + 1]]] -= 1  # an article holds a term once
            self._live[k] = False
            self.documents -= 1

    def rollback(self, article_ids: Iterable[str]) -> None:
        """Undo a chunk that was not published: its articles leave, and the version of an edited
        one that was there before comes back."""
        ids = list(article_ids)
        self.remove(ids)
        for article_id in ids:
            k = self._replaced.pop(article_id, None)
            if k is not None and article_id not in self._position:
                self._position[article_id] = k
                self._live[k] = True
                self.df[self._terms[self._offsets[k] : self._offsets[k + 1]]] += 1
                self.documents += 1

    def assign_stories(self, new_articles: Iterable[Mapping[str, Any]]) -> dict[str, str]:
        """article_id -> story_id for new articles (article_id, body, published_date), which join the index.

        In article_id order, each article joins the story of the most similar article known so far
        (published, or new and already assigned) within STORY_MAX_DAYS days, if it scores at least
        STORY_THRESHOLD; a tie goes to the article added later. Otherwise it starts its own story.
        The IDF counts every article in the index, this chunk included.
        """
        chunk = list({a["article_id"]: a for a in new_articles}.values())
        if not chunk:
            return {}
        first = self._add(chunk)  # in input order: build_tables appends the chunk so, and later chunks meet it so
        ids = [a["article_id"] for a in chunk]
        order = sorted(range(len(chunk)), key=ids.__getitem__)
        best = self._best_matches(first, order)
        for k in order:
            match = best[k]
            self._stories[first + k] = self._stories[match] if match >= 0 else self._intern(stable_id("s", ids[k]))
        return {aid: self._story_ids[self._stories[first + k]] for k, aid in enumerate(ids)}

    def _best_matches(self, first: int, order: list[int]) -> np.ndarray:
        """For the new articles from position `first` on, assigned in `order`: the position of the best
        article each may join (-1 for none), among the published and the new ones assigned before it."""
        turn = np.empty(len(order), np.int64)  # when each new article is assigned
        turn[order] = np.arange(len(order))
        pairs = list(self._score_pairs(np.arange(first, first + len(order))))
        i, j, score = (np.concatenate([p[n] for p in pairs]) for n in range(3)) if pairs else (np.zeros(0, np.int64),) * 3
        new = j >= first
        other = np.where(new, j - first, 0)
        # A new article meets only those assigned before it; those rank after every published one.
        valid = ~new | (turn[other] < turn[i])
        rank = np.where(new, first + turn[other], j)[valid]
        i, j, score = i[valid], j[valid], score[valid]
        best = np.full(len(order), -1, np.int64)
        by = np.lexsort((rank, score, i))  # an article's last pair has its best score, ties to the latest met
        i, j = i[by], j[by]
        last = np.ones(len(i), bool)
        last[:-1] = i[1:] != i[:-1]
        best[i[last]] = j[last]
        return best

    def _intern(self, story_id: str) -> int:
        code = self._story_codes.get(story_id)
        if code is None:
            code = self._story_codes[story_id] = len(self._story_ids)
            self._story_ids.append(story_id)
        return code

    def _add(self, rows: list[Mapping[str, Any]]) -> int:
        """Tokenise and append rows (replacing known ids, as a retraction would); returns the first position."""
        self._replaced.update((r["article_id"], self._position[r["article_id"]]) for r in rows if r["article_id"] in self._position)
        self.remove(r["article_id"] for r in rows)
        ids: list[int] = []
        counts: list[int] = []
        lengths: list[int] = []
        for row in rows:
            terms = _count_terms(row["body"] or "")
            ids += [self.vocabulary.setdefault(w, len(self.vocabulary)) for w in terms]
            counts += terms.values()
            lengths.append(len(terms))
        new_ids, new_counts = np.array(ids, np.int32), np.array(counts, np.int64)
        if len(new_counts) and new_counts.max() > np.iinfo(self._counts.dtype).max:
            self._counts = self._counts.astype(np.promote_types(self._counts.dtype, np.min_scalar_type(new_counts.max())))
        end = self._nnz + len(new_ids)
        self._terms, self._counts = _make_room(self._terms, end), _make_room(self._counts, end)
        self._terms[self._nnz : end], self._counts[self._nnz : end] = new_ids, new_counts
        first, last = self._size, self._size + len(rows)
        self._offsets = _make_room(self._offsets, last + 1)
        self._offsets[first + 1 : last + 1] = self._nnz + np.cumsum(lengths, dtype=np.int64)
        self._nnz, self._size = end, last
        self._days, self._stories, self._live = (_make_room(a, last) for a in (self._days, self._stories, self._live))
        self._days[first:last] = [_to_day(r.get("published_date")) for r in rows]
        self._live[first:last] = True
        self._position.update((r["article_id"], first + i) for i, r in enumerate(rows))
        self.df = _make_room(self.df, len(self.vocabulary))
        self.df[: len(self.vocabulary)] += np.bincount(new_ids, minlength=len(self.vocabulary)).astype(np.int32)
        self.documents += len(rows)
        return first

    def _compute_idf(self) -> np.ndarray:
        return np.log((self.documents + 1) / (self.df[: len(self.vocabulary)] + 1) + 1)

    def _weigh(self, positions: np.ndarray, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """L2-normalised TF-IDF rows of the articles at positions, as CSR (data, indices, indptr)."""
        starts = self._offsets[positions]
        lengths = self._offsets[positions + 1] - starts
        indptr = np.zeros(len(positions) + 1, np.int64)
        np.cumsum(lengths, out=indptr[1:])
        at = np.repeat(starts - indptr[:-1], lengths) + np.arange(indptr[-1])
        terms = self._terms[at]
        weights = (1 + np.log(self._counts[at].astype(np.float64))) * idf[terms]
        row = np.repeat(np.arange(len(positions)), lengths)
        norms = np.sqrt(np.bincount(row, weights=weights * weights, minlength=len(positions)))
        weights /= np.where(norms > 0, norms, 1.0)[row]
        return weights, terms, indptr

    def _score_pairs(self, chunk: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(row in chunk, candidate position, score) for the pairs within STORY_MAX_DAYS scoring ≥ STORY_THRESHOLD.

        Candidates are every live article, the chunk's own included (itself too: callers filter).
        """
        idf = self._compute_idf()
        days = self._days[: self._size].astype(np.int64)
        new_days = days[chunk]
        undated = np.flatnonzero(new_days == _NO_DAY)
        dated = np.flatnonzero(new_days != _NO_DAY)
        dated = dated[np.argsort(new_days[dated], kind="stable")]
        rows = sparse.csr_array(self._weigh(chunk, idf), shape=(len(chunk), len(idf)))
        for tile in self._group_by_days(days):
            if days[tile[0]] == _NO_DAY:
                meet = np.arange(len(chunk))
            else:
                lo, hi = np.searchsorted(new_days[dated], [days[tile[0]] - STORY_MAX_DAYS, days[tile[-1]] + STORY_MAX_DAYS + 1])
                meet = np.concatenate([undated, dated[lo:hi]])
            for c in range(0, len(tile) if len(meet) else 0, _COLUMNS):
                columns = tile[c : c + _COLUMNS]
                matrix = sparse.csr_array(self._weigh(columns, idf), shape=(len(columns), len(idf)))
                step = max(1, _PAIRS // len(columns))
                for r in range(0, len(meet), step):
                    part = meet[r : r + step]
                    scores = (matrix @ rows[part].T).tocsr()  # transposing the new side: it is the small one
                    keep = scores.data >= STORY_THRESHOLD
                    j = columns[np.repeat(np.arange(len(columns)), np.diff(scores.indptr))[keep]]
                    i = part[scores.indices[keep]]
                    d_i, d_j = new_days[i], days[j]
                    close = (d_i == _NO_DAY) | (d_j == _NO_DAY) | (np.abs(d_i - d_j) <= STORY_MAX_DAYS)
                    yield i[close], j[close], scores.data[keep][close]

    def _group_by_days(self, days: np.ndarray) -> Iterator[np.ndarray]:
        """Live positions in groups: the undated (they meet every new article), then the dated by block of days."""
        live = self._live[: self._size]
        undated = np.flatnonzero(live & (days == _NO_DAY))
        if len(undated):
            yield undated
        dated = np.flatnonzero(live & (days != _NO_DAY))
        dated = dated[np.argsort(days[dated], kind="stable")]
        block = days[dated] // _TILE_DAYS
        yield from np.split(dated, np.flatnonzero(np.diff(block)) + 1) if len(dated) else ()
