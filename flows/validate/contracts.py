"""Table contracts: the one declaration of each table in schemas/*.yaml, made usable.

A contract gives the Arrow schema (what storage writes), the column rules (what
suites.py turns into a Great Expectations suite) and the words of the data
dictionary (dictionary.py). Nothing else in the code base should restate a column.

Here: reading the declarations, refusing those that contradict themselves, and making rows
into a contract's Arrow table (to_arrow). What a parsed contract is lives in declarations.py.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from flows.core import schemas as core_schemas
from flows.core.schemas import load_codebook, read_yaml
from flows.core.spanlist import SpanList, is_span_list_type, list_column
from flows.validate.declarations import Column, ContractError, TableContract, parse_type

SEVERITIES: tuple[str, ...] = ("critical", "warning")
NUMERIC_TYPES = frozenset({"int32", "int64", "float64"})

# Every key a column may carry; anything else is a typo that would silently drop a rule.
_COLUMN_KEYS = frozenset(
    {
        "name",
        "type",
        "nullable",
        "unique",
        "description",
        "example",
        "allowed",
        "allowed_from",
        "regex",
        "min",
        "max",
        "min_length",
        "min_items",
        "references",
        "severity",
    }
)
_TABLE_KEYS = frozenset({"name", "description", "primary_key", "columns"})


def load_struct_types(schemas_dir: Path | None = None) -> dict[str, pa.StructType]:
    path = (schemas_dir or core_schemas.schemas_dir()) / "_types.yaml"
    declared = read_yaml(path) if path.exists() else {}
    struct_types: dict[str, pa.StructType] = {}
    # Declaration order matters: a struct may only use structs declared above it.
    for type_name, spec in (declared or {}).items():
        struct_types[type_name] = pa.struct(
            [
                pa.field(
                    item["name"],
                    parse_type(item["type"], struct_types),
                    metadata={"description": item.get("description", "")},
                )
                for item in spec["fields"]
            ]
        )
    return struct_types


def resolve_allowed(reference: str, codebook: Mapping[str, Any]) -> tuple[str, ...]:
    """Values named by `codebook.<key>[.<key>...]`: a mapping's keys or a list's items."""
    prefix, _, path = reference.partition(".")
    if prefix != "codebook" or not path:
        raise ContractError(f"allowed_from must look like codebook.<key>, got {reference!r}")
    node: Any = codebook
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            raise ContractError(f"{reference!r} is not in codebook.yaml")
        node = node[key]
    if isinstance(node, Mapping):
        return tuple(str(key) for key in node)
    if isinstance(node, list):
        return tuple(str(item) for item in node)
    raise ContractError(f"{reference!r} is neither a mapping nor a list")


def parse_column(spec: Mapping[str, Any], codebook: Mapping[str, Any]) -> Column:
    unknown = set(spec) - _COLUMN_KEYS
    if unknown:
        raise ContractError(f"column {spec.get('name')!r}: unknown keys {sorted(unknown)}")
    if "allowed" in spec and "allowed_from" in spec:
        raise ContractError(f"column {spec['name']!r}: give allowed or allowed_from, not both")
    allowed: tuple[str, ...] | None = None
    if "allowed" in spec:
        allowed = tuple(str(value) for value in spec["allowed"])
    elif "allowed_from" in spec:
        allowed = resolve_allowed(spec["allowed_from"], codebook)
    return Column(
        name=spec["name"],
        type=str(spec["type"]).strip(),
        nullable=bool(spec.get("nullable", True)),
        unique=bool(spec.get("unique", False)),
        description=str(spec.get("description", "")).strip(),
        example=spec.get("example"),
        allowed=allowed,
        regex=spec.get("regex"),
        min=spec.get("min"),
        max=spec.get("max"),
        min_length=spec.get("min_length"),
        min_items=spec.get("min_items"),
        references=spec.get("references"),
        severity=spec.get("severity", "critical"),
        allowed_from=spec.get("allowed_from"),
    )


def check_column(column: Column, table: str, struct_types: Mapping[str, pa.StructType]) -> None:
    """Refuse rules that cannot apply to the column's type, so none is silently ignored."""
    where = f"{table}.{column.name}"
    parse_type(column.type, struct_types)
    if column.severity not in SEVERITIES:
        raise ContractError(f"{where}: severity must be one of {SEVERITIES}")
    scalar = None if column.is_list else column.type
    if (column.min is not None or column.max is not None) and scalar not in NUMERIC_TYPES:
        raise ContractError(f"{where}: min/max need a numeric type, not {column.type}")
    if (column.regex or column.min_length is not None or column.allowed) and scalar != "string":
        raise ContractError(f"{where}: regex/min_length/allowed need a string, not {column.type}")
    if column.regex:
        try:
            re.compile(column.regex)
        except re.error as error:
            raise ContractError(f"{where}: bad regex {column.regex!r}: {error}") from error
    if column.min_items is not None and not column.is_list:
        raise ContractError(f"{where}: min_items needs a list type, not {column.type}")
    if column.unique and column.is_list:
        raise ContractError(f"{where}: a list column cannot be unique")
    if column.references and column.type not in ("string", "list<string>"):
        raise ContractError(f"{where}: references need string or list<string>")


