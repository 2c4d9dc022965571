"""Bytes to text: refuse what looks binary, decode UTF-8, UTF-16/32 with a BOM or legacy cp1252, and tell language from decoded junk."""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter

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

# Text that is language: letters are most of what is visible, from a few scripts (Japanese mixes
# three), and unassigned, private-use or replacement characters are next to none. Binary data
# decoded as UTF-16 or UTF-8 gives symbols, or letters of a dozen scripts at random.
MIN_LETTER_SHARE = 0.5
MIN_TOP_SCRIPTS_SHARE = 0.85
MAX_JUNK_SHARE = 0.01
_ASCII_LETTERS = re.compile(r"[A-Za-z]")
_ASCII_VISIBLE = re.compile(r"\S")


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
