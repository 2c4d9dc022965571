"""Gold: the two annotation formats, and the gold items of one scored article.

* the dev set (``gold.jsonl`` + ``sources.jsonl``): one gold record per article file, with the
  publisher's metadata and duplicate relations in ``sources.jsonl``;
* the seeds' expectations (``seeds_expected.json``): items name their articles by the
  three-digit file prefix in ``sources``; entities are listed for the whole run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class GoldArticle:
    """One scored article: its label, predicted article ids and gold items."""

    label: str
    article_ids: set[str]
    deals: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    entities: dict[str, list[str]] | None = None  # None: entities are scored globally (seeds)


def file_name(uri: str) -> str:
    """The last part of a path or URL: how both gold formats name an article."""
    return re.split(r"[\\/]", str(uri).rstrip("/\\"))[-1]


def load_devset(folder: str | Path) -> tuple[list[dict], list[dict]]:
    """(gold, sources) records from a dev-set folder (gold.jsonl, sources.jsonl)."""
    root = Path(folder)

    def read(name: str) -> list[dict]:
        with (root / name).open(encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]

    return read("gold.jsonl"), read("sources.jsonl")


def load_seeds_expected(path: str | Path) -> dict:
    """The seeds' expectations (seeds_expected.json)."""
    with Path(path).open(encoding="utf-8") as fh:
        return json.load(fh)
