"""Validate: the table contracts of schemas/ as Arrow schemas and Great Expectations suites; the gate that rejects rows and refuses tables; Data Docs, JUnit, the data dictionary."""

from flows.core.lazy import lazy_exports

__all__ = ["load_contracts", "to_arrow", "validate_tables", "ValidationResult", "judge"]
__getattr__ = lazy_exports(
    __name__,
    {
        "load_contracts": "flows.validate.contracts",
        "to_arrow": "flows.validate.contracts",
        "validate_tables": "flows.validate.expectations",
        "ValidationResult": "flows.validate.results",
        "judge": "flows.validate.gate",
    },
)
