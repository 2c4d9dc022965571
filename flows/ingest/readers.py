"""Ingest: read a file or a directory into RawDocument records; quarantine what cannot be read."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import os
import re
import stat
import unicodedata
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from flows.core.records import Quarantined, RawDocument

TEXT_SUFFIXES = frozenset({".txt"})
JSONL_SUFFIXES = frozenset({".jsonl"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
HANDLED_SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES | HTML_SUFFIXES

BINARY_MAGIC: dict[bytes, str] = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"%PDF-": "PDF",
    b"PK\x03\x04": "ZIP",
    b"PK\x05\x06": "ZIP",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"\x1f\x8b": "gzip",
}
# UTF-32 first: its little-endian BOM begins with the UTF-16 one.
BOM_CODECS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (codecs.BOM_UTF8, "utf-8-sig"),
)
OPTIONAL_FIELDS = ("url", "outlet", "published", "headline")
# Longer than any news article (~30,000 words) and well under spaCy's 1,000,000-character limit.
MAX_ARTICLE_CHARS = 200_000
ISO_DATE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")


# Text that is language: letters are most of what is visible, from a few scripts (Japanese mixes
# three), and unassigned, private-use or replacement characters are next to none. Binary data
# decoded as UTF-16 or UTF-8 gives symbols, or letters of a dozen scripts at random.
MIN_LETTER_SHARE = 0.5
MIN_TOP_SCRIPTS_SHARE = 0.85
MAX_JUNK_SHARE = 0.01
_ASCII_LETTERS = re.compile(r"[A-Za-z]")
_ASCII_VISIBLE = re.compile(r"\S")


class InputError(Exception):
    """The input path cannot be ingested at all."""


def ingest_path(path: Path, *, max_bytes: int = 5_000_000) -> tuple[list[RawDocument], list[Quarantined]]:
    """Read every article under path (a file or a directory, recursively, in sorted order).

    Rules: `.txt` is one article; `.jsonl` is one record per line (`text` plus optional `url`,
    `outlet`, `published`, `headline`); `.html`/`.htm` is turned into text (tags, scripts and
    styles stripped, `<title>` becomes the headline). Other extensions and hidden entries
    (name starting with ".") in a directory are ignored. Symlinks found inside the input are
    never followed but quarantined; the path given is trusted and resolved. Nothing under the
    input raises: bad inputs become Quarantined records with a reason code.
    """
    if not path.exists():
        raise InputError(f"input path does not exist: {path}")
    root = path.resolve()
    if root.is_file():
        if root.suffix.lower() not in HANDLED_SUFFIXES:
            detail = f"{root.suffix or 'no'} extension is not .txt, .jsonl or .html"
            return [], [quarantine(path.name, "unsupported_type", detail, root.stat().st_size)]
        return ingest_file(root, path.name, max_bytes)
    if not root.is_dir():
        raise InputError(f"input path is neither a file nor a directory: {path}")
    docs: list[RawDocument] = []
    quarantined: list[Quarantined] = []
    for file_docs, file_quarantined in _read_tree(root, max_bytes):
        docs.extend(file_docs)
        quarantined.extend(file_quarantined)
    return docs, quarantined


def _read_tree(root: Path, max_bytes: int) -> Iterator[tuple[list[RawDocument], list[Quarantined]]]:
    """(documents, quarantined) file by file under root; first what could not even be listed."""
    files, unlisted = list_files(root)
    if unlisted:
        yield [], unlisted
    for file in files:
        uri = relative_uri(file, root)
        if not file.resolve().is_relative_to(root):
            yield [], [quarantine(uri, "outside_root", "file resolves outside the input directory", 0)]
            continue
        yield ingest_file(file, uri, max_bytes)


def iter_chunks(path: Path, *, max_bytes: int = 5_000_000, chunk_size: int = 500) -> Iterator[tuple[list[RawDocument], list[Quarantined]]]:
    """ingest_path in pieces of about chunk_size documents, reading one file at a time.

    Same rules and order as ingest_path; only the files behind the current chunk are in memory.
    """
    if not path.exists():
        raise InputError(f"input path does not exist: {path}")
    root = path.resolve()
    tree = _read_tree(root, max_bytes) if root.is_dir() else iter([ingest_path(path, max_bytes=max_bytes)])
    docs: list[RawDocument] = []
    quarantined: list[Quarantined] = []
    for file_docs, file_quarantined in tree:  # one big .jsonl streams in chunks too
        docs.extend(file_docs)
        quarantined.extend(file_quarantined)
        while len(docs) >= chunk_size:
            yield docs[:chunk_size], quarantined
            docs, quarantined = docs[chunk_size:], []
    if docs or quarantined:
        yield docs, quarantined


def list_files(root: Path) -> tuple[list[Path], list[Quarantined]]:
    """Candidate files under root in sorted order, plus quarantined symlinks and unreadable folders."""
    files: list[Path] = []
    quarantined: list[Quarantined] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            detail = f"cannot list folder: {exc.strerror}"
            quarantined.append(quarantine(relative_uri(folder, root), "unreadable", detail, 0))
            continue
        for entry in entries:
            entry_path = Path(entry.path)
            handled = Path(entry.name).suffix.lower() in HANDLED_SUFFIXES
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                if handled or entry_path.is_dir():
                    detail = f"symbolic link to {os.readlink(entry_path)} is not followed"
                    size = entry_path.lstat().st_size
                    quarantined.append(quarantine(relative_uri(entry_path, root), "symlink", detail, size))
            elif entry.is_dir(follow_symlinks=False):
                pending.append(entry_path)
            elif handled:
                files.append(entry_path)
    files.sort(key=lambda p: relative_uri(p, root))
    quarantined.sort(key=lambda q: q["source_uri"])
    return files, quarantined


def ingest_file(path: Path, uri: str, max_bytes: int) -> tuple[list[RawDocument], list[Quarantined]]:
    """Read one file into documents, or quarantine it."""
    try:
        info = path.lstat()
    except OSError as exc:
        return [], [quarantine(uri, "unreadable", f"cannot stat file: {exc.strerror}", 0)]
    size = info.st_size
    if stat.S_ISLNK(info.st_mode):
        return [], [quarantine(uri, "symlink", f"symbolic link to {os.readlink(path)} is not followed", size)]
    if not stat.S_ISREG(info.st_mode):
        return [], [quarantine(uri, "unreadable", "not a regular file", size)]
    if size > max_bytes:
        return [], [quarantine(uri, "too_large", f"file has {size} bytes, more than the limit of {max_bytes}", size)]
    if size == 0:
        return [], [quarantine(uri, "empty", "file has 0 bytes", size)]
    try:
        data = read_bytes(path, max_bytes)
    except OSError as exc:
        return [], [quarantine(uri, "unreadable", f"cannot read file: {exc.strerror or exc}", size)]
    if len(data) > max_bytes:  # the file grew after the size check
        return [], [quarantine(uri, "too_large", f"file grew past the limit of {max_bytes} bytes", len(data))]
    kind = sniff_binary(data)
    if kind:
        return [], [quarantine(uri, "binary", f"file looks binary ({kind})", size)]
    text = decode_bytes(data)
    if text is None:
        detail = "bytes are not UTF-8, UTF-16/32 with a BOM, or plausible cp1252 text"
        return [], [quarantine(uri, "undecodable", detail, size)]
    if not text.strip():
        return [], [quarantine(uri, "empty", "file holds only whitespace", size)]
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return parse_jsonl(text, uri)
    if suffix in HTML_SUFFIXES:
        body, meta = html_to_text(text)
        if not body.strip():
            return [], [quarantine(uri, "no_text", "HTML page has no visible text", size)]
        if len(body) > MAX_ARTICLE_CHARS:
            return [], [quarantine_too_long(uri, len(body), size)]
        why = not_language(body)
        if why:
            return [], [quarantine(uri, "not_text", f"page text is not language: {why}", size)]
        return [make_document(uri, body, meta.get("outlet"), meta.get("published"), meta.get("headline"))], []
    if len(text) > MAX_ARTICLE_CHARS:
        return [], [quarantine_too_long(uri, len(text), size)]
    why = not_language(text)
    if why:
        return [], [quarantine(uri, "not_text", f"text is not language: {why}", size)]
    return [make_document(uri, text)], []


def not_language(text: str) -> str | None:
    """Why decoded text is not language (mostly symbols, junk characters, letters of many
    scripts at random), or None when it reads as text in some language."""
    if text.isascii():  # the usual case, cheaply: only the letter share can fail
        visible = len(_ASCII_VISIBLE.findall(text))
        letters = len(_ASCII_LETTERS.findall(text))
        return f"only {letters} of {visible} visible characters are letters" if visible and letters < MIN_LETTER_SHARE * visible else None
    visible_chars = [c for c in text if not c.isspace()]
    if not visible_chars:
        return None
    junk = sum(1 for c in visible_chars if c == "\ufffd" or unicodedata.category(c) in {"Cn", "Co", "Cs", "Cc"})
    if junk > MAX_JUNK_SHARE * len(visible_chars):
        return f"{junk} of {len(visible_chars)} visible characters are unassigned, private-use or replacement characters"
    letters = [c for c in visible_chars if c.isalpha()]
    if len(letters) < MIN_LETTER_SHARE * len(visible_chars):
        return f"only {len(letters)} of {len(visible_chars)} visible characters are letters"
    scripts = Counter(unicodedata.name(c, "?").split(" ", 1)[0] for c in letters)
    top = sum(n for _, n in scripts.most_common(3))
    if top < MIN_TOP_SCRIPTS_SHARE * len(letters):
        return f"its letters come from {len(scripts)} scripts, as decoded binary data does"
    return None


def quarantine_too_long(uri: str, chars: int, size: int) -> Quarantined:
    return quarantine(uri, "too_long", f"text has {chars} characters, more than an article's limit of {MAX_ARTICLE_CHARS}", size)


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read at most max_bytes + 1 bytes, refusing a symlink or special file swapped in since lstat."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError("not a regular file")
        return handle.read(max_bytes + 1)


def sniff_binary(data: bytes) -> str | None:
    """Name why data looks binary (a known magic number or NUL bytes), else None."""
    for magic, name in BINARY_MAGIC.items():
        if data.startswith(magic):
            return f"{name} signature"
    has_wide_bom = any(data.startswith(bom) for bom, codec in BOM_CODECS if codec != "utf-8-sig")
    if b"\x00" in data and not has_wide_bom:  # UTF-16/32 legitimately hold NUL bytes
        return "NUL bytes"
    return None


def decode_bytes(data: bytes) -> str | None:
    """Decode UTF-8 (BOM stripped), UTF-16/32 with a BOM, or plausible cp1252; None when none fits."""
    for bom, codec in BOM_CODECS:
        if data.startswith(bom):
            if codec != "utf-8-sig" and b"\x00" not in data[len(bom) :]:
                return None  # a wide BOM before 8-bit text (no line break or space is NUL-free in UTF-16/32)
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    return text if looks_like_text(text) else None


def looks_like_text(text: str) -> bool:
    """True when text is mostly ASCII printable with no control characters (a legacy 8-bit text file)."""
    if not text:
        return False
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r\f" for c in text):
        return False
    plain = sum(1 for c in text if c.isascii())
    return plain / len(text) >= 0.8


def parse_jsonl(text: str, uri: str) -> tuple[list[RawDocument], list[Quarantined]]:
    """One document per JSON line; a bad line is quarantined alone."""
    docs: list[RawDocument] = []
    quarantined: list[Quarantined] = []
    # split on "\n" only: str.splitlines would also break on U+2028 inside JSON strings
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        line_uri = f"{uri}#L{number}"
        size = len(line.encode("utf-8", "surrogatepass"))
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            quarantined.append(quarantine(line_uri, "bad_json", f"line {number} is not valid JSON: {exc.msg}", size))
            continue
        if not isinstance(record, dict):
            detail = f"line {number} is a JSON {type(record).__name__}, not an object"
            quarantined.append(quarantine(line_uri, "bad_json", detail, size))
            continue
        result = record_to_document(record, line_uri, size)
        if "reason" in result:
            quarantined.append(result)  # type: ignore[arg-type]
        else:
            docs.append(result)  # type: ignore[arg-type]
    return docs, quarantined


def record_to_document(record: dict, fallback_uri: str, size: int) -> RawDocument | Quarantined:
    """Check one JSONL record's fields and build its document, or quarantine it."""
    url = record.get("url")
    uri = url.strip() if isinstance(url, str) and url.strip() else fallback_uri
    for field in OPTIONAL_FIELDS:
        value = record.get(field)
        if value is not None and not isinstance(value, str):
            return quarantine(uri, "bad_type", f"field '{field}' must be a string, got {type(value).__name__}", size)
    text = record.get("text")
    if text is not None and not isinstance(text, str):
        return quarantine(uri, "bad_type", f"field 'text' must be a string, got {type(text).__name__}", size)
    if not text or not text.strip():
        return quarantine(uri, "no_text", "record has no non-empty 'text'", size)
    if len(text) > MAX_ARTICLE_CHARS:
        return quarantine_too_long(uri, len(text), size)
    why = not_language(text)
    if why:
        return quarantine(uri, "not_text", f"'text' is not language: {why}", size)
    published = blank_to_none(record.get("published"))
    if published is not None:
        published = iso_date(published)
        if published is None:
            detail = f"field 'published' must be a YYYY-MM-DD date, got {record['published']!r}"
            return quarantine(uri, "bad_type", detail, size)
    return make_document(uri, text, record.get("outlet"), published, record.get("headline"))


def iso_date(value: str) -> str | None:
    """The YYYY-MM-DD part of an ISO date or timestamp, when it is a real date."""
    match = ISO_DATE_RE.match(value.strip())
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        return None


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


def make_document(
    uri: str, text: str, outlet: str | None = None, published: str | None = None, headline: str | None = None
) -> RawDocument:
    """A RawDocument with blank metadata turned into None."""
    return RawDocument(
        source_uri=uri,
        text=text,
        outlet=blank_to_none(outlet),
        published=published,
        headline=blank_to_none(headline),
    )


def blank_to_none(value: str | None) -> str | None:
    """value stripped, or None when it is missing or blank."""
    return value.strip() or None if value else None


def quarantine(uri: str, reason: str, detail: str, size: int) -> Quarantined:
    """A Quarantined record."""
    return Quarantined(source_uri=uri, reason=reason, detail=detail, size_bytes=size)


def relative_uri(path: Path, root: Path) -> str:
    """Path relative to root as posix, with undecodable file-name bytes escaped so it stays valid UTF-8."""
    rel = path.relative_to(root).as_posix()
    return os.fsencode(rel).decode("utf-8", "backslashreplace")
