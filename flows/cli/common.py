"""What every command uses: its settings, resolved from flags, environment and config file, and
the one line on stderr that reports a user error."""

from __future__ import annotations

import argparse
import sys

from flows.core.settings import SETTING_NAMES, ResolvedSettings, resolve_settings


def settings_from(args: argparse.Namespace) -> ResolvedSettings:
    """Flags this command defines, over NEWSFLOW_* variables, over the config file, over defaults."""
    flags = {name: getattr(args, name) for name in SETTING_NAMES if hasattr(args, name)}
    return resolve_settings(flags, config_file=args.config)


def fail(message: str, code: int = 1) -> int:
    print(f"newsflow: {message}", file=sys.stderr)
    return code
