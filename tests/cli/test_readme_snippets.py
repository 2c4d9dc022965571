"""The README works as written: its Python snippets against a run's output, its shell examples
(```sh blocks) in order on a copy of a seeds run, its settings table against flows/core/settings.py,
and the files it and docs/ name exist.

A block preceded by `<!-- not run: REASON -->` is not run (a server, a JVM); its commands must
still parse, and the test prints the reason. A line whose comment says `exit N` must exit N."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from flows.cli.app import build_parser
from flows.core.settings import DEFAULTS, SETTING_NAMES, env_name, flag_name
from flows.publish import storage
from flows.validate.contracts import load_contracts
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
READING = "Reading the tables"
_BLOCK = re.compile(r"^(?:<!-- not run: (?P<reason>.+?) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)^```", re.S | re.M)
_EXIT = re.compile(r"#.*\bexit (\d+)\b")


@dataclass(frozen=True)
class Block:
    section: str  # the "## " heading it is under
    lang: str
    body: str
    reason: str | None  # why it is not run, or None


def blocks(lang: str) -> list[Block]:
    found = []
    for match in _BLOCK.finditer(README):
        headings = re.findall(r"^## (.+)$", README[: match.start()], flags=re.M)
        if match["lang"] == lang:
            found.append(Block(headings[-1] if headings else "", lang, match["body"], match["reason"]))
    return found


def say(request: pytest.FixtureRequest, line: str) -> None:
    """A line in the test run's output, as a skip reason would be, without skipping the test."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # past pytest's capture of fd 1
            reporter.write_line(line)


# --------------------------------------------------------------------------- Python snippets


def reading_snippets() -> list[str]:
    return [b.body for b in blocks("python") if b.section == READING and b.reason is None]


def snippet_for(library: str) -> str:
    found = [s for s in reading_snippets() if f"import {library}" in s]
    assert len(found) == 1, f"README '{READING}' should have exactly one {library} snippet"
    return found[0]


def test_the_section_has_pandas_polars_and_duckdb_snippets():
    assert len(reading_snippets()) == 3
    for library in ("pandas", "polars", "duckdb"):
        code = snippet_for(library)
        assert "version=0" in code, f"the {library} snippet shows no past version"
        assert "evidence" in code, f"the {library} snippet does not unnest evidence"
    # Amounts are in each deal's own currency: a total across deals sums amount_usd.
    assert "sum(amount_usd)" in snippet_for("duckdb") and "sum(amount)" not in snippet_for("duckdb")


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


# --------------------------------------------------------------------------- shell examples


def commands(body: str) -> list[str]:
    """The block's command lines (continuations joined), without blank lines and comment lines."""
    lines = body.replace("\\\n", " ").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def expected_exit(line: str) -> int:
    match = _EXIT.search(line)
    return int(match.group(1)) if match else 0


def localised(line: str) -> str:
    """The line with the checkout's .venv/bin/ replaced by the interpreter running the tests."""
    python = shlex.quote(sys.executable)
    instead = {"newsflow": f"{python} -m flows.cli", "python": python, "prefect": shlex.quote(str(Path(sys.executable).parent / "prefect"))}
    return re.sub(r"\.venv/bin/(newsflow|python|prefect)\b", lambda m: instead[m.group(1)], line)


def test_the_readme_has_shell_examples_of_every_command():
    shown = " ".join(line for b in blocks("sh") for line in commands(b.body))
    usage = build_parser().format_usage()  # usage: newsflow [-h] {run,validate,...} ...
    for command in re.search(r"\{([\w,]+)\}", usage).group(1).split(","):
        assert f"newsflow {command}" in shown, f"the README shows no `newsflow {command}` example"


