"""Repair: mojibake undone, Unicode normalised (NFC, one kind of line break and space, no zero-width characters), markdown escapes dropped."""

from __future__ import annotations

import re
import unicodedata

import ftfy

FTFY_CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, normalization="NFC", explain=True)
# _replace is a NamedTuple's public copy-with-changes (TextFixerConfig is one; ftfy calls it too), not a private name
FTFY_NO_ENCODING = FTFY_CONFIG._replace(fix_encoding=False)
LATIN1_RE = re.compile("[\u0080-\u009f\u00c2-\u00f4]")  # C1 controls, and UTF-8 lead bytes read as cp1252
# ftfy steps that change what the text says (an encoding repair), not just its typography
SUBSTANTIVE_STEPS = frozenset({"encode", "decode", "transcode"})
SUBSTANTIVE_APPLIES = frozenset(
    {"fix_c1_controls", "replace_lossy_sequences", "decode_inconsistent_utf8", "restore_byte_a0", "fix_surrogates"}
)
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
SPACES_RE = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
LINE_BREAK_RE = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
MARKDOWN_ESCAPE_RE = re.compile(r"\\([$%&*_#])")


def normalize_text(text: str) -> tuple[str, bool]:
    """Repair mojibake, NFC, unify line breaks, drop zero-width chars, collapse spaces.

    Returns the text and whether a mojibake repair happened.
    """
    # Mojibake is UTF-8 read as Latin-1/cp1252: each misread character starts with a lead byte
    # (U+00C2-U+00F4 once misread), or is a C1 control. Without any, ftfy's encoding repair
    # (its costliest step, most of cleaning) cannot apply.
    config = FTFY_CONFIG if LATIN1_RE.search(text) else FTFY_NO_ENCODING
    fixed, steps = ftfy.fix_and_explain(text, config)
    repaired = any(
        action in SUBSTANTIVE_STEPS or (action == "apply" and name in SUBSTANTIVE_APPLIES) for action, name in steps or []
    )
    fixed = unicodedata.normalize("NFC", fixed).translate(ZERO_WIDTH)
    fixed = MARKDOWN_ESCAPE_RE.sub(r"\1", LINE_BREAK_RE.sub("\n", fixed))  # "\$1 billion" from markdown exports
    lines = [SPACES_RE.sub(" ", line).strip() for line in fixed.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip(), repaired
