"""A contract's checks as Great Expectations suites, and running a suite on a frame.

The suite is derived from the contract (declarations.list_rules), so the checks, the data
dictionary and the YAML declaration cannot drift apart. Each expectation carries its rule in
its meta (severity, column, words, kind), which is how failures.py reads the results back.
"""

from __future__ import annotations

# First: context.py quiets Great Expectations and turns its analytics off before GE is imported.
from flows.validate.context import GX_LOCK, SOURCE_NAME, get_gx_context, quiet_gx_loggers

# isort: split
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import great_expectations as gx
import pandas as pd

from flows.validate.declarations import Column, Rule, TableContract, list_rules
from flows.validate.frames import length_column, list_frame_columns, reference_column

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuiteValidationResult
    from great_expectations.core.expectation_validation_result import ExpectationValidationResult
    from great_expectations.expectations.expectation import Expectation

# Pass/fail of every expectation costs about half as much without GE's lists of unexpected
# values (BOOLEAN_ONLY), so only the expectations that failed are run again for them. SUMMARY
# keeps index lists short; ask for more than we keep because an exploded list column repeats
# the index of its row once per bad item.
_PASS_FAIL: dict[str, Any] = {"result_format": "BOOLEAN_ONLY"}
_DETAILS: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": 200}
# A failed row-level check must name every row that breaks it, by primary key (GE's
# unexpected_index_column_names), so that the gate can reject exactly those rows.
_EVERY_ROW: dict[str, Any] = {"result_format": "COMPLETE"}

_NOISY_REGEX_WARNING = "This pattern is interpreted as a regular expression, and has match groups"


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
    with GX_LOCK:
        source = get_gx_context().data_sources.get(SOURCE_NAME)
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
