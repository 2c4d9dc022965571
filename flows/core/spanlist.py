"""Lists of evidence structs (entity mentions, event and deal evidence) that stay Arrow once published.

A popular entity has a mention in most articles. Held as Python dicts, the published mentions of
a 10,000-article corpus took ~700 bytes each and most of the flow's memory, and every chunk that
touched the entity turned them into Arrow again to validate and write it. A `SpanList` keeps the
published items as one Arrow struct array (a zero-copy slice of the table they were read from or
written as) and the items a chunk adds as dicts; Arrow is built only for the added ones.

It reads like a list of dicts, so code that iterates it still works (and pays a conversion); the
functions below are the cheap ways to ask what resolution and retraction ask.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

Item = dict[str, Any]


class SpanList(Sequence[Item]):
    """Published items as Arrow (`frozen`, never changed) followed by added dicts (`added`)."""

    __slots__ = ("frozen", "added")

    def __init__(self, frozen: pa.StructArray, added: list[Item] | None = None) -> None:
        self.frozen = frozen
        self.added = added if added is not None else []

    def __len__(self) -> int:
        return len(self.frozen) + len(self.added)

    def __iter__(self) -> Iterator[Item]:
        yield from self.frozen.to_pylist()
        yield from self.added

    def __getitem__(self, index: Any) -> Any:
        return self.to_list()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SpanList) and other.frozen is self.frozen:
            return self.added == other.added
        if isinstance(other, SpanList | list):
            return len(self) == len(other) and self.to_list() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def __repr__(self) -> str:
        return f"SpanList({len(self.frozen)} published + {len(self.added)} added)"

    def to_list(self) -> list[Item]:
        return [*self.frozen.to_pylist(), *self.added]

    def append(self, item: Item) -> None:
        self.added.append(item)

    def extend(self, items: Iterable[Item]) -> None:
        self.added.extend(items)

    def copy(self) -> SpanList:
        """A copy to add to: it shares the published array, which nobody changes."""
        return SpanList(self.frozen, list(self.added))


def _article_mask(frozen: pa.StructArray, ids: Collection[str]) -> pa.Array:
    return pc.is_in(frozen.field("article_id"), value_set=_value_set(frozenset(ids)))


@functools.lru_cache(maxsize=4)
def _value_set(ids: frozenset[str]) -> pa.Array:
    # Callers ask about the same chunk's ids once per row: convert them once (pass a frozenset).
    return pa.array(sorted(ids), pa.string())


def articles_of(items: Sequence[Item]) -> set[str]:
    """The article ids the items come from."""
    if isinstance(items, SpanList):
        return set(pc.unique(items.frozen.field("article_id")).to_pylist()) | {i["article_id"] for i in items.added}
    return {i["article_id"] for i in items}


def items_in(items: Sequence[Item], ids: Collection[str]) -> list[Item]:
    """The items from the articles `ids`, as dicts."""
    if isinstance(items, SpanList):
        published = items.frozen.filter(_article_mask(items.frozen, ids)).to_pylist() if ids else []
        return [*published, *(i for i in items.added if i["article_id"] in ids)]
    return [i for i in items if i["article_id"] in ids]


def without_articles(items: Sequence[Item], ids: Collection[str]) -> Sequence[Item]:
    """The items not from the articles `ids` (a SpanList stays one)."""
    if isinstance(items, SpanList):
        kept = items.frozen.filter(pc.invert(_article_mask(items.frozen, ids))) if ids else items.frozen
        return SpanList(kept, [i for i in items.added if i["article_id"] not in ids])
    return [i for i in items if i["article_id"] not in ids]


def copy_items(items: Sequence[Item]) -> Any:
    """A copy that can be added to without touching the published row."""
    return items.copy() if isinstance(items, SpanList) else list(items)


def is_span_list_type(arrow_type: pa.DataType) -> bool:
    return pa.types.is_list(arrow_type) and pa.types.is_struct(arrow_type.value_type)


def list_column(values: Sequence[Any], arrow_type: pa.ListType) -> pa.Array:
    """A list<struct> column from rows' values: SpanLists, lists of dicts or None.

    The published part of each SpanList is reused as is; all added dicts become Arrow in one call.
    """
    if not any(isinstance(v, SpanList) for v in values):
        return pa.array(values, type=arrow_type)
    item_type = arrow_type.value_type
    added = [item for v in values if v is not None for item in (v.added if isinstance(v, SpanList) else v)]
    added_array = pa.array(added, type=item_type)
    parts: list[pa.Array] = []
    offsets, nulls, used = [0], [], 0
    for value in values:
        nulls.append(value is None)
        if value is None:
            offsets.append(offsets[-1])
            continue
        fresh = value.added if isinstance(value, SpanList) else value
        if isinstance(value, SpanList) and len(value.frozen):
            # Read back from Delta, a struct may differ in nullability from the contract's type.
            parts.append(value.frozen if value.frozen.type == item_type else value.frozen.cast(item_type))
        if fresh:
            parts.append(added_array.slice(used, len(fresh)))
            used += len(fresh)
        offsets.append(offsets[-1] + len(value))
    items = pa.concat_arrays(parts) if parts else pa.array([], type=item_type)
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), items, type=arrow_type, mask=pa.array(nulls, pa.bool_()))


def rows_from_table(table: pa.Table | None) -> list[dict[str, Any]]:
    """A table as records whose list<struct> columns are SpanLists over the table's own buffers."""
    if table is None:
        return []
    rows = table.drop_columns([n for n in table.column_names if is_span_list_type(table.schema.field(n).type)]).to_pylist()
    freeze(rows, table)
    return rows


def attach(rows: list[dict[str, Any]], name: str, column: pa.ChunkedArray | pa.Array) -> None:
    """Set rows[i][name] to a SpanList over row i's items in `column` (None stays None)."""
    lists = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    values = lists.values  # every row's items; slicing it copies nothing
    offsets = lists.offsets.to_pylist()  # into `values`, also when `lists` is itself a slice
    for index, (row, valid) in enumerate(zip(rows, lists.is_valid().to_pylist(), strict=True)):
        row[name] = SpanList(values.slice(offsets[index], offsets[index + 1] - offsets[index])) if valid else None


def freeze(rows: list[dict[str, Any]], table: pa.Table) -> None:
    """After `table` (built from `rows`, same order) is published, hold the rows' list<struct>
    values as slices of it: what a chunk added stops costing a dict per item."""
    for name in table.column_names:
        if is_span_list_type(table.schema.field(name).type):
            attach(rows, name, table.column(name))


def plain(value: Any) -> Any:
    """value with SpanLists turned into lists (for JSON)."""
    return value.to_list() if isinstance(value, SpanList) else value
