"""One run's state across its chunks, and what each chunk's commit leaves in it. No Prefect here.

The flow (flow.py) calls the tasks; a `Run` keeps what they hand back: the published state that
resolution reads (on disk, state.py: each chunk reads the rows it needs), each table's entry of
the run summary, the open rejections, the time spent per stage. `Intake` is what the run knows of its
inputs; `Gated` is one chunk after the gate, before it is committed.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from flows.core.settings import Settings
from flows.extract import nlp, workers
from flows.orchestration.state import StoredState
from flows.publish import plan as publish
from flows.publish import storage
from flows.resolve.proposal import Proposal
from flows.resolve.stories import StoryIndex
from flows.validate import contracts, gate

Row = dict[str, Any]
Logger = logging.Logger | logging.LoggerAdapter[Any]


@dataclass
class Intake:
    """What the run knows of its inputs: what it may skip, and what it read so far."""

    known: dict[str, str]  # article_id -> content_hash: published, or rejected by these rules
    sources: dict[str, str]  # article_id -> source_hash: an input whose source is here is not even cleaned
    initially: set[str]  # the articles published before this run
    stale: list[str]  # published articles extracted again: their open rejections were made by other rules
    quarantined: list[Row] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)  # new, edited and redone articles

    def known_rows(self) -> list[Row]:
        return [{"article_id": k, "content_hash": v} for k, v in self.known.items()]

    def add_new(self, new: list[Row]) -> list[Row]:
        """Count a chunk's new articles and remember them, so a later copy of one is skipped."""
        self.known.update({a["article_id"]: a["content_hash"] for a in new})
        self.sources.update({a["article_id"]: a["source_hash"] for a in new})
        self.counts["edited"] += sum(a["article_id"] in self.initially for a in new)  # published before this run
        self.counts["new"] += len(new)
        return new


@dataclass
class Gated:
    """One chunk after the gate: what it changes, each table's verdict, the rejections it writes."""

    todo: set[str]  # the chunk's articles
    proposed: Mapping[str, list[Row]]  # resolution's tables (a resolve.Proposal)
    changes: dict[str, publish.Changes]
    results: dict[str, Any]  # validation results per table
    verdicts: dict[str, gate.Verdict]
    rejections: list[Row] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(v.refused for v in self.verdicts.values())

    def publishes(self, name: str) -> bool:
        # articles mark work as done: publish them only when no table was refused, so refused work is redone.
        return not self.verdicts[name].refused and (name != "articles" or not self.refused)

    def rejections_table(self) -> pa.Table:
        return contracts.to_arrow(self.rejections, contracts.load_contracts()["rejections"])