def test_every_shell_example_runs_as_written(seeds_run, tmp_path):
    """As a user would after `make run`: each ```sh line in README order, in a checkout whose data/
    holds a seeds run; the data dir is a copy (NEWSFLOW_DATA_DIR), the checkout's files are links."""
    data, _, _ = seeds_run
    work = tmp_path / "checkout"
    work.mkdir()
    shutil.copytree(data, work / "data")
    for name in ("seeds", "tests", "schemas"):  # what the README's lines read, never written
        (work / name).symlink_to(ROOT / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSFLOW_", "PREFECT_API_"))}
    env.update(NEWSFLOW_DATA_DIR=str(work / "data"), PYTHONPATH=str(ROOT), PREFECT_HOME=str(tmp_path / "prefect"))
    ran = []
    for block in blocks("sh"):
        if block.reason is not None:
            continue
        for line in commands(block.body):
            done = subprocess.run(["bash", "-c", localised(line)], cwd=work, env=env, capture_output=True, text=True, timeout=600)
            want = expected_exit(line)
            assert done.returncode == want, f"README line exited {done.returncode}, not {want}: {line}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
            if want:
                assert len(done.stderr.strip().splitlines()) == 1, f"an error should be one line: {line}\n{done.stderr}"
            ran.append(line)
    assert len(ran) >= 10
    # The second delivery made version 1, which `diff deals 0 1` compared.
    assert max(h["version"] for h in storage.history(work / "data", "deals")) >= 1


def test_examples_not_run_say_why_and_still_parse(request):
    not_run = [b for b in blocks("sh") + blocks("python") if b.reason is not None]
    assert not_run
    for block in not_run:
        if block.lang == "python":
            compile(block.body, f"README ({block.section})", "exec")
        for line in commands(block.body) if block.lang == "sh" else []:
            words = shlex.split(line, comments=True)
            if not words or not words[0].endswith("/newsflow"):
                continue
            try:
                build_parser().parse_args(words[1:])
            except SystemExit:
                pytest.fail(f"README line does not parse: {line}")
        say(request, f"README '{block.section}' {block.lang} block not run: {block.reason}")


# --------------------------------------------------------------------------- settings and files


def _shown(default: object) -> str:
    if isinstance(default, Path):
        return f"{default.name}/"
    return '""' if default == "" else str(default)


def test_the_settings_table_lists_every_setting_with_its_flag_env_and_default():
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| `([^`]+)` \| `([^`]+)` \| `([^`]*)`", section, flags=re.M)
    assert [name for name, *_ in rows] == list(SETTING_NAMES)
    for name, flag, env, default in rows:
        assert (flag, env, default) == (flag_name(name), env_name(name), _shown(getattr(DEFAULTS, name))), name


def test_the_table_of_tables_names_every_table_and_only_real_columns():
    known = load_contracts()
    section = README.split("## The tables", 1)[1].split("\n## ", 1)[0]
    rows = {m[0]: re.findall(r"`(\w+)`", m[1]) for m in re.findall(r"^\| `(\w+)` \|[^|]*\|([^\n]*)\|$", section, flags=re.M)}
    assert list(rows) == list(known)
    for table, columns in rows.items():
        assert set(columns) <= set(known[table].column_names), (table, set(columns) - set(known[table].column_names))


def test_the_readme_is_a_short_guide():
    assert len(README.encode("utf-8")) <= 16_000
    assert README.startswith("# newsflow\n\n```\nmake run ") and "\nmake test " in README.split("```")[1]
    assert not re.search(r"\bsession \d", README, flags=re.I)


DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_files_a_doc_names_exist(doc):
    text = doc.read_text(encoding="utf-8")
    named = set(re.findall(r"\]\((?!https?:|#)([^)#]+)", text))  # relative links
    tests = re.findall(r"`((?:flows|tests|schemas|bench|seeds|docs)/[\w./-]*?)(?:::(\w+))?`", text)
    named |= {path for path, _ in tests}
    missing = [p for p in sorted(named) if not (doc.parent / p).exists() and not (ROOT / p).exists()]
    missing += [f"{path}::{test}" for path, test in tests if test and (ROOT / path).is_file() and f"def {test}(" not in (ROOT / path).read_text(encoding="utf-8")]
    assert not missing, f"{doc.name} names what is not there: {missing}"


def test_architecture_lists_every_module_of_every_package():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    listed: dict[str, set[str]] = {}
    package = ""
    for cell, modules in re.findall(r"^\|\s*(`\w+`)?\s*\|([^|]+)\|", text, flags=re.M):
        package = cell.strip("`") or package
        listed.setdefault(package, set()).update(re.findall(r"`(\w+\.py)`", modules))
    for folder in sorted(p for p in (ROOT / "flows").iterdir() if (p / "__init__.py").exists()):
        present = {p.name for p in folder.glob("*.py")} - {"__init__.py", "__main__.py"}
        assert listed.get(folder.name) == present, f"docs/architecture.md and flows/{folder.name}/ disagree"
