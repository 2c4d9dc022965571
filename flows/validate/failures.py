"""Reading Great Expectations' results back into failures that name rows by primary key.

Failures are reported with the primary keys of failing rows, so a report says which rows to
look at; a check of single rows names every row that breaks it, for the gate to reject.

Great Expectations is not imported here: its results are only read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from flows.validate.declarations import RULE_KINDS, TableContract
from flows.validate.frames import is_missing, plain
from flows.validate.results import ROW_KINDS, ExpectationFailure

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuiteValidationResult
    from great_expectations.core.expectation_validation_result import ExpectationValidationResult

MAX_SAMPLE_IDS = 20
_SEVERITY_RANK = {"critical": 0, "warning": 1}


def read_exception(result: ExpectationValidationResult) -> str | None:
    info = result.exception_info or {}
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    # Metric errors come keyed by metric id, one level down.
    for value in info.values():
        if isinstance(value, Mapping) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def shorten(value: Any, limit: int = 60) -> str:
    text = repr(plain(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_failure(result: ExpectationValidationResult, rule_words: str) -> str:
    error = read_exception(result)
    if error:
        return f"could not check '{rule_words}': {error}"
    outcome = result.result or {}
    if "unexpected_count" in outcome:
        examples = ", ".join(shorten(v) for v in (outcome.get("partial_unexpected_list") or [])[:5])
        total = outcome.get("element_count")
        return (
            f"{outcome['unexpected_count']} of {total} value(s) break '{rule_words}'"
            + (f"; e.g. {examples}" if examples else "")
        )
    mismatched = (outcome.get("details") or {}).get("mismatched")
    if mismatched:
        return f"columns differ from the contract: {mismatched}"
    return f"failed '{rule_words}'"


def locate_breaks(result: ExpectationValidationResult, frame: pd.DataFrame, primary_key: str) -> list[tuple[int, Any]]:
    """Every (row position, offending value) a failed check names, from GE's unexpected index
    list. Asked by primary key, GE names a row by its key (a null key stands for every row whose
    key is null: the key's own not-null check rejects those); asked without one, by position."""
    outcome = result.result or {}
    found = outcome.get("unexpected_index_list") or outcome.get("partial_unexpected_index_list") or []
    column = result.expectation_config.kwargs.get("column")
    positions: dict[Any, list[int]] | None = None
    breaks: list[tuple[int, Any]] = []
    for label in found:
        if not isinstance(label, Mapping):  # a position (the frame's index is 0..n-1)
            breaks.append((int(label), None))
            continue
        if positions is None:
            positions = _positions_by_key(frame, primary_key)
        key = None if is_missing(label.get(primary_key)) else plain(label.get(primary_key))
        breaks += [(row, plain(label.get(column))) for row in positions.get(key, [])]
    return list(dict.fromkeys(breaks))


def _positions_by_key(frame: pd.DataFrame, primary_key: str) -> dict[Any, list[int]]:
    positions: dict[Any, list[int]] = {}
    for row, key in enumerate(frame[primary_key].tolist()):
        positions.setdefault(None if is_missing(key) else key, []).append(row)
    return positions


def pick_samples(breaks: list[tuple[int, Any]], frame: pd.DataFrame, primary_key: str) -> tuple[list[int], list[Any]]:
    rows = list(dict.fromkeys(row for row, _ in breaks))[:MAX_SAMPLE_IDS]
    if primary_key not in frame.columns:
        return rows, []
    keys = frame[primary_key]
    return rows, [plain(keys.iloc[row]) for row in rows]


def collect_failures(
    outcome: ExpectationSuiteValidationResult,
    frame: pd.DataFrame,
    contract: TableContract,
) -> list[ExpectationFailure]:
    failures = []
    for result in outcome.results:
        if result.success:
            continue
        config = result.expectation_config
        meta = config.meta or {}
        column = meta.get("column", config.kwargs.get("column"))
        error = read_exception(result)
        # A missing column already fails its exists/columns check; its other checks
        # can only error, which would repeat the same news once per rule.
        if error and column is not None and column not in frame.columns:
            continue
        breaks = [] if error else locate_breaks(result, frame, contract.primary_key)
        rows, ids = pick_samples(breaks, frame, contract.primary_key)
        failures.append(
            ExpectationFailure(
                table=contract.name,
                expectation=config.type,
                column=column,
                severity=meta.get("severity", "critical"),
                unexpected_count=int((result.result or {}).get("unexpected_count") or 0),
                sample_ids=ids,
                detail=describe_failure(result, meta.get("rule", config.type)),
                sample_rows=rows,
                rule=meta.get("kind", ""),
                # Rows named by key only: a sample by position would let the rows past it through.
                breaks=breaks if meta.get("kind") in ROW_KINDS and contract.primary_key in frame.columns else [],
            )
        )
    return failures


def sort_failures(
    failures: list[ExpectationFailure], contract: TableContract
) -> list[ExpectationFailure]:
    position = {name: index for index, name in enumerate(contract.column_names)}
    kinds = ("columns", "exists", *RULE_KINDS)

    def order(failure: ExpectationFailure) -> tuple[int, int, int]:
        column_rank = -1 if failure.column is None else position.get(failure.column, len(position))
        kind_rank = kinds.index(failure.rule) if failure.rule in kinds else len(kinds)
        return (_SEVERITY_RANK.get(failure.severity, 2), column_rank, kind_rank)

    return sorted(failures, key=order)
