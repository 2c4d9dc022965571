"""Run the real `newsflow` CLI with one fault injected from the outside, for subprocess tests.

    python -m tests.fault_runner FAULT -- run --input IN --data DATA

FAULT is one of:
  none             no fault
  kill:extract     SIGKILL when extraction starts (nothing published by this run)
  kill:publish     SIGKILL after validation, before the first table is published
  kill:commit:T    SIGKILL inside table T's Delta commit (MERGE or first write), after the
                   tables published before T were committed
  refuse:T         table T proposes one row twice (a duplicate key): the gate refuses T
Production code has no failpoints: this script patches stage functions and deltalake.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

import pyarrow as pa


def die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def killing_stream(rows: Any) -> pa.RecordBatchReader:
    """The rows as a stream that kills the process when the writer asks for more than there is."""
    table = pa.table(rows) if not isinstance(rows, pa.Table) else rows

    def batches():
        yield from table.to_batches()
        die()

    return pa.RecordBatchReader.from_batches(table.schema, batches())


def inject(fault: str) -> None:
    from flows.extract import articles as extract
    from flows.publish import storage
    from flows.validate import expectations as validate

    if fault == "none":
        return
    if fault == "kill:extract":
        extract.extract_article = lambda *a, **k: die()  # workers.extract_batch calls it per article
    elif fault == "kill:publish":
        real_validate = validate.validate_tables

        def validate_then_die(*args: Any, **kwargs: Any) -> Any:
            real_validate(*args, **kwargs)
            die()

        validate.validate_tables = validate_then_die
    elif fault.startswith("kill:commit:"):
        target = fault.split(":", 2)[2]
        from deltalake import DeltaTable

        real_merge, real_write = DeltaTable.merge, storage.write_deltalake

        def merge(self: DeltaTable, source: Any, *args: Any, **kwargs: Any) -> Any:
            if self.table_uri.rstrip("/").endswith("/" + target):
                source, kwargs["streamed_exec"] = killing_stream(source), True
            return real_merge(self, source, *args, **kwargs)

        def write(uri: str, data: Any, *args: Any, **kwargs: Any) -> Any:
            if str(uri).rstrip("/").endswith("/" + target):
                data = killing_stream(data)
            return real_write(uri, data, *args, **kwargs)

        DeltaTable.merge = merge  # type: ignore[method-assign]
        storage.write_deltalake = write
    elif fault.startswith("refuse:"):
        from flows.resolve import resolver as resolve

        target, real_build = fault.split(":", 1)[1], resolve.build_tables

        def build_twice(*args: Any, **kwargs: Any) -> Any:
            from tests.faults import mark_broken, rows_of

            tables = real_build(*args, **kwargs)
            before = rows_of(tables)
            if tables[target]:
                tables[target].append({**tables[target][0], "run_id": "again"})
            mark_broken(tables, before)
            return tables

        resolve.build_tables = build_twice
    else:
        raise SystemExit(f"unknown fault {fault!r}")


def main(argv: list[str]) -> int:
    fault, sep, *cli_args = argv
    assert sep == "--", "usage: python -m tests.fault_runner FAULT -- newsflow arguments"
    inject(fault)
    from flows.cli.app import main as cli_main

    return cli_main(cli_args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
