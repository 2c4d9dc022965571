"""HTML inputs are read, not stripped: pages written here, each with the boilerplate real news
sites wrap an article in (cookie banner, navigation, share buttons, promos, newsletter box,
comments, related links, footer), in legacy charsets the page declares."""

from __future__ import annotations

from pathlib import Path

from flows.ingest.html_page import declared_charset, decode_page, parse_html, read_page
from flows.ingest.readers import ingest_path

LEDGER = """<!doctype html>
<html lang="en"><head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">
<title>Lender approves $300 million for Karachi water project | The Harbour Ledger</title>
<meta property="og:site_name" content="The Harbour Ledger">
<meta property="og:title" content="Lender approves $300 million for Karachi water project">
<link rel="canonical" href="https://ledger.example.com/2025/03/karachi-water">
<meta name="author" content="Sana Qureshi">
<meta property="article:published_time" content="2025-03-04T09:30:00+05:00">
</head><body>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience. Accept all cookies | Manage preferences</div>
<header class="site-header"><nav><a href="/">Home</a> <a href="/business">Business</a> <a href="/world">World</a> <a href="/sport">Sport</a> <a href="/subscribe">Subscribe today</a></nav></header>
<main><article>
<h1>Lender approves $300 million for Karachi water project</h1>
<p class="byline">By Sana Qureshi</p>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
<p>KARACHI: A development lender on Tuesday approved a $300 million loan to expand the city’s bulk water supply, officials said, in a deal that café owners and industrial users have awaited for years.</p>
<p>The financing will pay for a new pumping station and 40 kilometres of pipeline, the provincial water board said in a statement. Work is due to begin in the autumn and finish within three years.</p>
<p>Officials said the loan carries a 25-year maturity and a five-year grace period, and that a second phase worth a further $200 million is under discussion.</p>
</article>
<aside class="related"><h3>Related stories</h3><ul><li><a href="/a">Power tariffs rise again</a></li><li><a href="/b">Port expansion delayed</a></li><li><a href="/c">Ten things to know about the budget</a></li></ul></aside>
</main>
<div class="newsletter-signup"><h4>Get the morning briefing</h4><p>Sign up for our free daily newsletter and never miss a story.</p></div>
<footer><p>© 2025 The Harbour Ledger. All rights reserved.</p><p><a href="/privacy">Privacy policy</a> | <a href="/terms">Terms of use</a> | <a href="/contact">Contact us</a></p></footer>
</body></html>
"""
LEDGER_PARAGRAPHS = [
    "KARACHI: A development lender on Tuesday approved a $300 million loan to expand the city’s bulk water supply, officials said, in a deal that café owners and industrial users have awaited for years.",
    "The financing will pay for a new pumping station and 40 kilometres of pipeline, the provincial water board said in a statement. Work is due to begin in the autumn and finish within three years.",
    "Officials said the loan carries a 25-year maturity and a five-year grace period, and that a second phase worth a further $200 million is under discussion.",
]
BOILERPLATE = [
    "cookies", "Manage preferences", "Subscribe today", "Sport", "By Sana Qureshi", "Share on", "Related stories",
    "Power tariffs rise again", "Ten things to know", "morning briefing", "newsletter", "All rights reserved", "Privacy policy", "Contact us",
]

