"""Decoding bytes whose charset label may be wrong, unknown or missing.

Polish municipal mail arrives in UTF-8, ISO-8859-2 and Windows-1250, and the label
is often a lie: Outlook and old webmails send cp1250 bytes labelled iso-8859-2 or
utf-8, some relays add `x-unknown-8` or `iso-8859-8-i`, and 8-bit bodies come with
no label at all (email-cases.md, cases 7-9). The stdlib raises `LookupError` for an
unknown label and `UnicodeDecodeError` for a wrong one; here neither escapes and a
message is never dropped: the last fallback (ISO-8859-2) maps every byte.
"""

from __future__ import annotations

import codecs

# Tried in this order after the declared label (email-cases.md, case 8).
FALLBACKS: tuple[str, ...] = ("utf-8", "cp1250", "iso-8859-2")

_POLISH = frozenset("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
# Characters that appear when cp1250 is read as ISO-8859-2 or the other way round
# (cp1250 "ą" 0xB9 is "š" in ISO-8859-2; ISO-8859-2 "ą" 0xB1 is "±" in cp1250).
_SUSPECT = frozenset("šŠťŤžŽľĽ±¶¦¬ˇ\ufffd")


def codec_name(label: str | None) -> str | None:
    """The Python codec for a charset label, or None when the label is unknown."""
    if not label:
        return None
    cleaned = label.strip().strip("\"'").split("*", 1)[0].lower()  # RFC 2231 "utf-8*pl"
    if not cleaned:
        return None
    try:
        return codecs.lookup(cleaned).name
    except (LookupError, ValueError, TypeError):  # "x-unknown-8", "iso-8859-8-i", NUL bytes
        return None


def plausibility(text: str) -> int:
    """Score a decoding: Polish letters count for it, C1 controls and mojibake against."""
    score = 0
    for char in text:
        if char in _POLISH:
            score += 1
        elif char in _SUSPECT or "\x80" <= char <= "\x9f":
            score -= 3
    return score


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_bytes(data: bytes, label: str | None = None) -> str:
    """Decode `data`, trusting `label` only while the result looks like Polish text."""
    if data.isascii():
        return data.decode("ascii")
    declared = codec_name(label)
    utf8 = _try(data, "utf-8")
    if utf8 is not None and declared in (None, "utf-8", "ascii"):
        return utf8  # valid UTF-8 with non-ASCII bytes is very rarely an accident
    candidates: list[str] = []
    for codec in (declared, *FALLBACKS):
        if codec and codec not in candidates:
            candidates.append(codec)
    best: tuple[int, str] | None = None
    for codec in candidates:
        text = _try(data, codec)
        if text is None:
            continue
        score = plausibility(text)
        if best is None or score > best[0]:
            best = (score, text)  # ties keep the earlier codec: the label, then FALLBACKS
    if best is not None:
        return best[1]
    return data.decode("iso-8859-2", errors="replace")
