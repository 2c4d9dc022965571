"""`newsflow`: a thin command line over the library. Every command has --help with an example.

This module is the parser, `main` and the console script; the commands are in run.py (run, serve,
config), tables.py (history, tables, show, diff, export) and checks.py (validate, eval).
"""

from __future__ import annotations

import argparse
import atexit
import os
import sys
import threading
from pathlib import Path
from typing import NoReturn

from flows.cli.checks import cmd_eval, cmd_validate, fold_arg
from flows.cli.common import default_prefect_home, fail
from flows.cli.run import cmd_config, cmd_run, cmd_serve
from flows.cli.tables import cmd_diff, cmd_export, cmd_history, cmd_show, cmd_tables
from flows.core.schemas import CHECKOUT, table_order
from flows.core.settings import DEFAULTS, ConfigError, flag_name, setting_help

_RUN_SETTINGS = ("input_path", "data_dir", "model", "processes", "chunk_size", "batch_size", "max_bytes", "lock_timeout", "task_runner", "dask_address")
_CHOICES = {"task_runner": ("local", "dask")}


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error said in one line (the usage itself is `--help`'s)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _count(text: str) -> int:
    """A non-negative whole number (DataFusion would refuse LIMIT -3 with an optimizer error)."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative; give 0 or more")
    return number


def _add_settings(parser: argparse.ArgumentParser, *names: str) -> None:
    """The flags of these settings, named and described once in flows/settings.py."""
    for name in names:
        default = getattr(DEFAULTS, name)
        kind = str if isinstance(default, Path) else type(default)  # paths may be object-store URIs
        parser.add_argument(flag_name(name), dest=name, type=kind, choices=_CHOICES.get(name), help=f"{setting_help(name)} (env NEWSFLOW_{name.upper()})")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="newsflow", description="News articles in, validated and versioned Delta Lake tables out.")
    sub = parser.add_subparsers(dest="command", required=True)
    common = _Parser(add_help=False)
    common.add_argument("--config", type=Path, help="TOML config file (default: $NEWSFLOW_CONFIG, else ./newsflow.toml if present)")

    def command(name: str, help: str, example: str, *settings: str) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help, description=help, parents=[common], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=f"example:\n  {example}")
        _add_settings(cmd, *settings)
        return cmd

    def table_arg(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument("table", choices=table_order())

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
    show.add_argument("--limit", type=_count, default=20, help="at most this many rows (default 20), in the table's reading order: by its date, else its name, then id")
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
    ev.add_argument("--gold", type=Path, required=True, metavar="FILE", help="gold.jsonl (dev set) or seeds_expected.json (seeds)")
    ev.add_argument("--articles", type=Path, required=True, metavar="DIR", help="folder of articles the gold annotates")
    ev.add_argument("--sources", type=Path, help="sources.jsonl with url/outlet/published per file (default: next to --gold)")
    ev.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    ev.add_argument("--fold", type=fold_arg, metavar="K/N", help="score only fold K of N of a dev set (stories kept whole), e.g. --fold 1/2; hold the others back")
    ev.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    default_prefect_home(os.environ, CHECKOUT)  # before anything imports Prefect
    try:
        return int(args.func(args))
    except ConfigError as error:
        return fail(str(error), 2)


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
