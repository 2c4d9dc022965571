"""Entry points a package names in its __init__ without importing them until they are used.

A stage's package names what it offers (`flows.extract.extract_articles`), but importing it must
not load spaCy, Great Expectations or Prefect for a caller that only wants a light module
beside them (`flows.extract.money`, `flows.validate.contracts`): those take seconds.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], Any]:
    """A module-level __getattr__ for `package` that imports `exports[name]` on first use."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return __getattr__
