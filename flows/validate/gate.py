"""The gate's policy: what of a chunk is published, what is rejected, and why.

A check of the whole table that fails (its columns, a unique key, a check that could not run)
refuses the table: nothing of it is published. A critical check of single rows that fails
rejects just the rows that break it; they become rows of the `rejections` table, with the
expectation, the offending value and the whole row, and the rest is published. A rejection
stays open until a later run publishes a valid row for its key, or extracts its articles again
without making the row: open rejections made by other code or other contracts are what
`stale_articles` hands back to be extracted again.

Pure: plain rows, Arrow tables and validation results in; rows and tables out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from flows.core.spanlist import plain
from flows.validate.declarations import TableContract, format_number
from flows.validate.results import ValidationResult

Row = dict[str, Any]


@dataclass(frozen=True)
class Judgement:
    """Who judges: stamped on every rejection."""

    run_id: str
    code_version: str
    contract_version: str
    at: dt.datetime


@dataclass
class Verdict:
    table: str
    refused: bool
    accepted: pa.Table | None = None  # the rows to publish; None when the table is refused
    accepted_rows: list[Row] = field(default_factory=list)
    rejected_keys: set[Any] = field(default_factory=set)
    rejections: list[Row] = field(default_factory=list)


def judge(rows: list[Row], table: pa.Table, result: ValidationResult, contract: TableContract, judgement: Judgement, chunk_articles: Collection[str]) -> Verdict:
    """Split a table's proposed rows (`table` is `rows` as Arrow) into published and rejected."""
    if result.refused:
        return Verdict(contract.name, refused=True)
    rejected = result.rejected_rows
    if not rejected:
        return Verdict(contract.name, refused=False, accepted=table, accepted_rows=rows)
    keep = [i not in rejected for i in range(len(rows))]
    breaks: dict[int, list[tuple[Any, Any]]] = {}
    for failure in result.failures:
        if failure.row_level:
            for row, value in failure.breaks:
                if row in rejected:
                    breaks.setdefault(row, []).append((failure, value))
    rejections = [
        rejection(contract, rows[row], failure, value, judgement, chunk_articles, position=row)
        for row in sorted(breaks)
        for failure, value in breaks[row]
    ]
    return Verdict(
        contract.name,
        refused=False,
        accepted=table.filter(pa.array(keep, pa.bool_())),
        accepted_rows=[row for row, kept in zip(rows, keep, strict=True) if kept],
        rejected_keys={rows[i].get(contract.primary_key) for i in rejected},
        rejections=rejections,
    )


def rejection(contract: TableContract, row: Row, failure: Any, value: Any, judgement: Judgement, chunk_articles: Collection[str], *, position: int) -> Row:
    """One rejections row: a row and one expectation it broke."""
    key = row.get(contract.primary_key)
    # A row with no key (its key is what broke) cannot be rejected "again": its id is this run's.
    identity = str(key) if key is not None else f"#{judgement.run_id}:{position}"
    digest = hashlib.sha256("\x1f".join((contract.name, identity, failure.rule, failure.column or "")).encode()).hexdigest()
    return {
        "rejection_id": f"r_{digest[:16]}",
        "run_id": judgement.run_id,
        "table": contract.name,
        "row_key": None if key is None else str(key),
        "expectation": failure.expectation,
        "rule": rule_label(contract, failure.rule, failure.column, value),
        "column": failure.column or "",
        "value": None if value is None else str(value),
        "severity": failure.severity,
        "row": json.dumps({k: plain(v) for k, v in row.items()}, default=str, ensure_ascii=False),
        "article_ids": made_by(contract, row, chunk_articles),
        "code_version": judgement.code_version,
        "contract_version": judgement.contract_version,
        "rejected_at": judgement.at,
        "resolved_by_run": None,
    }