def parse_contract(
    spec: Mapping[str, Any],
    codebook: Mapping[str, Any],
    struct_types: Mapping[str, pa.StructType],
) -> TableContract:
    unknown = set(spec) - _TABLE_KEYS
    if unknown:
        raise ContractError(f"table {spec.get('name')!r}: unknown keys {sorted(unknown)}")
    columns = tuple(parse_column(column, codebook) for column in spec["columns"])
    contract = TableContract(
        name=spec["name"],
        description=str(spec.get("description", "")).strip(),
        primary_key=spec["primary_key"],
        columns=columns,
        struct_types=dict(struct_types),
    )
    names = contract.column_names
    if len(set(names)) != len(names):
        raise ContractError(f"{contract.name}: duplicate column names")
    for column in columns:
        check_column(column, contract.name, struct_types)
    key = contract.get_column(contract.primary_key)
    # Validation reports failing rows by primary key, so the key itself must be sound.
    if key.nullable or not key.unique:
        raise ContractError(f"{contract.name}: primary key must be nullable: false, unique: true")
    return contract


def check_references(contracts: Mapping[str, TableContract]) -> None:
    for contract in contracts.values():
        for column in contract.columns:
            if not column.references:
                continue
            table, _, target = column.references.partition(".")
            if table not in contracts or target not in contracts[table].column_names:
                raise ContractError(
                    f"{contract.name}.{column.name} references unknown column {column.references!r}"
                )


def order_tables(names: Sequence[str], schemas_dir: Path) -> list[str]:
    """The declared tables in the order of schemas/_tables.yaml, which must list each exactly once."""
    order = core_schemas.table_order(schemas_dir)
    if sorted(order) != sorted(names):
        raise ContractError(f"{core_schemas.TABLE_ORDER_FILE} lists {sorted(order)}, schemas/ declares {sorted(names)}")
    return list(order)


def load_contracts(schemas_dir: Path | None = None) -> dict[str, TableContract]:
    """Every table declared in schemas/ (not `_*.yaml`, not codebook.yaml), by table name.

    Parsed once per state of the folder (file names, sizes, modification times): every task of a
    run asks for the contracts, and parsing the YAML each time cost more than the commit."""
    schemas_dir = schemas_dir or core_schemas.schemas_dir()
    stamp = tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(schemas_dir.glob("*.yaml")))
    return dict(_parse_contracts(schemas_dir, stamp))


