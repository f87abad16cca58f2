"""Whitespace and invisible-character normalisation before lines are read.

email-cases.md case 6: CRLF from every Windows client, NBSP and narrow NBSP as
thousands separators ("1 200"; Word and Outlook type U+00A0 and U+202F), and
zero-width characters that copy-paste from PDFs and web forms leaves inside codes.
"""

from __future__ import annotations

import re
import unicodedata

# Spaces that must read as a plain space (thousands separators, figure/thin spaces).
_SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u3000"), " ")
# Invisible characters that split codes and numbers: ZWSP, ZWNJ, ZWJ, word joiner,
# BOM/ZWNBSP, soft hyphen, LRM/RLM.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f"))
_TRANSLATE = {**_SPACES, **_INVISIBLE}
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")


def normalize_newlines(text: str) -> str:
    """CRLF, lone CR and Unicode line separators become LF."""
    return _NEWLINES.sub("\n", text)


def normalize_text(text: str) -> str:
    """Newlines to LF, exotic spaces to " ", zero-width characters removed, NFC."""
    text = normalize_newlines(text).translate(_TRANSLATE)
    # Apple Mail and macOS copy-paste can produce decomposed (NFD) Polish letters.
    return unicodedata.normalize("NFC", text)