def rule_label(contract: TableContract, kind: str, column: str | None, value: Any) -> str:
    """The broken rule, short: `min_length 2`, `max 1000000000`, `references articles.article_id`."""
    if column is None or column not in contract.column_names:
        return kind
    spec = contract.get_column(column)
    if kind == "between":
        number = _number(value)
        side = "max" if spec.max is not None and number is not None and number > spec.max else "min"
        return f"{side} {format_number(spec.max if side == 'max' else spec.min)}"
    bound = {"min_length": spec.min_length, "min_items": spec.min_items, "references": spec.references}.get(kind)
    return kind if bound is None else f"{kind} {bound}"


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def made_by(contract: TableContract, row: Row, chunk_articles: Collection[str]) -> list[str]:
    """The articles whose extraction this chunk made the row from: the chunk's own among the
    row's (the others' part is published already), else all of the row's."""
    if contract.name == "articles":
        return [row["article_id"]] if row.get("article_id") else []
    cited = [a for a in row.get("article_ids") or [] if a]
    return [a for a in cited if a in chunk_articles] or cited


def settle(open_rejections: Mapping[str, Row], new: Iterable[Row], published: Mapping[str, Collection[Any]], processed: Collection[str], run_id: str) -> list[Row]:
    """The rejections rows a chunk writes: its new ones (an open rejection made again keeps the
    articles it had), and the open ones it resolves: a valid row of the same key was published,
    or every article that made the row was extracted again (by an earlier run's rejection)
    and did not make it this time."""
    written: dict[str, Row] = {}
    for row in new:
        old = open_rejections.get(row["rejection_id"])
        if old is not None:
            row = {**row, "article_ids": sorted({*old["article_ids"], *row["article_ids"]})}
        written[row["rejection_id"]] = row
    for rejection_id, old in open_rejections.items():
        if rejection_id in written:
            continue
        keys = published.get(old["table"], ())
        redone = old["run_id"] != run_id and bool(old["article_ids"]) and all(a in processed for a in old["article_ids"])
        if old["row_key"] in keys or redone:
            written[rejection_id] = {**old, "resolved_by_run": run_id}
    return list(written.values())


def stale_articles(open_rejections: Iterable[Row], code_version: str, contract_version: str) -> set[str]:
    """Articles to extract again: those of open rejections made by other code or contracts.

    Rejected articles themselves are not here: they are not published, so their input, read
    again, is processed again (see `skipped_sources`)."""
    return {
        article
        for r in open_rejections
        if r["table"] != "articles" and (r["code_version"] != code_version or r["contract_version"] != contract_version)
        for article in r["article_ids"]
    }


def skipped_sources(open_rejections: Iterable[Row], code_version: str, contract_version: str) -> dict[str, tuple[str | None, str | None]]:
    """Rejected articles judged by this code and these contracts: article_id -> (source_hash,
    content_hash), so that reading the same input again does not redo (and re-reject) it."""
    found = {}
    for r in open_rejections:
        if r["table"] == "articles" and r["row_key"] and r["code_version"] == code_version and r["contract_version"] == contract_version:
            row = json.loads(r["row"])
            found[r["row_key"]] = (row.get("source_hash"), row.get("content_hash"))
    return found


def published_after(before: list[Row], proposed: list[Row], rejected_keys: set[Any], key: str) -> list[Row]:
    """A table's rows after its commit: the proposed ones, but where a row was rejected its key
    keeps the published row, if there was one."""
    if not rejected_keys:
        return proposed
    old = {row[key]: row for row in before if row[key] in rejected_keys}
    kept = (old.get(row[key]) if row[key] in rejected_keys else row for row in proposed)
    return [row for row in kept if row is not None]


def rejection_line(rejections: Iterable[Row]) -> str:
    """`3 rows rejected: entities.name min_length 2 (2), deals.amount max 1000000000 (1)`; "" for none."""
    critical = [r for r in rejections if r["severity"] == "critical"]
    if not critical:
        return ""
    rows = {(r["table"], r["row_key"] or r["rejection_id"]) for r in critical}
    counts = Counter(f"{r['table']}.{r['column']} {r['rule']}" for r in critical)
    parts = ", ".join(f"{what} ({n})" for what, n in counts.most_common())
    return f"{len(rows)} row{'s' if len(rows) != 1 else ''} rejected: {parts}"
