"""Data Docs: one page per table counting what the CLI counts, with run and asset names; pages that
load nothing from the web (the assets come from npm packages, copied into the site); and, after a
real run, the site as a browser shows it."""

from __future__ import annotations

import importlib.util
import json
import logging
import re
from pathlib import Path

import pytest

from flows.core.schemas import CHECKOUT
from flows.publish import storage
from flows.validate import docs_assets
from flows.validate.contracts import load_contracts, to_arrow
from flows.validate.datadocs import identify, merge_outcomes
from flows.validate.expectations import validate_table
from tests.report.browser import Browser
from tests.validate.test_validate import REFERENCES, make_entity

# An asset a page loads from elsewhere: a script, a stylesheet, an image, a CSS url(). A link a
# reader may follow (<a href>) is not one.
REMOTE_ASSET = re.compile(r"""<script\b[^>]*\bsrc=["']?https?:|<link\b[^>]*\bhref=["']?https?:|<img\b[^>]*\bsrc=["']?https?:|url\(\s*['"]?https?:""", re.I)
GE_TEMPLATES = Path(importlib.util.find_spec("great_expectations").origin).parent / "render" / "view" / "templates"


def test_a_run_id_that_looks_like_a_utc_offset_still_makes_a_key():
    # GE parses a bare run name as a date: "-091234" would read as an offset of 9 hours 12 minutes ...
    key = identify("deals", "20261122T182926Z-091234").to_tuple()
    assert key[1] == "20261122T182926Z-091234" and key[0] == key[-1] == "deals"


@pytest.mark.parametrize("run_id", ["20261202T014757Z-7068ad", "20261202T014757Z-64a05a", "20261202T014757Z-262b6f"])
def test_every_run_id_gets_a_page_title(run_id):
    """GE's page title compares the run name, parsed as a date, with the run time: a run id that
    parses to an impossible UTC offset used to make the page fail to render (and the run crash)."""
    from great_expectations.render.renderer.page_renderer import ValidationResultsPageRenderer

    name = identify("deals", run_id).run_id.run_name
    assert run_id in name
    title = ValidationResultsPageRenderer()._determine_page_title(name, "2026-12-02T01:47:57+00:00", "deals", "deals")
    assert "deals" in title


def test_a_tables_results_are_one_page_counting_what_the_cli_counts():
    entities = to_arrow([make_entity(i) for i in range(3)], load_contracts()["entities"])  # every column, as the pipeline builds it
    result = validate_table(entities, load_contracts()["entities"], references=REFERENCES)
    assert len(result.outcomes) == 2  # the contract's suite and the reference suite, on two frames
    identifier = identify("entities", "20260101T000000Z-abcdef")
    merged = merge_outcomes("entities", result.outcomes, identifier.run_id).to_json_dict()
    assert merged["statistics"]["evaluated_expectations"] == len(merged["results"]) == result.n_expectations
    assert merged["suite_name"] == "entities" and merged["success"] is True
    assert merged["meta"]["run_id"]["run_name"] == "20260101T000000Z-abcdef"
    assert merged["meta"]["batch_spec"]["data_asset_name"] == merged["meta"]["active_batch_definition"]["data_asset_name"] == "entities"


