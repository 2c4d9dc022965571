"""What a validation found: its failures, and what the gate makes of them.

Two kinds of expectation: one that judges each row on its own (ROW_KINDS: not null, allowed
values, regex, ranges, lengths, item counts, references) names every row that breaks it, and
the gate rejects just those rows (gate.py); one that judges the table (its columns, a unique
key, a check that could not run) refuses the whole table.

Plain dataclasses, without Great Expectations (seconds to import) or pandas: the gate, JUnit
and the CLI read results without validating anything.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuiteValidationResult

ROW_KINDS = frozenset({"not_null", "allowed", "regex", "between", "min_length", "min_items", "references"})


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
    # The contract rule that failed (declarations.RULE_KINDS, or "columns"/"exists").
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

