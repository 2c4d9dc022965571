"""The run report page, its charts, the Markdown/table artifacts it renders, and the progress bar."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from pathlib import Path

import pytest

from flows.orchestration import progress
from flows.report import artifacts, charts, listings, writer
from flows.report import page as report

SUMMARY = {
    "run_id": "20260101T000000Z-abcdef",
    "input": "in",
    "data": "/data",
    "documents": 5,
    "new_articles": 4,
    "quarantined": {"empty": 1},
    "success": False,
    "data_docs": {"index": "/data/docs/index.html", "pages": {"deals": ["/data/docs/validations/deals/r/t/deals.html"]}},
    "tables": {
        "articles": {"rows": 4, "version": None, "upserts": 0, "deletes": 0, "valid": True, "published": False,
                     "validation": {"n_rows": 4, "n_expectations": 30, "n_critical_failures": 0, "n_warnings": 0, "failures": []}},
        "deals": {"rows": 2, "version": 0, "upserts": 0, "deletes": 0, "valid": False, "published": False,
                  "validation": {"n_rows": 2, "n_expectations": 40, "n_critical_failures": 1, "n_warnings": 0, "failures": [
                      {"severity": "critical", "expectation": "expect_column_values_to_match_regex", "column": "currency",
                       "detail": "1 of 2 value(s) break 'ISO code'", "sample_ids": ["d_1"]}]}},
    },
}
ROWS = {
    "deals": [
        {"deal_type": "loan", "status": "signed", "parties": ["A Bank"], "amount": 5e8, "currency": "USD", "counts_toward_totals": True, "project": None},
        {"deal_type": "loan", "status": "signed", "parties": ["B"], "amount": 2e8, "currency": "USD", "counts_toward_totals": False, "project": None},
        {"deal_type": "mou", "status": "agreed", "parties": ["C"], "amount": 3e6, "currency": "EUR", "counts_toward_totals": True, "project": "Port"},
    ],
    "events": [{"event_type": "visit", "event_date": dt.date(2026, 1, 3)}, {"event_type": "call", "event_date": None}],
    "entities": [{"name": "<script>alert(1)</script>", "type": "ORG", "mention_count": 7}, {"name": "Pakistan", "type": "GPE", "mention_count": 9}],
}


def render(summary=SUMMARY, rows=ROWS, history=None):
    history = history if history is not None else {"deals": [{"version": 0, "timestamp": "2026-01-01T00:00:00+00:00", "operation": "WRITE", "run_id": "r", "rows": 3}]}
    return report.render_run_report(report.ReportData(summary, rows, history), Path("/data/report"))


def test_page_is_self_contained_and_escapes_data():
    page = render()
    assert "&lt;script&gt;alert(1)" in page and "<script>alert" not in page
    # One script, inline: the sort; the page's policy lets the browser run that one and load nothing.
    assert page.count("<script") == 1 and f"<script>{listings.SORT_SCRIPT}</script>" in page
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)[1]
    assert "default-src 'none'" in policy and f"script-src '{listings.script_hash()}'" in policy
    assert "http://" not in page and "https://" not in page
    for section in ("run", "published", "validation", "rejections", "deals", "events", "entities", "history"):
        assert f'<section id="{section}">' in page


def test_page_links_data_docs_relative_to_the_report():
    page = render()
    assert 'href="../docs/index.html"' in page
    assert '<a href="../docs/validations/deals/r/t/deals.html">results</a>' in page
    assert 'href="../quarantine/20260101T000000Z-abcdef.jsonl"' in page


def test_failed_table_and_its_failure_are_shown():
    page = render()
    assert "FAILED" in page and "no (validation failed)" in page
    assert "expect_column_values_to_match_regex" in page and "d_1" in page


def test_deal_amounts_sum_per_currency_without_double_counting():
    totals = report.deal_amounts(ROWS["deals"])
    assert totals == {"USD": [("loan", 5e8)], "EUR": [("mou", 3e6)]}


def test_events_over_time_fills_gaps_and_counts_undated():
    events = [{"event_date": dt.date(2026, 1, 1)}, {"event_date": dt.date(2026, 1, 3)}, {"event_date": dt.date(2026, 1, 3)}, {"event_date": None}]
    series, unit, undated = report.events_over_time(events)
    assert unit == "day" and undated == 1
    assert series == [("2026-01-01", 1), ("2026-01-02", 0), ("2026-01-03", 2)]
    monthly, unit, _ = report.events_over_time([{"event_date": dt.date(2025, 11, 5)}, {"event_date": dt.date(2026, 2, 1)}])
    assert unit == "month" and monthly == [("2025-11", 1), ("2025-12", 0), ("2026-01", 0), ("2026-02", 1)]


def test_top_entities_ranks_by_mentions():
    assert [name for name, _ in report.top_entities(ROWS["entities"])] == ["Pakistan (GPE)", "<script>alert(1)</script> (ORG)"]


def test_count_ticks_are_whole_and_cover_the_maximum():
    assert charts.nice_ticks(2, whole=True) == [0, 1, 2]
    ticks = charts.nice_ticks(2.3e9)
    assert ticks[0] == 0 and ticks[-1] >= 2.3e9 and len(ticks) <= 7


def test_bar_chart_draws_one_bar_per_item_with_axis_label():
    svg = charts.bar_chart([("a", 3), ("b", 1)], title="T", x_label="number of things")
    assert svg.count('class="bar"') == 2 and "number of things" in svg
    assert "nothing to plot" in charts.bar_chart([], title="T", x_label="x")


def test_empty_tables_still_render():
    page = render(rows={}, history={})
    assert "nothing to plot" in page and "<svg" not in page


def test_artifact_rows_and_markdown():
    rows = artifacts.validation_rows(SUMMARY)
    assert [(r["table"], r["result"], r["critical_failures"]) for r in rows] == [("articles", "passed", 0), ("deals", "FAILED", 1)]
    assert "currency" in rows[1]["failed"]
    markdown = artifacts.render_markdown(SUMMARY, "/data/report/index.html")
    assert "20260101T000000Z-abcdef" in markdown and "FAILED" in markdown and "1 empty" in markdown
    assert "| deals | 2 | 0 | 0 | 0 | 0 | FAILED |" in markdown


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch):
    """A fake terminal, 120 columns wide, whatever terminal the tests run in."""
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "120")
    return FakeTerminal()


def screen(stream: io.StringIO) -> list[str]:
    """The lines drawn on the terminal, colours and cursor moves left out, each redraw on its own line."""
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", stream.getvalue())
    return [" ".join(line.split()) for line in re.split(r"[\r\n]", text) if line.strip()]


def test_terminal_bar_shows_counts_and_eta(terminal):
    now = [0.0]
    bar = progress.TerminalBar(terminal, clock=lambda: now[0], width=10)
    bar("extract", 0, 40)
    now[0] = 10.0
    bar("extract", 10, 40)  # 10 articles in 10 s: 30 left take 30 s
    assert screen(terminal)[-1].endswith("10/40 25% ETA 0:30")
    bar("extract", 40, 40)
    bar.close()
    assert screen(terminal)[-1].endswith("40/40 100% ETA done")


def test_log_lines_written_while_the_bar_draws_go_above_it(terminal):
    handler = logging.StreamHandler(terminal)  # made before the bar, like Prefect's console handler
    logger = logging.getLogger("newsflow-test-bar")
    logger.addHandler(handler)
    try:
        bar = progress.TerminalBar(terminal)
        bar("clean", 2, 4)
        logger.error("deals refused")
        drawn = screen(terminal)
        assert drawn[-2:] == ["deals refused", drawn[0]]  # the line, then the bar again below it
        bar.close()
        logger.error("after the bar")
        assert screen(terminal)[-2:] == [drawn[0], "after the bar"]  # the handler writes for itself again
    finally:
        logger.removeHandler(handler)


def test_bar_is_attached_on_a_terminal_only(terminal):
    with progress.attach_terminal_bar(io.StringIO()) as shown:
        assert not shown
    with progress.attach_terminal_bar(terminal) as shown:
        progress.update("clean", 1, 2)
    assert shown and "1/2" in terminal.getvalue()
    progress.update("clean", 2, 2)  # the bar is gone with its block
    assert "2/2" not in terminal.getvalue()


REJECTED = {
    "rows": 3,
    "line": "3 rows rejected: entities.name min_length 2 (2), deals.amount max 1000000000 (1)",
    "by_rule": [
        {"table": "entities", "column": "name", "rule": "min_length 2", "expectation": "expect_column_value_lengths_to_be_between", "rows": 2, "examples": [{"row_key": "e_1", "value": "X"}, {"row_key": "e_2", "value": "<b>"}]},
        {"table": "deals", "column": "amount", "rule": "max 1000000000", "expectation": "expect_column_values_to_be_between", "rows": 1, "examples": [{"row_key": "d_9", "value": "2000000000.0"}]},
    ],
}


def test_rejected_rows_are_listed_by_table_and_rule_with_examples():
    summary = {**SUMMARY, "rejected": REJECTED, "tables": {**SUMMARY["tables"], "deals": {**SUMMARY["tables"]["deals"], "rejected": 1}}}
    page = render(summary)
    section = page[page.index('<section id="rejections">') :]
    section = section[: section.index("</section>")]
    assert "3 rows were rejected" in section and "min_length 2" in section and "max 1000000000" in section
    assert "e_1: &#x27;X&#x27;" in section and "&lt;b&gt;" in section and "<b>" not in section
    assert "No row was rejected" in render()
    markdown = artifacts.render_markdown(summary)
    assert REJECTED["line"] in markdown and "| entities.name | min_length 2 | 2 |" in markdown
    assert {r["table"]: r["rejected_rows"] for r in artifacts.validation_rows(summary)}["deals"] == 1


def cells(page: str, table: str) -> list[list[str]]:
    """The text of each body row of the first table of the page's section `table`."""
    section = page[page.index(f'<section id="{table}">') :]
    body = section[section.index("<tbody>") : section.index("</tbody>")]
    return [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)] for row in re.findall(r"<tr>(.*?)</tr>", body)]


