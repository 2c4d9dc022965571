"""The run report: one self-contained HTML page (inline CSS and SVG, one small inline script that
sorts its tables; its Content-Security-Policy lets it load nothing and run nothing else).

Pure: it takes the run summary and the published rows as plain data and returns text. The
charts are charts.py's, the sortable tables of deals, events and entities listings.py's; the
Prefect artifacts' Markdown and rows are artifacts.py's.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from flows.core import world
from flows.core.schemas import gated_tables, table_order
from flows.report.charts import PALETTE, bar_chart, column_chart, dot_map, line_chart
from flows.report.listings import SORT_SCRIPT, articles_by_id, deals_listing, entities_listing, events_listing, script_hash

TABLES = gated_tables()  # the tables the gate validates; `rejections` holds what it kept back
# Columns the report reads, so storage need not load article bodies nor every entity mention.
COLUMNS = {
    "deals": ("deal_type", "status", "parties", "amount", "currency", "amount_usd", "counts_toward_totals", "sector", "project", "announced_date", "evidence", "run_id", "recipient_country"),
    "events": ("event_type", "event_date", "date_text", "actors", "location", "evidence", "confidence", "run_id", "location_country"),
    "entities": ("name", "type", "aliases", "article_ids", "mention_count", "extractor", "run_id", "latitude", "longitude"),
    "articles": ("article_id", "headline", "source_uri", "outlet", "published_date"),
}
TOP_ENTITIES = 15


@dataclass
class ReportData:
    summary: dict[str, Any]
    rows: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)
    history: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)


# --- what the charts show ----------------------------------------------------------------


def count_by(rows: Sequence[Mapping[str, Any]], column: str) -> list[tuple[str, float]]:
    counts = Counter(str(r.get(column) or "unknown") for r in rows)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def deal_amounts(deals: Sequence[Mapping[str, Any]]) -> dict[str, list[tuple[str, float]]]:
    """Total amount per deal type, per currency; only deals that count toward totals (no double counting)."""
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    for deal in deals:
        if deal.get("amount") is not None and deal.get("currency") and deal.get("counts_toward_totals"):
            totals[deal["currency"]][deal.get("deal_type") or "unknown"] += float(deal["amount"])
    return {cur: sorted(c.items(), key=lambda kv: -kv[1]) for cur, c in sorted(totals.items(), key=lambda kv: -sum(kv[1].values()))}


def events_over_time(events: Sequence[Mapping[str, Any]]) -> tuple[list[tuple[str, float]], str, int]:
    """Event counts per day when the dates span two months or less, else per month; plus undated count."""
    dates = [e["event_date"] for e in events if isinstance(e.get("event_date"), dt.date)]
    undated = len(events) - len(dates)
    if not dates:
        return [], "month", undated
    daily = (max(dates) - min(dates)).days <= 62
    if daily:
        counts = Counter(d.isoformat() for d in dates)
        span = [(min(dates) + dt.timedelta(days=i)).isoformat() for i in range((max(dates) - min(dates)).days + 1)]
    else:
        counts = Counter(d.strftime("%Y-%m") for d in dates)
        months, (year, month) = [], (min(dates).year, min(dates).month)
        while (year, month) <= (max(dates).year, max(dates).month):
            months.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        span = months
    return [(key, counts.get(key, 0)) for key in span], "day" if daily else "month", undated


def top_entities(entities: Sequence[Mapping[str, Any]]) -> list[tuple[str, float]]:
    ranked = sorted(entities, key=lambda e: (-(e.get("mention_count") or 0), str(e.get("name"))))
    return [(f"{e.get('name')} ({e.get('type')})", float(e.get("mention_count") or 0)) for e in ranked[:TOP_ENTITIES]]


# --- the page ----------------------------------------------------------------------------


def html_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, numeric: Sequence[int] = ()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td{" class=num" if i in numeric else ""}>{cell}</td>' for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def link(path: str | None, page_dir: Path, text: str) -> str:
    if not path:
        return escape(text)
    return f'<a href="{escape(os.path.relpath(path, page_dir))}">{escape(text)}</a>'


def validation_state(entry: Mapping[str, Any]) -> str:
    if "validation" not in entry:
        return "not re-validated (nothing new)"
    return "passed" if entry.get("valid") else "FAILED"


def section_run(summary: Mapping[str, Any], page_dir: Path) -> str:
    quarantined = summary.get("quarantined") or {}
    facts = [
        ("Run id", escape(str(summary.get("run_id")))),
        ("Outcome", '<span class="ok">success</span>' if summary.get("success") else '<span class="bad">failed: some tables were not published</span>'),
        ("Input", escape(str(summary.get("input")))),
        ("Documents read", str(summary.get("documents", 0))),
        ("New articles", str(summary.get("new_articles", 0))),
        ("Rows upserted", str(sum(t.get("upserts", 0) for t in (summary.get("tables") or {}).values()))),
        ("Quarantined", str(sum(quarantined.values()))),
        ("Rows rejected", str((summary.get("rejected") or {}).get("rows", 0))),
    ]
    cards = "".join(f'<div class="card"><div class="k">{k}</div><div class="v">{v}</div></div>' for k, v in facts)
    if quarantined:
        where = str(Path(str(summary.get("data"))) / "quarantine" / f"{summary.get('run_id')}.jsonl")
        rows = [(escape(reason), n) for reason, n in sorted(quarantined.items(), key=lambda kv: -kv[1])]
        detail = html_table(("reason", "inputs"), rows, numeric=(1,)) + f"<p>Every quarantined input and why: {link(where, page_dir, 'quarantine file')}.</p>"
    else:
        detail = "<p>No input was quarantined.</p>"
    return f'<section id="run"><h2>What this run did</h2><div class="cards">{cards}</div><h3>Quarantine</h3>{detail}</section>'


def section_published(summary: Mapping[str, Any]) -> str:
    """What the run did to each table (first), then what the table holds after it."""
    rows = []
    for name in table_order():
        t = (summary.get("tables") or {}).get(name)
        if t is None:
            continue
        published = "no (validation failed)" if t.get("published") is False else ("yes" if t.get("upserts") or t.get("deletes") else "unchanged")
        rows.append((escape(name), t.get("upserts", 0), t.get("deletes", 0), t.get("rejected", 0), published, "-" if t.get("version") is None else t["version"], t.get("rows", 0)))
    table = html_table(("table", "rows upserted", "rows deleted", "rows rejected", "published", "version", "rows in the table"), rows, numeric=(1, 2, 3, 5, 6))
    return f'<section id="published"><h2>Published tables</h2>{table}</section>'


def section_rejections(summary: Mapping[str, Any]) -> str:
    """What the gate kept back: rejected rows by table, column and rule, with examples."""
    rejected = summary.get("rejected") or {}
    groups = rejected.get("by_rule") or []
    if not groups:
        return '<section id="rejections"><h2>Rejected rows</h2><p>No row was rejected.</p></section>'
    rows = [
        (escape(g["table"]), escape(g["column"]), escape(g["rule"]), escape(g["expectation"]), g["rows"],
         "<br>".join(f"{escape(str(e.get('row_key')))}: {escape(repr(e.get('value')))}" for e in g["examples"]))
        for g in groups
    ]
    table = html_table(("table", "column", "rule", "expectation", "rows", "examples (key: value)"), rows, numeric=(4,))
    where = escape(str(summary.get("data")))
    note = f"<p>{rejected.get('rows', 0)} rows were rejected and kept, with their reasons, in the <code>rejections</code> table (<code>newsflow show rejections --data {where}</code>); everything else was published.</p>"
    return f'<section id="rejections"><h2>Rejected rows</h2>{note}{table}</section>'


def section_validation(summary: Mapping[str, Any], page_dir: Path) -> str:
    docs = summary.get("data_docs") or {}
    rows, failures = [], []
    for name in TABLES:
        t = (summary.get("tables") or {}).get(name)
        if t is None:
            continue
        v = t.get("validation") or {}
        state = validation_state(t)
        css = "ok" if state == "passed" else ("bad" if state == "FAILED" else "muted")
        pages = (docs.get("pages") or {}).get(name) or []
        # One page per table and chunk of the run (each shows the contract's and the reference checks).
        doc_links = " · ".join(link(p, page_dir, "results" if len(pages) == 1 else f"chunk {i}") for i, p in enumerate(pages, 1)) or "—"
        rows.append((escape(name), f'<span class="{css}">{escape(state)}</span>', v.get("n_rows", "—"), v.get("n_expectations", "—"), v.get("n_critical_failures", "—"), v.get("n_warnings", "—"), doc_links))
        for f in v.get("failures", []):
            ids = ", ".join(escape(str(i)) for i in f.get("sample_ids", [])[:5])
            failures.append((escape(name), escape(f["severity"]), escape(f["expectation"]), escape(str(f.get("column") or "")), escape(f["detail"]), ids))
    table = html_table(("table", "result", "rows", "expectations", "critical failures", "warnings", "Data Docs"), rows, numeric=(2, 3, 4, 5))
    index = f"<p>Great Expectations Data Docs for every validation: {link(docs.get('index'), page_dir, 'Data Docs index')}.</p>" if docs.get("index") else ""
    broken = html_table(("table", "severity", "expectation", "column", "what failed", "example rows"), failures) if failures else "<p>No expectation failed.</p>"
    return f'<section id="validation"><h2>Validation</h2>{table}{index}<h3>Failed expectations</h3>{broken}</section>'


def charts(*svgs: str) -> str:
    return f'<div class="charts">{"".join(svgs)}</div>'


def section_deals(deals: Sequence[Mapping[str, Any]], articles: Mapping[str, Mapping[str, Any]], run_id: str, data: str) -> str:
    drawn = [bar_chart(count_by(deals, "deal_type"), title="Deals by type", x_label="number of deals"),
             bar_chart(count_by(deals, "status"), title="Deals by status", x_label="number of deals", color=PALETTE[2])]
    for currency, totals in deal_amounts(deals).items():
        drawn.append(bar_chart(totals, title=f"Deal amounts by type ({currency})", x_label=f"total amount, {currency} (deals counted toward totals)", color=PALETTE[1], whole=False))
    return f'<section id="deals"><h2>Deals ({len(deals)})</h2>{charts(*drawn)}{deals_listing(deals, articles, run_id, data)}</section>'


def section_events(events: Sequence[Mapping[str, Any]], articles: Mapping[str, Mapping[str, Any]], run_id: str, data: str) -> str:
    series, unit, undated = events_over_time(events)
    note = f"<p>{undated} of {len(events)} events have no resolved date and are not plotted.</p>" if undated else ""
    over_time = column_chart(series, title=f"Events per {unit}", x_label=f"event date ({unit})", y_label="number of events")
    by_type = bar_chart(count_by(events, "event_type"), title="Events by type", x_label="number of events", color=PALETTE[3])
    return f'<section id="events"><h2>Events ({len(events)})</h2>{charts(over_time, by_type)}{note}{events_listing(events, articles, run_id, data)}</section>'


def section_entities(entities: Sequence[Mapping[str, Any]], articles: Mapping[str, Mapping[str, Any]], run_id: str, data: str) -> str:
    chart = bar_chart(top_entities(entities), title=f"Most-mentioned entities (top {TOP_ENTITIES})", x_label="mentions across all articles", color=PALETTE[4])
    return f'<section id="entities"><h2>Entities ({len(entities)})</h2>{charts(chart)}{entities_listing(entities, articles, run_id, data)}</section>'


def rows_per_version(history: Mapping[str, list[dict[str, Any]]]) -> str:
    """Rows per table over its versions; while no table has a second version, a line has nothing to
    join, so the rows of each table's one version are bars."""
    series = {name: [(h["version"], float(h["rows"])) for h in history.get(name, [])] for name in TABLES if history.get(name)}
    if all(len(points) <= 1 for points in series.values()):
        bars = [(f"{name} (version {points[0][0]})", points[0][1]) for name, points in series.items() if points]
        return bar_chart(bars, title="Rows per table version", x_label="rows", color=PALETTE[0])
    return line_chart(series, title="Rows per table version", x_label="table version", y_label="rows")


