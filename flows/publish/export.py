"""Plain files of a table for tools that cannot read Delta Lake: Parquet, CSV, JSON Lines."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

EXPORT_FORMATS = ("parquet", "csv", "jsonl")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else str(value)


def jsonl_lines(table: pa.Table) -> Iterator[str]:
    """One JSON object per row; dates as ISO strings, nested columns as JSON arrays/objects."""
    for row in table.to_pylist():
        yield json.dumps(row, default=_plain, ensure_ascii=False) + "\n"


def flatten_for_csv(table: pa.Table) -> pa.Table:
    """CSV has no nested values: list and struct columns become JSON text, the rest stays typed."""
    columns = []
    for name, column in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_nested(column.type):
            text = [None if v is None else json.dumps(v, default=_plain, ensure_ascii=False) for v in column.to_pylist()]
            columns.append(pa.array(text, pa.string()))
        else:
            columns.append(column)
    return pa.table(columns, names=table.column_names)


def write_export(table: pa.Table, fmt: str, out: Path) -> Path:
    """One plain Parquet, CSV or JSON Lines file, for tools that cannot read Delta; written atomically."""
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    if fmt == "parquet":
        pq.write_table(table, tmp)
    elif fmt == "csv":
        pa_csv.write_csv(flatten_for_csv(table), tmp)
    elif fmt == "jsonl":
        with tmp.open("w", encoding="utf-8") as handle:
            handle.writelines(jsonl_lines(table))
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    tmp.replace(out)
    return out
