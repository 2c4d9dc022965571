"""Validation of a table against its contract with Great Expectations.

The suite is derived from the contract (contracts.list_rules), so the checks, the
data dictionary and the YAML declaration cannot drift apart. Failures are reported
with the primary keys of failing rows, so a report says which rows to look at.

Two kinds of expectation: one that judges each row on its own (ROW_KINDS: not null, allowed
values, regex, ranges, lengths, item counts, references) names every row that breaks it, and
the gate rejects just those rows (flows/gate.py); one that judges the table (its columns, a
unique key, a check that could not run) refuses the whole table.
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
import uuid
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import great_expectations as gx
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from great_expectations.core import ExpectationSuiteValidationResult
from great_expectations.core.expectation_validation_result import ExpectationValidationResult
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations.expectation import Expectation

from flows.core.spanlist import is_span_list_type
from flows.validate.contracts import RULE_KINDS, Column, Rule, TableContract, list_rules

MAX_SAMPLE_IDS = 20
ARTICLE_IDS = "articles.article_id"
_SOURCE_NAME = "newsflow"
# Pass/fail of every expectation costs about half as much without GE's lists of unexpected
# values (BOOLEAN_ONLY), so only the expectations that failed are run again for them. SUMMARY
# keeps index lists short; ask for more than we keep because an exploded list column repeats
# the index of its row once per bad item.
_PASS_FAIL: dict[str, Any] = {"result_format": "BOOLEAN_ONLY"}
_DETAILS: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": 200}
# A failed row-level check must name every row that breaks it, by primary key (GE's
# unexpected_index_column_names), so that the gate can reject exactly those rows.
_EVERY_ROW: dict[str, Any] = {"result_format": "COMPLETE"}
ROW_KINDS = frozenset({"not_null", "allowed", "regex", "between", "min_length", "min_items", "references"})
_SEVERITY_RANK = {"critical": 0, "warning": 1}

# GE's context is not documented as thread-safe, and Prefect may run tasks in threads.
_GX_LOCK = threading.Lock()

_NOISY_REGEX_WARNING = "This pattern is interpreted as a regular expression, and has match groups"


def quiet_gx_loggers() -> None:
    """Undo GE modules' own setLevel(INFO) ("Created temporary directory ..."), which
    they run at import, so it has to be repeated after GE imports more of itself."""
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("great_expectations."):
            logger = logging.getLogger(name)
            if logger.level != logging.NOTSET:
                logger.setLevel(logging.WARNING)


quiet_gx_loggers()


@dataclass
class ExpectationFailure:
    table: str
    expectation: str
    column: str | None
    severity: str
    unexpected_count: int
    sample_ids: list[Any]
    detail: str
    # Row positions, because a failing row may have no usable primary key (null id).
    sample_rows: list[int] = field(default_factory=list)
    # The contract rule that failed (contracts.RULE_KINDS, or "columns"/"exists").
    rule: str = ""
    # For a check of single rows: every breaking row, as (row position, offending value).
    breaks: list[tuple[int, Any]] = field(default_factory=list, repr=False)

    @property
    def row_level(self) -> bool:
        """A check of single rows that named the rows it failed: the gate rejects just them."""
        return self.rule in ROW_KINDS and bool(self.breaks)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "breaks"} | {"row_level": self.row_level}


@dataclass
class ValidationResult:
    table: str
    success: bool
    n_rows: int
    n_expectations: int
    failures: list[ExpectationFailure]
    # GE's own results (the contract suite, then the reference suite if any), kept for Data Docs.
    outcomes: list[ExpectationSuiteValidationResult] = field(default_factory=list, repr=False, compare=False)

    @property
    def critical_failures(self) -> list[ExpectationFailure]:
        return [failure for failure in self.failures if failure.severity == "critical"]

    @property
    def refused(self) -> bool:
        """A critical check of the whole table failed (columns, unique key, a check that could
        not run): nothing of the table may be published."""
        return any(not failure.row_level for failure in self.critical_failures)

    @property
    def rejected_rows(self) -> set[int]:
        """Positions of the rows that break a critical check of single rows."""
        return {row for failure in self.critical_failures if failure.row_level for row, _ in failure.breaks}

    @property
    def warnings(self) -> list[ExpectationFailure]:
        return [failure for failure in self.failures if failure.severity != "critical"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "success": self.success,
            "n_rows": self.n_rows,
            "n_expectations": self.n_expectations,
            "n_critical_failures": len(self.critical_failures),
            "n_warnings": len(self.warnings),
            "refused": self.refused,
            "n_rejected_rows": len(self.rejected_rows),
            "failures": [failure.to_dict() for failure in self.failures],
        }


@functools.cache
def get_gx_context() -> Any:
    """The ephemeral context, made once and renewed by each validate_tables call (renew_gx_context)."""
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    context.data_sources.add_pandas(name=_SOURCE_NAME)
    quiet_gx_loggers()
    return context


def renew_gx_context() -> None:
    """Start the next validations on a new context: a context keeps something of every batch it
    validated (measured: ~15 MB per chunk of four tables, for good), and a new one costs ~10 ms."""
    with _GX_LOCK:
        get_gx_context.cache_clear()


def length_column(name: str) -> str:
    return f"{name}__len"


def reference_column(name: str) -> str:
    return f"{name}__unknown"


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    return value is pd.NA or value is pd.NaT


def count_items(value: Any) -> int | None:
    if is_missing(value):
        return None
    if isinstance(value, list | tuple | np.ndarray):
        return len(value)
    # Not a list at all: count it as empty so a min_items rule flags the row.
    return 0


def plain(value: Any) -> Any:
    """A JSON-ready Python value (numpy scalars and NaN come back from pandas)."""
    if is_missing(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def make_meta(rule: Rule) -> dict[str, Any]:
    return {"severity": rule.severity, "column": rule.column, "rule": rule.words, "kind": rule.kind}


def build_expectation(rule: Rule, column: Column) -> Expectation:
    meta = make_meta(rule)
    name = column.name
    kind = rule.kind
    if kind == "not_null":
        return gx.expectations.ExpectColumnValuesToNotBeNull(column=name, meta=meta)
    if kind == "unique":
        return gx.expectations.ExpectColumnValuesToBeUnique(column=name, meta=meta)
    if kind == "allowed":
        return gx.expectations.ExpectColumnValuesToBeInSet(
            column=name, value_set=list(column.allowed or ()), meta=meta
        )
    if kind == "regex":
        return gx.expectations.ExpectColumnValuesToMatchRegex(
            column=name, regex=column.regex, meta=meta
        )
    if kind == "between":
        return gx.expectations.ExpectColumnValuesToBeBetween(
            column=name, min_value=column.min, max_value=column.max, meta=meta
        )
    if kind == "min_length":
        return gx.expectations.ExpectColumnValueLengthsToBeBetween(
            column=name, min_value=column.min_length, meta=meta
        )
    if kind == "min_items":
        # GE has no list-length expectation; validate_table adds the derived column.
        return gx.expectations.ExpectColumnValuesToBeBetween(
            column=length_column(name), min_value=column.min_items, meta=meta
        )
    raise ValueError(f"no expectation for rule kind {kind!r}")


def list_frame_columns(contract: TableContract) -> list[str]:
    derived = [length_column(c.name) for c in contract.columns if c.min_items is not None]
    return contract.column_names + derived


def build_suite(contract: TableContract, *, name: str | None = None) -> gx.ExpectationSuite:
    """The contract's checks as a GE suite over the frame validate_table prepares.

    Referential integrity is not here: it needs the referenced ids and its own
    (exploded) frame, see build_reference_suite.
    """
    # Built whole: add_expectation compares each new expectation with every earlier one.
    expectations: list[Expectation] = [
        gx.expectations.ExpectTableColumnsToMatchSet(
            column_set=list_frame_columns(contract),
            exact_match=True,
            meta={
                "severity": "critical",
                "column": None,
                "rule": "exactly the contract's columns",
                "kind": "columns",
            },
        )
    ]
    for column in contract.columns:
        expectations.append(
            gx.expectations.ExpectColumnToExist(
                column=column.name,
                meta={
                    "severity": column.severity,
                    "column": column.name,
                    "rule": "exists",
                    "kind": "exists",
                },
            )
        )
        expectations += [build_expectation(rule, column) for rule in list_rules(column) if rule.kind != "references"]
    return gx.ExpectationSuite(name=name or f"{contract.name}-contract", expectations=expectations)


def build_reference_suite(
    contract: TableContract,
    references: Mapping[str, set[str]],
    *,
    name: str,
    exploded: pd.DataFrame | None = None,
) -> gx.ExpectationSuite | None:
    """In-set checks for columns whose referenced ids the caller supplied, else None.

    Given the exploded frame, membership is computed here, in one pandas `isin`, into a
    column that holds each unknown id and "" for the rest, and GE checks that column against
    {""}: GE copies an expectation's value set each time it reads its configuration
    (thousands of times per suite), which with every known article id made validation grow
    with the corpus. A failure still lists the unknown ids.
    """
    get_gx_context()
    suite = gx.ExpectationSuite(name=name)
    for column in contract.columns:
        if column.references is None or column.references not in references:
            continue
        known = references[column.references]
        rule = next(r for r in list_rules(column) if r.kind == "references")
        if exploded is not None and column.name in exploded.columns:
            values = exploded[column.name]
            exploded[reference_column(column.name)] = values.where(~(values.isin(known) | values.isna()), "")
            expectation = gx.expectations.ExpectColumnValuesToBeInSet(column=reference_column(column.name), value_set=[""], meta=make_meta(rule))
        else:
            expectation = gx.expectations.ExpectColumnValuesToBeInSet(column=column.name, value_set=sorted(known), meta=make_meta(rule))
        suite.add_expectation(expectation)
    return suite if suite.expectations else None


def to_frame(table: pa.Table | pd.DataFrame, contract: TableContract) -> pd.DataFrame:
    """A private copy with a 0..n-1 index (so index labels are row positions), plus a length
    column for each min_items rule.

    From Arrow, a list of structs (mentions, evidence) enters the frame as its length, null
    staying null: not_null and min_items are the only rules such a column can have
    (contracts.check_column), and making a dict of every item cost more than the rest of the
    validation once popular entities had thousands of mentions.
    """
    if not isinstance(table, pa.Table):
        return add_length_columns(table.copy().reset_index(drop=True), contract)
    lists = [n for n in table.column_names if pa.types.is_list(table.schema.field(n).type)]
    lengths = {n: pd.array(pc.list_value_length(table.column(n)).to_pylist(), dtype="Int64") for n in lists}
    structs = [n for n in lists if is_span_list_type(table.schema.field(n).type)]
    frame = table.drop_columns(structs).to_pandas()
    for name in structs:
        frame[name] = lengths[name]
    frame = frame[table.column_names]
    for column in contract.columns:
        if column.min_items is not None and column.name in lengths:
            frame[length_column(column.name)] = lengths[column.name]
    return frame


def add_length_columns(frame: pd.DataFrame, contract: TableContract) -> pd.DataFrame:
    for column in contract.columns:
        if column.min_items is not None and column.name in frame.columns:
            counts = [count_items(value) for value in frame[column.name]]
            frame[length_column(column.name)] = pd.array(counts, dtype="Int64")
    return frame


def explode_references(frame: pd.DataFrame, contract: TableContract) -> pd.DataFrame:
    """One row per referencing value; the index still points at the original row."""
    names = [c.name for c in contract.columns if c.references and c.name in frame.columns]
    parts = []
    for name in names:
        values = frame[name]
        if contract.get_column(name).is_list:
            values = values.explode()
        parts.append(values.rename(name))
    if not parts:
        return pd.DataFrame(index=frame.index)
    # Columns explode to different lengths, so each keeps its own rows and the others are NaN.
    return pd.concat([part.to_frame() for part in parts], axis=0)


def run_suite(frame: pd.DataFrame, suite: gx.ExpectationSuite, key: str | None = None) -> ExpectationSuiteValidationResult:
    """Every expectation's pass or fail, with the unexpected values and rows of those that failed:
    all of them, by `key`, when the frame has that column; else a sample, by row position."""
    outcome = _validate_frame(frame, suite, _PASS_FAIL)
    failed = [i for i, result in enumerate(outcome.results) if not result.success]
    if failed:
        configs = [outcome.results[i].expectation_config for i in failed]
        result_format = {**_EVERY_ROW, "unexpected_index_column_names": [key]} if key in frame.columns else _DETAILS
        details = _validate_frame(frame, gx.ExpectationSuite(name=f"{suite.name}-failed", expectations=configs), result_format)
        # GE lists the checks that raised last, so results are matched by what they check.
        position = {_identity(outcome.results[i]): i for i in failed}
        for result in details.results:
            outcome.results[position[_identity(result)]] = result
    return outcome


def _identity(result: ExpectationValidationResult) -> tuple[str, str, str]:
    config = result.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}  # the batch differs by run
    return config.type, repr(sorted(kwargs.items())), repr(config.meta)


def _validate_frame(frame: pd.DataFrame, suite: gx.ExpectationSuite, result_format: dict[str, Any]) -> ExpectationSuiteValidationResult:
    with _GX_LOCK:
        source = get_gx_context().data_sources.get(_SOURCE_NAME)
        asset = source.add_dataframe_asset(name=suite.name)
        try:
            batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(
                batch_parameters={"dataframe": frame}
            )
            with warnings.catch_warnings():
                # pandas warns on every regex with a group, e.g. ^([a-z]{2}|und)$; harmless.
                warnings.filterwarnings("ignore", _NOISY_REGEX_WARNING, UserWarning)
                return batch.validate(suite, result_format=result_format)
        finally:
            # Without this the shared context would keep every frame ever validated.
            source.delete_asset(asset.name)
            quiet_gx_loggers()


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


def validate_table(
    table: pa.Table | pd.DataFrame,
    contract: TableContract,
    *,
    references: Mapping[str, set[str]] | None = None,
) -> ValidationResult:
    """Check a table against its contract; references maps "table.column" to known ids.

    A column whose `references` target is absent from `references` is not checked
    for referential integrity (the caller does not know the ids), so pass
    {"articles.article_id": ids} whenever entities, events or deals are validated.
    """
    frame = to_frame(table, contract)
    token = uuid.uuid4().hex[:12]
    suite = build_suite(contract, name=f"{contract.name}-{token}")
    outcomes = [run_suite(frame, suite, contract.primary_key)]
    failures = collect_failures(outcomes[0], frame, contract)
    n_expectations = len(suite.expectations)

    exploded = explode_references(frame, contract)
    if contract.primary_key in frame.columns and len(exploded.columns):  # so a failure names rows by key
        exploded[contract.primary_key] = frame[contract.primary_key].reindex(exploded.index).to_numpy()
    reference_suite = build_reference_suite(
        contract, references or {}, name=f"{contract.name}-refs-{token}", exploded=exploded
    )
    if reference_suite is not None:
        outcomes.append(run_suite(exploded, reference_suite, contract.primary_key))
        failures += collect_failures(outcomes[-1], frame, contract)
        n_expectations += len(reference_suite.expectations)

    failures = sort_failures(failures, contract)
    return ValidationResult(
        table=contract.name,
        success=not any(f.severity == "critical" for f in failures),
        n_rows=len(frame),
        n_expectations=n_expectations,
        failures=failures,
        outcomes=outcomes,
    )


def validate_tables(
    tables: Mapping[str, pa.Table | pd.DataFrame],
    contracts: Mapping[str, TableContract],
    *,
    references: Mapping[str, set[str]] | None = None,
) -> dict[str, ValidationResult]:
    """Validate each table; the articles given (plus any known ids) anchor the references.

    The articles are validated first: an article row the gate will reject, or an articles table
    it will refuse, anchors nothing, so rows citing it are rejected in turn."""
    renew_gx_context()
    known: dict[str, set[str]] = {key: set(ids) for key, ids in (references or {}).items()}
    results: dict[str, ValidationResult] = {}
    if "articles" in tables:
        articles = results["articles"] = validate_table(tables["articles"], contracts["articles"], references=known or None)
        if not articles.refused:
            ids = collect_ids(tables["articles"], "article_id", skip=articles.rejected_rows)
            known[ARTICLE_IDS] = known.get(ARTICLE_IDS, set()) | ids
    for name, table in tables.items():
        if name not in results:
            results[name] = validate_table(table, contracts[name], references=known or None)
    return {name: results[name] for name in tables}


def collect_ids(table: pa.Table | pd.DataFrame, column: str, skip: set[int] = frozenset()) -> set[str]:  # type: ignore[assignment]
    values = table.column(column).to_pylist() if isinstance(table, pa.Table) else list(table[column])
    return {value for row, value in enumerate(values) if row not in skip and not is_missing(value)}


def unbuildable(name: str, error: str) -> ValidationResult:
    """The result for a table whose rows could not even be made into its Arrow schema."""
    failure = ExpectationFailure(table=name, expectation="build_table", column=None, severity="critical", unexpected_count=0, sample_ids=[], detail=f"the table could not be built: {error}", rule="build")
    return ValidationResult(table=name, success=False, n_rows=0, n_expectations=0, failures=[failure])