def test_published_tables_say_what_the_run_did_then_what_the_table_holds():
    nothing_new = {**SUMMARY, "tables": {"articles": {"rows": 5, "version": 3, "upserts": 0, "deletes": 0, "valid": True}}}
    page = render(nothing_new)
    assert "rows proposed" not in page
    assert cells(page, "published") == [["articles", "0", "0", "0", "unchanged", "3", "5"]]
    assert '<div class="k">Rows upserted</div><div class="v">0</div>' in page


def test_the_header_says_where_the_data_is_absolutely(tmp_path, monkeypatch):
    assert "Data: <code>/data</code>" in render()
    monkeypatch.chdir(tmp_path)
    assert writer.absolute("data") == str(tmp_path / "data")
    assert writer.absolute("s3://bucket/data") == "s3://bucket/data"


def test_bar_labels_wrap_instead_of_being_cut_and_their_column_grows():
    name = "Export-Import Bank of the United States (ORG)"
    svg = charts.bar_chart([(name, 4), ("India (GPE)", 3)], title="T", x_label="mentions")
    spans = [re.findall(r"<tspan[^>]*>([^<]*)</tspan>", label) for label in re.findall(r'<text class="label"[^>]*>(.*?)</text>', svg)]
    assert " ".join(spans[0]) == name and spans[1] == ["India (GPE)"]
    assert "…" not in svg and f"<title>{name}</title>" in svg
    narrow = charts.bar_chart([("a", 1)], title="T", x_label="x")
    assert int(re.search(r'width="(\d+)"', svg)[1]) > int(re.search(r'width="(\d+)"', narrow)[1])
    assert charts.wrap_label("word " * 40, 20)[-1].endswith("…")  # past two lines, it is cut (the tooltip has it all)