class Run:
    """One run's bookkeeping across chunks: the published state, the summary, the open rejections."""

    def __init__(self, settings: Settings, run_id: str, logger: Logger) -> None:
        self.settings = settings
        self.run_id = run_id
        self.logger = logger
        self.state: StoredState | None = None  # opened at the first chunk
        self.published_hashes: dict[str, str] = {}  # article_id -> content_hash, as the intake read them
        self.tables: dict[str, dict[str, Any]] = {}
        self.valid = True
        self.documents = 0
        self.seconds: dict[str, float] = {}
        self.chunks = 0
        self.extracted = 0
        self.to_extract = 0
        self.data_docs: dict[str, Any] = {}
        self.last_stored: dict[str, Any] = {}  # the last chunk's stored GE results, to build the Data Docs index with
        self.judgement = gate.Judgement(run_id, publish.code_version(), contracts.contracts_version(), dt.datetime.now(dt.UTC))
        self.open_rejections: dict[str, Row] = {}  # rejection_id -> row, while unresolved
        self.processed: set[str] = set()  # articles this run extracted and published
        # Articles of a chunk with a refused table: not published, but what they gave the tables
        # that passed is (residue the next run retracts), so later chunks may cite them.
        self.held_back: set[str] = set()
        self.rejected: list[Row] = []  # this run's rejections, for the summary
        self.chunk_seconds: list[dict[str, Any]] = []  # per chunk: its articles, the articles published after it, its stages' seconds

    def read_intake(self) -> Intake:
        """What is published already: an article is to do when its source is new or its content
        changed (content_hash); an input whose source_hash is published is not even cleaned."""
        data = self.settings.data_dir
        state = storage.read_columns(data, "articles", ["article_id", "content_hash", "source_hash"])
        known = {r["article_id"]: r["content_hash"] for r in state}
        self.published_hashes = dict(known)
        sources = {r["article_id"]: r["source_hash"] for r in state if r["source_hash"]}
        initially = set(known)
        # Open rejections: those made by other code or contracts send their articles through again;
        # a rejected article judged by these is not redone each time its input is read.
        self.open_rejections = {r["rejection_id"]: r for r in storage.read_rows(data, "rejections") if r["resolved_by_run"] is None}
        judged = (self.judgement.code_version, self.judgement.contract_version)
        for article_id, (source_hash, content_hash) in gate.skipped_sources(self.open_rejections.values(), *judged).items():
            sources.setdefault(article_id, source_hash)
            known.setdefault(article_id, content_hash)
        stale = sorted(gate.stale_articles(self.open_rejections.values(), *judged) & initially)
        return Intake(known, sources, initially, stale)

    def tick(self, stage: str, since: float) -> float:
        """Add the time since `since` to a stage's total (the run report's `seconds`); returns now."""
        now = time.perf_counter()
        self.seconds[stage] = round(self.seconds.get(stage, 0.0) + now - since, 3)
        return now

    def add_worker_seconds(self, timing: Mapping[str, float]) -> None:
        """The workers' seconds in nlp.pipe and in the extractors (summed over processes): the
        summary's `seconds.parse_workers` and `seconds.extract_workers`, which the bench compares."""
        for stage, seconds in timing.items():
            self.seconds[f"{stage}_workers"] = round(self.seconds.get(f"{stage}_workers", 0.0) + seconds, 3)

    def record_chunk(self, articles: int, before: Mapping[str, float]) -> None:
        """A chunk's line of the summary's `chunks`: its stages' seconds against the articles published after it (the bench reads them)."""
        assert self.state is not None
        stages = ("read_state", "resolve", "validate", "publish")
        line = {"articles": articles, "published_after": len(self.state.published), **{s: round(self.seconds.get(s, 0.0) - before.get(s, 0.0), 3) for s in stages}}
        self.chunk_seconds.append(line)
        self.logger.info("chunk %d: %d articles, %d published after it; %s", len(self.chunk_seconds), articles, line["published_after"], ", ".join(f"{s} {line[s]:.2f} s" for s in stages))

    def published_ids(self) -> set[str]:
        """The article ids a chunk's rows may cite besides its own: the published articles and
        those held back by an earlier refused chunk of this run."""
        assert self.state is not None, "the published state is opened before the first chunk"
        return set(self.state.published) | self.held_back

    def next_results_key(self) -> str:
        """The key of this chunk's stored GE results: the run id, then `<run id>-2`, `-3` ..."""
        self.chunks += 1
        return self.run_id if self.chunks == 1 else f"{self.run_id}-{self.chunks}"

    def add_data_docs(self, docs: Mapping[str, Any]) -> None:
        """A chunk's Data Docs pages; {} for an object store (no Data Docs site)."""
        if docs:
            self.last_stored = docs["stored"]
            self.data_docs = {"pages": {n: [*self.data_docs.get("pages", {}).get(n, []), *p] for n, p in docs["pages"].items()}}

    def judge(self, todo: set[str], proposed: Mapping[str, list[Row]], changes: dict[str, publish.Changes], tables: Mapping[str, Any], results: dict[str, Any]) -> Gated:
        """The gate's verdict on each table of a chunk, and the rejections the chunk writes."""
        known = contracts.load_contracts()
        verdicts = {n: gate.judge(changes[n].upserts, tables[n], results[n], known[n], self.judgement, todo) for n in changes}
        gated = Gated(todo, proposed, changes, results, verdicts)
        if not gated.refused:  # a refused chunk is redone by the next run: its rejections would be made again
            gated.rejections = self.settle(gated)
        return gated

    def settle(self, gated: Gated) -> list[Row]:
        """The rejections rows a chunk writes: new, made again, and open ones it resolves."""
        known = contracts.load_contracts()
        self.processed |= gated.todo - gated.verdicts["articles"].rejected_keys
        made = [r for v in gated.verdicts.values() for r in v.rejections]
        accepted = {n: {row[known[n].primary_key] for row in v.accepted_rows} for n, v in gated.verdicts.items()}
        rejections = gate.settle(self.open_rejections, made, accepted, self.processed, self.run_id)
        self.rejected += [r for r in made if r["severity"] == "critical"]
        return rejections

    def commit_metadata(self) -> dict[str, str]:
        """Built for each chunk's commits: input_count is the number of inputs this run has read by then."""
        model = self.settings.model
        return publish.commit_metadata(self.run_id, model, nlp.model_version(model), self.documents)

    def entry(self, name: str) -> dict[str, Any]:
        """A table's entry of the run summary."""
        return self.tables.setdefault(name, {"rows": 0, "valid": True, "upserts": 0, "deletes": 0, "rejected": 0, "validation": None})

    def record_table(self, name: str, gated: Gated, done: Mapping[str, int] | None) -> None:
        """A table's part of a chunk: its commit (`done`), or why nothing of it was published."""
        entry = self.entry(name)
        verdict, result = gated.verdicts[name], gated.results[name]
        if done is not None:
            self.record_commit(name, gated, done)
        elif verdict.refused:
            self.record_refused(name, gated)
        else:  # the articles of a chunk with a refused table wait for the next run
            self.record_held_back(name, gated)
        entry["valid"] = entry["valid"] and not verdict.refused
        if not result.success or entry["validation"] is None:
            entry["validation"] = result.to_dict()
        entry["rows"] = storage.count_rows(self.settings.data_dir, name)

    def record_commit(self, name: str, gated: Gated, done: Mapping[str, int]) -> None:
        """Count the commit; published articles join the state's."""
        assert self.state is not None
        entry, verdict = self.entry(name), gated.verdicts[name]
        entry["version"] = done["version"]
        entry["upserts"] += done["upserts"]
        entry["deletes"] += done["deletes"]
        entry["rejected"] += len(verdict.rejected_keys)
        if name == "articles":
            self.state.mark_published(verdict.accepted_rows)

    def record_refused(self, name: str, gated: Gated) -> None:
        entry = self.entry(name)
        entry["version"] = storage.current_version(self.settings.data_dir, name)
        entry["published"] = False
        entry["refused_rows"] = entry.get("refused_rows", []) + publish.refused_rows(gated.changes[name].upserts, gated.results[name].critical_failures)
        self.logger.error("%s refused: a check of the whole table failed, nothing of it published", name)

    def record_held_back(self, name: str, gated: Gated) -> None:
        entry, held = self.entry(name), len(gated.changes[name].upserts)
        self.held_back |= {row["article_id"] for row in gated.changes[name].upserts}
        entry["version"] = storage.current_version(self.settings.data_dir, name)
        entry["held_back"] = entry.get("held_back", 0) + held
        refused = ", ".join(n for n, v in gated.verdicts.items() if v.refused)
        self.logger.error("%d articles held back: %s refused, so the next run processes them again", held, refused)

    def record_rejections(self, gated: Gated, done: Mapping[str, int] | None) -> None:
        """The rejections commit (none for a refused chunk): which rejections are open now."""
        data, entry = self.settings.data_dir, self.entry("rejections")
        if done is None:
            entry["version"] = storage.current_version(data, "rejections")
            return
        entry["version"] = done["version"]
        entry["upserts"] += done["upserts"]
        for row in gated.rejections:
            if row["resolved_by_run"] is None:
                self.open_rejections[row["rejection_id"]] = row
            else:
                self.open_rejections.pop(row["rejection_id"], None)
                entry["resolved"] = entry.get("resolved", 0) + 1
        entry["rows"] = storage.count_rows(data, "rejections")
        entry["open"] = len(self.open_rejections)

    def write_state(self, gated: Gated, index: StoryIndex) -> None:
        """What the chunk publishes, in the state resolution reads it by (before the tables: state.py)."""
        assert self.state is not None and isinstance(gated.proposed, Proposal)
        for name in ("entities", "events", "deals"):
            if gated.publishes(name):
                self.state.write_keys(name, gated.proposed, gated.verdicts[name].accepted_rows)
        if gated.publishes("articles"):
            self.state.write_stories(index, gated.verdicts["articles"].accepted_rows)

    def close_chunk(self, gated: Gated, index: StoryIndex) -> None:
        """What was not published is no story for later chunks; the chunk's memory goes back."""
        assert self.state is not None
        if gated.refused:  # the chunk's articles stay unpublished
            index.rollback(gated.todo)
        elif gated.verdicts["articles"].rejected_keys:
            index.rollback(gated.verdicts["articles"].rejected_keys)
        self.state.keep_stats(index)
        self.valid = self.valid and not gated.refused
        workers.release_memory()  # the chunk's frames and Arrow tables are garbage now

    def record_untouched(self, names: list[str]) -> None:
        """Entries for the tables no chunk touched (nothing new): each stays at its version."""
        data = self.settings.data_dir
        for name in names:
            if name not in self.tables:
                self.tables[name] = {"rows": storage.count_rows(data, name), "version": storage.current_version(data, name), "upserts": 0, "deletes": 0, "valid": True}
