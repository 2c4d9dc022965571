"""Validation of a chunk's tables against their contracts with Great Expectations.

Each table is made a frame (frames.py), checked by the suite its contract gives (suites.py),
and the failures read back by primary key (failures.py) into a ValidationResult
(results.py) for the gate. The pieces beside it share one GE context (context.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import pandas as pd
import pyarrow as pa

from flows.validate.context import renew_gx_context
from flows.validate.declarations import TableContract
from flows.validate.failures import collect_failures, sort_failures
from flows.validate.frames import explode_references, is_missing, to_frame
from flows.validate.results import ExpectationFailure, ValidationResult
from flows.validate.suites import build_reference_suite, build_suite, run_suite

ARTICLE_IDS = "articles.article_id"


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
    if contract.primary_key in frame.columns and len(exploded.columns):
        # A failure names rows by key, so the exploded rows need their row's key, and an index of
        # their own: GE looks keys up by index label, and a label repeated (a row citing two
        # articles) would hand back a Series instead of a key.
        exploded[contract.primary_key] = frame[contract.primary_key].reindex(exploded.index).to_numpy()
        exploded = exploded.reset_index(drop=True)
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


def validate_chunk(tables: Mapping[str, pa.Table | str], article_ids: set[str]) -> dict[str, ValidationResult]:
    """A chunk's tables checked against their contracts; a table that could not be built (its
    error's text) fails a check of the whole table. `article_ids` are the articles rows may cite
    besides the chunk's own."""
    from flows.validate.contracts import load_contracts

    built = {n: t for n, t in tables.items() if not isinstance(t, str)}
    results = validate_tables(built, load_contracts(), references={ARTICLE_IDS: article_ids})
    return {n: results[n] if n in results else unbuildable(n, str(tables[n])) for n in tables}
