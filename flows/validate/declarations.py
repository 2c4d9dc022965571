"""What a table contract says, once parsed: its columns, their Arrow types, the rules they ask for.

contracts.py reads these from schemas/*.yaml and checks them; the validation suites
(suites.py), the data dictionary (dictionary.py) and the gate read them from here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

SCALAR_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}
_LIST_TYPE = re.compile(r"^list<(?P<item>.+)>$")


class ContractError(ValueError):
    """A schema declaration that contradicts itself or the rest of schemas/."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool = True
    unique: bool = False
    description: str = ""
    example: Any = None
    allowed: tuple[str, ...] | None = None
    regex: str | None = None
    min: float | None = None
    max: float | None = None
    min_length: int | None = None
    min_items: int | None = None
    references: str | None = None
    severity: str = "critical"
    # Kept so the dictionary can say where `allowed` came from.
    allowed_from: str | None = None

    @property
    def is_list(self) -> bool:
        return _LIST_TYPE.match(self.type) is not None

    @property
    def item_type(self) -> str | None:
        match = _LIST_TYPE.match(self.type)
        return match.group("item") if match else None


@dataclass(frozen=True)
class TableContract:
    name: str
    description: str
    primary_key: str
    columns: tuple[Column, ...]
    # Named struct types from _types.yaml, needed to turn `list<evidence>` into Arrow.
    struct_types: Mapping[str, pa.StructType] = field(
        default_factory=dict, repr=False, compare=False, hash=False
    )

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema(
            [
                pa.field(
                    column.name,
                    parse_type(column.type, self.struct_types),
                    nullable=column.nullable,
                    metadata={"description": column.description},
                )
                for column in self.columns
            ],
            metadata={"table": self.name, "description": self.description},
        )

    def get_column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r}")


RULE_KINDS: tuple[str, ...] = (
    "not_null",
    "unique",
    "allowed",
    "regex",
    "between",
    "min_length",
    "min_items",
    "references",
)


@dataclass(frozen=True)
class Rule:
    """One check a column's declaration asks for, in words the dictionary and reports share."""

    kind: str  # one of RULE_KINDS
    column: str
    words: str
    severity: str


def format_number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def describe_bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"between {format_number(low)} and {format_number(high)}"
    if low is not None:
        return f"at least {format_number(low)}"
    return f"at most {format_number(high)}"


def list_rules(column: Column) -> list[Rule]:
    """The column's checks in a fixed order (so the dictionary and the suite agree)."""
    found: list[tuple[str, str]] = []
    if not column.nullable:
        found.append(("not_null", "not null"))
    if column.unique:
        found.append(("unique", "unique"))
    if column.allowed is not None:
        source = f" {column.allowed_from}" if column.allowed_from else ""
        found.append(("allowed", f"one of{source}: {', '.join(column.allowed)}"))
    if column.regex:
        found.append(("regex", f"matches `{column.regex}`"))
    if column.min is not None or column.max is not None:
        found.append(("between", describe_bounds(column.min, column.max)))
    if column.min_length is not None:
        found.append(("min_length", f"at least {column.min_length} character(s)"))
    if column.min_items is not None:
        found.append(("min_items", f"at least {column.min_items} item(s)"))
    if column.references:
        found.append(("references", f"values exist in {column.references}"))
    return [Rule(kind, column.name, words, column.severity) for kind, words in found]


def parse_type(type_name: str, struct_types: Mapping[str, pa.StructType]) -> pa.DataType:
    """Arrow type of a declared type: a scalar, a named struct, or list<...> of either."""
    type_name = type_name.strip()
    match = _LIST_TYPE.match(type_name)
    if match:
        return pa.list_(parse_type(match.group("item"), struct_types))
    if type_name in SCALAR_TYPES:
        return SCALAR_TYPES[type_name]
    if type_name in struct_types:
        return struct_types[type_name]
    raise ContractError(f"unknown type {type_name!r}")
