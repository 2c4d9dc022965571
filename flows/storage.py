"""The only module that knows paths and Delta Lake: tables, quarantine records and run reports.

Reads go through delta-rs's own engine (QueryBuilder): pyarrow's dataset scanner leaves threads
behind that abort the interpreter at exit ("terminate called without an active exception").

`data_dir` is a local folder or an object-store URI (`s3://bucket/prefix`, `gs://`, `az://`,
`file:///...`). Delta Lake handles URIs itself (credentials from the usual AWS_*/GOOGLE_*/AZURE_*
environment variables); quarantine records and run reports go through fsspec, so they sit
next to the tables in the same store (s3fs/gcsfs/adlfs must be installed for those schemes).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, QueryBuilder, write_deltalake
from deltalake.exceptions import TableNotFoundError

_DELETE = "__newsflow_delete"


def is_uri(data_dir: Path | str) -> bool:
    return "://" in str(data_dir)


def _join(data_dir: Path | str, *parts: str) -> str:
    if is_uri(data_dir):
        return "/".join([str(data_dir).rstrip("/"), *parts])
    return str(Path(data_dir).joinpath(*parts))


def table_uri(data_dir: Path | str, name: str) -> str:
    return _join(data_dir, "tables", name)


def _open(data_dir: Path | str, name: str, version: int | str | None = None) -> DeltaTable | None:
    try:
        table = DeltaTable(table_uri(data_dir, name))
    except TableNotFoundError:
        return None
    if isinstance(version, int):
        table.load_as_version(version)
    elif isinstance(version, str):
        table.load_as_version(dt.datetime.fromisoformat(version))
    return table


def current_version(data_dir: Path | str, name: str) -> int | None:
    table = _open(data_dir, name)
    return None if table is None else table.version()


def read_table(data_dir: Path | str, name: str, version: int | str | None = None) -> pa.Table | None:
    """The table at a version (int), a timestamp (ISO string) or the latest; None when it does not exist."""
    table = _open(data_dir, name, version)
    if table is None:
        return None
    reader = QueryBuilder().register("t", table).execute("SELECT * FROM t").read_all()
    # delta-rs hands back view types (string_view) that pandas cannot convert: cast to the table's schema.
    return pa.table(reader).cast(pa.schema(table.schema().to_arrow()))


def upsert(
    data_dir: Path | str,
    name: str,
    rows: pa.Table,
    *,
    key: str,
    delete_keys: Iterable[str] = (),
    metadata: Mapping[str, Any],
) -> int:
    """Insert or replace `rows` by `key` and delete `delete_keys`, in one atomic Delta commit.

    The first call creates the table (an empty `rows` still creates it, so readers find the schema).
    """
    props = CommitProperties(custom_metadata={k: str(v) for k, v in metadata.items()})
    uri = table_uri(data_dir, name)
    existing = _open(data_dir, name)
    deletes = sorted(set(delete_keys))
    if existing is None and not deletes:
        if not is_uri(data_dir):
            Path(uri).parent.mkdir(parents=True, exist_ok=True)
        write_deltalake(uri, rows, mode="error", commit_properties=props)
        return DeltaTable(uri).version()
    assert existing is not None
    # Tombstones share the rows' schema (all null but the key) so one MERGE both deletes and upserts.
    loose = pa.schema([f.with_nullable(True) for f in rows.schema])
    tombstones = pa.table(
        {f.name: pa.array(deletes, f.type) if f.name == key else pa.nulls(len(deletes), f.type) for f in loose},
        schema=loose,
    )
    source = pa.concat_tables([rows.cast(loose), tombstones])
    flags = [False] * rows.num_rows + [True] * len(deletes)
    source = source.append_column(_DELETE, pa.array(flags, pa.bool_()))
    columns = {f'"{c}"': f's."{c}"' for c in rows.column_names}
    (
        existing.merge(
            source,
            predicate=f't."{key}" = s."{key}"',
            source_alias="s",
            target_alias="t",
            commit_properties=props,
        )
        .when_matched_delete(predicate=f's."{_DELETE}"')
        .when_matched_update(updates=columns, predicate=f'NOT s."{_DELETE}"')
        .when_not_matched_insert(updates=columns, predicate=f'NOT s."{_DELETE}"')
        .execute()
    )
    return DeltaTable(uri).version()


def history(data_dir: Path | str, name: str) -> list[dict[str, Any]]:
    """Versions newest first, with commit time, operation, run id and row count after the commit."""
    table = _open(data_dir, name)
    if table is None:
        return []
    entries = []
    for commit in table.history():
        version = int(commit["version"])
        rows = DeltaTable(table_uri(data_dir, name), version=version).get_add_actions(flatten=True)
        entries.append(
            {
                "version": version,
                "timestamp": dt.datetime.fromtimestamp(commit["timestamp"] / 1000, tz=dt.UTC).isoformat(),
                "operation": commit.get("operation"),
                "run_id": commit.get("run_id"),
                "rows": int(sum(pa.table(rows).column("num_records").to_pylist() or [0])),
            }
        )
    return entries


def count_rows(data_dir: Path | str, name: str) -> int:
    """Rows in the latest version, from the Delta log's file statistics (no data read)."""
    table = _open(data_dir, name)
    if table is None:
        return 0
    return int(sum(pa.table(table.get_add_actions(flatten=True)).column("num_records").to_pylist() or [0]))


def commit_info(data_dir: Path | str, name: str) -> dict[str, Any] | None:
    """The latest commit's metadata (run id, code version, model ...)."""
    table = _open(data_dir, name)
    if table is None:
        return None
    return table.history(limit=1)[0]


def _write_text(data_dir: Path | str, folder: str, filename: str, text: str) -> Path | str:
    """Write a small file atomically (local: temp file + rename; object stores put whole objects)."""
    if is_uri(data_dir):
        import fsspec

        uri = _join(data_dir, folder, filename)
        with fsspec.open(uri, "w", encoding="utf-8", auto_mkdir=True) as handle:
            handle.write(text)
        return uri
    path = Path(data_dir) / folder / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def write_quarantine(data_dir: Path | str, run_id: str, records: list[dict[str, Any]]) -> Path | str | None:
    """One JSON Lines file per run listing every quarantined input and why."""
    if not records:
        return None
    return _write_text(data_dir, "quarantine", f"{run_id}.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def write_report(data_dir: Path | str, run_id: str, report: dict[str, Any]) -> Path | str:
    return _write_text(data_dir, "reports", f"{run_id}.json", json.dumps(report, indent=2, default=str, ensure_ascii=False))


def read_columns(data_dir: Path | str, name: str, columns: list[str]) -> list[dict[str, Any]]:
    """Only some columns of the latest version, as records (empty when the table does not exist)."""
    table = _open(data_dir, name)
    if table is None:
        return []
    full = pa.schema(table.schema().to_arrow())
    schema = pa.schema([full.field(c) for c in columns])
    select = ", ".join(f'"{c}"' for c in columns)
    reader = QueryBuilder().register("t", table).execute(f"SELECT {select} FROM t").read_all()
    return pa.table(reader).cast(schema).to_pylist()


def read_rows(data_dir: Path | str, name: str, version: int | str | None = None) -> list[dict[str, Any]]:
    """The table as plain records (empty when it does not exist yet)."""
    table = read_table(data_dir, name, version)
    return [] if table is None else table.to_pylist()
