"""The data dictionary (docs/tables.md), rendered from the same contracts the code uses.

Run `python -m flows.validate.dictionary` after editing schemas/; a test fails while the
committed file is out of date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

from flows.core.schemas import load_codebook
from flows.validate.contracts import load_contracts
from flows.validate.declarations import Column, TableContract, list_rules

DEFAULT_OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "tables.md"

_HEADER = """\
# Tables

Generated from `schemas/*.yaml` by `python -m flows.validate.dictionary`; do not edit by hand.

Each table is checked by Great Expectations before it is published. A row that breaks a
**critical** check of single rows (not null, allowed values, regex, ranges, lengths, item
counts, references) is rejected: it goes to the `rejections` table with its reason and the
rest of the table is published. A failed check of the whole table (its columns: every column
must exist and no other may be present; a unique key; a check that could not run) refuses the
table, whose last good version stays current. A failed **warning** is reported only.
"""


def escape_cell(text: str) -> str:
    """Table-cell safe: a bare `|` (even inside backticks) would split the cell."""
    return " ".join(text.split()).replace("|", "\\|")


def format_example(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def describe_expectations(column: Column) -> str:
    rules = list_rules(column)
    if not rules:
        return ""
    return "; ".join(rule.words for rule in rules) + f" ({column.severity})"


def render_table_row(cells: list[str]) -> str:
    return "| " + " | ".join(escape_cell(cell) for cell in cells) + " |"


def render_grid(headers: list[str], rows: list[list[str]]) -> list[str]:
    return [
        render_table_row(headers),
        "| " + " | ".join("---" for _ in headers) + " |",
        *(render_table_row(row) for row in rows),
    ]


def render_contract(contract: TableContract) -> list[str]:
    rows = [
        [
            f"`{column.name}`" + (" (key)" if column.name == contract.primary_key else ""),
            f"`{column.type}`",
            "yes" if column.nullable else "no",
            column.description,
            format_example(column.example),
            describe_expectations(column),
        ]
        for column in contract.columns
    ]
    return [
        f"## {contract.name}",
        "",
        contract.description,
        "",
        f"Primary key: `{contract.primary_key}`.",
        "",
        *render_grid(["column", "type", "nullable", "meaning", "example", "expectations"], rows),
        "",
    ]


def render_arrow_type(arrow_type: pa.DataType, struct_names: Mapping[pa.DataType, str]) -> str:
    if pa.types.is_list(arrow_type):
        return f"list<{render_arrow_type(arrow_type.value_type, struct_names)}>"
    if arrow_type in struct_names:
        return struct_names[arrow_type]
    names = {"date32[day]": "date", "double": "float64", "timestamp[us, tz=UTC]": "timestamp"}
    return names.get(str(arrow_type), str(arrow_type))


def render_struct_types(contracts: Mapping[str, TableContract]) -> list[str]:
    struct_types: dict[str, pa.StructType] = {}
    for contract in contracts.values():
        struct_types.update(contract.struct_types)
    if not struct_types:
        return []
    struct_names = {arrow_type: name for name, arrow_type in struct_types.items()}
    lines = ["## Struct types", ""]
    for name, arrow_type in struct_types.items():
        rows = []
        for index in range(arrow_type.num_fields):
            child = arrow_type.field(index)
            description = (child.metadata or {}).get(b"description", b"").decode()
            type_name = render_arrow_type(child.type, struct_names)
            rows.append([f"`{child.name}`", f"`{type_name}`", description])
        lines += [f"### {name}", "", *render_grid(["field", "type", "meaning"], rows), ""]
    return lines


def render_event_types(event_types: Mapping[str, Any]) -> list[str]:
    rows = [
        [
            f"`{name}`",
            str(spec.get("description", "")),
            format_example(spec.get("plover_category")) or "—",
            format_example(spec.get("plover_mode")) or "—",
        ]
        for name, spec in event_types.items()
    ]
    return [
        "### Event types (`events.event_type`)",
        "",
        "Each event type maps to a PLOVER category and, when the type fixes one, a PLOVER mode "
        "(`events.plover_category`, `events.plover_mode`).",
        "",
        *render_grid(["event type", "meaning", "PLOVER category", "PLOVER mode"], rows),
        "",
    ]


def render_vocabulary(title: str, vocabulary: Mapping[str, Any] | list[Any]) -> list[str]:
    if isinstance(vocabulary, Mapping):
        rows = [[f"`{key}`", format_example(value)] for key, value in vocabulary.items()]
        body = render_grid(["value", "meaning"], rows)
    else:
        body = [", ".join(f"`{item}`" for item in vocabulary)]
    return [f"### {title}", "", *body, ""]


_VOCABULARY_TITLES = {
    "deal_types": "Deal types (`deals.deal_type`)",
    "deal_statuses": "Deal statuses (`deals.status`)",
    "pledge_deal_types": "Pledge deal types (their deals never count toward totals)",
}


def render_codebook(codebook: Mapping[str, Any]) -> list[str]:
    lines = ["## Codebook", "", "Controlled vocabularies from `schemas/codebook.yaml`.", ""]
    for key, vocabulary in codebook.items():
        if key == "event_types":
            lines += render_event_types(vocabulary)
        else:
            lines += render_vocabulary(_VOCABULARY_TITLES.get(key, f"`{key}`"), vocabulary)
    return lines


def render_dictionary(contracts: Mapping[str, TableContract], codebook: Mapping[str, Any]) -> str:
    lines = [_HEADER]
    for contract in contracts.values():
        lines += render_contract(contract)
    lines += render_struct_types(contracts)
    lines += render_codebook(codebook)
    return "\n".join(lines).rstrip("\n") + "\n"


def write_dictionary(output: Path = DEFAULT_OUTPUT, schemas_dir: Path | None = None) -> Path:
    text = render_dictionary(load_contracts(schemas_dir), load_codebook(schemas_dir))
    output.write_text(text, encoding="utf-8")
    return output


def main() -> None:
    print(write_dictionary())


if __name__ == "__main__":
    main()
