"""Tests for flows.clean: the seeds end to end, then each rule on small made-up texts."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from flows.clean import hashes
from flows.clean.cleaner import clean_document
from flows.clean.hashes import CLEANER_VERSION, article_id_for, hash_cleaner, source_hash_for
from flows.clean.layout import parse_dateline, parse_full_date, parse_header, split_headline, split_summary
from flows.clean.repair import normalize_text
from flows.core.records import RawDocument
from flows.ingest.readers import ingest_path

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def raw(text: str, **meta: str | None) -> RawDocument:
    return RawDocument(source_uri=meta.get("source_uri") or "t.txt", text=text, outlet=meta.get("outlet"),
                       published=meta.get("published"), headline=meta.get("headline"))


def seed_articles() -> dict[str, dict]:
    docs, quarantined = ingest_path(SEEDS)
    assert quarantined == []
    return {doc["source_uri"][:3]: clean_document(doc) for doc in docs}


@pytest.fixture(scope="module")
def seeds() -> dict[str, dict]:
    return seed_articles()


# --- seeds ---------------------------------------------------------------------

def test_seed_000_header_date_and_dateline(seeds: dict[str, dict]) -> None:
    a = seeds["000"]
    assert (a["published_date"], a["published_date_source"]) == (dt.date(2025, 12, 10), "header")
    assert a["dateline"] == "Islamabad"
    assert a["body"].startswith("The Trump administration has approved")
    assert "2025-12-10" not in a["body"] and "no_published_date" not in a["quality_flags"]


def test_seed_001_no_date_and_read_more_line_dropped(seeds: dict[str, dict]) -> None:
    a = seeds["001"]
    assert (a["published_date"], a["published_date_source"]) == (None, "none")
    assert a["dateline"] == "Islamabad"
    assert a["body"].startswith("Deputy Prime Minister")
    assert "Read More" not in a["body"] and "bullet train" not in a["body"]
    assert {"no_published_date", "link_lines_dropped"} <= set(a["quality_flags"])
    assert a["headline"] is None and a["summary"] == []


def test_seed_002_headline_summary_and_dateline_date(seeds: dict[str, dict]) -> None:
    a = seeds["002"]
    assert a["headline"] == "Top diplomats focus on trade, security, and the aftermath of the Afghan withdrawal"
    assert (a["published_date"], a["published_date_source"]) == (dt.date(2025, 4, 8), "dateline")
    assert a["dateline"] == "Islamabad"
    assert len(a["summary"]) == 3
    assert a["summary"][0].startswith("The US and Pakistan engaged")
    assert not any(re.match(r"^[ivx]+\)", item) for item in a["summary"])
    assert a["body"].startswith("US Secretary of State Marco Rubio")
    for moved in ("Key Takeaways", "Top diplomats focus", "iii)", "April 8, 2025 –"):
        assert moved not in a["body"]


def test_seed_003_bullets_to_summary(seeds: dict[str, dict]) -> None:
    a = seeds["003"]
    assert (a["published_date"], a["published_date_source"]) == (None, "none")
    assert a["dateline"] == "Islamabad"
    assert len(a["summary"]) == 3 and not any(item.startswith("-") for item in a["summary"])
    assert a["body"].startswith("Deputy Prime Minister")
    assert "DPM DAR receives" not in a["body"]


def test_seed_articles_are_valid_rows(seeds: dict[str, dict]) -> None:
    for a in seeds.values():
        assert re.fullmatch(r"a_[0-9a-f]{16}", a["article_id"])
        assert a["language"] == "en" and "non_english" not in a["quality_flags"]
        assert a["word_count"] > 200
        assert a["body"] == a["body"].strip() and "\n\n" not in a["body"] and "  " not in a["body"]
    assert len({a["article_id"] for a in seeds.values()}) == 4
    assert len({a["content_hash"] for a in seeds.values()}) == 4  # 001 and 003 share a story, not a text


# --- normalize_text ------------------------------------------------------------

def test_mojibake_is_repaired_and_flagged() -> None:
    text, repaired = normalize_text("Pakistanâ€™s minister said â€œyesâ€\x9d.")
    assert (text, repaired) == ("Pakistan’s minister said “yes”.", True)
    article = clean_document(raw("Pakistanâ€™s minister met officials on Monday and the talks went on."))
    assert "mojibake_repaired" in article["quality_flags"] and "’" in article["body"]


def test_clean_text_is_not_flagged_and_keeps_curly_quotes() -> None:
    assert normalize_text("He said “yes” – it’s done.") == ("He said “yes” – it’s done.", False)


def test_whitespace_line_endings_zero_width_and_nfc() -> None:
    text, _ = normalize_text("  One\u200b  two\u00a0\tthree\r\nfour\rfive\r\n\r\n\r\n\r\nsix cafe\u0301  ")
    assert text == "One two three\nfour\nfive\n\nsix café"


def test_markdown_escaped_dollar_is_unescaped() -> None:
    assert normalize_text(r"a \$1 billion loss")[0] == "a $1 billion loss"


# --- header --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "date", "rest"),
    [
        (" date 2025-12-10 Islamabad: Talks.", dt.date(2025, 12, 10), "Islamabad: Talks."),
        ("date 2025-12-10 date 2025-12-11 Body.", dt.date(2025, 12, 10), "Body."),
        ("Date: 2025-12-10\nBody.", dt.date(2025, 12, 10), "Body."),
        ("Published: April 8, 2025\n\nBody.", dt.date(2025, 4, 8), "Body."),
        ("Updated: 2025-05-01\nPublished on: 8 April 2025 10:00 PKT\nBody.", dt.date(2025, 4, 8), "Body."),
        ("The date 2025-12-10 appears later.", None, "The date 2025-12-10 appears later."),
        ("Dated accounts vary.", None, "Dated accounts vary."),
    ],
)
def test_parse_header(text: str, date: dt.date | None, rest: str) -> None:
    header = parse_header(text)
    assert (header.date, header.text, header.bad_date) == (date, rest, False)


def test_unreadable_header_date_is_stripped_and_flagged() -> None:
    header = parse_header("date 2025-13-40 Body.")
    assert (header.date, header.text, header.bad_date) == (None, "Body.", True)
    assert "bad_header_date" in clean_document(raw("date 2025-13-40 The minister spoke."))["quality_flags"]


def test_parse_full_date() -> None:
    assert parse_full_date("Sept. 3rd, 2025 at noon") == dt.date(2025, 9, 3)
    assert parse_full_date("3 September 2025") == dt.date(2025, 9, 3)
    assert parse_full_date("Dec 18") is None and parse_full_date("Mayor 5, 2025") is None
    assert parse_full_date("February 30, 2025") is None


# --- dateline ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("paragraph", "place", "date", "rest"),
    [
        ("ISLAMABAD: The talks went on.", "Islamabad", None, "The talks went on."),
        ("Islamabad: The talks went on.", "Islamabad", None, "The talks went on."),
        ("NEW YORK: Markets rose.", "New York", None, "Markets rose."),
        ("WASHINGTON/ISLAMABAD: Talks ended.", "Washington/Islamabad", None, "Talks ended."),
        ("WASHINGTON (Reuters) - Officials said.", "Washington", None, "Officials said."),
        ("KYIV, Dec 18 (Reuters) - A fund met.", "Kyiv", None, "A fund met."),
        ("Islamabad, Pakistan – April 8, 2025 – US officials met.", "Islamabad", dt.date(2025, 4, 8), "US officials met."),
        ("LAHORE, March 3, 2024: Rain fell.", "Lahore", dt.date(2024, 3, 3), "Rain fell."),
    ],
)
def test_parse_dateline(paragraph: str, place: str, date: dt.date | None, rest: str) -> None:
    assert tuple(parse_dateline(paragraph)) == (place, date, rest)


@pytest.mark.parametrize(
    "paragraph",
    [
        "Pakistan – the country said – will act.",
        "US – China talks resumed on Monday.",
        "UN: aid is needed.",
        "Note: figures are provisional.",
        "The minister said: talks will resume.",
        "Officials met on Monday in Islamabad.",
        "Islamabad",
    ],
)
def test_not_a_dateline(paragraph: str) -> None:
    assert parse_dateline(paragraph) is None


def test_dateline_is_removed_from_body() -> None:
    a = clean_document(raw("LAHORE: Rain fell across the city on Monday."))
    assert (a["dateline"], a["body"]) == ("Lahore", "Rain fell across the city on Monday.")


# --- headline ------------------------------------------------------------------

def test_title_line_becomes_headline() -> None:
    headline, rest = split_headline(["Rain floods the old city", "Heavy rain fell on Monday."], None)
    assert (headline, rest) == ("Rain floods the old city", ["Heavy rain fell on Monday."])


@pytest.mark.parametrize(
    "first",
    [
        "The minister met officials on Monday.",  # a sentence
        "Key Takeaways:",
        "- a bullet line",
        "the lower-case start of something",
        "WASHINGTON (Reuters) -",
    ],
)
def test_non_titles_stay_out_of_headline(first: str) -> None:
    assert split_headline([first, "More text follows here."], None) == (None, [first, "More text follows here."])


def test_single_line_is_body_not_headline() -> None:
    a = clean_document(raw("Rain floods the old city"))
    assert (a["headline"], a["body"]) == (None, "Rain floods the old city")


def test_given_headline_wins_and_its_echo_is_dropped() -> None:
    a = clean_document(raw("Rain floods the old city\n\nHeavy rain fell on Monday.", headline="Rain Floods the Old City"))
    assert a["headline"] == "Rain Floods the Old City"
    assert a["body"] == "Heavy rain fell on Monday."


# --- summary -------------------------------------------------------------------

def test_highlights_block_with_numbered_and_bullet_items() -> None:
    summary, rest = split_summary(["Highlights:", "1. First point.", "2) Second point.", "• Third point.", "Body starts here."])
    assert summary == ["First point.", "Second point.", "Third point."]
    assert rest == ["Body starts here."]


def test_inline_roman_items() -> None:
    summary, rest = split_summary(["Key Takeaways: i) Alpha rose. ii) Beta fell.", "Body."])
    assert (summary, rest) == (["Alpha rose.", "Beta fell."], ["Body."])


def test_leading_dash_bullets_go_to_summary_but_later_lists_stay() -> None:
    lines = ["- Lead one.", "– Lead two.", "Body paragraph.", "- a list inside the body"]
    assert split_summary(lines) == (["Lead one.", "Lead two."], ["Body paragraph.", "- a list inside the body"])


def test_label_without_items_stays_in_body() -> None:
    assert split_summary(["Highlights:", "Plain paragraph."]) == ([], ["Highlights:", "Plain paragraph."])


def test_standfirst_before_dateline_goes_to_summary() -> None:
    text = "Rain floods the old city\n\nThousands moved to shelters as rivers rose\n\nLAHORE: Heavy rain fell on Monday."
    a = clean_document(raw(text))
    assert a["headline"] == "Rain floods the old city"
    assert a["summary"] == ["Thousands moved to shelters as rivers rose"]
    assert (a["dateline"], a["body"]) == ("Lahore", "Heavy rain fell on Monday.")


def test_text_of_only_bullets_keeps_a_body() -> None:
    a = clean_document(raw("- One point.\n- Another point."))
    assert a["body"] and "no_body_found" in a["quality_flags"]


# --- link and boilerplate lines ------------------------------------------------

@pytest.mark.parametrize(
    "line",
    [
        "Read More: Another story entirely",
        "Read: Another story entirely",
        "Also read: Another story",
        "Related: Another story",
        "Click here to subscribe",
        "https://example.com/story/123",
        "www.example.com",
    ],
)
def test_link_lines_are_dropped(line: str) -> None:
    a = clean_document(raw(f"The minister spoke on Monday.\n{line}\nShe left on Tuesday."))
    assert a["body"] == "The minister spoke on Monday.\nShe left on Tuesday."
    assert "link_lines_dropped" in a["quality_flags"]


@pytest.mark.parametrize("line", ["Related talks were held in Doha.", "Read the report at the ministry website."])
def test_sentences_that_start_like_links_are_kept(line: str) -> None:
    a = clean_document(raw(f"The minister spoke on Monday.\n{line}"))
    assert line in a["body"] and "link_lines_dropped" not in a["quality_flags"]


def test_agency_credit_line_is_dropped() -> None:
    a = clean_document(raw("The fund met on Thursday.\n(Reporting by A Writer; Editing by An Editor)"))
    assert a["body"] == "The fund met on Thursday." and "boilerplate_dropped" in a["quality_flags"]


# --- published date ------------------------------------------------------------

DATED = "date 2025-12-10 Islamabad, Pakistan – April 8, 2025 – Officials met on Monday."


def test_metadata_date_wins_over_header_and_dateline() -> None:
    a = clean_document(raw(DATED, published="2024-01-02"))
    assert (a["published_date"], a["published_date_source"]) == (dt.date(2024, 1, 2), "metadata")


def test_header_date_wins_over_dateline() -> None:
    a = clean_document(raw(DATED))
    assert (a["published_date"], a["published_date_source"], a["dateline"]) == (dt.date(2025, 12, 10), "header", "Islamabad")


def test_no_date_means_none_never_today() -> None:
    a = clean_document(raw("Officials met on Monday, the ministry said today."))
    assert (a["published_date"], a["published_date_source"]) == (None, "none")
    assert "no_published_date" in a["quality_flags"]


def test_dateline_without_year_gives_no_date() -> None:
    a = clean_document(raw("KYIV, Dec 18 (Reuters) - The fund met on Thursday."))
    assert (a["dateline"], a["published_date"]) == ("Kyiv", None)


def test_unparseable_metadata_date_is_flagged() -> None:
    a = clean_document(raw("Officials met.", published="soon"))
    assert a["published_date_source"] == "none"
    assert "bad_metadata_date" in a["quality_flags"]


# --- ids, words, language, structure -------------------------------------------

def test_same_text_from_two_sources_is_two_articles_sharing_a_content_hash(tmp_path: Path) -> None:
    body = "The minister met officials on Monday.\n\nTalks will resume next week."
    (tmp_path / "a.txt").write_text("Talks resume\n\n" + body, encoding="utf-8")
    record = {"text": "TALKS RESUME\r\n" + body.replace(" on ", "  on ").replace("\n\n", "\r\n"),
              "headline": "Talks resume", "url": "https://example.com/x"}
    (tmp_path / "b.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    docs, _ = ingest_path(tmp_path)
    first, second = (clean_document(doc) for doc in docs)
    assert first["content_hash"] == second["content_hash"]
    assert first["article_id"] != second["article_id"]
    assert (first["source_uri"], second["source_uri"]) == ("a.txt", "https://example.com/x")


def test_article_id_follows_the_source_and_content_hash_the_text() -> None:
    edited = clean_document(raw("Talks resumed on Monday.", source_uri="feed/x.txt"))
    original = clean_document(raw("Talks resume on Monday.", source_uri="feed/x.txt"))
    assert edited["article_id"] == original["article_id"] == article_id_for("feed/x.txt")
    assert edited["content_hash"] != original["content_hash"]
    assert clean_document(raw("  talks   RESUME on monday. ", source_uri="y.txt"))["content_hash"] == original["content_hash"]
    assert re.fullmatch(r"a_[0-9a-f]{16}", original["article_id"])
    assert re.fullmatch(r"[0-9a-f]{16}", original["content_hash"])


def test_source_hash_follows_the_record_as_read() -> None:
    original = raw("Talks resume on Monday.", source_uri="feed/x.txt", outlet="Dawn")
    same = clean_document(dict(original))["source_hash"]
    assert same == source_hash_for(original) and re.fullmatch(r"[0-9a-f]{16}", same)
    # Unlike content_hash, whitespace counts: the record is not cleaned before it is hashed.
    for changed in ({"text": "Talks  resume on Monday."}, {"outlet": None}, {"published": "2025-01-02"}, {"headline": "Talks"}, {"source_uri": "y.txt"}):
        assert source_hash_for({**original, **changed}) != same, changed


def test_source_hash_follows_the_cleaner_version(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = raw("Talks resume on Monday.", source_uri="feed/x.txt")
    before = source_hash_for(doc)
    monkeypatch.setattr(hashes, "CLEANER_VERSION", "0" * 12)
    assert source_hash_for(doc) != before


def test_the_cleaner_version_covers_every_module_of_the_package(tmp_path: Path) -> None:
    # Before the cleaner was split into modules it hashed cleaner.py alone: now a change to any file of flows/clean/ re-cleans.
    package = Path(hashes.__file__).parent
    copy = tmp_path / "clean"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert hash_cleaner(copy) == hash_cleaner(package) == CLEANER_VERSION
    modules = sorted(p.name for p in package.glob("*.py"))
    assert {"cleaner.py", "hashes.py", "layout.py", "repair.py"} <= set(modules)
    for name in modules:
        module = copy / name
        original = module.read_bytes()
        module.write_bytes(original + b"\n# edited\n")
        assert hash_cleaner(copy) != CLEANER_VERSION, name
        module.write_bytes(original)
    (copy / "new_rule.py").write_text('"""A new cleaning module."""\n')
    assert hash_cleaner(copy) != CLEANER_VERSION


def test_non_english_is_flagged() -> None:
    a = clean_document(raw("Der Minister sagte, dass die Gespräche fortgesetzt werden."))
    assert (a["language"], "non_english" in a["quality_flags"]) == ("und", True)


def test_clean_document_returns_every_article_column() -> None:
    a = clean_document(raw("Officials met on Monday.", outlet="Dawn", source_uri="x/y.txt"))
    assert set(a) == {"article_id", "content_hash", "source_hash", "source_uri", "outlet", "headline", "dateline", "published_date",
                      "published_date_source", "summary", "body", "language", "word_count", "quality_flags"}
    assert (a["outlet"], a["source_uri"], a["word_count"]) == ("Dawn", "x/y.txt", 4)
