"""HTML pages by tag stripping: every visible text (tags, scripts and styles stripped, blocks become
paragraphs) and the headline, outlet and date the page names. The reader html_page.py falls back
to when trafilatura finds no main text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from flows.ingest.documents import iso_date

# (This module is not called html.py: that name would shadow the standard library's `html` whenever its folder is on sys.path.)


class _HtmlText(HTMLParser):
    """Collect visible text (block elements become paragraph breaks) and a few meta fields."""

    SKIP = frozenset({"script", "style", "noscript", "template", "svg", "nav"})
    BLOCKS = frozenset({
        "p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header", "footer",
        "aside", "main", "blockquote", "pre", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    })

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self.meta: dict[str, str] = {}
        self.skip_depth = 0
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skip_depth += 1
        elif tag == "title":
            self.in_title = True
        elif tag == "meta":
            fields = {k: v or "" for k, v in attrs}
            key = (fields.get("property") or fields.get("name") or "").lower()
            if key and "content" in fields:
                self.meta.setdefault(key, fields["content"])
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skip_depth:
            self.skip_depth -= 1
        elif tag == "title":
            self.in_title = False
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.skip_depth:
            self.parts.append(re.sub(r"\s+", " ", data))  # HTML collapses source whitespace


def html_to_text(markup: str) -> tuple[str, dict[str, str | None]]:
    """Visible text of an HTML page (paragraphs split by blank lines) and its headline/outlet/published."""
    parser = _HtmlText()
    parser.feed(markup)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    text = "\n\n".join(line for line in lines if line)
    title = " ".join(" ".join(parser.title).split()) or parser.meta.get("og:title", "").strip()
    published = parser.meta.get("article:published_time", "")
    meta: dict[str, str | None] = {
        "headline": title or None,
        "outlet": parser.meta.get("og:site_name", "").strip() or None,
        "published": iso_date(published) if published else None,
    }
    return text, meta