def map_points(deals: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]], entities: Sequence[Mapping[str, Any]]) -> dict[str, list[tuple[str, float, float, float]]]:
    """The map's layers: deals at their recipient country's centre, events at their location (its
    coordinates, else its country's centre). Rows with neither are left off (a published row from
    before the columns existed has none)."""
    where = {e["name"]: (e["latitude"], e["longitude"]) for e in entities if e.get("latitude") is not None and e.get("longitude") is not None}

    def centre(code: str | None) -> tuple[str, tuple[float, float]] | None:
        point = world.country_centre(code) if code else None
        country = world.country_by_code(code) if point else None
        return (country.name if country else str(code), point) if point else None

    layers: dict[str, Counter[tuple[str, float, float]]] = {"Deals by recipient country": Counter(), "Events by location": Counter()}
    for deal in deals:
        found = centre(deal.get("recipient_country"))
        if found:
            layers["Deals by recipient country"][(found[0], *found[1])] += 1
    for event in events:
        found = (event["location"], where[event["location"]]) if event.get("location") in where else centre(event.get("location_country"))
        if found:
            layers["Events by location"][(found[0], *found[1])] += 1
    return {name: [(label, lat, lon, float(n)) for (label, lat, lon), n in counts.items()] for name, counts in layers.items()}


