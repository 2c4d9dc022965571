"""`newsflow eval`: run the real pipeline on annotated articles in a scratch directory, then score it."""

from __future__ import annotations

import json
import os
import tempfile
import zlib
from pathlib import Path
from typing import Any

from flows.core.schemas import gated_tables
from flows.core.settings import load_settings
from flows.eval.devset import score_devset
from flows.eval.gold import load_devset, load_seeds_expected
from flows.eval.render import render_report
from flows.eval.seeds import score_seeds
from flows.publish import storage


def fold_of(file: str, sources: list[dict[str, Any]], folds: int) -> int:
    """The fold (0 … folds-1) of a dev-set file: stories stay whole (a file and the one it
    duplicates share a fold), spread by a stable hash of the story's first file."""
    story = {s["file"]: s.get("duplicate_of") or s["file"] for s in sources}
    return zlib.crc32(min(file, story.get(file, file)).encode()) % folds


def _devset_input(articles: Path, sources: list[dict[str, Any]], into: Path, keep: set[str] | None = None) -> Path:
    """A JSONL input carrying each article with its publisher metadata (never its gold)."""
    meta = {s["file"]: s for s in sources}
    lines = []
    for path in sorted(articles.glob("*.txt")):
        if keep is not None and path.name not in keep:
            continue
        s = meta.get(path.name, {})
        record = {"text": path.read_text(encoding="utf-8"), "url": s.get("url") or path.name, "outlet": s.get("outlet"), "published": s.get("published")}
        lines.append(json.dumps(record, ensure_ascii=False))
    target = into / "articles.jsonl"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def _tables(data_dir: Path) -> dict[str, list[dict[str, Any]]]:
    return {name: storage.read_rows(data_dir, name) for name in gated_tables()}


def run_evaluation(
    gold_path: Path, articles: Path, *, sources: Path | None = None, json_path: Path | None = None, fold: tuple[int, int] | None = None
) -> int:
    """Run the pipeline on `articles` in a scratch data dir and print its scores against the gold:
    a dev set's gold.jsonl (with sources.jsonl beside it, or `sources`) or seeds_expected.json.
    `fold` (k, K) scores only the dev set's k-th of K folds (1-based; stories kept whole), so a
    rule written while looking at one fold can be checked on the others."""
    from flows.orchestration.api_server import quiet_prefect
    from flows.orchestration.flow import news_pipeline

    quiet_prefect()
    with tempfile.TemporaryDirectory(prefix="newsflow-eval-") as scratch:
        work = Path(scratch)
        if gold_path.suffix == ".jsonl":
            gold, feed = load_devset(gold_path.parent)
            if sources:
                feed = [json.loads(line) for line in sources.read_text(encoding="utf-8").splitlines() if line.strip()]
            keep = None
            if fold:
                keep = {s["file"] for s in feed if fold_of(s["file"], feed, fold[1]) == fold[0] - 1}
                gold = [g for g in gold if g["file"] in keep]
                feed = [s for s in feed if s["file"] in keep]
            source = _devset_input(articles, feed, work, keep)
        else:
            expected = load_seeds_expected(gold_path)
            source = articles
        settings = load_settings({"input_path": source, "data_dir": work / "data", "processes": int(os.environ.get("NEWSFLOW_PROCESSES", "1"))})
        summary = news_pipeline(settings)
        refused = [name for name, t in summary["tables"].items() if not t["valid"]]
        if refused:
            print(f"warning: the run's {', '.join(refused)} failed validation and were not published; scores below miss them")
        tables = _tables(settings.data_dir)
    if gold_path.suffix == ".jsonl":
        report = score_devset(gold, feed, tables["articles"], tables["entities"], tables["events"], tables["deals"])
    else:
        report = score_seeds(expected, tables["articles"], tables["entities"], tables["events"], tables["deals"])
    print(render_report(report))
    if json_path:
        json_path.write_text(json.dumps(report.to_dict(), indent=2, default=str), encoding="utf-8")
    return 0
