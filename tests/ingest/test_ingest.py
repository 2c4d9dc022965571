"""Tests for flows.ingest: every input is built in tmp_path."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from flows.ingest import readers as ingest
from flows.ingest.decode import decode_bytes
from flows.ingest.documents import MAX_ARTICLE_CHARS
from flows.ingest.html_text import html_to_text
from flows.ingest.readers import InputError, ingest_path

ARTICLE = "ISLAMABAD: The minister said the talks would continue next week.\n"


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def reasons(quarantined: list[dict]) -> dict[str, str]:
    return {q["source_uri"]: q["reason"] for q in quarantined}


def only_quarantine(path: Path, **kwargs) -> dict:
    docs, quarantined = ingest_path(path, **kwargs)
    assert docs == []
    assert len(quarantined) == 1
    q = quarantined[0]
    assert q["detail"] and "\n" not in q["detail"]
    return q


# --- input paths -------------------------------------------------------------

def test_missing_path_raises_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        ingest_path(tmp_path / "nope")
    assert "\n" not in str(info.value) and "nope" in str(info.value)
    assert issubclass(InputError, Exception)


def test_path_that_is_neither_file_nor_directory_raises(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError):
        ingest_path(fifo)


def test_single_file_uses_its_name_and_keeps_text_unmodified(tmp_path: Path) -> None:
    text = "Headline here\n\nISLAMABAD:  Body   text.\r\n"
    file = write(tmp_path / "deep" / "one.txt", text.encode("utf-8"))
    docs, quarantined = ingest_path(file)
    assert quarantined == []
    assert docs == [{"source_uri": "one.txt", "text": text, "outlet": None, "published": None, "headline": None}]


def test_directory_is_recursive_sorted_and_quarantines_other_extensions(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", ARTICLE)
    write(tmp_path / "a.txt", ARTICLE)
    write(tmp_path / "sub" / "c.TXT", ARTICLE)
    write(tmp_path / "sub" / "deeper" / "d.txt", ARTICLE)
    write(tmp_path / "notes.md", ARTICLE)
    write(tmp_path / "image.png", b"\x89PNG\r\n\x1a\nxxxx")
    write(tmp_path / ".hidden.txt", ARTICLE)  # hidden entries belong to tools (.git, .DS_Store)
    docs, quarantined = ingest_path(tmp_path)
    assert [d["source_uri"] for d in docs] == ["a.txt", "b.txt", "sub/c.TXT", "sub/deeper/d.txt"]
    assert reasons(quarantined) == {"image.png": "unsupported_type", "notes.md": "unsupported_type"}
    assert ingest_path(tmp_path) == (docs, quarantined)


def test_no_file_vanishes_each_unsupported_one_is_quarantined_with_a_reason(tmp_path: Path) -> None:
    write(tmp_path / "a.md", "# Notes\n\nSome words.\n")
    write(tmp_path / "b.pdf", b"%PDF-1.7\n")
    write(tmp_path / "sub" / "c", ARTICLE)
    docs, quarantined = ingest_path(tmp_path)
    assert docs == []
    assert [(q["source_uri"], q["reason"], q["size_bytes"]) for q in quarantined] == [
        ("a.md", "unsupported_type", 21), ("b.pdf", "unsupported_type", 9), ("sub/c", "unsupported_type", len(ARTICLE))]
    details = [q["detail"] for q in quarantined]
    assert ".md file" in details[0] and ".pdf file" in details[1] and "without an extension" in details[2]
    assert [c for c in ingest.iter_chunks(tmp_path)] == [([], quarantined)]  # the streaming reader too


def test_file_names_with_spaces_and_non_ascii(tmp_path: Path) -> None:
    write(tmp_path / "my article.txt", ARTICLE)
    write(tmp_path / "café" / "résumé ü 北京.txt", ARTICLE)
    docs, quarantined = ingest_path(tmp_path)
    assert quarantined == []
    assert sorted(d["source_uri"] for d in docs) == ["café/résumé ü 北京.txt", "my article.txt"]
    json.dumps(docs, ensure_ascii=False).encode("utf-8")  # uris must stay valid UTF-8


def test_explicit_file_with_unsupported_extension_is_quarantined(tmp_path: Path) -> None:
    q = only_quarantine(write(tmp_path / "photo.png", b"\x89PNG\r\n\x1a\n"))
    assert q["reason"] == "unsupported_type"


# --- quarantine reasons --------------------------------------------------------

def test_empty_file(tmp_path: Path) -> None:
    q = only_quarantine(write(tmp_path / "empty.txt", b""))
    assert (q["reason"], q["size_bytes"], q["source_uri"]) == ("empty", 0, "empty.txt")


def test_whitespace_only_file(tmp_path: Path) -> None:
    q = only_quarantine(write(tmp_path / "blank.txt", " \n\t\r\n  \n"))
    assert q["reason"] == "empty"


@pytest.mark.parametrize(
    "magic",
    [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"%PDF-1.7\n", b"PK\x03\x04", b"GIF89a"],
    ids=["png", "jpeg", "pdf", "zip", "gif"],
)
def test_known_binary_signatures(tmp_path: Path, magic: bytes) -> None:
    # the payload is plain text, so only the signature can give it away
    q = only_quarantine(write(tmp_path / "x.txt", magic + b"plain words follow here"))
    assert q["reason"] == "binary"


def test_nul_bytes_inside_text_are_binary(tmp_path: Path) -> None:
    q = only_quarantine(write(tmp_path / "nul.txt", b"Some words\x00and more words"))
    assert q["reason"] == "binary"


def test_invalid_utf8_that_is_not_cp1252_text_is_undecodable(tmp_path: Path) -> None:
    q = only_quarantine(write(tmp_path / "bad.txt", b"abc \x81\x8d\x8f\x90 def"))
    assert q["reason"] == "undecodable"


def test_high_byte_noise_is_undecodable_even_if_cp1252_maps_it(tmp_path: Path) -> None:
    q = only_quarantine(write(tmp_path / "noise.txt", bytes(range(0xA0, 0x100)) * 4))
    assert q["reason"] == "undecodable"


def test_cp1252_text_is_read_correctly(tmp_path: Path) -> None:
    text = "The café owner said “prices rose” – again, by 5 €.\n"
    docs, quarantined = ingest_path(write(tmp_path / "legacy.txt", text.encode("cp1252")))
    assert quarantined == []
    assert docs[0]["text"] == text


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom_are_read_correctly(tmp_path: Path, codec: str) -> None:
    text = "Pakistan’s minister said: “yes”.\n"
    data = text.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data  # the -be codec writes no BOM by itself
    docs, quarantined = ingest_path(write(tmp_path / "wide.txt", data))
    assert quarantined == []
    assert docs[0]["text"] == text


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    docs, _ = ingest_path(write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + ARTICLE.encode()))
    assert docs[0]["text"] == ARTICLE


def test_too_large_is_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> bytes:
        raise AssertionError("read a file that is too large")

    file = write(tmp_path / "big.txt", "x" * 101)
    monkeypatch.setattr(ingest, "read_bytes", refuse)
    q = only_quarantine(file, max_bytes=100)
    assert (q["reason"], q["size_bytes"]) == ("too_large", 101)


def test_file_exactly_at_the_limit_is_read(tmp_path: Path) -> None:
    docs, quarantined = ingest_path(write(tmp_path / "edge.txt", "x" * 100), max_bytes=100)
    assert quarantined == [] and len(docs) == 1


def test_unreadable_file(tmp_path: Path) -> None:
    file = write(tmp_path / "secret.txt", ARTICLE)
    file.chmod(0)
    try:
        if os.access(file, os.R_OK):
            pytest.skip("running with privileges that read a mode-000 file")
        docs, quarantined = ingest_path(tmp_path)
        assert docs == [] and reasons(quarantined) == {"secret.txt": "unreadable"}
    finally:
        file.chmod(0o644)


def test_read_error_is_quarantined_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # same path as the mode-000 test, reachable even when tests run as root
    def deny(*args: object) -> bytes:
        raise PermissionError(13, "Permission denied")

    write(tmp_path / "a.txt", ARTICLE)
    monkeypatch.setattr(ingest, "read_bytes", deny)
    q = only_quarantine(tmp_path)
    assert (q["reason"], q["source_uri"]) == ("unreadable", "a.txt")
    assert "Permission denied" in q["detail"]


def test_special_file_inside_directory_is_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")  # opening a FIFO for reading would block forever
    docs, quarantined = ingest_path(tmp_path)
    assert docs == [] and reasons(quarantined) == {"pipe.txt": "unreadable"}


def test_symlink_pointing_outside_the_root_is_not_followed(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside" / "secret.txt", "Top secret words that must not be read.")
    root = tmp_path / "root"
    write(root / "ok.txt", ARTICLE)
    (root / "link.txt").symlink_to(outside)
    (root / "linked_dir").symlink_to(outside.parent, target_is_directory=True)
    docs, quarantined = ingest_path(root)
    assert [d["source_uri"] for d in docs] == ["ok.txt"]
    assert reasons(quarantined) == {"link.txt": "symlink", "linked_dir": "symlink"}
    assert all("Top secret" not in d["text"] for d in docs)
    assert str(outside) in quarantined[0]["detail"]


def test_symlink_with_an_unsupported_extension_is_quarantined_too(tmp_path: Path) -> None:
    write(tmp_path / "target.bin", b"x")
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "link.bin").symlink_to(tmp_path / "target.bin")
    docs, quarantined = ingest_path(tmp_path / "root")
    assert docs == [] and reasons(quarantined) == {"link.bin": "symlink"}


# --- JSONL ---------------------------------------------------------------------

def test_jsonl_good_lines_survive_bad_ones(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "First article text.", "url": "https://example.com/a", "outlet": "Dawn",
                    "published": "2025-12-10", "headline": "A headline"}),
        '{"text": "broken',
        "",
        json.dumps({"url": "https://example.com/c"}),
        json.dumps({"text": "Typed wrong.", "outlet": 7}),
        json.dumps({"text": "   "}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": "Second article text.", "published": "2025-04-08T10:30:00Z", "outlet": ""}),
        json.dumps({"text": 42}),
        json.dumps({"text": "Bad date.", "published": "08/04/2025"}),
    ]
    write(tmp_path / "batch.jsonl", "\n".join(lines) + "\n")
    docs, quarantined = ingest_path(tmp_path)
    assert docs == [
        {"source_uri": "https://example.com/a", "text": "First article text.", "outlet": "Dawn",
         "published": "2025-12-10", "headline": "A headline"},
        {"source_uri": "batch.jsonl#L8", "text": "Second article text.", "outlet": None,
         "published": "2025-04-08", "headline": None},
    ]
    assert reasons(quarantined) == {
        "batch.jsonl#L2": "bad_json",
        "https://example.com/c": "no_text",
        "batch.jsonl#L5": "bad_type",
        "batch.jsonl#L6": "no_text",
        "batch.jsonl#L7": "bad_json",
        "batch.jsonl#L9": "bad_type",
        "batch.jsonl#L10": "bad_type",
    }
    assert all(q["size_bytes"] > 0 and q["detail"] for q in quarantined)


def test_jsonl_text_may_hold_line_separator_characters(tmp_path: Path) -> None:
    record = json.dumps({"text": "One\u2028two"}, ensure_ascii=False)
    docs, quarantined = ingest_path(write(tmp_path / "x.jsonl", record + "\r\n"))
    assert quarantined == [] and docs[0]["text"] == "One\u2028two"


# --- HTML ----------------------------------------------------------------------

HTML = """<!doctype html><html><head><title>Talks  resume in Islamabad</title>
<meta property="og:site_name" content="Example Times">
<meta property="article:published_time" content="2025-12-10T08:00:00+05:00">
<style>p { color: red }</style><script>var s = "<p>hidden</p>";</script></head>
<body><nav>Home | World</nav><h1>Talks resume in Islamabad</h1>
<p>ISLAMABAD: Officials met on Monday &amp; agreed to talk again.</p><p>More <b>talks</b> follow.</p>
<noscript>Enable JavaScript</noscript></body></html>"""


def test_html_is_turned_into_text_with_title_as_headline(tmp_path: Path) -> None:
    docs, quarantined = ingest_path(write(tmp_path / "page.html", HTML))
    assert quarantined == []
    doc = docs[0]
    assert doc["headline"] == "Talks resume in Islamabad"
    assert (doc["outlet"], doc["published"]) == ("Example Times", "2025-12-10")
    assert "Officials met on Monday & agreed to talk again." in doc["text"]
    assert "More talks follow." in doc["text"]
    for hidden in ("color: red", "hidden", "Enable JavaScript", "Home | World", "<p>"):
        assert hidden not in doc["text"]


def test_html_without_visible_text_is_quarantined(tmp_path: Path) -> None:
    q = only_quarantine(write(tmp_path / "blank.htm", "<html><script>x()</script></html>"))
    assert q["reason"] == "no_text"


def test_html_to_text_separates_block_elements() -> None:
    text, meta = html_to_text("<div>One</div><div>Two</div>")
    assert text.split("\n\n") == ["One", "Two"] and meta["headline"] is None


def test_decode_bytes_rejects_broken_utf16() -> None:
    assert decode_bytes(b"\xff\xfe\x00\xd8") is None  # a lone surrogate after the BOM


def test_text_longer_than_an_article_is_quarantined(tmp_path: Path) -> None:
    write(tmp_path / "one-line.txt", "word " * (MAX_ARTICLE_CHARS // 5 + 1))
    record = {"text": "x" * (MAX_ARTICLE_CHARS + 1), "url": "https://example.com/long"}
    write(tmp_path / "feed.jsonl", json.dumps(record) + "\n" + json.dumps({"text": ARTICLE}) + "\n")
    docs, quarantined = ingest_path(tmp_path)
    assert reasons(quarantined) == {"one-line.txt": "too_long", "https://example.com/long": "too_long"}
    assert [d["source_uri"] for d in docs] == ["feed.jsonl#L2"]


# --- text that is not language --------------------------------------------------------------

SCRIPTS = [0x0410, 0x05D0, 0x0627, 0x0905, 0x0E01, 0x10D0, 0x1200, 0x13A0, 0x1780, 0x3041, 0x4E00, 0xAC00]  # a letter of 12 scripts


@pytest.mark.parametrize(
    "text",
    [
        "⣃⣿⡇ ⠿⣿⣀ ⣤⣶ 42 ## %% " * 30,  # symbols
        "The min\ufffdster s\ufffdid " * 30,  # replacement characters
        "Budget \ue000\ue001 talks \ue002 " * 30,  # private use
        "".join(chr(base + i % 7) for i in range(400) for base in SCRIPTS[i % 12 : i % 12 + 1]),  # letters of 12 scripts at random
        "1234 5678 ---- //// " * 30,  # ASCII with no letters
    ],
    ids=["symbols", "replacement", "private-use", "scripts", "digits"],
)
def test_text_that_is_not_language_is_quarantined_as_not_text(tmp_path: Path, text: str) -> None:
    q = only_quarantine(write(tmp_path / "garbage.txt", text))
    assert q["reason"] == "not_text"
    write(tmp_path / "feed.jsonl", json.dumps({"text": text, "url": "https://example.com/g"}) + "\n")
    docs, quarantined = ingest_path(tmp_path / "feed.jsonl")
    assert docs == [] and reasons(quarantined) == {"https://example.com/g": "not_text"}


@pytest.mark.parametrize(
    "text",
    [
        ARTICLE,
        "Nguyễn Văn An met Ünal Çelik and Zhaqsylyq Sätbaev in Hà Nội on Tuesday; São Paulo’s mayor wrote to them.\n",
        "اسلام آباد: وزیر خزانہ نے پیر کو عالمی بینک کے حکام سے ملاقات کی۔\n",
        "東京の日本銀行は、カタカナとひらがなと漢字を使う新しい報告書を発表した。\n",
        "В понедельник министр финансов встретился с представителями банка.\n",
    ],
    ids=["english", "diacritics", "urdu", "japanese", "russian"],
)
def test_text_in_any_language_is_read(tmp_path: Path, text: str) -> None:
    docs, quarantined = ingest_path(write(tmp_path / "article.txt", text))
    assert quarantined == [] and docs[0]["text"] == text


def test_a_wide_byte_order_mark_before_8_bit_text_is_undecodable(tmp_path: Path) -> None:
    """Read as UTF-16, ASCII pairs become CJK ideographs at random: garbage that looks like letters."""
    assert only_quarantine(write(tmp_path / "a.txt", b"\xff\xfe" + ARTICLE.encode()))["reason"] == "undecodable"
