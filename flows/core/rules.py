"""The rule files in flows/rules/*.yaml: what no maintained package knows, read once per process."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"


@functools.cache
def load_rules(name: str, rules_dir: Path = RULES_DIR) -> Any:
    """A rule file (YAML) by stem, parsed once per process."""
    return yaml.safe_load((rules_dir / f"{name}.yaml").read_text(encoding="utf-8"))
