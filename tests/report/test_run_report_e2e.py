"""A real run over the seeds writes the run report, Data Docs and Prefect artifacts; Chromium renders the page."""

from __future__ import annotations

import asyncio
import json
import struct
import zlib
from html import escape
from pathlib import Path

import pytest

from flows.publish import storage
from tests.report.browser import Browser

SECTIONS = ("run", "published", "validation", "rejections", "deals", "events", "entities", "history")
# Charts a run over the seeds must draw: every table has rows, so none may be missing.
CHARTS = ("Deals by type", "Deals by status", "Deal amounts by type (USD)", "Events by type", "Most-mentioned entities (top 15)", "Rows per table version")
LISTINGS = ("deals", "events", "entities")


def page_problems(dom: str) -> list[str]:
    problems = [f"section {s} missing" for s in SECTIONS if f'<section id="{s}">' not in dom]
    problems += [f"chart {c!r} missing" for c in CHARTS if f'aria-label="{c}"' not in dom]
    problems += [f"table of {t} missing" for t in LISTINGS if f'<table class="sortable {t}">' not in dom]
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
def browser(tmp_path_factory):
    chromium = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def first_page(seeds_run):
    data, first, _ = seeds_run
    return storage.report_dir(data) / f"{first['run_id']}.html"


def test_each_run_writes_its_page_and_index_is_the_latest(seeds_run, first_page):
    data, first, second = seeds_run
    assert first["report_page"] == second["report_page"] == str(storage.report_dir(data) / "index.html")
    index = (storage.report_dir(data) / "index.html").read_text(encoding="utf-8")
    assert second["run_id"] in index and "not re-validated (nothing new)" in index
    # The rerun changed nothing, and says so: no row upserted, each table as large as before.
    assert '<div class="k">Rows upserted</div><div class="v">0</div>' in index
    assert f"This run changed none of the {len(storage.read_rows(data, 'events'))} events" in index
    assert f"Data: <code>{Path(data).resolve()}</code>" in index
    page = first_page.read_text(encoding="utf-8")
    assert first["run_id"] in page and page.count('class="ok">passed') == 4
    # What the run published, read back from the tables, is what the page states.
    deals = storage.read_rows(data, "deals")
    assert f"Deals ({len(deals)})" in page and f"Entities ({len(storage.read_rows(data, 'entities'))})" in page
    assert all(f"<q>{escape(d['evidence'][0]['text'].strip())}</q>" in page for d in deals)  # each deal with its evidence


def test_data_docs_are_built_for_every_validation_and_linked(seeds_run, first_page):
    data, first, _ = seeds_run
    docs = first["data_docs"]
    site_dir, store_dir = storage.data_docs_dirs(data)
    assert Path(docs["index"]) == site_dir / "index.html"
    assert first["run_id"] in Path(docs["index"]).read_text(encoding="utf-8")
    page = first_page.read_text(encoding="utf-8")
    for table in ("articles", "entities", "events", "deals"):
        (results,) = docs["pages"][table]  # one page per table: its contract's checks and its reference checks
        html = Path(results).read_text(encoding="utf-8")
        # GE's validation page: its overview, and the table's key column among the checked columns.
        key = {"articles": "article_id", "entities": "entity_id", "events": "event_id", "deals": "deal_id"}[table]
        assert "Evaluated Expectations" in html and key in html and "must be unique" in html
        assert ("article_ids__unknown" in html) == (table != "articles")  # article ids are checked from the other tables
        assert f'href="../docs/{Path(results).relative_to(site_dir)}"' in page
    results = list(store_dir.rglob("*.json"))
    assert len(results) == sum(len(p) for p in docs["pages"].values())
    assert all(json.loads(r.read_text())["success"] for r in results)


def test_report_uses_a_wide_window_and_renders_without_errors(first_page, browser, tmp_path):
    page = browser.open(first_page.resolve().as_uri(), width=1920, height=1200)
    assert page.problems() == []
    assert page_problems(page.evaluate("document.documentElement.outerHTML")) == []
    assert page.evaluate("document.querySelector('main').getBoundingClientRect().width") > 0.9 * 1920
    # No table is wider than the window, and no chart label is cut.
    assert page.evaluate("[...document.querySelectorAll('.scroll')].every(d => d.scrollWidth <= d.clientWidth)")
    assert page.evaluate("[...document.querySelectorAll('svg text.label')].filter(t => t.textContent.includes('…')).length") == 0
    # The map draws the seeds' places inside its frame, each dot with its tooltip.
    dots = page.evaluate("[...document.querySelectorAll('#map circle.dot')].map(c => { const b = c.getBBox(); return [b.x, b.y, c.querySelector('title').textContent]; })")
    assert dots and all(20 <= x <= 740 and 30 <= y <= 390 and title for x, y, title in dots)
    height = page.evaluate("document.documentElement.scrollHeight")
    page.send("Emulation.setDeviceMetricsOverride", width=1920, height=min(height, 6000), deviceScaleFactor=1, mobile=False)
    screenshot = page.screenshot(tmp_path / "run-report.png")
    width, shot_height, colours = png_size_and_colours(screenshot)
    assert width == 1920 and shot_height == min(height, 6000) and colours > 20, "blank screenshot"
    print(f"run report screenshot: {screenshot}")


COLUMN = """(table, name) => {
  const t = document.querySelector('table.sortable.' + table);
  const i = [...t.tHead.rows[0].cells].findIndex(h => h.textContent.trim() === name);
  return [...t.tBodies[0].rows].map(r => { const c = r.cells[i]; return c.hasAttribute('data-sort') ? c.dataset.sort : c.textContent.trim(); });
}"""


def test_a_click_on_a_header_sorts_the_table_and_a_second_click_reverses_it(first_page, browser):
    page = browser.open(first_page.resolve().as_uri())

    def column(table: str, name: str) -> list[str]:
        return page.evaluate(f"({COLUMN})({table!r}, {name!r})")

    def click(table: str, name: str) -> None:
        page.evaluate(f"[...document.querySelectorAll('table.sortable.{table} th')].find(h => h.textContent.trim() === {name!r}).click()")

    mentions = [float(m) for m in column("entities", "mentions")]
    click("entities", "mentions")
    assert [float(m) for m in column("entities", "mentions")] == sorted(mentions)
    click("entities", "mentions")
    assert [float(m) for m in column("entities", "mentions")] == sorted(mentions, reverse=True)
    click("entities", "name")
    names = column("entities", "name")
    assert names == sorted(names, key=str.casefold) and len(set(names)) > 5
    # Dates: the undated events last, in either direction.
    dates = column("events", "date")
    click("events", "date")
    dated = [d for d in dates if d]
    assert column("events", "date") == sorted(dated) + [""] * (len(dates) - len(dated))
    click("events", "date")
    assert column("events", "date") == sorted(dated, reverse=True) + [""] * (len(dates) - len(dated))
    assert page.evaluate("document.querySelector('table.sortable.events th[aria-sort]').textContent.trim()") == "date"
    assert page.problems() == []


def test_the_checks_catch_a_broken_page(browser, tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text('<html><body><section id="run"></section><img src="https://example.org/x.png"><script>notDefined()</script></body></html>')
    page = browser.open(broken.resolve().as_uri())
    problems = page.problems()
    assert any("notDefined" in p for p in problems) and "requested https://example.org/x.png" in problems
    problems = page_problems(page.evaluate("document.documentElement.outerHTML"))
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
