"""`newsflow history`, `tables`, `show`, `diff` and `export`: looking at the published tables, now or as of a past version."""

from __future__ import annotations

import argparse
import json
from typing import Any

from flows.cli.common import fail, settings_from
from flows.core.schemas import table_order


def cmd_history(args: argparse.Namespace) -> int:
    from flows.publish import storage

    settings = settings_from(args).settings
    entries = storage.history(settings.data_dir, args.table)
    if not entries:
        return fail(f"no table {args.table} under {settings.data_dir}/tables")
    print(f"{'version':>7}  {'timestamp':<32} {'operation':<10} {'rows':>6}  run_id")
    for e in entries:
        print(f"{e['version']:>7}  {e['timestamp']:<32} {e['operation'] or '':<10} {e['rows']:>6}  {e['run_id'] or ''}")
    return 0


def cmd_tables(args: argparse.Namespace) -> int:
    from flows.publish import storage

    settings = settings_from(args).settings
    summaries = [storage.table_summary(settings.data_dir, name) or {"table": name} for name in table_order()]
    if args.json:
        print(json.dumps(summaries, indent=2))
        return 0
    print(f"{'table':<10} {'version':>7} {'rows':>6}  {'last run':<32} run_id")
    for s in summaries:
        if "version" not in s:
            print(f"{s['table']:<10} {'-':>7} {'-':>6}  (not published under {settings.data_dir}/tables)")
        else:
            print(f"{s['table']:<10} {s['version']:>7} {s['rows']:>6}  {s['timestamp']:<32} {s['run_id'] or ''}")
    return 0


def _query(args: argparse.Namespace, as_of: str | None, label: str = "--as-of", **options: Any) -> Any:
    """The table at --as-of (filtered by --where), in reading order, or an error message;
    `label` names the version or time in the message (a flag, or diff's V1/V2)."""
    from flows.cli.format import parse_as_of, reading_order, where_hint
    from flows.publish import storage
    from flows.validate import contracts

    settings = settings_from(args).settings
    contract = contracts.load_contracts()[args.table]
    try:
        table = storage.query_table(settings.data_dir, args.table, parse_as_of(as_of, label), order_by=reading_order(contract), **options)
    except storage.QueryError as error:  # a bad --where: `cannot read deals: ...`, one line
        return where_hint(str(error), args.table, options.get("where"), contract.column_names) or str(error)
    except (storage.VersionNotFoundError, ValueError) as error:  # a bad --as-of
        return str(error)
    return table if table is not None else f"no table {args.table} under {settings.data_dir}/tables"


def cmd_show(args: argparse.Namespace) -> int:
    from flows.cli.format import format_rows

    table = _query(args, args.as_of, where=args.where, limit=args.limit)
    if isinstance(table, str):
        return fail(table)
    columns = args.columns.split(",") if args.columns else table.column_names
    unknown = [c for c in columns if c not in table.column_names]
    if unknown:
        return fail(f"no column {', '.join(unknown)} in {args.table} (columns: {', '.join(table.column_names)})")
    rows = table.select(columns).to_pylist()
    if args.json:
        for row in rows:
            print(json.dumps(row, default=str, ensure_ascii=False))
    else:
        print(format_rows(rows, columns, width=args.width))
        print(f"({len(rows)} rows)")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from flows.cli.format import diff_rows, format_diff
    from flows.validate import contracts

    old, new = _query(args, args.v1, "version or time"), _query(args, args.v2, "version or time")
    for table in (old, new):
        if isinstance(table, str):
            return fail(table)
    diff = diff_rows(old.to_pylist(), new.to_pylist(), contracts.load_contracts()[args.table].primary_key)
    print(json.dumps(diff.to_dict(), indent=2) if args.json else format_diff(args.table, args.v1, args.v2, diff))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from flows.publish import export

    table = _query(args, args.as_of, where=args.where)
    if isinstance(table, str):
        return fail(table)
    out = export.write_export(table, args.format, args.out)
    print(f"{args.table}: {table.num_rows} rows written to {out} ({args.format})")
    return 0
