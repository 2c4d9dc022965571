"""Clean: turn a RawDocument into an Article (repaired text; header, dateline, headline and summary split off; language guessed, quality flagged)."""

from __future__ import annotations

import re

from flows.clean.hashes import article_id_for, content_hash_for, source_hash_for
from flows.clean.layout import (
    CLOSERS,
    TERMINAL_PUNCT,
    choose_published_date,
    drop_boilerplate,
    parse_header,
    split_dateline,
    split_headline,
    split_paragraphs,
    split_summary,
)
from flows.clean.repair import normalize_text
from flows.core.records import Article, RawDocument

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
# CJK is written without spaces, so each ideograph or kana counts as a word
WORD_RE = re.compile(rf"[{CJK}]|[^\W_{CJK}]+(?:['’.\-][^\W_]+)*")
LETTER_RE = re.compile(r"[^\W\d_]")
# Letters (not digits or punctuation) of each script guess_language weighs.
SCRIPT_RES = {
    name: re.compile(rf"(?=[^\W\d_])[{chars}]")
    for name, chars in {
        "beyond_latin": "\u0600-\U0010ffff",
        "arabic": "\u0600-\u06ff\u0750-\u077f\ufb50-\ufeff",
        "kana": "\u3040-\u30ff",
        "han": "\u4e00-\u9fff\u3400-\u4dbf",
        "hangul": "\uac00-\ud7af",
    }.items()
}
STOPWORDS = frozenset(
    "a about after all also an and are as at be been but by can could for from had has have he her his i if in into is it "
    "its may more most not of on or our over said says she should so than that the their them there these they this to "
    "under up was we were what when where which while who will with would you".split()
)


def clean_document(doc: RawDocument) -> Article:
    """Clean one raw document into an Article."""
    flags: list[str] = []
    text, repaired = normalize_text(doc["text"])
    if repaired:
        flags.append("mojibake_repaired")
    header = parse_header(text)
    text = header.text
    if header.bad_date:
        flags.append("bad_header_date")
    paragraphs = split_paragraphs(text)
    paragraphs, links_dropped, credits_dropped = drop_boilerplate(paragraphs)
    if links_dropped:
        flags.append("link_lines_dropped")
    if credits_dropped:
        flags.append("boilerplate_dropped")

    given_headline = " ".join(normalize_text(doc["headline"])[0].split()) if doc["headline"] else None
    headline, lines = split_headline(paragraphs, given_headline)
    summary, lines = split_summary(lines)
    front, dateline, lines = split_dateline(lines)
    summary += front
    if not lines:  # everything looked like front matter: keep the text whole rather than lose it
        headline, summary, dateline, lines = given_headline, [], None, paragraphs or [text.strip()]
        flags.append("no_body_found")
    body = "\n".join(lines).strip()

    published, source = choose_published_date(doc["published"], header.date, dateline)
    if doc["published"] and source != "metadata":
        flags.append("bad_metadata_date")
    if published is None:
        flags.append("no_published_date")
    if body and body.rstrip(CLOSERS)[-1:] not in TERMINAL_PUNCT:
        flags.append("truncated")
    language = guess_language(body)
    if language != "en":
        flags.append("non_english")
    return Article(
        article_id=article_id_for(doc["source_uri"]),
        content_hash=content_hash_for(body, headline, summary, doc["outlet"], published),
        source_hash=source_hash_for(doc),
        source_uri=doc["source_uri"],
        outlet=doc["outlet"],
        headline=headline,
        dateline=dateline.place if dateline else None,
        published_date=published,
        published_date_source=source,
        summary=summary,
        body=body,
        language=language,
        word_count=count_words(body),
        quality_flags=flags,
    )


def count_words(text: str) -> int:
    """Words in text; each CJK ideograph or kana counts as one word."""
    return len(WORD_RE.findall(text))


def guess_language(text: str) -> str:
    """Cheap guess: script for Arabic/CJK, English stopword share for Latin text, else und."""
    if not LETTER_RE.search(text):
        return "und"
    if SCRIPT_RES["beyond_latin"].search(text):  # else Latin, Greek, Cyrillic only: every share below is 0
        letters = len(LETTER_RE.findall(text))

        def share(script: str) -> float:
            return len(SCRIPT_RES[script].findall(text)) / letters

        if share("arabic") > 0.5:
            if any(c in text for c in "ٹڈڑںےہھ"):  # letters Urdu uses and Arabic/Persian do not
                return "ur"
            return "fa" if any(c in text for c in "پچژگ") else "ar"
        if share("kana") > 0.05:
            return "ja"
        if share("han") > 0.3:
            return "zh"
        if share("hangul") > 0.3:
            return "ko"
    words = re.findall(r"[a-z]+", text.casefold())
    if len(words) >= 3 and sum(w in STOPWORDS for w in words) / len(words) >= 0.2:
        return "en"
    return "und"
