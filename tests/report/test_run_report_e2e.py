"""A real run over the seeds writes the run report, Data Docs and Prefect artifacts; Chromium renders the page."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from flows.publish import storage

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SECTIONS = ("run", "published", "validation", "rejections", "deals", "events", "entities", "history")
# Charts a run over the seeds must draw: every table has rows, so none may be missing.
CHARTS = ("Deals by type", "Deals by status", "Deal amounts by type (USD)", "Events by type", "Most-mentioned entities (top 15)", "Rows per table version")
CONSOLE = re.compile(r":CONSOLE[:(]\d+\)?\]\s*(.*)")


def chromium(url: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args, url,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def console_messages(stderr: str) -> list[str]:
    """Anything the page wrote to the console; the report has no scripts, so every message is a fault."""
    return [m.group(1) for m in CONSOLE.finditer(stderr)]


def page_problems(dom: str) -> list[str]:
    problems = [f"section {s} missing" for s in SECTIONS if f'<section id="{s}">' not in dom]
    problems += [f"chart {c!r} missing" for c in CHARTS if f'aria-label="{c}"' not in dom]
    if dom.count("<rect") < 10:
        problems.append("charts have no bars")
    return problems


def png_size_and_colours(path: Path) -> tuple[int, int, int]:
    """Width, height and the number of distinct byte values in the decoded image (1-2 means blank)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    chunks, i = [], 8
    while i < len(data):
        (length,), kind = struct.unpack(">I", data[i : i + 4]), data[i + 4 : i + 8]
        if kind == b"IDAT":
            chunks.append(data[i + 8 : i + 8 + length])
        i += 12 + length
    return width, height, len(set(zlib.decompress(b"".join(chunks))))


@pytest.fixture(scope="module")
def browser_profile(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (make test installs it)")
    return tmp_path_factory.mktemp("chromium-profile")


@pytest.fixture(scope="module")
def first_page(seeds_run):
    data, first, _ = seeds_run
    return storage.report_dir(data) / f"{first['run_id']}.html"


def test_each_run_writes_its_page_and_index_is_the_latest(seeds_run, first_page):
    data, first, second = seeds_run
    assert first["report_page"] == second["report_page"] == str(storage.report_dir(data) / "index.html")
    index = (storage.report_dir(data) / "index.html").read_text(encoding="utf-8")
    assert second["run_id"] in index and "not re-validated (nothing new)" in index
    page = first_page.read_text(encoding="utf-8")
    assert first["run_id"] in page and page.count('class="ok">passed') == 4
    # What the run published, read back from the tables, is what the page states.
    deals = storage.read_rows(data, "deals")
    assert f"Deals ({len(deals)})" in page and f"Entities ({len(storage.read_rows(data, 'entities'))})" in page


def test_data_docs_are_built_for_every_validation_and_linked(seeds_run, first_page):
    data, first, _ = seeds_run
    docs = first["data_docs"]
    site_dir, store_dir = storage.data_docs_dirs(data)
    assert Path(docs["index"]) == site_dir / "index.html"
    assert first["run_id"] in Path(docs["index"]).read_text(encoding="utf-8")
    page = first_page.read_text(encoding="utf-8")
    for table in ("articles", "entities", "events", "deals"):
        (contract, *references) = docs["pages"][table]
        html = Path(contract).read_text(encoding="utf-8")
        # GE's validation page: its overview, and the table's key column among the checked columns.
        key = {"articles": "article_id", "entities": "entity_id", "events": "event_id", "deals": "deal_id"}[table]
        assert "Evaluated Expectations" in html and key in html and "must be unique" in html
        assert f'href="../docs/{Path(contract).relative_to(site_dir)}"' in page
        assert references or table == "articles"  # article ids are checked from the other tables
    results = list(store_dir.rglob("*.json"))
    assert len(results) == sum(len(p) for p in docs["pages"].values())
    assert all(json.loads(r.read_text())["success"] for r in results)


def test_report_renders_in_headless_chromium_without_console_errors(first_page, browser_profile, tmp_path):
    url = first_page.resolve().as_uri()
    dumped = chromium(url, browser_profile, "--dump-dom")
    assert console_messages(dumped.stderr) == []
    assert page_problems(dumped.stdout) == []
    screenshot = tmp_path / "run-report.png"
    shot = chromium(url, browser_profile, f"--screenshot={screenshot}", "--window-size=1200,4400", "--hide-scrollbars")
    assert console_messages(shot.stderr) == []
    width, height, colours = png_size_and_colours(screenshot)
    assert (width, height) == (1200, 4400) and colours > 20, "blank screenshot"
    print(f"run report screenshot: {screenshot}")


def test_the_checks_catch_a_broken_page(browser_profile, tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text('<html><body><section id="run"></section><script>notDefined()</script></body></html>')
    dumped = chromium(broken.resolve().as_uri(), browser_profile, "--dump-dom")
    assert any("notDefined" in m for m in console_messages(dumped.stderr))
    problems = page_problems(dumped.stdout)
    assert "section deals missing" in problems and "chart 'Deals by type' missing" in problems


def test_each_run_publishes_prefect_artifacts(seeds_run):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    _, first, second = seeds_run

    async def read(key):
        async with get_client() as client:
            return await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))

    summaries = asyncio.run(read("newsflow-run-summary"))
    assert {a.type for a in summaries} == {"markdown"}
    first_summary = next(a.data for a in summaries if first["run_id"] in a.data)
    assert "4 new articles" in first_summary and "| deals |" in first_summary
    assert any(second["run_id"] in a.data for a in summaries)
    tables = asyncio.run(read("newsflow-validation"))
    assert {a.type for a in tables} == {"table"}
    rows = [json.loads(a.data) if isinstance(a.data, str) else a.data for a in tables]
    results = [{r["table"]: r["result"] for r in table} for table in rows]
    assert {"articles": "passed", "entities": "passed", "events": "passed", "deals": "passed"} in results
