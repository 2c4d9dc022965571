"""The run report's sortable tables: the deals, events and entities an analyst scans, each row with
its evidence (the sentence, and the article it is in), and the page's one small script, which sorts
a table by the column whose header is clicked.

Pure: rows in, escaped HTML out. The rows this run changed come first, then the table's natural
order (largest amount, latest date, most mentions); a table shows ROW_LIMIT rows at most, and says
how to list the rest.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any

ROW_LIMIT = 500
EVIDENCE_SHOWN = 3  # sentences shown per row; the rest are counted
Row = Mapping[str, Any]
# A column: its header, how it sorts ("text": by the cell's text; "key": by the cell's key, as text;
# "num": by the key, as a number; a missing key sorts last) and the cell of a row: its HTML (escaped
# here) and its key (a number, an ISO date, a run id).
Cell = tuple[str, Any]
Column = tuple[str, str, Callable[[Row], Cell]]

# Click (or Enter on) a header: the rows re-ordered by that column, ascending then descending;
# empty cells last either way. A cell's data-sort, when it has one, is what it sorts by.
SORT_SCRIPT = """
function sortRows(th) {
  var table = th.closest('table'), body = table.tBodies[0], column = th.cellIndex;
  var ascending = th.getAttribute('aria-sort') !== 'ascending', numeric = th.dataset.type === 'num';
  var key = function (row) {
    var cell = row.cells[column], value = cell.hasAttribute('data-sort') ? cell.dataset.sort : cell.textContent.trim();
    return value === '' ? null : numeric ? parseFloat(value) : value;
  };
  var rows = Array.prototype.slice.call(body.rows).map(function (row) { return [key(row), row]; });
  rows.sort(function (a, b) {
    if (a[0] === null || b[0] === null) { return (a[0] === null) - (b[0] === null); }
    var order = numeric ? a[0] - b[0] : String(a[0]).localeCompare(String(b[0]), undefined, {numeric: true, sensitivity: 'base'});
    return ascending ? order : -order;
  });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute('aria-sort'); });
  th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
  rows.forEach(function (pair) { body.appendChild(pair[1]); });
}
document.querySelectorAll('table.sortable th').forEach(function (th) {
  th.tabIndex = 0;
  th.addEventListener('click', function () { sortRows(th); });
  th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortRows(th); } });
});
"""


def script_hash() -> str:
    """The script's hash for the page's Content-Security-Policy: the browser runs it and nothing else."""
    return "sha256-" + base64.b64encode(hashlib.sha256(SORT_SCRIPT.encode()).digest()).decode()


def sortable_table(columns: Sequence[Column], rows: Sequence[Row], *, css: str) -> str:
    head = "".join(f'<th scope="col" data-type="{kind}" title="sort by {escape(name)}">{escape(name)}</th>' for name, kind, _ in columns)
    lines = []
    for row in rows:
        cells = []
        for _, kind, cell in columns:
            html, key = cell(row)
            sort = "" if kind == "text" else f' data-sort="{escape("" if key is None else str(key))}"'
            cells.append(f'<td{"" if kind == "text" else f" class={kind}"}{sort}>{html}</td>')
        lines.append("<tr>" + "".join(cells) + "</tr>")
    return f'<div class="scroll"><table class="sortable {css}"><thead><tr>{head}</tr></thead><tbody>{"".join(lines)}</tbody></table></div>'


def text(value: Any) -> Cell:
    return escape("" if value is None else str(value)), None


def names(values: Sequence[str] | None) -> Cell:
    return escape(", ".join(values or [])), None


def number(value: float | None, digits: int = 0) -> Cell:
    return ("" if value is None else f"{float(value):,.{digits}f}"), value


def date(value: Any) -> Cell:
    iso = value.isoformat() if isinstance(value, dt.date) else None
    return escape(iso or ""), iso


def article_label(article: Row | None, article_id: str) -> str:
    """Headline (else where it was read from) · outlet · publication date; its id as tooltip."""
    if article is None:
        return f'<span class="src" title="{escape(article_id)}">{escape(article_id)}</span>'
    parts = [article.get("headline") or article.get("source_uri") or article_id, article.get("outlet"), date(article.get("published_date"))[1]]
    return f'<span class="src" title="{escape(article_id)}">{escape(" · ".join(str(p) for p in parts if p))}</span>'


def evidence(items: Sequence[Row] | None, articles: Mapping[str, Row]) -> Cell:
    items = list(items or [])
    shown = [f'<q>{escape(str(e.get("text") or "").strip())}</q> {article_label(articles.get(e.get("article_id", "")), e.get("article_id", ""))}' for e in items[:EVIDENCE_SHOWN]]
    more = f'<span class="more">and {len(items) - EVIDENCE_SHOWN} more report(s)</span>' if len(items) > EVIDENCE_SHOWN else ""
    return "".join(shown) + more, None  # each sentence and label is a block of its own


def seen_in(article_ids: Sequence[str] | None, articles: Mapping[str, Row]) -> Cell:
    ids = list(article_ids or [])
    shown = [article_label(articles.get(a), a) for a in ids[:EVIDENCE_SHOWN]]
    more = f'<span class="more">and {len(ids) - EVIDENCE_SHOWN} more</span>' if len(ids) > EVIDENCE_SHOWN else ""
    return "".join(shown) + more, None


def changed_by(run_id: str) -> Callable[[Row], Cell]:
    """"this run", or the id of the run that last changed the row; sorts by run id (time first)."""
    return lambda row: (escape("this run" if row.get("run_id") == run_id else str(row.get("run_id") or "")), row.get("run_id"))


def select(rows: Sequence[Row], run_id: str, order: Callable[[Row], Any]) -> list[Row]:
    """This run's rows first, each group in the table's natural order; at most ROW_LIMIT."""
    return sorted(rows, key=lambda r: (r.get("run_id") != run_id, order(r)))[:ROW_LIMIT]


def listing(kind: str, rows: Sequence[Row], run_id: str, columns: Sequence[Column], order: Callable[[Row], Any], data: str) -> str:
    """The sortable table of a kind of row (deals, events, entities), with a line saying what it shows."""
    if not rows:
        return ""
    shown = select(rows, run_id, order)
    mine = sum(r.get("run_id") == run_id for r in rows)
    note = f"{mine} of the {len(rows)} {kind} were changed by this run" if mine else f"This run changed none of the {len(rows)} {kind}"
    if len(shown) < len(rows):
        note += f"; the {len(shown)} shown are this run's first, then the rest in order (every one: <code>newsflow show {kind} --data {escape(data)}</code>)"
    return f'<p class="note">{note}. Click a column header to sort.</p>' + sortable_table(columns, shown, css=kind)


def articles_by_id(articles: Sequence[Row]) -> dict[str, Row]:
    return {a["article_id"]: a for a in articles if a.get("article_id")}


def amount(deal: Row) -> Cell:
    """The amount in its currency, and in US dollars below when that is another; sorts in dollars
    (amounts in different currencies do not compare), an amount not converted last."""
    if deal.get("amount") is None:
        return "", None
    shown = f'{number(deal["amount"])[0]} {escape(str(deal.get("currency") or ""))}'.strip()
    if deal.get("currency") != "USD" and deal.get("amount_usd") is not None:
        shown += f'<span class="src">≈ {number(deal["amount_usd"])[0]} USD</span>'
    return shown, deal.get("amount_usd")


def deals_listing(deals: Sequence[Row], articles: Mapping[str, Row], run_id: str, data: str) -> str:
    columns: list[Column] = [
        ("type", "text", lambda d: text(d.get("deal_type"))),
        ("status", "text", lambda d: text(d.get("status"))),
        ("parties", "text", lambda d: names(d.get("parties"))),
        ("amount", "num", amount),
        ("sector", "text", lambda d: text(d.get("sector"))),
        ("project", "text", lambda d: text(d.get("project"))),
        ("announced", "key", lambda d: date(d.get("announced_date"))),
        ("evidence", "text", lambda d: evidence(d.get("evidence"), articles)),
        ("run", "key", changed_by(run_id)),
    ]
    return listing("deals", deals, run_id, columns, lambda d: (d.get("amount_usd") is None, -(d.get("amount_usd") or 0)), data)


def events_listing(events: Sequence[Row], articles: Mapping[str, Row], run_id: str, data: str) -> str:
    def latest(e: Row) -> tuple[bool, int]:
        when = e.get("event_date")
        return (not isinstance(when, dt.date), -when.toordinal() if isinstance(when, dt.date) else 0)

    columns: list[Column] = [
        ("date", "key", lambda e: (escape(date(e.get("event_date"))[0] or str(e.get("date_text") or "")), date(e.get("event_date"))[1])),
        ("type", "text", lambda e: text(e.get("event_type"))),
        ("actors", "text", lambda e: names(e.get("actors"))),
        ("location", "text", lambda e: text(e.get("location"))),
        ("evidence", "text", lambda e: evidence(e.get("evidence"), articles)),
        ("confidence", "num", lambda e: number(e.get("confidence"), 2)),
        ("run", "key", changed_by(run_id)),
    ]
    return listing("events", events, run_id, columns, latest, data)


def entities_listing(entities: Sequence[Row], articles: Mapping[str, Row], run_id: str, data: str) -> str:
    columns: list[Column] = [
        ("name", "text", lambda e: text(e.get("name"))),
        ("type", "text", lambda e: text(e.get("type"))),
        ("mentions", "num", lambda e: number(e.get("mention_count"))),
        ("articles", "num", lambda e: number(len(e.get("article_ids") or []))),
        ("written as", "text", lambda e: names(e.get("aliases"))),
        ("seen in", "text", lambda e: seen_in(e.get("article_ids"), articles)),
        ("found by", "text", lambda e: text(e.get("extractor"))),
        ("run", "key", changed_by(run_id)),
    ]
    return listing("entities", entities, run_id, columns, lambda e: (-(e.get("mention_count") or 0), str(e.get("name"))), data)
