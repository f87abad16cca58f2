"""Where the quoted original starts, for Polish mail clients (email-cases.md table).

Extraction of answers never cuts at a quote (answers may be typed inline into an
Outlook quote, case 2); quote detection only decides what is "the new text" (for
`POTWIERDZAM` and staff review) and breaks ties by quote depth. Generic strippers
get Polish wrong (a line starting with `Data:` or `Do:` is also a plausible answer,
`-x` is not a signature), so a header *block* needs several label lines in a row
(never cut on one lone label line), and lines naming our own sender are anchors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mailer.parsing.keyed import is_keyed_line
from mailer.parsing.textlines import split_quote_prefix

OUR_MARKER = "--- Prosimy odpowiadać nad tą linią ---"
# Gmail "pon., 11 mar 2024 o 10:15 X <x@…> napisał(a):", "W dniu … użytkownik … napisał:",
# Thunderbird "W dniu 11.03.2024 o 10:15, X pisze:", WP "Dnia … X < x@… > napisał(a):",
# Roundcube "W dniu $date, $sender napisał(a):", English/German clients for good measure.
_ATTRIBUTION_END = re.compile(
    r"(napisa[łl](?:\(a\)|a)?|pisze|wrote|schrieb|a [ée]crit)\s*:\s*$", re.IGNORECASE
)
# Apple Mail: "Wiadomość napisana przez X <x@…> w dniu 04.08.2024, o godz. 08:22:"
_APPLE = re.compile(r"^Wiadomo[śs][ćc] napisana przez .+ w dniu .+:\s*$", re.IGNORECASE)
_SEPARATOR = re.compile(
    r"^[-=_\s]*(Tre[śs][ćc] oryginalnej wiadomo[śs]ci|Oryginalna wiadomo[śs][ćc]|"
    r"Wiadomo[śs][ćc] oryginalna|Original Message|Forwarded message|Forwarded Message|"
    r"Wiadomo[śs][ćc] przekazana dalej|Przekazana wiadomo[śs][ćc]|Wiadomo[śs][ćc] przekazana)"
    r"[-=_\s]*$",
    re.IGNORECASE,
)
_OUTLOOK_RULE = re.compile(r"^_{20,}\s*$")  # Outlook's line above "Od:"
_MARKER = re.compile(r"^-{2,}\s*Prosimy odpowiada[ćc] nad t[ąa] lini[ąa]\s*-{2,}\s*$", re.I)
_LABEL = re.compile(
    r"^\*?(Od|From|Wys[łl]ane|Wys[łl]ano|Sent|Data|Date|Do|To|DW|UDW|Cc|Bcc|Temat|Subject|"
    r"Odpowied[źz] do|Reply-To)\*?\s*:",
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(
    r"^(W dniu|Dnia|On |Am |Le |Wiadomo[śs][ćc] napisana|"
    r"(pon|wt|[śs]r|czw|pt|sob|niedz|nie|mon|tue|wed|thu|fri|sat|sun)\w*\.?,)",
    re.IGNORECASE,
)
_FROM_LABEL = re.compile(r"^\*?(Od|From)\*?\s*:", re.IGNORECASE)
_HEADER_WINDOW = 6


def _mentions_us(text: str, our_names: Sequence[str], our_addresses: Sequence[str]) -> bool:
    lowered = text.lower()
    return any(n.lower() in lowered for n in (*our_names, *our_addresses) if n)


def is_attribution(text: str, our_names: Sequence[str] = (), ours: Sequence[str] = ()) -> bool:
    """A one-line quote header ("… napisał(a):", "… pisze:", Apple's "Wiadomość napisana")."""
    text = text.strip()
    if _APPLE.match(text):
        return True
    if _ATTRIBUTION_END.search(text):
        return bool(re.search(r"\d|@", text)) or _mentions_us(text, our_names, ours)
    return text.endswith(":") and _mentions_us(text, our_names, ours) and "@" in text


def header_block_length(lines: Sequence[str], start: int) -> int:
    """Length of an Outlook-style `Od:/Wysłane:/Do:/Temat:` block at `start`, else 0.

    The block must start with `Od:`/`From:` and hold at least three label lines within
    a few lines: one `Data:` or `Do:` line alone is an answer, not a header.
    """
    if not _FROM_LABEL.match(lines[start].strip()):
        return 0
    labels, end = 0, start
    for index in range(start, min(len(lines), start + _HEADER_WINDOW)):
        if _LABEL.match(lines[index].strip()):
            labels, end = labels + 1, index + 1
        elif lines[index].strip():
            break
    return end - start if labels >= 3 else 0


def boundary_at(
    lines: Sequence[str], index: int, our_names: Sequence[str], ours: Sequence[str]
) -> int:
    """How many lines a quote boundary at `index` spans (0: none). Lines are unquoted."""
    line = lines[index].strip()
    if not line or is_keyed_line(line):
        return 0
    if _MARKER.match(line) or _SEPARATOR.match(line):
        return 1
    if _OUTLOOK_RULE.match(line) and index + 1 < len(lines):
        nxt = lines[index + 1].strip()
        return 1 if _FROM_LABEL.match(nxt) else 0
    block = header_block_length(lines, index)
    if block:
        return block
    if _FROM_LABEL.match(line) and _mentions_us(line, our_names, ours):
        return 1  # "Od: Centrum Monitoringu MP <monitoring@…>": our own mail, even alone
    if is_attribution(line, our_names, ours):
        return 1
    if index + 1 < len(lines) and re.search(r"\d", line):
        # Gmail wraps long attributions: "pon., 16 lis 2026 o 09:15 X <" / "x@…> napisał(a):"
        following = lines[index + 1].strip()
        joined = line + " " + following
        if not _ATTRIBUTION_START.match(following) and is_attribution(joined, our_names, ours):
            return 2
    return 0


def reply_lines(
    lines: Sequence[str], our_names: Sequence[str] = (), ours: Sequence[str] = ()
) -> tuple[list[str], int | None]:
    """The new text of a reply, and the index where the quoted original starts.

    `>`-quoted lines are left out; an attribution directly followed by `>` lines is
    skipped (interleaved replies continue below it); any other boundary (Outlook
    header block, our marker, a forward separator) ends the new text.
    """
    depths = [split_quote_prefix(line) for line in lines]
    texts = [text for _, text in depths]
    kept: list[str] = []
    first: int | None = None
    index = 0
    while index < len(lines):
        depth, text = depths[index]
        if depth:
            first = index if first is None else first
            index += 1
            continue
        span = boundary_at(texts, index, our_names, ours)
        if span and _followed_by_quote(depths, index + span):
            first = index if first is None else first
            index += span
            continue
        if span:
            return kept, index if first is None else first
        kept.append(text)
        index += 1
    return kept, first


def _followed_by_quote(depths: Sequence[tuple[int, str]], index: int) -> bool:
    """Whether the next non-blank line after `index` is `>`-quoted."""
    for depth, text in depths[index:]:
        if text.strip():
            return depth > 0
    return False