def test_one_version_per_table_draws_bars_and_more_draw_lines():
    one = {"articles": [{"version": 0, "timestamp": "t", "rows": 4}], "deals": [{"version": 0, "timestamp": "t", "rows": 6}]}
    svg = report.rows_per_version(one)
    assert svg.count('class="bar"') == 2 and "<polyline" not in svg and "<circle" not in svg
    assert "articles (version 0)" in svg
    two = {**one, "deals": [{"version": 1, "timestamp": "t", "rows": 7}, {"version": 0, "timestamp": "t", "rows": 6}]}
    assert report.rows_per_version(two).count("<polyline") == 2


RUN = "20260101T000000Z-abcdef"
ARTICLES = [{"article_id": "a_1", "headline": "Port <deal> signed", "source_uri": "x.txt", "outlet": "Dawn", "published_date": dt.date(2026, 1, 2)}]


def evidence_of(text: str) -> list[dict]:
    return [{"article_id": "a_1", "text": text}]


def test_listings_put_this_runs_rows_first_with_their_evidence_escaped(monkeypatch):
    deals = [
        {"deal_type": "loan", "status": "signed", "parties": ["A"], "amount": 5.0, "currency": "USD", "amount_usd": 5.0, "run_id": "older", "evidence": evidence_of("old")},
        {"deal_type": "mou", "status": "agreed", "parties": ["B"], "amount": 100.0, "currency": "PKR", "amount_usd": 0.36, "run_id": RUN, "evidence": evidence_of("<b>new</b>")},
        {"deal_type": "grant", "status": "agreed", "parties": ["C"], "amount": None, "currency": None, "amount_usd": None, "run_id": RUN, "evidence": []},
    ]
    html = listings.deals_listing(deals, listings.articles_by_id(ARTICLES), RUN, "/data")
    rows = re.findall(r"<tr>(.*?)</tr>", html[html.index("<tbody>") :])
    assert ["mou" in rows[0], "grant" in rows[1], "loan" in rows[2]] == [True, True, True]  # this run's first, largest first
    assert "&lt;b&gt;new&lt;/b&gt;" in rows[0] and "Port &lt;deal&gt; signed · Dawn · 2026-01-02" in rows[0]
    assert "≈ 0 USD" in rows[0] and 'data-sort="0.36"' in rows[0]  # sorted in dollars, shown in its currency
    assert "2 of the 3 deals were changed by this run" in html and "this run" in rows[0] and "older" in rows[2]
    monkeypatch.setattr(listings, "ROW_LIMIT", 2)
    capped = listings.deals_listing(deals, {}, RUN, "/data")
    assert capped.count("<tr>") == 3 and "newsflow show deals --data /data" in capped  # header + 2 rows


