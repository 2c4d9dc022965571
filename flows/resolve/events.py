"""Events: each candidate with canonical actors and its PLOVER category, merged into the event it
reports again (same type and actors, and the same date or story), else a new event row."""

from __future__ import annotations

import functools
from typing import Any

from flows.core.ids import stable_id
from flows.resolve.blocking import article_texts, index_texts, lookup_texts
from flows.resolve.merging import Key, Kind, MergedRows, Row, RowStories, Stories, canonical_names, load_rules_codebook, merge_rows, overlap


def resolve_events(
    extractions: list[dict[str, Any]],
    surfaces: dict[str, dict[str, str]],
    stories: Stories,
    existing: list[Row],
    run_id: str,
    touched: set[str] | None = None,
) -> list[Row]:
    """Event rows: candidates with canonical actors, merged within an article and across a story.

    Rows no candidate merged into are the `existing` objects themselves; `touched`, when given,
    receives the event_id of every row made or changed, so that planning compares only those."""
    codebook = load_rules_codebook()["event_types"]
    table = MergedRows(existing, EVENTS, stories)
    for ex in extractions:
        surface = surfaces[ex["article_id"]]
        for cand in ex["events"]:
            row = _candidate_row(cand, ex["article_id"], surface, codebook)
            new_id = functools.partial(stable_id, "v", ex["article_id"], cand["evidence"]["start"], row["event_type"], *row["actors"])
            table.place(row, _event_keys(row, stories), new_id, run_id)
    if touched is not None:
        touched |= table.touched()
    return table.rows


def _candidate_row(cand: dict[str, Any], article_id: str, surface: dict[str, str], codebook: dict[str, Any]) -> Row:
    row = {k: v for k, v in cand.items() if k not in {"future", "evidence"}}
    row["actors"] = canonical_names(cand["actors"], surface)
    row["article_ids"] = [article_id]
    row["evidence"] = [cand["evidence"]]
    row["plover_category"] = codebook[row["event_type"]]["plover_category"]
    row["plover_mode"] = codebook[row["event_type"]]["plover_mode"]
    if row["location"]:
        row["location"] = surface.get(row["location"], row["location"])
    return row


def _same_event(a: Row, b: Row, stories: Stories, stories_of: RowStories | None = None) -> bool:
    """Same type, shared actors, and the same date or (when either has none) the same story.
    `stories_of(row)` may give a row's stories from a cache: a big row has thousands of sources."""
    if a["event_type"] != b["event_type"] or overlap(a["actors"], b["actors"]) < min(2, len(a["actors"]), len(b["actors"])):
        return False
    if a["event_date"] and b["event_date"]:
        return a["event_date"] == b["event_date"] and a["date_granularity"] == b["date_granularity"]
    if (a["date_text"] or b["date_text"]) and a.get("date_granularity") != b.get("date_granularity"):
        return False
    of = stories_of or (lambda row: {stories.get(x) for x in row["article_ids"]} - {None})
    return bool(of(a) & of(b))


def _event_keys(row: Row, stories: Stories) -> list[Key]:
    """Blocking keys of an event (see _same_event): events of a type match only when they share a
    story, or are dated the same and share an actor (an event with none matches any: None is the
    wildcard). Popular actors alone would make blocks of thousands."""
    keys: list[Key] = [(row["event_type"], "story", stories[a]) for a in row["article_ids"] if a in stories]
    if row["event_date"]:
        keys += [(row["event_type"], "date", row["event_date"], row["date_granularity"], actor) for actor in row["actors"] or [None]]
    return keys


def event_texts(row: Row, stories: Stories) -> set[str]:
    """The keys the store indexes an event under (blocking.py): its blocking keys, its articles."""
    return index_texts(_event_keys(row, stories)) | article_texts(row["article_ids"])


def event_lookups(extractions: list[dict[str, Any]], surfaces: dict[str, dict[str, str]], stories: Stories) -> set[str]:
    """The keys under which a chunk's event candidates may find a published event."""
    codebook = load_rules_codebook()["event_types"]
    rows = (_candidate_row(cand, ex["article_id"], surfaces[ex["article_id"]], codebook) for ex in extractions for cand in ex["events"])
    return {text for row in rows for text in lookup_texts(_event_keys(row, stories))}


def _merge_event(target: Row, other: Row) -> None:
    merge_rows(target, other, ("actors",))


EVENTS = Kind(key="event_id", keys=_event_keys, same=_same_event, merge=_merge_event, list_fields=("actors",))