def contracts_version(schemas_dir: Path | None = None) -> str:
    """A hash of every declaration in schemas/: rows judged by other contracts are judged again."""
    digest = hashlib.sha256()
    for path in sorted((schemas_dir or core_schemas.schemas_dir()).glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


@functools.lru_cache(maxsize=8)
def _parse_contracts(schemas_dir: Path, stamp: tuple[tuple[str, int, int], ...]) -> dict[str, TableContract]:
    codebook = load_codebook(schemas_dir)
    struct_types = load_struct_types(schemas_dir)
    parsed: dict[str, TableContract] = {}
    for path in sorted(schemas_dir.glob("*.yaml")):
        if path.name.startswith("_") or path.name == "codebook.yaml":
            continue
        contract = parse_contract(read_yaml(path), codebook, struct_types)
        if contract.name != path.stem:
            raise ContractError(f"{path.name} declares table {contract.name!r}")
        parsed[contract.name] = contract
    check_references(parsed)
    return {name: parsed[name] for name in order_tables(list(parsed), schemas_dir)}


@functools.cache
def _flat_struct_fields(arrow_type: pa.DataType) -> frozenset[str] | None:
    """The field names of a list of structs whose fields are all scalars; None for other types."""
    if not pa.types.is_list(arrow_type) or not pa.types.is_struct(arrow_type.value_type):
        return None
    fields = [arrow_type.value_type.field(i) for i in range(arrow_type.value_type.num_fields)]
    if any(pa.types.is_nested(f.type) for f in fields):
        return None
    return frozenset(f.name for f in fields)


def find_unknown_keys(value: Any, arrow_type: pa.DataType, where: str) -> list[str]:
    """Keys in nested dicts that the struct type lacks (Arrow would drop them silently)."""
    if value is None:
        return []
    if isinstance(value, SpanList):
        value = value.added  # the published part is Arrow of this very type already
    names = _flat_struct_fields(arrow_type)
    if names is not None and isinstance(value, list):
        # A popular entity holds a mention per article: check every item's keys at once, and
        # walk item by item (to say where) only when some key is unknown.
        try:
            if not {key for item in value if item is not None for key in item} - names:
                return []
        except TypeError:
            pass
    if pa.types.is_struct(arrow_type) and isinstance(value, Mapping):
        names = {arrow_type.field(i).name for i in range(arrow_type.num_fields)}
        problems = [f"{where}.{key}" for key in value if key not in names]
        for i in range(arrow_type.num_fields):
            child = arrow_type.field(i)
            child_value = value.get(child.name)
            problems += find_unknown_keys(child_value, child.type, f"{where}.{child.name}")
        return problems
    if pa.types.is_list(arrow_type) and not isinstance(value, (str, bytes, Mapping)):
        problems = []
        for index, item in enumerate(value):
            problems += find_unknown_keys(item, arrow_type.value_type, f"{where}[{index}]")
        return problems
    return []


def to_arrow(rows: Sequence[Mapping[str, Any]], contract: TableContract) -> pa.Table:
    """A table with exactly the contract's schema; missing keys become nulls, unknown keys fail.

    Nulls in non-nullable columns are let through on purpose: reporting them is the
    validation step's job, and it needs the table to do so.
    """
    schema = contract.arrow_schema
    names = set(contract.column_names)
    problems: list[str] = []
    for index, row in enumerate(rows):
        problems += [f"row {index}: {key}" for key in row if key not in names]
        for arrow_field in schema:
            problems += find_unknown_keys(
                row.get(arrow_field.name), arrow_field.type, f"row {index}: {arrow_field.name}"
            )
    if problems:
        shown = ", ".join(problems[:10])
        raise ValueError(f"{contract.name}: keys not in the contract: {shown}")
    columns = {}
    for arrow_field in schema:
        values = [row.get(arrow_field.name) for row in rows]
        columns[arrow_field.name] = list_column(values, arrow_field.type) if is_span_list_type(arrow_field.type) else values
    return pa.Table.from_pydict(columns, schema=schema)


def to_arrow_tables(rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, pa.Table | str]:
    """Each table's rows as Arrow, or the error's text when they do not fit its schema (a check
    of the whole table that fails: validation refuses the table)."""
    known = load_contracts()
    tables: dict[str, pa.Table | str] = {}
    for name, table_rows in rows.items():
        try:
            tables[name] = to_arrow(table_rows, known[name])
        except (ValueError, TypeError, pa.ArrowException) as error:
            tables[name] = str(error)
    return tables
