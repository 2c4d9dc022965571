"""`newsflow`: a thin command line over the library. Every command has --help with an example."""

from __future__ import annotations

import argparse
import atexit
import gc
import json
import os
import sys
import threading
from pathlib import Path
from typing import Any, NoReturn

from flows.core.schemas import table_order
from flows.core.settings import DEFAULTS, SETTING_NAMES, ConfigError, ResolvedSettings, flag_name, resolve_settings, setting_help

TABLES = table_order()


def _settings(args: argparse.Namespace) -> ResolvedSettings:
    """Flags this command defines, over NEWSFLOW_* variables, over the config file, over defaults."""
    flags = {name: getattr(args, name) for name in SETTING_NAMES if hasattr(args, name)}
    return resolve_settings(flags, config_file=args.config)


def _fail(message: str, code: int = 1) -> int:
    print(f"newsflow: {message}", file=sys.stderr)
    return code


def _print_run(summary: dict[str, Any]) -> None:
    redone = f", {summary['redone_articles']} extracted again (open rejections)" if summary.get("redone_articles") else ""
    print(f"run {summary['run_id']}: {summary['documents']} documents read, {summary['new_articles']} new articles{redone}")
    if summary["quarantined"]:
        reasons = ", ".join(f"{n} {r}" for r, n in sorted(summary["quarantined"].items()))
        print(f"quarantined: {reasons} (see {summary['data']}/quarantine/{summary['run_id']}.jsonl)")
    print(f"{'table':<10} {'rows':>6} {'version':>8} {'changed':>8}  validation")
    for name, t in summary["tables"].items():
        changed = t.get("upserts", 0) + t.get("deletes", 0)
        if not t["valid"]:
            state = "FAILED (not published)"
        elif t.get("held_back"):
            state = f"held back ({t['held_back']} articles wait for the refused tables)"
        else:
            state = f"passed, {t['rejected']} rows rejected" if t.get("rejected") else "passed"
        version = "-" if t.get("version") is None else t["version"]
        print(f"{name:<10} {t['rows']:>6} {version:>8} {changed or 'none':>8}  {state}")
        if not t["valid"] and t.get("validation"):
            for f in t["validation"]["failures"]:
                if not f.get("row_level"):
                    print(f"    {f['severity']}: {f['expectation']} on {f['column']}: {f['detail']} (rows {', '.join(map(str, f['sample_ids'][:5]))})")
    print(f"tables in {summary['data']}/tables; read one with: newsflow show deals --data {summary['data']}")
    # The last line is the outcome: what was refused, else what the gate kept back.
    refused = [name for name, t in summary["tables"].items() if not t["valid"]]
    line = (summary.get("rejected") or {}).get("line")
    if refused:
        print(f"FAILED: {', '.join(refused)} refused by the gate (their last good versions stay current); the articles of the refused chunks are processed again by the next run")
    elif line:
        print(f"{line}; see newsflow show rejections --data {summary['data']}")