def test_every_script_and_stylesheet_ge_templates_load_from_the_web_is_served_or_left_out():
    """A Great Expectations upgrade that loads something new fails here, not in a user's browser
    (its images are checked on real pages, below)."""
    urls = set()
    for template in GE_TEMPLATES.glob("*.j2"):
        for tag in re.findall(r"<(?:script|link)\b[^>]*>", template.read_text(encoding="utf-8")):
            urls.update(re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", tag))
    assert len(urls) > 5, f"the templates of {GE_TEMPLATES} load almost nothing from the web: the test reads the wrong place"
    assert {u for u in urls if docs_assets.asset_name(u) not in docs_assets.FILES.keys() | docs_assets.DROPPED} == set()


def test_the_asset_packages_are_pinned_exactly_and_installed():
    declared = json.loads((CHECKOUT / "package.json").read_text(encoding="utf-8"))["dependencies"]
    assert docs_assets.packages() <= set(declared)
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in declared.values()), declared
    locked = json.loads((CHECKOUT / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    assert {n: locked[f"node_modules/{n}"]["version"] for n in declared} == declared
    assert docs_assets.assets_dir() is not None, "the Data Docs assets are not installed: run `make` (npm ci)"


PAGE = """<html><head>
<link rel="stylesheet" href="https://cdn.example/bootstrap/4.3.1/css/bootstrap.min.css"/>
<link rel="stylesheet" type="text/css" href="https://cdn.example/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css" />
<script src="https://cdn.example/npm/vega@5"></script>
<script src="https://cdn.example/jquery-3.7.1.min.js"></script>
<script src="https://cdn.example/popper.js/1.12.9/umd/popper.min.js" integrity="sha384-x" crossorigin="anonymous"></script>
<script src="https://cdn.example/unknown.js"></script>
<style>.navbar-brand a { background: url('https://bucket.example/full_logo_dark.png') 0 0 no-repeat; }</style>
<link rel="shortcut icon" href="../../../static/images/favicon.ico" type="image/x-icon"/>
</head><body><img class="NO-CACHE" src="https://bucket.example/logo-long.png?d=20260101T000000Z" alt="GX">
<a href="https://greatexpectations.io">Great Expectations</a></body></html>"""


def test_a_page_loads_the_sites_copies_from_its_own_depth(tmp_path):
    site = tmp_path / "docs"
    page = site / "validations" / "deals" / "run" / "time"
    html = docs_assets.localise(PAGE, page, site)
    up = "../../../../"
    assert f'<link rel="stylesheet" href="{up}static/vendor/bootstrap/dist/css/bootstrap.min.css">' in html
    assert f'href="{up}static/vendor/@forevolve/bootstrap-dark/dist/css/bootstrap-prefers-dark.min.css"' in html
    assert f'<script src="{up}static/vendor/jquery/dist/jquery.min.js"></script>' in html
    assert f'<script src="{up}static/vendor/popper.js/dist/umd/popper.min.js"></script>' in html  # no integrity, no crossorigin
    assert "vega" not in html and "integrity" not in html
    assert f"url('{up}static/images/logo-long.png')" in html and f'src="{up}static/images/logo-long.png"' in html
    assert f'href="{up}static/images/favicon.ico"' in html  # GE's own link is one folder short
    assert 'src="https://cdn.example/unknown.js"' in html  # not known here: left for the tests to find
    assert '<a href="https://greatexpectations.io">' in html  # a link to follow is no asset
    assert REMOTE_ASSET.findall(html) == ['<script src="https:']
    index = docs_assets.localise(PAGE, site, site)
    assert '<script src="static/vendor/jquery/dist/jquery.min.js"></script>' in index


def fake_packages(root: Path) -> Path:
    for relative in (*docs_assets.FILES.values(), *(f"{f}/font.woff2" for f in docs_assets.FOLDERS), "jquery/LICENSE.txt"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(relative, encoding="utf-8")
    return root


def test_assets_are_copied_once_with_their_licences_and_the_page_rewritten(tmp_path, monkeypatch):
    monkeypatch.setenv(docs_assets.ASSETS_ENV, str(fake_packages(tmp_path / "node_modules")))
    site = tmp_path / "docs"
    page = site / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(PAGE, encoding="utf-8")
    assert docs_assets.make_offline(site, [page])
    vendor = site / docs_assets.VENDOR_DIR
    assert (vendor / "jquery/LICENSE.txt").is_file() and (vendor / docs_assets.FOLDERS[0] / "font.woff2").is_file()
    copied = vendor / docs_assets.FILES["jquery.min.js"]
    assert copied.read_text(encoding="utf-8") == docs_assets.FILES["jquery.min.js"]
    assert 'src="static/vendor/jquery/dist/jquery.min.js"' in page.read_text(encoding="utf-8")
    copied.write_text("x" * copied.stat().st_size, encoding="utf-8")  # same size: taken as the same file
    assert docs_assets.make_offline(site, [page]) and copied.read_text(encoding="utf-8").startswith("x")


def test_without_the_assets_the_pages_stay_as_ge_wrote_them_and_one_line_says_why(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv(docs_assets.ASSETS_ENV, str(tmp_path / "nothing"))
    docs_assets.warn_missing_assets.cache_clear()
    page = tmp_path / "index.html"
    page.write_text(PAGE, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger=docs_assets.__name__):
        assert not docs_assets.make_offline(tmp_path, [page]) and not docs_assets.make_offline(tmp_path, [page])
    assert page.read_text(encoding="utf-8") == PAGE
    assert [r.getMessage().count("npm ci") for r in caplog.records] == [1]


# --- after a real run over the seeds: the site in a browser ------------------------------------


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


def test_no_page_of_the_site_loads_anything_from_the_web(seeds_run):
    site, _ = storage.data_docs_dirs(seeds_run[0])
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 4
    assert {str(p.relative_to(site)): REMOTE_ASSET.findall(p.read_text(encoding="utf-8")) for p in pages} == {str(p.relative_to(site)): [] for p in pages}


def test_the_index_lists_every_validation_of_the_run_styled_and_offline(seeds_run, browser, tmp_path):
    data, first, second = seeds_run
    page = browser.open(Path(first["data_docs"]["index"]).as_uri(), width=1400, height=1000)
    rows = page.wait_for("""(() => { const rows = [...document.querySelectorAll('#Validation-Results table tbody tr')]
        .map(r => [...r.cells].map(c => c.innerText.trim())); return rows.length && rows[0].length > 3 ? rows : null })()""")
    header = page.evaluate("[...document.querySelectorAll('#Validation-Results table thead th')].map(h => (h.querySelector('.th-inner') || h).innerText.trim())")
    run_name, asset = header.index("Run Name"), header.index("Asset Name")
    listed = {(r[run_name], r[asset]) for r in rows}
    assert {(first["run_id"], t) for t in first["data_docs"]["pages"]} <= listed
    # Styled: Bootstrap lays the navbar out as a flex box, Font Awesome draws the status icons.
    assert page.evaluate("getComputedStyle(document.querySelector('nav.navbar')).display") == "flex"
    assert page.evaluate("getComputedStyle(document.querySelector('.fa-check-circle'), '::before').content") not in ("", "none", "normal")
    assert page.problems() == []
    assert str(Path(data).resolve()) in page.evaluate("document.body.innerText")  # the site's name says whose data it is


def test_a_validation_page_names_its_run_and_table_and_counts_what_the_cli_counts(seeds_run, browser):
    _, first, _ = seeds_run
    for table, (path,) in first["data_docs"]["pages"].items():
        page = browser.open(Path(path).as_uri())
        text = page.evaluate("document.body.innerText")
        assert f"Data asset: {table}" in text and first["run_id"] in text and "__none__" not in text
        info = dict(page.evaluate("[...document.querySelectorAll('table tr')].map(r => [...r.cells].map(c => c.innerText.trim())).filter(r => r.length == 2)"))
        assert info["Run Name"] == first["run_id"]
        assert int(info["Evaluated Expectations"]) == first["tables"][table]["validation"]["n_expectations"]
        suite = page.evaluate("document.querySelector('a[href*=\"expectations/\"]').href")
        assert Path(suite.removeprefix("file://")).is_file()  # the suite page it links to is there
        assert page.evaluate("getComputedStyle(document.querySelector('nav.navbar')).display") == "flex"
        assert page.problems() == [], table
