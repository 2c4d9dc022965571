"""The only module that knows paths and Delta Lake: tables, quarantine records and run reports.

Reads go through delta-rs's own engine (QueryBuilder): pyarrow's dataset scanner leaves threads
behind that abort the interpreter at exit ("terminate called without an active exception").

`data_dir` is a local folder or an object-store URI (`s3://bucket/prefix`, `gs://`, `az://`,
`file:///...`). Delta Lake handles URIs itself (credentials from the usual AWS_*/GOOGLE_*/AZURE_*
environment variables); quarantine records and run reports go through fsspec, so they sit
next to the tables in the same store (s3fs/gcsfs/adlfs must be installed for those schemes).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, Field, QueryBuilder, write_deltalake
from deltalake.exceptions import DeltaError, TableNotFoundError

from flows.publish.lock import LOCK_FILE, DataDirLocked, lock_data_dir  # noqa: F401  (their home was here)

_DELETE = "__newsflow_delete"


def is_uri(data_dir: Path | str) -> bool:
    return "://" in str(data_dir)


def _join(data_dir: Path | str, *parts: str) -> str:
    if is_uri(data_dir):
        return "/".join([str(data_dir).rstrip("/"), *parts])
    return str(Path(data_dir).joinpath(*parts))


def table_uri(data_dir: Path | str, name: str) -> str:
    return _join(data_dir, "tables", _plain_name(name))


def _plain_name(name: str) -> str:
    """A table name or run id used as one path component: nothing that could leave --data."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name) or ".." in name:
        raise ValueError(f"not a plain name: {name!r}")
    return name


def _open(data_dir: Path | str, name: str, version: int | str | None = None, folder: str = "tables") -> DeltaTable | None:
    try:
        table = DeltaTable(_join(data_dir, folder, _plain_name(name)))
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
    # delta-rs hands back view types (string_view) that pandas cannot convert: cast to the table's schema.
    return _select(table, "SELECT * FROM t").cast(pa.schema(table.schema().to_arrow()))


def _select(table: DeltaTable, sql: str) -> pa.Table:
    """A query over the table registered as `t`, through delta-rs's DataFusion."""
    return pa.table(QueryBuilder().register("t", table).execute(sql).read_all())


def _rows_in(table: DeltaTable) -> int:
    """Rows of the table's version, from the Delta log's file statistics (no data read)."""
    return int(sum(pa.table(table.get_add_actions(flatten=True)).column("num_records").to_pylist() or [0]))


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
    known = set(pa.schema(existing.schema().to_arrow()).names)
    gained = [Field.from_arrow(f.with_nullable(True)) for f in rows.schema if f.name not in known]
    if gained:  # the contract gained columns since the table was written: older rows read them as null
        existing.alter.add_columns(gained, commit_properties=props)
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


def commit(data_dir: Path | str, name: str, rows: pa.Table, *, key: str, delete_keys: Iterable[str], metadata: Mapping[str, Any]) -> dict[str, Any]:
    """Upsert `rows` and delete `delete_keys` in one commit; nothing committed when there is
    nothing to change and the table exists. The table's version after, and what changed."""
    deletes = list(delete_keys)
    if rows.num_rows == 0 and not deletes and current_version(data_dir, name) is not None:
        return {"version": current_version(data_dir, name), "upserts": 0, "deletes": 0}
    version = upsert(data_dir, name, rows, key=key, delete_keys=deletes, metadata=metadata)
    return {"version": version, "upserts": rows.num_rows, "deletes": len(deletes)}


def history(data_dir: Path | str, name: str) -> list[dict[str, Any]]:
    """Versions newest first, with commit time, operation, run id and row count after the commit."""
    table = _open(data_dir, name)
    if table is None:
        return []
    entries = []
    for commit in table.history():
        version = int(commit["version"])
        entries.append(
            {
                "version": version,
                "timestamp": dt.datetime.fromtimestamp(commit["timestamp"] / 1000, tz=dt.UTC).isoformat(),
                "operation": commit.get("operation"),
                "run_id": commit.get("run_id"),
                "rows": _rows_in(DeltaTable(table_uri(data_dir, name), version=version)),
            }
        )
    return entries