def cmd_run(args: argparse.Namespace) -> int:
    from flows.ingest.readers import InputError

    settings = _settings(args).settings
    if not settings.input_path.exists() or not (settings.input_path.is_dir() or settings.input_path.is_file()):
        return _fail(f"input {settings.input_path} is not a file or directory", 2)
    from flows.orchestration.api_server import ServerError, quiet_prefect, temporary_api_server, wait_until_ready

    quiet_prefect()

    with temporary_api_server() as server:  # boots while the imports below run
        from flows.orchestration.flow import flush_prefect_logs, run_pipeline
        from flows.orchestration.progress import attach_terminal_bar
        from flows.validate import expectations as validate  # noqa: F401  Great Expectations: the slowest import, made while the server boots

        if _small_input(settings.input_path):  # parsed in this process: load the model while the server boots
            from flows.extract.nlp import load_pipeline

            load_pipeline(settings.model)
        # The imports' ~380,000 objects live as long as the process; frozen, a full collection
        # (after every chunk, and whenever allocations trigger one) no longer scans them: ~0.13 s each.
        gc.freeze()
        try:
            wait_until_ready(server, float(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"]))
            try:
                with attach_terminal_bar():  # a bar with ETA on a terminal only
                    summary = run_pipeline(settings)
            finally:
                flush_prefect_logs()  # while the server still answers
        except InputError as error:
            return _fail(str(error), 2)
        except ServerError as error:
            return _fail(str(error), 1)
    if summary.get("error"):  # another run holds --data
        return _fail(summary["error"], 3)
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
    else:
        _print_run(summary)
    if not summary["success"]:
        return 1
    return 1 if args.strict and (summary.get("rejected") or {}).get("rows") else 0


def _small_input(path: Path) -> bool:
    """Too few bytes to hold the articles that start a worker pool (workers.MIN_POOL_ARTICLES, at
    2 KB or more each): such a run parses in its own process. Stops counting at the threshold."""
    from flows.extract.workers import MIN_POOL_ARTICLES

    budget = MIN_POOL_ARTICLES * 2_000
    walk = [(str(path.parent), [], [path.name])] if path.is_file() else os.walk(path)  # links not followed
    for folder, _, names in walk:
        for name in names:
            try:
                budget -= os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue  # ingest quarantines what it cannot read
            if budget < 0:
                return False
    return True


def cmd_validate(args: argparse.Namespace) -> int:
    from flows.publish import storage
    from flows.validate import contracts
    from flows.validate import expectations as validate

    settings = _settings(args).settings
    known = contracts.load_contracts()
    tables, missing = {}, []
    for name in known:
        table = storage.read_table(settings.data_dir, name)
        if table is None:
            print(f"{name}: missing (no published table under {settings.data_dir}/tables)")
            missing.append(name)
        else:
            tables[name] = table
    # References are checked against the articles table, so validate only a complete set.
    results = validate.validate_tables(tables, known) if not missing else {}
    for name, result in results.items():
        print(f"{name:<10} {result.n_rows:>6} rows  {result.n_expectations:>3} expectations  {'passed' if result.success else 'FAILED'}")
        for f in result.failures:
            print(f"    {f.severity}: {f.expectation} on {f.column}: {f.detail} (e.g. {', '.join(map(str, f.sample_ids[:5]))})")
    dirs = storage.data_docs_dirs(settings.data_dir)
    if results and dirs:  # every validation on a local data dir gets its Data Docs
        import datetime as dt

        from flows.validate import datadocs

        docs = datadocs.build_data_docs(results, "validate-" + dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ"), site_dir=dirs[0], store_dir=dirs[1])
        print(f"Data Docs: {docs['index']}")
    if args.junit:
        from flows.validate.junit import junit_xml

        args.junit.parent.mkdir(parents=True, exist_ok=True)
        args.junit.write_text(junit_xml(results, known, missing), encoding="utf-8")
    if missing or not all(r.success for r in results.values()):
        return 1
    if args.strict and "rejections" in tables:
        open_rows = [r for r in tables["rejections"].to_pylist() if r["resolved_by_run"] is None and r["severity"] == "critical"]
        if open_rows:
            print(f"{len({(r['table'], r['row_key']) for r in open_rows})} rejected rows unresolved (strict); see newsflow show rejections --where \"resolved_by_run IS NULL\"")
            return 1
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from flows.publish import storage

    settings = _settings(args).settings
    entries = storage.history(settings.data_dir, args.table)
    if not entries:
        return _fail(f"no table {args.table} under {settings.data_dir}/tables")
    print(f"{'version':>7}  {'timestamp':<32} {'operation':<10} {'rows':>6}  run_id")
    for e in entries:
        print(f"{e['version']:>7}  {e['timestamp']:<32} {e['operation'] or '':<10} {e['rows']:>6}  {e['run_id'] or ''}")
    return 0


def cmd_tables(args: argparse.Namespace) -> int:
    from flows.publish import storage

    settings = _settings(args).settings
    summaries = [storage.table_summary(settings.data_dir, name) or {"table": name} for name in TABLES]
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


def _query(args: argparse.Namespace, as_of: str | None, **options: Any) -> Any:
    """The table at --as-of (filtered by --where), or an error message."""
    from deltalake.exceptions import DeltaError

    from flows.cli.format import parse_as_of
    from flows.publish import storage
    from flows.validate import contracts

    settings = _settings(args).settings
    key = contracts.load_contracts()[args.table].primary_key
    try:
        table = storage.query_table(settings.data_dir, args.table, parse_as_of(as_of), order_by=key, **options)
    except (ValueError, storage.VersionNotFoundError) as error:
        return str(error)
    except DeltaError as error:
        return f"cannot read {args.table}: {error}"
    return table if table is not None else f"no table {args.table} under {settings.data_dir}/tables"


def cmd_show(args: argparse.Namespace) -> int:
    from flows.cli.format import format_rows

    table = _query(args, args.as_of, where=args.where, limit=args.limit)
    if isinstance(table, str):
        return _fail(table)
    columns = args.columns.split(",") if args.columns else table.column_names
    unknown = [c for c in columns if c not in table.column_names]
    if unknown:
        return _fail(f"no column {', '.join(unknown)} in {args.table} (columns: {', '.join(table.column_names)})")
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

    old, new = _query(args, args.v1), _query(args, args.v2)
    for table in (old, new):
        if isinstance(table, str):
            return _fail(table)
    diff = diff_rows(old.to_pylist(), new.to_pylist(), contracts.load_contracts()[args.table].primary_key)
    print(json.dumps(diff.to_dict(), indent=2) if args.json else format_diff(args.table, args.v1, args.v2, diff))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from flows.publish import export

    table = _query(args, args.as_of, where=args.where)
    if isinstance(table, str):
        return _fail(table)
    out = export.write_export(table, args.format, args.out)
    print(f"{args.table}: {table.num_rows} rows written to {out} ({args.format})")
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    resolved = _settings(args)
    values = {name: str(getattr(resolved.settings, name)) for name in SETTING_NAMES}
    if args.json:
        print(json.dumps({name: {"value": values[name], "source": resolved.sources[name]} for name in SETTING_NAMES}, indent=2))
        return 0
    print(f"config file: {resolved.config_file or 'none'}")
    width = max(len(v) for v in values.values())
    for name in SETTING_NAMES:
        print(f"{name:<11} {values[name]:<{width}}  ({resolved.sources[name]})")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args).settings
    if not settings.input_path.exists():
        return _fail(f"input {settings.input_path} is not a file or directory", 2)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.orchestration.flow import serve_pipeline

    serve_pipeline(settings, args.cron, name=args.name)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from flows.eval.run import run_evaluation

    return run_evaluation(args.gold, args.articles, sources=args.sources, json_path=args.json)


_RUN_SETTINGS = ("input_path", "data_dir", "model", "processes", "chunk_size", "batch_size", "max_bytes", "lock_timeout", "task_runner", "dask_address")
_CHOICES = {"task_runner": ("local", "dask")}


def _add_settings(parser: argparse.ArgumentParser, *names: str) -> None:
    """The flags of these settings, named and described once in flows/settings.py."""
    for name in names:
        default = getattr(DEFAULTS, name)
        kind = str if isinstance(default, Path) else type(default)  # paths may be object-store URIs
        parser.add_argument(flag_name(name), dest=name, type=kind, choices=_CHOICES.get(name), help=f"{setting_help(name)} (env NEWSFLOW_{name.upper()})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsflow", description="News articles in, validated and versioned Delta Lake tables out.")
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, help="TOML config file (default: $NEWSFLOW_CONFIG, else ./newsflow.toml if present)")

    def command(name: str, help: str, example: str, *settings: str) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help, description=help, parents=[common], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=f"example:\n  {example}")
        _add_settings(cmd, *settings)
        return cmd

    def table_arg(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument("table", choices=TABLES)

    run = command("run", "run the pipeline on a folder of articles", "newsflow run --input seeds/ --data data/", *_RUN_SETTINGS)
    run.add_argument("--json", action="store_true", help="print the run summary as JSON")
    run.add_argument("--strict", action="store_true", help="exit 1 when any row was rejected, not only when a table was refused (for CI)")
    run.set_defaults(func=cmd_run)

    val = command("validate", "validate the latest published tables; exit 1 when any breaks its contract", "newsflow validate --data data/ --junit reports/newsflow-junit.xml", "data_dir")
    val.add_argument("--junit", type=Path, metavar="FILE", help="also write the results as JUnit XML (one test case per check)")
    val.add_argument("--strict", action="store_true", help="also exit 1 while rows rejected by a run are unresolved (see `newsflow show rejections`)")
    val.set_defaults(func=cmd_validate)

    hist = command("history", "versions of a table with time, run id and row count", "newsflow history deals --data data/", "data_dir")
    table_arg(hist)
    hist.set_defaults(func=cmd_history)

    tabs = command("tables", "every table with its latest version, row count and last run", "newsflow tables --data data/", "data_dir")
    tabs.add_argument("--json", action="store_true", help="print as JSON")
    tabs.set_defaults(func=cmd_tables)

    show = command("show", "print rows of a table, now or as of a past version or time", "newsflow show deals --as-of 0 --where \"amount > 1e9 AND currency = 'USD'\" --limit 5", "data_dir")
    table_arg(show)
    show.add_argument("--as-of", metavar="VERSION|TIMESTAMP", help="a version number (see `newsflow history`) or an ISO date/time, UTC unless it has a zone")
    show.add_argument("--limit", type=int, default=20, help="at most this many rows, ordered by id (default 20)")
    show.add_argument("--where", metavar="EXPR", help="SQL predicate over the table's columns (DataFusion SQL), e.g. \"status = 'approved'\" or \"array_length(article_ids) > 1\"")
    show.add_argument("--columns", help="comma-separated columns to print (default: all)")
    show.add_argument("--width", type=int, default=40, help="cut cells longer than this (default 40)")
    show.add_argument("--json", action="store_true", help="print full rows as JSON Lines")
    show.set_defaults(func=cmd_show)

    diff = command("diff", "rows added, changed and removed between two versions, by id", "newsflow diff deals 0 1", "data_dir")
    table_arg(diff)
    diff.add_argument("v1", metavar="V1", help="older version number or ISO date/time")
    diff.add_argument("v2", metavar="V2", help="newer version number or ISO date/time")
    diff.add_argument("--json", action="store_true", help="print as JSON")
    diff.set_defaults(func=cmd_diff)

    exp = command("export", "write one plain Parquet, CSV or JSON Lines file, for tools that cannot read Delta", "newsflow export deals --as-of 1 --format csv --out deals.csv", "data_dir")
    table_arg(exp)
    exp.add_argument("--as-of", metavar="VERSION|TIMESTAMP", help="a version number or an ISO date/time (default: latest)")
    exp.add_argument("--where", metavar="EXPR", help="SQL predicate selecting the rows to export (as in `newsflow show`)")
    exp.add_argument("--format", choices=("parquet", "csv", "jsonl"), required=True, help="csv writes list/struct columns as JSON text")
    exp.add_argument("--out", type=Path, required=True, metavar="FILE", help="file to write (replaced atomically)")
    exp.set_defaults(func=cmd_export)

    conf = command("config", "print every setting's effective value and where it came from", "NEWSFLOW_MODEL=en_core_web_lg newsflow config --processes 2", *_RUN_SETTINGS)
    conf.add_argument("--json", action="store_true", help="print as JSON")
    conf.set_defaults(func=cmd_config)

    serve = command("serve", "serve a scheduled Prefect deployment of the pipeline (needs PREFECT_API_URL)", "PREFECT_API_URL=http://127.0.0.1:4200/api newsflow serve --cron '0 6 * * *' --input inbox/ --data data/", *_RUN_SETTINGS)
    serve.add_argument("--cron", required=True, metavar="EXPR", help="cron schedule, e.g. '0 6 * * *' (06:00 UTC daily)")
    serve.add_argument("--name", default="scheduled", help="deployment name (default: scheduled, i.e. news_pipeline/scheduled)")
    serve.set_defaults(func=cmd_serve)

    ev = command("eval", "score extraction against gold annotations", "newsflow eval --gold ../shared/devset/gold.jsonl --articles ../shared/devset/articles")
    ev.add_argument("--gold", type=Path, help="gold.jsonl (dev set) or seeds_expected.json (seeds)")
    ev.add_argument("--articles", type=Path, help="folder of articles the gold annotates")
    ev.add_argument("--sources", type=Path, help="sources.jsonl with url/outlet/published per file (default: next to --gold)")
    ev.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    ev.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as error:
        return _fail(str(error), 2)


def entry() -> NoReturn:
    """The console script: main(), then the exit the interpreter would make, less its teardown.
    Freeing every object of the ~3,600 modules a run imports, one by one, takes ~0.8 s: more than
    parsing the four seeds. The OS reclaims the memory at once; threads are joined and exit
    handlers (logging's flush, Prefect's) run first, as at a normal exit."""
    code = main()
    shutdown = getattr(threading, "_shutdown", None)  # CPython's first exit step; absent elsewhere
    if shutdown is None:
        sys.exit(code)
    shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed stream or broken pipe: CPython exits 120 then
            code = code or 120
    os._exit(code)


if __name__ == "__main__":
    entry()