def section_map(deals: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]], entities: Sequence[Mapping[str, Any]]) -> str:
    chart = dot_map(map_points(deals, events, entities), title="Where: deals by recipient country, events by location")
    return f'<section id="map"><h2>Map</h2>{chart}</section>'


def section_history(history: Mapping[str, list[dict[str, Any]]]) -> str:
    chart = rows_per_version(history)
    tables = []
    for name in TABLES:
        rows = [(h["version"], escape(str(h["timestamp"])[:19].replace("T", " ")), escape(str(h.get("operation") or "")), h["rows"], escape(str(h.get("run_id") or ""))) for h in history.get(name, [])]
        if rows:
            tables.append(f"<details open><summary>{escape(name)}: {len(rows)} version(s)</summary>{html_table(('version', 'committed (UTC)', 'operation', 'rows', 'run id'), rows, numeric=(0, 3))}</details>")
    return f'<section id="history"><h2>Version history</h2>{chart}<div class="charts">{"".join(tables)}</div></section>'


STYLE = """
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d2733;margin:0;background:#f5f7fa}
header{background:#1f3a56;color:#fff;padding:18px 32px}header h1{margin:0;font-size:24px}header p{margin:4px 0 0;opacity:.85}
header code{font-size:14px;word-break:break-all}
nav{padding:8px 32px;background:#e6ecf2}nav a{margin-right:16px;color:#1f3a56}
main{padding:8px 32px 40px}section{background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:8px 20px 16px;margin:16px 0}
h2{font-size:19px;border-bottom:1px solid #e3e8ee;padding-bottom:4px}h3{font-size:15px;margin-bottom:4px}
table{border-collapse:collapse;margin:6px 0 10px;font-size:14px}th,td{border:1px solid #dde3ea;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#eef2f6}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.key{white-space:nowrap}
.scroll{overflow-x:auto}table.sortable{width:100%}table.sortable th{cursor:pointer;white-space:nowrap;user-select:none}table.sortable th,table.sortable td{padding:4px 7px}
table.sortable th::after{content:" \\2195";color:#9aa7b4}table.sortable th[aria-sort=ascending]::after{content:" \\25B2";color:#1f3a56}
table.sortable th[aria-sort=descending]::after{content:" \\25BC";color:#1f3a56}table.sortable tbody tr:nth-child(even){background:#f8fafc}
td q{quotes:none;display:block}td .src{display:block;color:#5b6b7c;font-size:12px;margin-bottom:4px}td .more{color:#5b6b7c;font-size:12px}
table.deals td:nth-child(8),table.events td:nth-child(5){min-width:16em}table.deals td:nth-child(3),table.events td:nth-child(3){min-width:10em}
td q + .src{margin-bottom:8px}p.note{color:#44515e;margin:12px 0 4px}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #dde3ea;border-radius:6px;padding:8px 14px;min-width:120px}
.card .k{font-size:12px;color:#5b6b7c;text-transform:uppercase}.card .v{font-size:18px;font-weight:600;word-break:break-all}
.ok{color:#1e7a3c;font-weight:600}.bad{color:#b3261e;font-weight:600}.muted{color:#6b7785}.empty{color:#6b7785;font-style:italic}
.charts{display:flex;flex-wrap:wrap;gap:4px 40px;align-items:flex-start}
svg.chart{display:block;margin:10px 0 14px;font-size:12px;max-width:100%;height:auto}svg .title{font-size:14px;font-weight:600;fill:#1d2733}
svg .grid{stroke:#e6e9ee}svg .axis{stroke:#44515e}svg .tick,svg .value{fill:#44515e}svg .label{fill:#1d2733}
svg .axis-label{fill:#1d2733;font-weight:500}svg .line{fill:none;stroke-width:2}details{margin:4px 0}summary{cursor:pointer}
"""


