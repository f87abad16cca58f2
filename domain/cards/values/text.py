"""Text clean-up shared by the value parsers: normalising, folding, quoting."""

from __future__ import annotations

import re
import unicodedata

# Characters mail clients and phones put into numbers and words (channels.md,
# email-cases.md row 6): they must not change what a value means.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES = re.compile(r"[^\S\n]+")  # any whitespace except a newline
_EDGE_QUOTES = "\"'„”“«»‘’`"
_TRAILING = ".,;!"


def normalise(raw: str, *, keep_lines: bool = False) -> str:
    """Clean a raw answer: line ends, unusual spaces, zero-width characters, edges."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():  # ASCII has no zero-width characters, nothing to compose and
        # no space but " " in category Zs: the three steps would leave it as it is.
        text = unicodedata.normalize("NFC", text.translate(_ZERO_WIDTH))
        # NBSP, narrow NBSP, thin spaces, tabs ... are all category Zs or whitespace.
        text = "".join(" " if unicodedata.category(c) == "Zs" else c for c in text)
    if keep_lines:
        lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
        return "\n".join(lines).strip()
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def tidy(raw: str) -> str:
    """Normalise a short value and drop harmless wrapping: quotes, a trailing dot."""
    text = normalise(raw, keep_lines=True)
    text = "\n".join(line.strip() for line in text.split("\n") if line.strip())
    text = text.rstrip(_TRAILING + " ")
    if len(text) >= 2 and text[0] in _EDGE_QUOTES and text[-1] in _EDGE_QUOTES:
        text = text[1:-1].strip().rstrip(_TRAILING + " ")
    return text


def fold(text: str) -> str:
    """Lower-case without diacritics, for matching ("Łódzkie" -> "lodzkie")."""
    if text.isascii():  # nothing to decompose or map: what the steps below give, sooner
        return " ".join(text.lower().split())
    # "ł" has no decomposition in Unicode, so it is mapped by hand.
    text = text.casefold().replace("ł", "l")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


def quoted(text: str, limit: int = 40) -> str:
    """The user's input in Polish quotes for a message, shortened if long."""
    one_line = " ".join(text.split())
    if len(one_line) > limit:
        one_line = one_line[: limit - 1].rstrip() + "…"
    return f"„{one_line}”"


def plural_pl(n: int, one: str, few: str, many: str) -> str:
    """Polish plural form for n (1 znak, 2 znaki, 5 znaków)."""
    if n == 1:
        return one
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return few
    return many