def count_rows(data_dir: Path | str, name: str) -> int:
    """Rows in the latest version, from the Delta log's file statistics (no data read)."""
    table = _open(data_dir, name)
    return 0 if table is None else _rows_in(table)


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
    return _write_text(data_dir, "quarantine", f"{_plain_name(run_id)}.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def write_report(data_dir: Path | str, run_id: str, report: dict[str, Any]) -> Path | str:
    return _write_text(data_dir, "reports", f"{_plain_name(run_id)}.json", json.dumps(report, indent=2, default=str, ensure_ascii=False))


def read_rows(data_dir: Path | str, name: str, version: int | str | None = None) -> list[dict[str, Any]]:
    """The table as plain records (empty when it does not exist yet)."""
    table = read_table(data_dir, name, version)
    return [] if table is None else table.to_pylist()


def read_columns(data_dir: Path | str, name: str, columns: Iterable[str]) -> list[dict[str, Any]]:
    """Only some columns of the latest version as records, e.g. for the run report (empty when absent).

    A column the table was written without (its contract gained it later) reads as None."""
    table = _open(data_dir, name)
    if table is None:
        return []
    columns = list(columns)
    schema = pa.schema(table.schema().to_arrow())
    present = [c for c in columns if c in schema.names]
    if len(present) < len(columns):
        return [{c: row.get(c) for c in columns} for row in read_columns(data_dir, name, present or schema.names[:1])]
    return _select(table, f"SELECT {_names(columns)} FROM t").cast(pa.schema([schema.field(c) for c in columns])).to_pylist()


def _names(columns: Iterable[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def read_articles(data_dir: Path | str, article_ids: Iterable[str]) -> list[dict[str, Any]]:
    """Published articles as the cleaner made them (no story_id, no run_id), to extract them again."""
    table = read_where(data_dir, "articles", "article_id", article_ids)
    return [] if table is None else table.sort_by("article_id").drop_columns(["story_id", "run_id"]).to_pylist()


# --- Resolution's state on disk: the rows a chunk needs, and the tables under <data>/state ------

_IN_PART = 5000  # values per IN list: a query per part keeps DataFusion's plans small


def _literal(value: Any) -> str:
    return str(int(value)) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"


def read_where(
    data_dir: Path | str, name: str, column: str, values: Iterable[Any], *, columns: Iterable[str] | None = None, between: tuple[str, int, int] | None = None, state: bool = False
) -> pa.Table | None:
    """The rows (`columns` of them) of a table, or of a state table (`state`), whose `column` is
    one of `values`, or (`between` = column, lo, hi) whose value there is null or within lo..hi;
    None when the table does not exist. A row may come back twice when it matches both."""
    table = _open(data_dir, name, folder="state" if state else "tables")
    if table is None:
        return None
    schema = pa.schema(table.schema().to_arrow())
    wanted = list(columns) if columns is not None else schema.names
    values = sorted(set(values))
    where = [f'"{column}" IN ({", ".join(map(_literal, values[i : i + _IN_PART]))})' for i in range(0, len(values), _IN_PART)]
    if between is not None:
        where.append(f'"{between[0]}" IS NULL OR "{between[0]}" BETWEEN {int(between[1])} AND {int(between[2])}')
    parts = [_select(table, f"SELECT {_names(wanted)} FROM t WHERE {w}") for w in where]
    target = pa.schema([schema.field(c) for c in wanted])
    return pa.concat_tables([p.cast(target) for p in parts]) if parts else target.empty_table()


def has_state(data_dir: Path | str, name: str) -> bool:
    return _open(data_dir, name, folder="state") is not None


def scan_state(data_dir: Path | str, name: str, columns: Iterable[str]) -> Iterator[pa.RecordBatch]:
    """Some columns of a state table, batch by batch (nothing when it does not exist)."""
    table = _open(data_dir, name, folder="state")
    if table is not None:
        columns = list(columns)
        schema = pa.schema(table.schema().to_arrow())
        target = pa.schema([schema.field(c) for c in columns])  # no view types (see read_table)
        yield from (pa.record_batch(b).cast(target) for b in QueryBuilder().register("t", table).execute(f"SELECT {_names(columns)} FROM t"))


def max_in_state(data_dir: Path | str, name: str, column: str) -> int | None:
    """An integer column's largest value in a state table, from the Delta log's file statistics (no data read)."""
    table = _open(data_dir, name, folder="state")
    stats = pa.table(table.get_add_actions(flatten=True)).to_pydict().get(f"max.{column}", [None]) if table is not None else []
    return max(stats, default=None) if None not in stats else max((v for b in scan_state(data_dir, name, [column]) for v in b.column(0).to_pylist()), default=None)


def append_state(data_dir: Path | str, name: str, rows: pa.Table, *, replace: bool = False) -> None:
    """Append rows to a state table (created by the first append; `replace`: a snapshot's new rows); compacted when its files pile up."""
    if rows.num_rows == 0 and has_state(data_dir, name):
        return
    uri = _join(data_dir, "state", _plain_name(name))
    if not is_uri(data_dir):
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
    write_deltalake(uri, rows, mode="overwrite" if replace else "append", schema_mode="overwrite" if replace else None)
    table = DeltaTable(uri)
    if len(table.file_uris()) > 64:  # one small file per chunk: scans would open hundreds
        table.optimize.compact()


def data_docs_dirs(data_dir: Path | str) -> tuple[Path, Path] | None:
    """Where the Great Expectations Data Docs site goes, and where the validation results it shows
    are kept; None for an object store (GE's site builder writes local folders only)."""
    if is_uri(data_dir):
        return None
    return Path(data_dir) / "docs", Path(data_dir) / "validations"


def report_dir(data_dir: Path | str) -> Path:
    return Path(data_dir) / "report"


def write_run_page(data_dir: Path | str, run_id: str, html: str) -> Path | str:
    """The run report: report/<run_id>.html, and index.html as the latest run's copy (local or object store)."""
    _write_text(data_dir, "report", f"{_plain_name(run_id)}.html", html)
    return _write_text(data_dir, "report", "index.html", html)


# --- Looking at published tables (newsflow tables/show/diff/export) ---------------------------


class VersionNotFoundError(LookupError):
    """The table has no such version, or did not exist yet at that time."""


class QueryError(ValueError):
    """The table cannot be read as asked (a predicate that is not valid SQL over its columns, a
    damaged log): Delta Lake's error, said as `cannot read <table>: ...`, so callers need not know it."""


@contextlib.contextmanager
def _reading(name: str) -> Iterator[None]:
    try:
        yield
    except DeltaError as error:
        raise QueryError(f"cannot read {name}: {' '.join(str(error).split())}") from error  # one line: DataFusion's messages run over several


def open_as_of(data_dir: Path | str, name: str, as_of: int | dt.datetime | None = None) -> DeltaTable | None:
    """The table at a version, at a point in time (the version current then) or latest; None when missing."""
    with _reading(name):
        table = _open(data_dir, name)
        if table is None or as_of is None:
            return table
        if isinstance(as_of, int):
            if not 0 <= as_of <= table.version():
                versions = "only version 0" if table.version() == 0 else f"versions 0 to {table.version()}"
                raise VersionNotFoundError(f"{name} has {versions}, not {as_of} (see newsflow history {name})")
        else:
            first = dt.datetime.fromtimestamp(min(c["timestamp"] for c in table.history()) / 1000, tz=dt.UTC)
            if as_of < first:
                raise VersionNotFoundError(f"{name} did not exist yet at {as_of.isoformat()}: its first version is of {first.isoformat(timespec='seconds')} (see newsflow history {name})")
        table.load_as_version(as_of)
        return table


def query_table(
    data_dir: Path | str,
    name: str,
    as_of: int | dt.datetime | None = None,
    *,
    where: str | None = None,
    limit: int | None = None,
    order_by: str | Sequence[str] | None = None,
) -> pa.Table | None:
    """Rows matching a SQL predicate (delta-rs's DataFusion SQL, evaluated as data, never as code),
    ordered by a column or several; QueryError when the predicate or the table cannot be read."""
    table = open_as_of(data_dir, name, as_of)
    if table is None:
        return None
    sql = "SELECT * FROM t"
    if where:
        sql += f" WHERE ({where})"
    if order_by:
        sql += " ORDER BY " + ", ".join(f'"{c}"' for c in ([order_by] if isinstance(order_by, str) else order_by))
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with _reading(name):
        return _select(table, sql).cast(pa.schema(table.schema().to_arrow()))


def table_summary(data_dir: Path | str, name: str) -> dict[str, Any] | None:
    """Latest version, its row count, commit time and run id; None when the table does not exist."""
    table = _open(data_dir, name)
    if table is None:
        return None
    commit = table.history(limit=1)[0]
    return {
        "table": name,
        "version": table.version(),
        "rows": _rows_in(table),
        "timestamp": dt.datetime.fromtimestamp(commit["timestamp"] / 1000, tz=dt.UTC).isoformat(),
        "run_id": commit.get("run_id"),
    }
