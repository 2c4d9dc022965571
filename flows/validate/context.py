"""The one Great Expectations context the validations share, and the lock around it.

Importing this module imports Great Expectations (seconds), quietly: modules that need GE
import this one first. Modules that only read validation results (results.py, failures.py,
the gate) do not import it.
"""

from __future__ import annotations

import logging
import os

# Both must be set before great_expectations is imported: it reads the flag and logs
# hundreds of DEBUG/INFO registration lines at import time.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
logging.getLogger("great_expectations").setLevel(logging.WARNING)

import functools
import threading
from typing import Any

import great_expectations as gx
from great_expectations.data_context.types.base import ProgressBarsConfig

# The pandas data source every validation adds its frame to.
SOURCE_NAME = "newsflow"

# GE's context is not documented as thread-safe, and Prefect may run tasks in threads.
GX_LOCK = threading.Lock()


def quiet_gx_loggers() -> None:
    """Undo GE modules' own setLevel(INFO) ("Created temporary directory ..."), which
    they run at import, so it has to be repeated after GE imports more of itself."""
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("great_expectations."):
            logger = logging.getLogger(name)
            if logger.level != logging.NOTSET:
                logger.setLevel(logging.WARNING)


quiet_gx_loggers()


@functools.cache
def get_gx_context() -> Any:
    """The ephemeral context, made once and renewed by each validate_tables call (renew_gx_context)."""
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    context.data_sources.add_pandas(name=SOURCE_NAME)
    quiet_gx_loggers()
    return context


def renew_gx_context() -> None:
    """Start the next validations on a new context: a context keeps something of every batch it
    validated (measured: ~15 MB per chunk of four tables, for good), and a new one costs ~10 ms."""
    with GX_LOCK:
        get_gx_context.cache_clear()