# Cyrillic in windows-1251: read as cp1252 (what sniffing alone would do) it turns into Latin junk.
VESTNIK = """<!DOCTYPE html>
<html lang="ru"><head><meta charset="windows-1251">
<title>Правительство одобрило кредит на строительство дороги — Степной вестник</title>
<meta property="og:site_name" content="Степной вестник">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", "datePublished": "2025-11-18T07:15:00Z",
 "author": {"@type": "Person", "name": "Ольга Иванова"}}</script>
<meta property="og:url" content="https://vestnik.example.org/news/road-loan">
</head><body>
<div class="gdpr-banner">Этот сайт использует файлы cookie. Продолжая просмотр, вы соглашаетесь с их использованием.</div>
<nav class="menu"><ul><li><a href="/">Главная</a></li><li><a href="/economy">Экономика</a></li><li><a href="/sport">Спорт</a></li></ul></nav>
<div class="story">
<h1>Правительство одобрило кредит на строительство дороги</h1>
<p>АСТАНА: Правительство во вторник одобрило кредит в размере 450 миллионов долларов на строительство новой дороги между двумя крупными городами страны, сообщили в министерстве транспорта.</p>
<p>Строительство начнётся весной следующего года и продлится около четырёх лет, добавили в министерстве. Дорога сократит время в пути почти вдвое.</p>
<p class="promo"><a href="/older">Читайте также: Цены на хлеб снова выросли</a></p>
</div>
<section class="comments"><h3>Комментарии</h3><p>Наконец-то хорошие новости!</p></section>
<div id="footer">Степной вестник © 2025 · <a href="/about">О нас</a> · <a href="/ads">Реклама</a></div>
</body></html>
"""


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_page_is_its_article_with_the_metadata_the_page_names(tmp_path: Path) -> None:
    # iso-8859-1 as declared means windows-1252 (the Encoding Standard): ’ is byte 0x92 there.
    docs, quarantined = ingest_path(write(tmp_path, "ledger.html", LEDGER.encode("cp1252")))
    assert quarantined == []
    (doc,) = docs
    assert doc["text"].split("\n\n")[-3:] == LEDGER_PARAGRAPHS
    assert [b for b in BOILERPLATE if b in doc["text"]] == []
    assert doc["headline"] == "Lender approves $300 million for Karachi water project"
    assert (doc["published"], doc["outlet"]) == ("2025-03-04", "The Harbour Ledger")
    assert doc["source_uri"] == "https://ledger.example.com/2025/03/karachi-water"  # the url the page gives, as a JSONL record's
    page = read_page(LEDGER)
    assert page is not None and page.author == "Sana Qureshi"


def test_a_page_in_the_charset_it_declares_reads_right_where_sniffing_would_not(tmp_path: Path) -> None:
    data = VESTNIK.encode("cp1251")
    assert declared_charset(data) == "cp1251"
    assert "Правительство" not in (data.decode("cp1252", "replace"))  # what reading it without the declaration gives
    docs, quarantined = ingest_path(write(tmp_path, "vestnik.htm", data))
    assert quarantined == []
    (doc,) = docs
    assert "АСТАНА: Правительство во вторник одобрило кредит в размере 450 миллионов долларов" in doc["text"]
    assert "Дорога сократит время в пути почти вдвое." in doc["text"]
    for boilerplate in ("cookie", "Главная", "Спорт", "Читайте также", "Комментарии", "Наконец-то", "Реклама"):
        assert boilerplate not in doc["text"], boilerplate
    assert doc["headline"] == "Правительство одобрило кредит на строительство дороги"
    assert (doc["published"], doc["outlet"], doc["source_uri"]) == ("2025-11-18", "Степной вестник", "https://vestnik.example.org/news/road-loan")
    page = read_page(decode_page(data) or "")
    assert page is not None and page.author == "Ольга Иванова"


def test_a_wrong_or_unknown_declaration_falls_back_to_sniffing() -> None:
    text = "<html><head><meta charset='utf-8'></head><body><p>Café owners said “yes”.</p></body></html>"
    assert decode_page(text.encode("cp1252")) == text  # not UTF-8 after all: plausible cp1252
    assert decode_page(text.replace("utf-8", "no-such-charset").encode()) == text.replace("utf-8", "no-such-charset")
    assert declared_charset(b'<meta charset="utf-16">') == "utf-8"  # a meta tag read as ASCII cannot be UTF-16
    assert decode_page(b"\xef\xbb\xbf<meta charset='cp1251'><p>\xc3\xa9</p>") == "<meta charset='cp1251'><p>é</p>"  # a BOM wins


def test_where_trafilatura_finds_nothing_every_visible_text_is_kept() -> None:
    markup = "<html><head><title>Short note</title></head><body><div>Officials met on Monday.</div><div>They agreed.</div></body></html>"
    assert read_page(markup) is None
    docs, quarantined = parse_html(markup, "note.html", len(markup))
    assert quarantined == []
    assert (docs[0]["text"], docs[0]["headline"], docs[0]["source_uri"]) == ("Officials met on Monday.\n\nThey agreed.", "Short note", "note.html")
