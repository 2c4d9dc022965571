"""What resolution proposes to publish: every table's rows, and which of them it made or changed.

Resolution hands back the published rows it did not change as they are, so that a chunk costs what
it touches, not the whole table. Saying which rows it touched makes that a contract instead of
an accident of object identity: planning (publish.plan_changes) compares those rows with the
published ones field by field and takes every other proposed row of a published key as unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]
KEYS = {"articles": "article_id", "entities": "entity_id", "events": "event_id", "deals": "deal_id"}  # what `touched` holds, per table


@dataclass(frozen=True, eq=False)
class Proposal(Mapping[str, list[Row]]):
    """Proposed rows by table (it reads as that mapping), and per table the keys of the rows made or
    changed on the way; a table missing from `touched` had none. `fetched` holds the published rows
    resolution read (the ones planning compares with: a published row it did not read stays as it
    is), `stories` the story of every article those rows and the chunk's cite."""

    tables: dict[str, list[Row]]
    touched: dict[str, set[Any]] = field(default_factory=dict)
    fetched: dict[str, list[Row]] = field(default_factory=dict)
    stories: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> list[Row]:
        return self.tables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)

    def touched_in(self, name: str) -> set[Any]:
        """The keys of the rows of table `name` made or changed: any other row of a published key is the published row, unchanged."""
        return self.touched.get(name, set())
