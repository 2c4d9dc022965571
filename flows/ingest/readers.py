"""Ingest: walk a file or a directory, read each file within the limits and hand its text to the reader of its kind; quarantine what cannot be read."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from flows.core.records import Quarantined, RawDocument
from flows.ingest.decode import decode_bytes, sniff_binary
from flows.ingest.documents import make_document, quarantine, refuse_text
from flows.ingest.html_page import decode_page, parse_html
from flows.ingest.jsonl import parse_jsonl

TEXT_SUFFIXES = frozenset({".txt"})
JSONL_SUFFIXES = frozenset({".jsonl"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
HANDLED_SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES | HTML_SUFFIXES


class InputError(Exception):
    """The input path cannot be ingested at all."""


def ingest_path(path: Path, *, max_bytes: int = 5_000_000) -> tuple[list[RawDocument], list[Quarantined]]:
    """Read every article under path (a file or a directory, recursively, in sorted order).

    Rules: `.txt` is one article; `.jsonl` is one record per line (`text` plus optional `url`,
    `outlet`, `published`, `headline`); `.html`/`.htm` is an article page (its main text, and the
    title, date, author and url it names). Every other file is quarantined as `unsupported_type`:
    nothing under the input vanishes, except hidden entries (name starting with "."), which a
    directory of articles keeps for its tools (.git, .DS_Store). Symlinks found inside the input
    are never followed but quarantined; the path given is trusted and resolved. Nothing under the
    input raises: bad inputs become Quarantined records with a reason code.
    """
    if not path.exists():
        raise InputError(f"input path does not exist: {path}")
    root = path.resolve()
    if root.is_file():
        if root.suffix.lower() not in HANDLED_SUFFIXES:
            return [], [unsupported(path.name, root.suffix, root.stat().st_size)]
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
            suffix = Path(entry.name).suffix
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                detail = f"symbolic link to {os.readlink(entry_path)} is not followed"
                quarantined.append(quarantine(relative_uri(entry_path, root), "symlink", detail, entry_path.lstat().st_size))
            elif entry.is_dir(follow_symlinks=False):
                pending.append(entry_path)
            elif suffix.lower() in HANDLED_SUFFIXES:
                files.append(entry_path)
            else:
                quarantined.append(unsupported(relative_uri(entry_path, root), suffix, _size(entry)))
    files.sort(key=lambda p: relative_uri(p, root))
    quarantined.sort(key=lambda q: q["source_uri"])
    return files, quarantined


def unsupported(uri: str, suffix: str, size: int) -> Quarantined:
    """The record of a file no reader handles."""
    kind = f"a {suffix} file" if suffix else "a file without an extension"
    return quarantine(uri, "unsupported_type", f"{kind}: newsflow reads .txt, .jsonl and .html/.htm", size)


def _size(entry: os.DirEntry[str]) -> int:
    try:
        return entry.stat(follow_symlinks=False).st_size
    except OSError:
        return 0


def ingest_file(path: Path, uri: str, max_bytes: int) -> tuple[list[RawDocument], list[Quarantined]]:
    """Read one file into documents, or quarantine it."""
    try:
        info = path.lstat()
    except OSError as exc:
        return [], [quarantine(uri, "unreadable", f"cannot stat file: {exc.strerror}", 0)]
    html = path.suffix.lower() in HTML_SUFFIXES
    outcome = refuse_file(path, uri, info, max_bytes) or read_text(path, uri, info.st_size, max_bytes, html=html)
    if isinstance(outcome, str):
        return parse_text(outcome, path.suffix.lower(), uri, info.st_size)
    return [], [outcome]


def refuse_file(path: Path, uri: str, info: os.stat_result, max_bytes: int) -> Quarantined | None:
    """Why a file is not even opened (a symlink, a special file, too large, empty), else None."""
    size = info.st_size
    if stat.S_ISLNK(info.st_mode):
        return quarantine(uri, "symlink", f"symbolic link to {os.readlink(path)} is not followed", size)
    if not stat.S_ISREG(info.st_mode):
        return quarantine(uri, "unreadable", "not a regular file", size)
    if size > max_bytes:
        return quarantine(uri, "too_large", f"file has {size} bytes, more than the limit of {max_bytes}", size)
    if size == 0:
        return quarantine(uri, "empty", "file has 0 bytes", size)
    return None


def read_text(path: Path, uri: str, size: int, max_bytes: int, *, html: bool = False) -> str | Quarantined:
    """The file's decoded text (a page's by the charset it declares), or why it is not text
    (unreadable, grown past the limit, binary, undecodable, blank)."""
    try:
        data = read_bytes(path, max_bytes)
    except OSError as exc:
        return quarantine(uri, "unreadable", f"cannot read file: {exc.strerror or exc}", size)
    if len(data) > max_bytes:  # the file grew after the size check
        return quarantine(uri, "too_large", f"file grew past the limit of {max_bytes} bytes", len(data))
    kind = sniff_binary(data)
    if kind:
        return quarantine(uri, "binary", f"file looks binary ({kind})", size)
    text = decode_page(data) if html else decode_bytes(data)
    if text is None:
        detail = "bytes are not UTF-8, UTF-16/32 with a BOM, or plausible cp1252 text"
        return quarantine(uri, "undecodable", detail, size)
    if not text.strip():
        return quarantine(uri, "empty", "file holds only whitespace", size)
    return text


def parse_text(text: str, suffix: str, uri: str, size: int) -> tuple[list[RawDocument], list[Quarantined]]:
    """The documents in a file's text, by its kind: JSON lines, an HTML page, or one plain-text article."""
    if suffix in JSONL_SUFFIXES:
        return parse_jsonl(text, uri)
    if suffix in HTML_SUFFIXES:
        return parse_html(text, uri, size)
    refused = refuse_text(uri, text, size, "text")
    return ([], [refused]) if refused else ([make_document(uri, text)], [])


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read at most max_bytes + 1 bytes, refusing a symlink or special file swapped in since lstat."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError("not a regular file")
        return handle.read(max_bytes + 1)


def relative_uri(path: Path, root: Path) -> str:
    """Path relative to root as posix, with undecodable file-name bytes escaped so it stays valid UTF-8."""
    rel = path.relative_to(root).as_posix()
    return os.fsencode(rel).decode("utf-8", "backslashreplace")
