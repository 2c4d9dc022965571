"""The README's "Reading the tables" snippets run for real against a run's output."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from flows.publish import storage
from tests.conftest import ROOT

SECTION = "## Reading the tables"


def reading_snippets() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def snippet_for(library: str) -> str:
    found = [s for s in reading_snippets() if f"import {library}" in s]
    assert len(found) == 1, f"README '{SECTION}' should have exactly one {library} snippet"
    return found[0]


def test_the_section_has_pandas_polars_and_duckdb_snippets():
    assert len(reading_snippets()) == 3
    for library in ("pandas", "polars", "duckdb"):
        code = snippet_for(library)
        assert "version=0" in code, f"the {library} snippet shows no past version"
        assert "evidence" in code, f"the {library} snippet does not unnest evidence"


@pytest.mark.parametrize("library", ["pandas", "polars", "duckdb"])
def test_snippet_runs_against_a_run_output(library, seeds_run):
    data, _, _ = seeds_run
    code = snippet_for(library)
    assert '"data/tables/' in code
    code = code.replace('"data/tables/', f'"{data}/tables/')
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, f"{library} snippet failed:\n{done.stderr[-3000:]}"
    # Each snippet prints its evidence rows: the article ids they point to must be real ones.
    printed = set(re.findall(r"a_[0-9a-f]{16}", done.stdout))
    articles = {row["article_id"] for row in storage.read_rows(data, "articles")}
    assert printed, f"{library} snippet printed no evidence:\n{done.stdout}"
    assert printed <= articles
