"""Bad input end to end: one real run over every kind of bad file next to good ones."""

from __future__ import annotations

import codecs
import json
import os
from pathlib import Path

import pytest

from flows.cli.app import main
from flows.publish import storage

GOOD = "ISLAMABAD: Finance Minister Muhammad Aurangzeb met World Bank officials on Monday to discuss a $500 million loan for energy projects.\n"


def build_inputs(root: Path, outside: Path) -> tuple[dict[str, str], set[str]]:
    """Write the inputs; return the expected quarantine reasons and the sources expected as articles."""
    root.mkdir()
    outside.mkdir()
    files: dict[str, bytes] = {
        "empty.txt": b"",
        "blank.txt": b" \n\t\r\n  \n",
        "photo.txt": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        "nul.txt": GOOD.encode() + b"\x00\x00\x00" + GOOD.encode(),
        "invalid.txt": bytes(range(0x80, 0x100)) * 4,
        "big.txt": (GOOD * 10_000).encode(),  # over the 1,200,000-byte limit set below
        "oneline.txt": ("word " * 210_000).encode(),  # one 1 MB line: longer than any article
        "latin1.txt": "KARACHI: Caf\u00e9 owners in Z\u00fcrich and Karachi welcomed the \u201cprogress\u201d \u2013 officials said on Monday.\n".encode("cp1252"),
        "utf16.txt": codecs.BOM_UTF16_LE + GOOD.replace("Monday", "Tuesday").encode("utf-16-le"),
        "urdu.txt": "اسلام آباد: وزیر خزانہ نے پیر کو عالمی بینک کے حکام سے توانائی کے منصوبوں کے لیے قرض پر بات کی۔\n".encode(),
        "chinese.txt": "伊斯兰堡：财政部长周一会见了世界银行官员，讨论能源项目贷款。\n".encode(),
        "page.html": b"<html><head><title>Loan talks</title><script>alert(1)</script></head><body><nav>Home</nav>"
        + f"<p>{GOOD}</p><p>Talks continue on Friday.</p></body></html>".encode(),
        "with spaces.txt": GOOD.replace("Monday", "Wednesday").encode(),
        "Rapport d’été 2025.txt": GOOD.replace("Monday", "Thursday").encode(),
        # Decodable, yet no language: symbols, replacement characters; and a BOM that lies.
        "braille.txt": ("⣃⣿⡇ ⠿⣿⣀ ⣤⣶ 42 ## " * 40).encode(),
        "replaced.txt": ("Fin\ufffdnce \ufffd\ufffd min\ufffdster " * 40).encode(),
        "misread.txt": codecs.BOM_UTF16_LE + GOOD.encode(),  # read as UTF-16 it would be CJK at random
        # Kinds no reader handles: quarantined, never skipped in silence, whatever they hold.
        "notes.md": f"# Notes\n\n{GOOD}".encode(),
        "scan.pdf": b"%PDF-1.7\n" + GOOD.encode(),
        "README": GOOD.encode(),
        "feed.jsonl": "\n".join(
            [
                json.dumps({"text": GOOD.replace("Monday", "Friday"), "url": "https://example.com/a"}),
                '{"text": "unterminated',
                json.dumps({"headline": "No text here"}),
                json.dumps({"text": 123}),
            ]
        ).encode()
        + b"\n",
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    (outside / "secret.txt").write_text(GOOD.replace("Monday", "Saturday"), encoding="utf-8")
    (root / "link.txt").symlink_to(outside / "secret.txt")
    os.mkfifo(root / "pipe.txt")
    locked = root / "locked.txt"
    locked.write_text(GOOD.replace("Monday", "Sunday"), encoding="utf-8")
    locked.chmod(0)
    quarantined = {
        "empty.txt": "empty", "blank.txt": "empty", "photo.txt": "binary", "nul.txt": "binary",
        "invalid.txt": "undecodable", "big.txt": "too_large", "oneline.txt": "too_long",
        "feed.jsonl#L2": "bad_json", "feed.jsonl#L3": "no_text", "feed.jsonl#L4": "bad_type",
        "link.txt": "symlink", "pipe.txt": "unreadable",
        "braille.txt": "not_text", "replaced.txt": "not_text", "misread.txt": "undecodable",
        "notes.md": "unsupported_type", "scan.pdf": "unsupported_type", "README": "unsupported_type",
    }
    articles = {"latin1.txt", "utf16.txt", "urdu.txt", "chinese.txt", "page.html", "with spaces.txt",
                "Rapport d’été 2025.txt", "https://example.com/a"}
    if os.access(locked, os.R_OK):  # root reads a mode-000 file: then it is simply an article
        articles.add("locked.txt")
    else:
        quarantined["locked.txt"] = "unreadable"
    return quarantined, articles


def test_bad_inputs_are_quarantined_with_reasons_and_good_ones_published(run_flow, tmp_path, monkeypatch, capsys):
    inputs, data = tmp_path / "in", tmp_path / "data"
    expected_quarantine, expected_articles = build_inputs(inputs, tmp_path / "outside")
    monkeypatch.setenv("NEWSFLOW_MAX_BYTES", "1200000")
    monkeypatch.setenv("NEWSFLOW_PROCESSES", "1")
    try:
        code = main(["run", "--input", str(inputs), "--data", str(data), "--json"])
    finally:
        (inputs / "locked.txt").chmod(0o644)
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["success"]

    (quarantine_file,) = (data / "quarantine").glob("*.jsonl")
    records = [json.loads(line) for line in quarantine_file.read_text(encoding="utf-8").splitlines()]
    assert {r["source_uri"]: r["reason"] for r in records} == expected_quarantine
    assert all(r["detail"] and "\n" not in r["detail"] for r in records)
    counts: dict[str, int] = {}
    for reason in expected_quarantine.values():
        counts[reason] = counts.get(reason, 0) + 1
    assert summary["quarantined"] == counts
    report = json.loads((data / "reports" / f"{summary['run_id']}.json").read_text(encoding="utf-8"))
    assert report["quarantined"] == counts

    articles = {a["source_uri"]: a for a in storage.read_rows(data, "articles")}
    assert set(articles) == expected_articles
    assert "Café owners in Zürich" in articles["latin1.txt"]["body"] and "“progress”" in articles["latin1.txt"]["body"]
    assert "Tuesday" in articles["utf16.txt"]["body"]
    assert articles["urdu.txt"]["language"] != "en" and "non_english" in articles["urdu.txt"]["quality_flags"]
    assert "世界银行" in articles["chinese.txt"]["body"]
    assert articles["page.html"]["headline"] == "Loan talks"
    assert "alert" not in articles["page.html"]["body"] and "Home" not in articles["page.html"]["body"]
    assert not any("Saturday" in a["body"] for a in articles.values())  # the symlink was not followed
    assert all(len(e["name"]) >= 2 and any(c.isalpha() for c in e["name"]) for e in storage.read_rows(data, "entities"))
    assert storage.read_rows(data, "rejections") == []  # nothing bad was made, so the gate had nothing to hold


@pytest.mark.parametrize("kind", ["missing", "fifo"])
def test_a_whole_input_that_is_not_a_file_or_directory_is_a_one_line_error(tmp_path, capsys, kind):
    target = tmp_path / "nowhere"
    if kind == "fifo":
        os.mkfifo(target)
    assert main(["run", "--input", str(target), "--data", str(tmp_path / "data")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and str(target) in err
    assert not (tmp_path / "data").exists()


def test_a_folder_of_nothing_readable_says_so_and_quarantines_every_file(run_flow, tmp_path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("a.md", "b.pdf", "c"):
        (inputs / name).write_text(GOOD, encoding="utf-8")
    assert main(["run", "--input", str(inputs), "--data", str(tmp_path / "data"), "--json"]) == 0
    out, err = capsys.readouterr()
    summary = json.loads(out)
    assert summary["documents"] == 0 and summary["quarantined"] == {"unsupported_type": 3}
    assert len(err.splitlines()) == 1 and f"no readable document in {inputs}: 3 inputs quarantined" in err
    (quarantine_file,) = (tmp_path / "data" / "quarantine").glob("*.jsonl")
    assert sorted(json.loads(line)["source_uri"] for line in quarantine_file.read_text(encoding="utf-8").splitlines()) == ["a.md", "b.pdf", "c"]
