"""Resolve a chunk: its articles to stories, its names to canonical entities, its candidates to one
row per real event and deal, against the rows already published.

Inputs are the candidates of this run's new articles plus the rows already published, so a
new report of a known event or deal updates that row instead of adding another. The steps are
modules of their own (stories, entities, events, deals); this one puts them in order. The flow
and the tests that inject faults reach `build_tables` through this module, so it stays here.
"""

from __future__ import annotations

from typing import Any

from flows.resolve.deals import resolve_deals
from flows.resolve.entities import resolve_entities
from flows.resolve.events import resolve_events
from flows.resolve.proposal import Proposal
from flows.resolve.retract import retract_articles
from flows.resolve.stories import StoryIndex


def build_tables(
    new_articles: list[dict[str, Any]],
    extractions: list[dict[str, Any]],
    published: dict[str, list[dict[str, Any]]],
    run_id: str,
    story_index: StoryIndex | None = None,
) -> Proposal:
    """The full proposed content of every table after adding this run's articles, with the keys of
    the rows that are new or differ from `published` (`Proposal.touched`).

    A new article that is published already (an edited source, or residue of a crashed run) first
    has its old contribution retracted (retract.py). story_index holds the published articles (and
    takes in the new ones); without one, a fresh index is built from published["articles"], which
    then need their bodies.
    """
    todo = {a["article_id"] for a in new_articles}
    retracted = retract_articles(published, todo)
    if story_index is None:
        story_index = StoryIndex()
        story_index.add_published(retracted["articles"])
    stories = story_index.assign_stories(new_articles)
    articles = list(retracted["articles"]) + [{**a, "story_id": stories[a["article_id"]], "run_id": run_id} for a in new_articles]
    all_stories = {a["article_id"]: a["story_id"] for a in articles}
    dates = {a["article_id"]: a["published_date"] for a in articles}
    touched = {name: set(retracted.touched_in(name)) for name in ("entities", "events", "deals")}
    entities, surfaces = resolve_entities(extractions, retracted["entities"], run_id, touched=touched["entities"])
    events = resolve_events(extractions, surfaces, all_stories, retracted["events"], run_id, touched=touched["events"])
    deals = resolve_deals(extractions, surfaces, all_stories, dates, retracted["deals"], run_id, touched=touched["deals"])
    tables = {"articles": articles, "entities": entities, "events": events, "deals": deals}
    return Proposal(tables, {**touched, "articles": todo})
