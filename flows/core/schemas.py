"""Where the table contracts live, and what of them every stage may read: the codebook and the
order of the tables. Parsing the contracts themselves is the validate stage's (flows/validate/).

The folder is `$NEWSFLOW_SCHEMAS_DIR` when set (a user's own contracts, a test's tightened copy),
else `schemas/` of the checkout, else the copy an installed wheel carries (flows/_bundled/schemas/).
"""

from __future__ import annotations

import functools
import os
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

SCHEMAS_ENV = "NEWSFLOW_SCHEMAS_DIR"
TABLE_ORDER_FILE = "_tables.yaml"
_ROOT = Path(__file__).resolve().parents[2]
# The source tree this code runs from, or None when it runs from an installed wheel (then _ROOT is
# site-packages' parent, which has no pyproject.toml).
CHECKOUT: Path | None = _ROOT if (_ROOT / "pyproject.toml").is_file() else None
# Where a wheel carries the top-level folders schemas/ and seeds/: pyproject.toml maps them into the
# package as flows._bundled.*, so git holds them once, where they are edited.
BUNDLED = "_bundled"


def shipped(folder: str, checkout: Path | None = CHECKOUT) -> Path:
    """A top-level folder that ships with the code (schemas, seeds): the checkout's own, so that an
    edit there takes effect at once, else the installed package's copy."""
    if checkout is not None:
        return checkout / folder
    # A wheel installs unzipped, so the package's files are plain files on disk.
    return Path(str(resources.files("flows").joinpath(BUNDLED, folder)))


SOURCE_SCHEMAS = shipped("schemas")


def schemas_dir() -> Path:
    """The folder of table contracts this process reads: $NEWSFLOW_SCHEMAS_DIR, else the shipped ones."""
    chosen = os.environ.get(SCHEMAS_ENV)
    return Path(chosen) if chosen else SOURCE_SCHEMAS


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_codebook(folder: Path | None = None) -> dict[str, Any]:
    """schemas/codebook.yaml: event types with their PLOVER mapping, deal types, statuses."""
    return read_yaml((folder or schemas_dir()) / "codebook.yaml") or {}


@functools.lru_cache(maxsize=8)
def _order(folder: Path) -> tuple[tuple[str, ...], str, str]:
    declared = read_yaml(folder / TABLE_ORDER_FILE) or {}
    return tuple(declared["tables"]), str(declared["done_marker"]), str(declared["rejections"])


def table_order(folder: Path | None = None) -> tuple[str, ...]:
    """Every table, in reading order (referenced tables first)."""
    return _order(folder or schemas_dir())[0]


def publish_order(folder: Path | None = None) -> tuple[str, ...]:
    """The order a chunk commits its tables in: the done marker (articles) last."""
    tables, marker, _ = _order(folder or schemas_dir())
    return (*(t for t in tables if t != marker), marker)


def done_marker(folder: Path | None = None) -> str:
    """The table whose row marks an article fully processed (articles)."""
    return _order(folder or schemas_dir())[1]


def rejections_table(folder: Path | None = None) -> str:
    return _order(folder or schemas_dir())[2]


def gated_tables(folder: Path | None = None) -> tuple[str, ...]:
    """The tables a run builds and the gate validates: all but the rejections table."""
    return tuple(t for t in table_order(folder) if t != rejections_table(folder))


def derived_tables(folder: Path | None = None) -> tuple[str, ...]:
    """The tables resolution builds from articles: entities, events, deals."""
    return tuple(t for t in gated_tables(folder) if t != done_marker(folder))
