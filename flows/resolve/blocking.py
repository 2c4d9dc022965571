"""Which published rows a chunk must see: blocking keys as text, and the fetches that follow them.

Resolution compares a candidate only with rows that share a blocking key with it (merging.Blocks),
and entity resolution joins only names linked by a name key. So a chunk needs only the published
rows that share such a key with its candidates, or with rows it fetched for them (a closure: an
alias links two rows, a deal names the total it is part of). Every published row is indexed under
its keys as text (resolver.ROW_TEXTS; the store keeps them beside the tables); `fetch` asks a
`Published` for the ids under a chunk's keys, then under the keys those ids lead to (from their
own keys, so the closure never reads a row), until nothing new comes; then reads the rows once. A key may be stale or over-broad
(a row indexed under a key it lost): an extra row changes nothing, as a full scan holds it too.
Rows come back in publication order, so the first match is the one a scan of every row finds.
resolver.InMemory is the same over lists (every row, or by key as the store does).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from typing import Any, Protocol

from flows.resolve.names import clean_name, gazetteer_entry, local_names, name_key

Row = dict[str, Any]
Key = tuple[Any, ...]
Expand = Callable[[str, set[str]], Iterable[str]]  # a row's id and keys -> keys of the rows it may bring


def key_text(key: Key) -> str:
    return json.dumps(key, default=str, ensure_ascii=False, separators=(",", ":"))


def index_texts(keys: Iterable[Key]) -> set[str]:
    """A row's keys as merging.Blocks indexes them: each, and the wildcard of its kind."""
    texts = set()
    for key in dict.fromkeys(keys):  # a row reported by hundreds of articles of one story repeats its story key
        texts.add(key_text(key))
        if key[-1] is not None:
            texts.add(key_text((*key[:-1], "*")))
    return texts


def lookup_texts(keys: Iterable[Key]) -> set[str]:
    """What merging.Blocks.first looks up for a candidate's keys: the key, the rows of its kind
    that match anything (None), and for a candidate that matches anything, every row of its kind."""
    texts = set()
    for key in dict.fromkeys(keys):
        texts |= {key_text(key), key_text((*key[:-1], None))}
        if key[-1] is None:
            texts.add(key_text((*key[:-1], "*")))
    return texts


def article_texts(article_ids: Iterable[str]) -> set[str]:
    """Rows an article contributed to (what retraction looks for)."""
    return {"a:" + a for a in article_ids}


class Published(Protocol):
    """The published rows a chunk resolves against, asked for by key."""

    def ids_with_keys(self, table: str, keys: Collection[str]) -> dict[str, int]:
        """id -> publication order of the rows of `table` indexed under any of `keys`."""
        ...

    def keys_of(self, table: str, ids: Collection[str]) -> dict[str, set[str]]:
        """id -> the keys (but its articles') the rows `ids` are indexed under."""
        ...

    def rows(self, table: str, ids: Collection[str]) -> list[Row]:
        """The published rows `ids` of `table` (an id with no row is left out)."""
        ...

    def stories_of(self, article_ids: Collection[str]) -> dict[str, str]:
        """article id -> story id of the published articles among `article_ids`."""
        ...

    def articles_without(self, article_ids: Collection[str]) -> list[Row]:
        """The published articles' rows that the proposal repeats (none for a store: planning publishes new ones only)."""
        ...


def fetch(published: Published, table: str, seeds: set[str], expand: Expand | None, key: str) -> list[Row]:
    """The rows under `seeds`, and under the keys `expand` finds in the keys of what they bring,
    until nothing new comes; in publication order."""
    asked, found, wanted = set(), {}, set(seeds)
    while wanted:
        asked |= wanted
        got = {i: order for i, order in published.ids_with_keys(table, wanted).items() if i not in found}
        found.update(got)
        if not got or expand is None:
            break
        wanted = {text for i, texts in published.keys_of(table, got).items() for text in expand(i, texts)} - asked
    return sorted(published.rows(table, found), key=lambda row: found[row[key]])


# --- Entities: name keys -------------------------------------------------------------------------


def entity_texts(row: Row) -> set[str]:
    """An entity row's keys: its name's and aliases' name keys, its surname's, its articles."""
    key = name_key(row["name"])
    texts = {"n:" + key, *("n:" + name_key(clean_name(a, row["type"])) for a in row["aliases"])}
    if " " in key:
        texts.add("l:" + key.split()[-1])
    return texts | article_texts(row["article_ids"])


def name_lookups(keys: Iterable[str]) -> set[str]:
    """What entities.py may join a name key with: rows of that key (or alias), a bare surname with
    every full name it ends, a full name with its bare surname (entities._Tally.join_surnames)."""
    texts = set()
    for key in keys:
        texts.add("n:" + key)
        texts.add("l:" + key if " " not in key else "n:" + key.split()[-1])
    return texts


def entity_expand(entity_id: str, texts: set[str]) -> set[str]:
    """A fetched entity's names lead to the rows they may be joined with."""
    return name_lookups(text[2:] for text in texts if text.startswith("n:"))


def chunk_name_keys(extractions: list[dict[str, Any]]) -> set[str]:
    """Every name key a chunk's mentions and datelines give (as entities._Tally notes them)."""
    keys = set()
    for ex in extractions:
        names = local_names(ex)
        for m in ex["mentions"]:
            if m["text"] in names:
                name, label = names[m["text"]]
                keys |= {name_key(name), name_key(clean_name(m["text"], label))}
        for place in ex.get("datelines", []):
            place = place.title() if place.isupper() else place
            keys.add(name_key((gazetteer_entry(place) or (place, "GPE"))[0]))
    return keys
