"""Reading the published rows: values as the table readers give them (None, NaN, NaT, arrays),
the rows of some articles, and a row's id and evidence for the report's lines."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

AMOUNT_TOLERANCE = 0.01


def as_list(value: Any) -> list:
    """A list column's value as a list; a missing value is an empty one."""
    if value is None:
        return []
    if isinstance(value, float) and math.isnan(value):
        return []
    if isinstance(value, (str, bytes, dict)):
        return [value]
    return list(value)


def iso_date(value: Any) -> str | None:
    """YYYY-MM-DD of a date, a datetime or a date string; None when there is none."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if hasattr(value, "isoformat"):
        try:
            return str(value.isoformat())[:10]
        except (TypeError, ValueError):  # e.g. pandas NaT
            return None
    text = str(value).strip()
    return text[:10] if text and text.lower() not in ("nat", "none", "null") else None


def amount_of(value: Any) -> float | None:
    """An amount as a float; None when missing, NaN or not a number."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def amount_close(gold: float, predicted: Any, tolerance: float = AMOUNT_TOLERANCE) -> bool:
    """Predicted amount within tolerance (relative) of the gold amount."""
    pred = amount_of(predicted)
    if pred is None:
        return False
    if gold == 0:
        return pred == 0
    return abs(pred - gold) <= tolerance * abs(gold)


def row_ids(row: dict) -> set[str]:
    """The articles a row was found in."""
    return {str(a) for a in as_list(row.get("article_ids"))}


def rows_for(rows: Iterable[dict], article_ids: set[str]) -> list[dict]:
    """The rows found in any of these articles (a merged row counts for each of its articles)."""
    return [r for r in rows if article_ids & row_ids(r)]


def row_id(row: dict, key: str) -> str:
    """The row's id; a row without one is named by the object, so it still counts once."""
    return str(row.get(key) or f"#{id(row)}")


def evidence_text(row: dict, article_id: str, key: str = "evidence") -> str:
    """The row's evidence from this article, else its first evidence with text."""
    items = [e for e in as_list(row.get(key)) if isinstance(e, dict)]
    for e in items:
        if e.get("article_id") == article_id and e.get("text"):
            return str(e["text"])
    for e in items:
        if e.get("text"):
            return str(e["text"])
    return ""


def shorten(text: str, limit: int = 300) -> str:
    """One line of at most `limit` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