def test_the_sort_keys_of_dates_and_counts_leave_empty_cells_empty():
    events = [{"event_type": "visit", "event_date": dt.date(2026, 1, 3), "run_id": RUN}, {"event_type": "call", "event_date": None, "date_text": "on Monday", "run_id": RUN}]
    html = listings.events_listing(events, {}, RUN, "/data")
    assert 'class=key data-sort="2026-01-03">2026-01-03' in html and 'class=key data-sort="">on Monday' in html
    entities = [{"name": "Pakistan", "type": "GPE", "mention_count": 9, "article_ids": ["a_1", "a_2"], "aliases": ["Pakistan"], "run_id": RUN}]
    html = listings.entities_listing(entities, listings.articles_by_id(ARTICLES), RUN, "/data")
    assert 'class=num data-sort="9">9' in html and 'class=num data-sort="2">2' in html and "Port &lt;deal&gt; signed" in html
    assert listings.entities_listing([], {}, RUN, "/data") == ""


def test_the_map_puts_deals_at_their_recipient_country_and_events_at_their_location():
    from flows.report.charts import dot_map
    from flows.report.page import map_points

    deals = [{"recipient_country": "KEN"}, {"recipient_country": "KEN"}, {"recipient_country": None}, {}]  # the last: a row from before the column
    events = [{"location": "Port <Alba>", "location_country": "KEN"}, {"location": "Nowhere", "location_country": None}]
    entities = [{"name": "Port <Alba>", "latitude": -4.0, "longitude": 39.5}]
    layers = map_points(deals, events, entities)
    (kenya,) = layers["Deals by recipient country"]
    assert kenya[0] == "Kenya" and kenya[3] == 2
    assert layers["Events by location"] == [("Port <Alba>", -4.0, 39.5, 1.0)]
    svg = dot_map(layers, title="Where")
    assert svg.count("<circle class=\"dot\"") == 2 and "Port &lt;Alba&gt;" in svg and "<Alba>" not in svg
    # Equirectangular: longitude 39.5 of 360 degrees from -180, across a 720 px plot starting at x=20.
    assert f'cx="{20 + (39.5 + 180) / 360 * 720:.1f}"' in svg
    assert "nothing to plot" in dot_map({"Deals": []}, title="Where")
