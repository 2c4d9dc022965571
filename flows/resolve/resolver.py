"""Resolve a chunk: its articles to stories, its names to canonical entities, its candidates to one
row per real event and deal, against the rows already published.

Inputs are the candidates of this run's new articles plus the rows already published, so a
new report of a known event or deal updates that row instead of adding another. Only the
published rows that share a blocking key with the chunk are read (blocking.py): a `Published`
hands them over, from the store on disk (orchestration/state.py) or from lists in memory (every
row: a full scan). The steps are modules of their own (stories, entities, events, deals); this
one puts them in order. The flow and the tests that inject faults reach `build_tables` through
this module, so it stays here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from flows.resolve import blocking
from flows.resolve.blocking import Published
from flows.resolve.deals import deal_expand, deal_lookups, deal_texts, resolve_deals
from flows.resolve.entities import resolve_entities
from flows.resolve.events import event_lookups, event_texts, resolve_events
from flows.resolve.places import attach_places
from flows.resolve.proposal import KEYS, Proposal
from flows.resolve.retract import retract_table
from flows.resolve.stories import StoryIndex

# The keys a published row is indexed under, per table (blocking.py; the store writes them).
ROW_TEXTS = {"entities": lambda row, stories: blocking.entity_texts(row), "events": event_texts, "deals": deal_texts}


def build_tables(
    new_articles: list[dict[str, Any]],
    extractions: list[dict[str, Any]],
    published: Mapping[str, list[dict[str, Any]]] | Published,
    run_id: str,
    story_index: StoryIndex | None = None,
) -> Proposal:
    """The proposed rows of every table after adding this run's articles: the published rows the
    chunk read (`Proposal.fetched`), changed or not, and its new ones, with the keys of the rows
    that are new or differ from the published ones (`Proposal.touched`).

    `published` is a `Published`, or the tables as lists (every row is read, as a full scan).
    A new article that is published already (an edited source, or residue of a crashed run) first
    has its old contribution retracted (retract.py). story_index holds the published articles (and
    takes in the new ones); without one, a fresh index is built from the published articles, which
    then need their bodies.
    """
    state = InMemory(published) if isinstance(published, Mapping) else published
    todo = {a["article_id"] for a in new_articles}
    if story_index is None:
        story_index = StoryIndex()
        story_index.add_published(state.articles_without(todo))
    chunk_stories = story_index.assign_stories(new_articles)
    articles = state.articles_without(todo) + [{**a, "story_id": chunk_stories[a["article_id"]], "run_id": run_id} for a in new_articles]
    dates = {a["article_id"]: a["published_date"] for a in new_articles}
    retracting = blocking.article_texts(todo)
    fetched, touched = {}, {}

    def read(name: str, seeds: set[str], expand: blocking.Expand | None) -> list[dict[str, Any]]:
        fetched[name] = blocking.fetch(state, name, seeds, expand, KEYS[name])
        rows, touched[name] = retract_table(name, fetched[name], todo)
        return rows

    entities = read("entities", retracting | blocking.name_lookups(blocking.chunk_name_keys(extractions)), blocking.entity_expand)
    entities, surfaces = resolve_entities(extractions, entities, run_id, touched=touched["entities"])
    events = read("events", retracting | event_lookups(extractions, surfaces, chunk_stories), None)
    deals = read("deals", retracting | deal_lookups(extractions, surfaces, chunk_stories), deal_expand)
    cited = {a for rows in (events, deals) for row in rows for a in row["article_ids"]}
    stories = {**state.stories_of(cited - todo), **chunk_stories}
    events = resolve_events(extractions, surfaces, stories, events, run_id, touched=touched["events"])
    deals = resolve_deals(extractions, surfaces, stories, dates, deals, run_id, touched=touched["deals"])
    tables = {"articles": articles, "entities": entities, "events": events, "deals": deals}
    attach_places(tables, touched, extractions, new_articles)  # GeoNames places and ISO codes (places.py)
    return Proposal(tables, {**touched, "articles": todo}, fetched=fetched, stories=stories)


class InMemory:
    """Published tables held as lists. `blocked=False` hands every row to every chunk (a full scan,
    as resolution did before the state moved to disk); `blocked=True` indexes them as the store does."""

    def __init__(self, tables: Mapping[str, list[dict[str, Any]]], *, blocked: bool = False) -> None:
        self.tables, self.blocked = tables, blocked
        self.stories = {a["article_id"]: a["story_id"] for a in tables.get("articles", [])}

    def _texts(self, table: str) -> dict[str, tuple[int, set[str]]]:
        return {row[KEYS[table]]: (at, ROW_TEXTS[table](row, self.stories)) for at, row in enumerate(self.tables.get(table, []))}

    def ids_with_keys(self, table: str, keys: Collection[str]) -> dict[str, int]:
        return {i: at for i, (at, texts) in self._texts(table).items() if not self.blocked or not texts.isdisjoint(keys)}

    def keys_of(self, table: str, ids: Collection[str]) -> dict[str, set[str]]:
        return {i: {t for t in texts if not t.startswith("a:")} for i, (_, texts) in self._texts(table).items() if i in ids}

    def rows(self, table: str, ids: Collection[str]) -> list[dict[str, Any]]:
        return [row for row in self.tables.get(table, []) if row[KEYS[table]] in ids]

    def stories_of(self, article_ids: Collection[str]) -> dict[str, str]:
        return {a: self.stories[a] for a in article_ids if a in self.stories}

    def articles_without(self, article_ids: Collection[str]) -> list[dict[str, Any]]:
        return [a for a in self.tables.get("articles", []) if a["article_id"] not in article_ids]
