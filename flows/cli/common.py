"""What every command uses: its settings, resolved from flags, environment and config file, the
one line on stderr that reports a user error, and where Prefect keeps its state."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import MutableMapping
from pathlib import Path

from flows.core.settings import SETTING_NAMES, ResolvedSettings, resolve_settings


def settings_from(args: argparse.Namespace) -> ResolvedSettings:
    """Flags this command defines, over NEWSFLOW_* variables, over the config file, over defaults."""
    flags = {name: getattr(args, name) for name in SETTING_NAMES if hasattr(args, name)}
    return resolve_settings(flags, config_file=args.config)


def fail(message: str, code: int = 1) -> int:
    print(f"newsflow: {message}", file=sys.stderr)
    return code


def warn(message: str) -> None:
    """One line on stderr about a run that did not fail: it leaves stdout (e.g. --json) as it is."""
    fail(message, 0)


def invoked_as(argv0: str | None = None) -> str:
    """How the user can type newsflow again: `newsflow` when that name on PATH is this script,
    the script's path as invoked (`.venv/bin/newsflow` after `make run`), else the module form."""
    argv0 = argv0 if argv0 is not None else sys.argv[0]
    if Path(argv0).name != "newsflow":
        return "python -m flows.cli"
    on_path = shutil.which("newsflow")
    if on_path and os.path.realpath(on_path) == os.path.realpath(argv0):
        return "newsflow"
    return argv0


def input_problem(path: Path | str) -> str | None:
    """Why --input cannot be read at all (one line), or None."""
    path = Path(path)
    if path.is_dir() or path.is_file():
        return None
    what = "does not exist" if not path.exists() else "is not a file or directory"
    return f"input {path} {what}: give --input a file or folder of .txt, .jsonl or .html articles"


def default_prefect_home(environ: MutableMapping[str, str], checkout: Path | None) -> None:
    """Run from a checkout, newsflow keeps Prefect's state (its temporary server's database, logs,
    profiles) in the checkout's .prefect/, as `make` does, unless PREFECT_HOME says otherwise; an
    installed newsflow leaves Prefect's own default, ~/.prefect."""
    if checkout is not None and not environ.get("PREFECT_HOME"):
        environ["PREFECT_HOME"] = str(checkout / ".prefect")
