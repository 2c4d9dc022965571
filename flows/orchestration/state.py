"""The published state a run resolves against, kept on disk: what a chunk needs is read for it.

Beside the tables, `<data>/state` holds what resolution looks rows up by (storage.py knows where):
- `keys_<table>` (entities, events, deals): every key a row is indexed under (resolve/blocking.py),
  with the row's id and its publication order (`seq`: a scan of every row meets rows in that
  order, so the first match is the same); `cites_<table>` the same for the articles it cites
  (what retraction looks for; kept apart, as a popular entity cites thousands). Appended to,
  never rewritten: a key a row lost stays, and costs no more than an extra row read.
- `story_terms`: each published article version's term ids and counts, day and story, and
  `story_vocabulary`: term -> id. The vocabulary and document frequencies are held (they grow
  with the distinct words, not the articles); a chunk loads the vectors of the articles within
  STORY_MAX_DAYS of its own. `story_stats`: the document frequencies after the last chunk, with
  the articles table's version they count (a run reads them when that is still the version).

A chunk's state is written before the tables it indexes (publish order ends with `articles`), so a
crash leaves at worst keys of rows that were not published, which no read finds. A data dir from
before this state has it built once, from the tables, by the first run that needs it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from flows.core import spanlist
from flows.publish import storage
from flows.resolve.proposal import KEYS, Proposal
from flows.resolve.resolver import ROW_TEXTS
from flows.resolve.stories import STORY_MAX_DAYS, StoryIndex

Row = dict[str, Any]
STORY_TERMS, VOCABULARY, STORY_STATS = "story_terms", "story_vocabulary", "story_stats"
TERMS_SCHEMA = pa.schema([("article_id", pa.string()), ("content_hash", pa.string()), ("seq", pa.int64()), ("day", pa.int32()), ("story_id", pa.string()), ("terms", pa.list_(pa.int32())), ("counts", pa.list_(pa.int32()))])
STATS_SCHEMA = pa.schema([("articles_version", pa.int64()), ("documents", pa.int64()), ("df", pa.list_(pa.int32()))])
_ALL_DAYS = (-(2**31), 2**31 - 1)


def key_table(name: str) -> str:
    return f"keys_{name}"


def cites_table(name: str) -> str:
    return f"cites_{name}"


def _by_table(name: str, texts: Iterable[str]) -> dict[str, set[str]]:
    """Keys split between the key table and the cites table (an article's key starts with "a:")."""
    split: dict[str, set[str]] = {key_table(name): set(), cites_table(name): set()}
    for text in texts:
        split[cites_table(name) if text.startswith("a:") else key_table(name)].add(text)
    return split


def _day(value: Any) -> int | None:
    return value.toordinal() if isinstance(value, dt.date) else None


class StoredState:
    """A `resolve.blocking.Published` over a data dir, and the story index's statistics."""

    def __init__(self, data_dir: Any, published: dict[str, str]) -> None:
        self.data = data_dir
        self.published = published  # article_id -> content_hash of the published articles (the intake's read)
        self.seq: dict[str, dict[str, int]] = {name: {} for name in ROW_TEXTS}  # ids fetched for this chunk -> seq
        self.next_seq = dict.fromkeys(ROW_TEXTS, 0)
        self.terms_seq = 0
        self.vocabulary: dict[str, int] = {}
        self.df = np.zeros(0, np.int32)
        self.documents = 0
        self.saved_terms = 0  # how much of the vocabulary is on disk
        self.chunk_versions: set[tuple[str, str]] = set()  # (article, content hash) of the chunk's that story_terms has

    @classmethod
    def open(cls, data_dir: Any, published: dict[str, str]) -> StoredState:
        state = cls(data_dir, published)
        state.build_missing()
        for name in ROW_TEXTS:  # from the Delta log's statistics: a key table grows with every published row
            last = storage.max_in_state(data_dir, key_table(name), "seq")
            state.next_seq[name] = 0 if last is None else last + 1
        state.load_stats()
        return state

    # --- blocking.Published ---------------------------------------------------------------------

    def ids_with_keys(self, table: str, keys: Collection[str]) -> dict[str, int]:
        seq: dict[str, int] = {}
        for state, wanted in _by_table(table, keys).items():
            hits = storage.read_where(self.data, state, "key", wanted, columns=["id", "seq"], state=True) if wanted else None
            for row_id, order in zip(hits.column("id").to_pylist(), hits.column("seq").to_pylist(), strict=True) if hits is not None else ():
                seq[row_id] = max(order, seq.get(row_id, order))
        self.seq[table].update(seq)
        return seq

    def keys_of(self, table: str, ids: Collection[str]) -> dict[str, set[str]]:
        hits = storage.read_where(self.data, key_table(table), "id", ids, columns=["id", "key"], state=True)
        found: dict[str, set[str]] = {}
        for row_id, key in zip(hits.column("id").to_pylist(), hits.column("key").to_pylist(), strict=True) if hits is not None else ():
            found.setdefault(row_id, set()).add(key)
        return found

    def rows(self, table: str, ids: Collection[str]) -> list[Row]:
        # A key table's id may have no row: it was deleted, or its chunk was not published.
        return spanlist.rows_from_table(storage.read_where(self.data, table, KEYS[table], ids)) if ids else []

    def stories_of(self, article_ids: Collection[str]) -> dict[str, str]:
        found = storage.read_where(self.data, "articles", "article_id", article_ids, columns=["article_id", "story_id"])
        return {} if found is None else dict(zip(found.column("article_id").to_pylist(), found.column("story_id").to_pylist(), strict=True))

    def articles_without(self, article_ids: Collection[str]) -> list[Row]:
        return []  # planning publishes a chunk's new articles only

    # --- a chunk's story window ---------------------------------------------------------------

    def story_window(self, new_articles: list[Row]) -> StoryIndex:
        """An index with every published article's statistics and the vectors of those within
        STORY_MAX_DAYS of the chunk's (all of them when one is undated), and of the chunk's own
        published versions (an edited article's old version leaves the statistics)."""
        self.seq = {name: {} for name in ROW_TEXTS}
        index = StoryIndex.with_stats(self.vocabulary, self.df.copy(), self.documents)
        if not new_articles:
            return index
        days = [_day(a["published_date"]) for a in new_articles]
        lo, hi = _ALL_DAYS if None in days else (min(days) - STORY_MAX_DAYS, max(days) + STORY_MAX_DAYS)
        ids = {a["article_id"] for a in new_articles}
        found = storage.read_where(self.data, STORY_TERMS, "article_id", ids, between=("day", lo, hi), state=True)
        if found is None:
            return index
        aids, hashes = found.column("article_id").to_pylist(), found.column("content_hash").to_pylist()
        self.chunk_versions = {(a, h) for a, h in zip(aids, hashes, strict=True) if a in ids}
        live = {}  # article -> row of its published version (a row may come twice: by id and by day)
        for at, (aid, content) in enumerate(zip(aids, hashes, strict=True)):
            if self.published.get(aid) == content:
                live[aid] = at
        if not live:
            return index
        seqs = found.column("seq").to_numpy()
        found = found.take(sorted(live.values(), key=seqs.__getitem__))
        terms, counts = found.column("terms").combine_chunks(), found.column("counts").combine_chunks()
        lengths = np.diff(terms.offsets.to_numpy())
        index.load(found.column("article_id").to_pylist(), found.column("day").to_pylist(), found.column("story_id").to_pylist(), lengths, terms.flatten().to_numpy(), counts.flatten().to_numpy())
        return index

    def keep_stats(self, index: StoryIndex) -> None:
        """After the chunk (its unpublished articles rolled back): the statistics later chunks start
        from, saved for the next run with the articles table's version they count (load_stats)."""
        self.df, self.documents = index.df, index.documents
        version, df, kept = storage.current_version(self.data, "articles"), np.zeros(self.saved_terms, np.int32), min(len(self.df), self.saved_terms)
        df[:kept] = self.df[:kept]
        if version is not None and len(self.vocabulary) == self.saved_terms:  # a refused chunk's new terms are not saved yet
            row = {"articles_version": [version], "documents": [self.documents], "df": [pa.array(df, pa.int32())]}
            storage.append_state(self.data, STORY_STATS, pa.table(row, schema=STATS_SCHEMA), replace=True)

    # --- what a chunk writes, before the tables --------------------------------------------------

    def write_keys(self, name: str, proposed: Proposal, rows: list[Row]) -> None:
        """The keys of a table's rows the chunk publishes that the state lacks (a new row gets the next seq)."""
        texts_of, key = ROW_TEXTS[name], KEYS[name]
        before = {r[key]: r for r in proposed.fetched.get(name, [])}
        columns: dict[str, tuple[list[str], list[str], list[int]]] = {key_table(name): ([], [], []), cites_table(name): ([], [], [])}
        for row in rows:
            row_id = row[key]
            if row_id in before:  # a published row keeps its place; only its new keys are added
                order, old = self.seq[name][row_id], texts_of(before[row_id], proposed.stories)
            else:  # a new row (or one deleted and made again) comes after every published one
                order, old = self.next_seq[name], set()
                self.next_seq[name] += 1
            for state, texts in _by_table(name, texts_of(row, proposed.stories) - old).items():
                keys, ids, seqs = columns[state]
                keys += sorted(texts)
                ids += [row_id] * len(texts)
                seqs += [order] * len(texts)
        for state, (keys, ids, seqs) in columns.items():
            storage.append_state(self.data, state, pa.table({"key": pa.array(keys, pa.string()), "id": pa.array(ids, pa.string()), "seq": pa.array(seqs, pa.int64())}))

    def write_stories(self, index: StoryIndex, articles: list[Row]) -> None:
        """The vectors of the articles the chunk publishes (each version once), and the new terms."""
        hashes = {a["article_id"]: a["content_hash"] for a in articles if (a["article_id"], a["content_hash"]) not in self.chunk_versions}
        vectors = index.vectors(hashes)
        offsets = pa.array(np.concatenate([[0], np.cumsum(vectors["lengths"])]).astype(np.int32))
        ids = vectors["article_ids"]
        rows = pa.table(
            [
                pa.array(ids, pa.string()), pa.array([hashes[a] for a in ids], pa.string()), pa.array(range(self.terms_seq, self.terms_seq + len(ids)), pa.int64()),
                pa.array(vectors["days"], pa.int32()), pa.array(vectors["stories"], pa.string()),
                pa.ListArray.from_arrays(offsets, pa.array(vectors["terms"], pa.int32())), pa.ListArray.from_arrays(offsets, pa.array(vectors["counts"].astype(np.int32), pa.int32())),
            ],
            schema=TERMS_SCHEMA,
        )
        self.terms_seq += len(ids)
        self.write_vocabulary()
        storage.append_state(self.data, STORY_TERMS, rows)

    def write_vocabulary(self) -> None:
        terms = list(self.vocabulary)[self.saved_terms :]
        storage.append_state(self.data, VOCABULARY, pa.table({"term": pa.array(terms, pa.string()), "term_id": pa.array(range(self.saved_terms, self.saved_terms + len(terms)), pa.int32())}))
        self.saved_terms += len(terms)

    def mark_published(self, articles: Iterable[Row]) -> None:
        self.published.update((a["article_id"], a["content_hash"]) for a in articles)

    # --- reading the statistics, and building the state of an older data dir --------------------

    def load_stats(self) -> None:
        """The vocabulary, and the document frequencies of the published articles' versions: those
        the last chunk saved when they count the articles table's current version (a run or crash
        since that changed it has them counted again from every vector)."""
        for batch in storage.scan_state(self.data, VOCABULARY, ["term", "term_id"]):
            self.vocabulary.update(zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True))
        self.saved_terms = len(self.vocabulary)
        saved = [r for b in storage.scan_state(self.data, STORY_STATS, STATS_SCHEMA.names) for r in b.to_pylist()]
        if saved and saved[0]["articles_version"] == storage.current_version(self.data, "articles") and len(saved[0]["df"]) == len(self.vocabulary):
            last = storage.max_in_state(self.data, STORY_TERMS, "seq")  # vectors of a chunk that crashed before its articles count too
            self.documents, self.terms_seq, self.df = saved[0]["documents"], 0 if last is None else last + 1, np.array(saved[0]["df"], np.int32)
            return
        self.count_stats()

    def count_stats(self) -> None:
        """The document frequencies counted from every published article's vector."""
        self.documents, self.terms_seq = 0, 0
        df = np.zeros(len(self.vocabulary), np.int64)
        for batch in storage.scan_state(self.data, STORY_TERMS, ["article_id", "content_hash", "seq", "terms"]):
            live = [self.published.get(a) == h for a, h in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True)]
            self.terms_seq = max(self.terms_seq, 1 + (pc.max(batch.column(2)).as_py() or 0))
            kept = batch.filter(pa.array(live, pa.bool_()))
            self.documents += kept.num_rows
            df += np.bincount(kept.column(3).flatten().to_numpy(), minlength=len(df))[: len(df)]
        self.df = df.astype(np.int32)

    def build_missing(self) -> None:
        """Key tables and story vectors for a data dir whose tables were written without them (once)."""
        if self.published and not storage.has_state(self.data, STORY_TERMS):
            articles = storage.read_columns(self.data, "articles", ["article_id", "content_hash", "story_id", "published_date", "body"])
            index = StoryIndex()
            index.add_published(articles)
            self.vocabulary = index.vocabulary
            self.write_stories(index, articles)
            self.vocabulary, self.saved_terms, self.terms_seq = {}, 0, 0  # load_stats reads them back
        stories = None
        for name in ROW_TEXTS:
            if storage.has_state(self.data, key_table(name)) or storage.current_version(self.data, name) is None:
                continue
            if stories is None:
                stories = {a["article_id"]: a["story_id"] for a in storage.read_columns(self.data, "articles", ["article_id", "story_id"])}
            rows = spanlist.rows_from_table(storage.read_table(self.data, name))
            self.write_keys(name, Proposal({}, stories=stories), rows)
            self.seq[name], self.next_seq[name] = {}, 0
