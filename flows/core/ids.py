"""Stable row ids: the same parts always give the same id, across runs and machines."""

from __future__ import annotations

import hashlib
from typing import Any


def stable_id(prefix: str, *parts: Any) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"{prefix}_{digest[:16]}"