def render_run_report(data: ReportData, page_dir: Path) -> str:
    """The whole page; links (Data Docs, quarantine) are made relative to page_dir."""
    s = data.summary
    rows = data.rows
    run_id, where = str(s.get("run_id")), str(s.get("data"))
    articles = articles_by_id(rows.get("articles", []))
    sections = [
        section_run(s, page_dir),
        section_published(s),
        section_validation(s, page_dir),
        section_rejections(s),
        section_map(rows.get("deals", []), rows.get("events", []), rows.get("entities", [])),
        section_deals(rows.get("deals", []), articles, run_id, where),
        section_events(rows.get("events", []), articles, run_id, where),
        section_entities(rows.get("entities", []), articles, run_id, where),
        section_history(data.history),
    ]
    nav = "".join(f'<a href="#{k}">{v}</a>' for k, v in (("run", "Run"), ("published", "Published"), ("validation", "Validation"), ("rejections", "Rejected"), ("map", "Map"), ("deals", "Deals"), ("events", "Events"), ("entities", "Entities"), ("history", "History")))
    title = f"newsflow run {run_id}"
    # Nothing to fetch, nothing to run but the sort script: an escaped value that got through anyway stays inert.
    policy = f"default-src 'none'; style-src 'unsafe-inline'; script-src '{script_hash()}'"
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head><body>'
        f"<header><h1>{escape(title)}</h1><p>Data: <code>{escape(where)}</code> · tables as published after this run</p></header>"
        f"<nav>{nav}</nav><main>{''.join(sections)}</main><script>{SORT_SCRIPT}</script></body></html>\n"
    )
