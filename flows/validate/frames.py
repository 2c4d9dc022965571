"""The pandas frames Great Expectations validates, made from a table and its contract.

A frame is a private copy of the table with a 0..n-1 index (so GE's index labels are row
positions), plus derived columns for what GE cannot check itself: a list's length (min_items)
and, in the exploded frame of references, each unknown id (filled by suites.build_reference_suite).
No Great Expectations here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from flows.core.spanlist import is_span_list_type
from flows.validate.declarations import TableContract


def length_column(name: str) -> str:
    return f"{name}__len"


def reference_column(name: str) -> str:
    return f"{name}__unknown"


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    return value is pd.NA or value is pd.NaT


def count_items(value: Any) -> int | None:
    if is_missing(value):
        return None
    if isinstance(value, list | tuple | np.ndarray):
        return len(value)
    # Not a list at all: count it as empty so a min_items rule flags the row.
    return 0


def plain(value: Any) -> Any:
    """A JSON-ready Python value (numpy scalars and NaN come back from pandas)."""
    if is_missing(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def list_frame_columns(contract: TableContract) -> list[str]:
    derived = [length_column(c.name) for c in contract.columns if c.min_items is not None]
    return contract.column_names + derived


def to_frame(table: pa.Table | pd.DataFrame, contract: TableContract) -> pd.DataFrame:
    """A private copy with a 0..n-1 index (so index labels are row positions), plus a length
    column for each min_items rule.

    From Arrow, a list of structs (mentions, evidence) enters the frame as its length, null
    staying null: not_null and min_items are the only rules such a column can have
    (contracts.check_column), and making a dict of every item cost more than the rest of the
    validation once popular entities had thousands of mentions.
    """
    if not isinstance(table, pa.Table):
        return add_length_columns(table.copy().reset_index(drop=True), contract)
    lists = [n for n in table.column_names if pa.types.is_list(table.schema.field(n).type)]
    lengths = {n: pd.array(pc.list_value_length(table.column(n)).to_pylist(), dtype="Int64") for n in lists}
    structs = [n for n in lists if is_span_list_type(table.schema.field(n).type)]
    frame = table.drop_columns(structs).to_pandas()
    for name in structs:
        frame[name] = lengths[name]
    frame = frame[table.column_names]
    for column in contract.columns:
        if column.min_items is not None and column.name in lengths:
            frame[length_column(column.name)] = lengths[column.name]
    return frame


def add_length_columns(frame: pd.DataFrame, contract: TableContract) -> pd.DataFrame:
    for column in contract.columns:
        if column.min_items is not None and column.name in frame.columns:
            counts = [count_items(value) for value in frame[column.name]]
            frame[length_column(column.name)] = pd.array(counts, dtype="Int64")
    return frame


def explode_references(frame: pd.DataFrame, contract: TableContract) -> pd.DataFrame:
    """One row per referencing value; the index still points at the original row."""
    names = [c.name for c in contract.columns if c.references and c.name in frame.columns]
    parts = []
    for name in names:
        values = frame[name]
        if contract.get_column(name).is_list:
            values = values.explode()
        parts.append(values.rename(name))
    if not parts:
        return pd.DataFrame(index=frame.index)
    # Columns explode to different lengths, so each keeps its own rows and the others are NaN.
    return pd.concat([part.to_frame() for part in parts], axis=0)
