"""Keyed answer lines: `[CODE] label: value`, `CODE: value`, `CODE = value`.

channels.md "Incoming replies": answer lines may carry `>` quote prefixes, sit
anywhere in the body (including inline in an Outlook quote) and, per code, the
non-empty value nearest the top wins; an empty value means "not answered here".
This layer knows no card: it only knows what a code looks like (cards.md ids
without the card prefix, e.g. `I.6a`, `II.0.1`, `III.2b`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mailer.parsing.textlines import split_quote_prefix

CODE = r"(?:(?P<card>ngo|izus)\.)?(?P<code>(?:III|II|I)\.\d{1,2}(?:\.\d{1,2})?[a-z]?)"
_LEAD = r"^[\s|]*(?:[-*•·]\s+)?\**"  # table pipes, list bullets, Gmail's *bold* markers
_BRACKETED = re.compile(_LEAD + r"\[\s*" + CODE + r"\s*\]\**(?P<rest>.*)$", re.IGNORECASE)
_BARE = re.compile(_LEAD + CODE + r"(?!\w)(?!\.\d)[.)]?\**(?P<rest>.*)$", re.IGNORECASE)
_DASH = re.compile(r"^\s*[-–—]\s+")  # "II.0.1 – 25"
_CELLS = re.compile(r"[|\t]")
_EMPTY = re.compile(r"^[\s._\-–—…*]*$")  # "", "…", "____", "-": nothing typed
_EMPHASIS = re.compile(r"^([*_])(.+)\1$")  # Gmail plain text renders <b>25</b> as *25*
_SIGN_OFF = re.compile(r"^(--|pozdrawiam|z powa[żz]aniem|dzi[ęe]kuj|regards|best)", re.I)
_WRAP_WIDTH = 60  # shorter lines are not wrapped template lines
_MAX_CONTINUATION = 3


@dataclass(frozen=True)
class KeyedLine:
    """One keyed line: the code, the value ("" when empty) and where it was."""

    code: str
    value: str
    line: int
    depth: int
    card: str | None = None  # "ngo"/"izus" when written with the card prefix


@dataclass(frozen=True)
class _Key:
    code: str
    card: str | None
    rest: str
    bracketed: bool


def normalize_code(code: str) -> str:
    """`ii.0.1` -> `II.0.1`, `I.6A` -> `I.6a`: Roman part upper, trailing letter lower."""
    roman, _, tail = code.partition(".")
    tail = tail[:-1] + tail[-1].lower() if tail and tail[-1].isalpha() else tail
    return roman.upper() + "." + tail


def _match_key(text: str) -> _Key | None:
    for pattern, bracketed in ((_BRACKETED, True), (_BARE, False)):
        match = pattern.match(text)
        if match:
            card = match.group("card")
            code = normalize_code(match.group("code"))
            return _Key(code, card.lower() if card else None, match.group("rest"), bracketed)
    return None


def starts_with_key(text: str) -> bool:
    """Whether a line starts with a bracketed key `[CODE]` (never a continuation)."""
    return _BRACKETED.match(text) is not None


def is_keyed_line(text: str) -> bool:
    """Whether an (unquoted) line starts with an answer key."""
    key = _match_key(text)
    return key is not None and (key.bracketed or _bare_value(key.rest) is not None)


def _bare_value(rest: str) -> str | None:
    """A bare code needs its separator right after it: `II.0.1: 25`, `II.0.1 = 25`,
    `II.0.1 – 25`; `II.1.1 (3) jest większe niż II.0.1 (2): …` is prose."""
    if rest.strip()[:1] in (":", "=", "|") or rest[:1] == "\t" or _DASH.match(rest):
        return split_value(rest)
    return None


def split_value(rest: str, *, leading_pipe: bool = False) -> str | None:
    """The value after the label of a keyed line; None when no separator was found."""
    stripped = rest.strip()
    if stripped[:1] in (":", "="):
        return stripped[1:]
    dash = _DASH.match(rest)
    if dash:
        return rest[dash.end() :]
    if rest.lstrip(" ")[:1] in ("|", "\t"):  # a table row: "[II.0.1] | label | 25"
        body = stripped[:-1] if leading_pipe and stripped.endswith("|") else rest
        cells = [cell.strip() for cell in _CELLS.split(body)]
        if cells and not cells[0]:
            cells = cells[1:]
        if len(cells) >= 2:
            return cells[-1]
        rest = cells[0] if cells else ""
    positions = [p for p in (rest.find(":"), rest.find("=")) if p >= 0]
    return rest[min(positions) + 1 :] if positions else None


def clean_value(value: str) -> str:
    """Trim a value; placeholders ("…", "____", "-") and emphasis markers go."""
    value = value.strip()
    emphasis = _EMPHASIS.match(value)
    if emphasis:
        value = emphasis.group(2).strip()
    return "" if _EMPTY.match(value) else value


def _continued(texts: Sequence[tuple[int, str]], index: int, rest: str) -> str | None:
    """Join a wrapped template line with its next lines until a separator shows up."""
    depth = texts[index][0]
    joined = rest
    for depth_next, text in texts[index + 1 : index + 1 + _MAX_CONTINUATION]:
        if depth_next != depth or not text.strip() or _match_key(text):
            return None
        joined = joined.rstrip() + " " + text.strip()
        value = split_value(joined)
        if value is not None:
            return value
    return None


def answer_below(texts: Sequence[tuple[int, str]], index: int) -> tuple[int, str] | None:
    """An interleaved answer: (line, value) of the less-quoted line typed right below a
    quoted keyed line (at most one blank line between), or None."""
    depth = texts[index][0]
    for offset, (depth_next, text) in enumerate(texts[index + 1 : index + 3], index + 1):
        if not text.strip():
            continue
        if depth_next < depth and not _match_key(text) and not _SIGN_OFF.match(text.strip()):
            value = clean_value(text)
            return (offset, value) if value else None
        return None
    return None


def _value_of(texts: Sequence[tuple[int, str]], index: int, key: _Key, raw: str) -> str | None:
    if not key.bracketed:
        value = _bare_value(key.rest)
        return None if value is None else clean_value(value)
    leading_pipe = raw.lstrip().startswith("|")
    value = split_value(key.rest, leading_pipe=leading_pipe)
    if value is None and len(raw) >= _WRAP_WIDTH:
        value = _continued(texts, index, key.rest)
    if value is None:
        value = key.rest  # "[II.0.1] 25"
    return clean_value(value)


def extract_keyed(lines: Sequence[str]) -> list[KeyedLine]:
    """Every keyed line of a body, top to bottom, empty values included."""
    texts = [split_quote_prefix(line) for line in lines]
    found: list[KeyedLine] = []
    for index, (depth, text) in enumerate(texts):
        key = _match_key(text)
        if key is None:
            continue
        value = _value_of(texts, index, key, lines[index])
        if value is None:
            continue
        found.append(KeyedLine(key.code, value, index, depth, key.card))
        below = answer_below(texts, index) if depth > 0 else None
        if below is not None:
            line, typed = below
            found.append(KeyedLine(key.code, typed, line, texts[line][0], key.card))
    return found


def best_per_code(found: Sequence[KeyedLine]) -> dict[str, KeyedLine]:
    """Per code, the non-empty value nearest the top; quote depth breaks ties first.

    Depth first: in an interleaved or bottom-posted reply the `>`-quoted original sits
    above the new answer; for top-posted replies depth grows downwards anyway.
    """
    best: dict[str, KeyedLine] = {}
    for item in found:
        if not item.value:
            continue
        current = best.get(item.code)
        if current is None or (item.depth, item.line) < (current.depth, current.line):
            best[item.code] = item
    return best


def looks_keyed(text: str) -> bool:
    """Whether a body has at least one keyed line with a value (to pick an alternative)."""
    return any(item.value for item in extract_keyed(text.split("\n")))
