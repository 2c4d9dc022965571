"""Pure helpers for looking at published tables: --as-of parsing, diffs by id, text for a terminal.

Nothing here knows paths or Delta Lake (that is flows/publish/storage.py); everything takes
plain records. Files for other tools are flows/publish/export.py's.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

_VERSION = re.compile(r"^\d+$")


def parse_as_of(text: str | None, label: str = "--as-of") -> int | dt.datetime | None:
    """A table version ("3") or an ISO date/time ("2026-11-22", "2026-11-22T17:15:00+01:00").

    A time without a zone is UTC, like the commit times `newsflow history` prints. `label` names
    what the user gave in the error (the flag, or `diff`'s arguments).
    """
    if text is None:
        return None
    text = text.strip()
    if _VERSION.match(text):
        return int(text)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{label} {text!r} is neither a version number nor an ISO date/time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def reading_order(contract: Any) -> tuple[str, ...]:
    """How a table reads for a person: by its first date or timestamp column (articles by
    published_date, rejections by rejected_at), else by name when its rows have one (entities),
    then by primary key, so that rows of one date keep a stable order."""
    dated = [c.name for c in contract.columns if c.type in ("date", "timestamp")][:1]
    named = [] if dated else [c.name for c in contract.columns if c.name == "name"]
    return (*dated, *named, contract.primary_key)


_NO_FIELD = re.compile(r"No field named (?:\w+\.)?\"?([^\s\".]+)\"?")


def where_hint(message: str, table: str, where: str | None, columns: Sequence[str]) -> str | None:
    """DataFusion's `No field named approved`, said for a person: after a comparison, most often a
    string value written without quotes, which SQL reads as a column name; None for other messages."""
    match = _NO_FIELD.search(message)
    if not where or not match or match.group(1) in columns:
        return None
    word = match.group(1)
    listed = f"(columns: {', '.join(columns)})"
    value = re.compile(rf"((?:=|<>|<|>|\bin\s*\(|,)\s*){re.escape(word)}(?![\w'])", re.IGNORECASE)
    if not value.search(where):
        return f"cannot read {table}: no column {word} {listed}"
    quoted = value.sub(lambda m: f"{m.group(1)}'{word}'", where, count=1)
    return f"cannot read {table}: {word} is not a column; a string value needs single quotes, e.g. --where \"{quoted}\" {listed}"


@dataclass
class TableDiff:
    """Rows of `new` not in `old`, rows in both whose values differ (with the columns), rows gone."""

    added: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def to_dict(self) -> dict[str, Any]:
        return {"added": self.added, "changed": self.changed, "removed": self.removed}


def diff_rows(old: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]], key: str) -> TableDiff:
    """Compare two versions of a table by primary key."""
    before = {row[key]: row for row in old}
    after = {row[key]: row for row in new}
    changed = {}
    for k in sorted(before.keys() & after.keys()):
        columns = sorted(c for c in before[k].keys() | after[k].keys() if before[k].get(c) != after[k].get(c))
        if columns:
            changed[k] = columns
    return TableDiff(
        added=sorted(after.keys() - before.keys()),
        changed=changed,
        removed=sorted(before.keys() - after.keys()),
    )


def format_diff(name: str, old_label: str, new_label: str, diff: TableDiff) -> str:
    lines = [f"{name} {old_label} -> {new_label}: {len(diff.added)} added, {len(diff.changed)} changed, {len(diff.removed)} removed"]
    lines += [f"+ {k}" for k in diff.added]
    lines += [f"~ {k}  {', '.join(columns)}" for k, columns in diff.changed.items()]
    lines += [f"- {k}" for k in diff.removed]
    return "\n".join(lines)


def _cell(value: Any, width: int) -> str:
    if isinstance(value, dt.datetime | dt.date):  # plainly, not as JSON strings in quotes
        text = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    else:
        text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str], width: int = 40) -> str:
    """A plain-text table, one line per row, long cells cut to `width` characters."""
    cells = [[_cell(row.get(c), width) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)
