"""Un-flowing `format=flowed` text (RFC 3676), as Thunderbird sends it.

A flowed line ends with a space; the reader joins it with the next line of the same
quote depth. With `DelSp=yes` that trailing space was added by the sender and is
deleted on joining (RFC 3676 section 4.2). Without un-flowing, a value Thunderbird
wrapped onto the next line would be lost (email-cases.md case 5).
"""

from __future__ import annotations

import re
from collections.abc import Callable

_QUOTE = re.compile(r"^>+")
_SIGNATURE = "-- "  # RFC 3676 4.3: the signature separator is never flowed


def split_quote(line: str) -> tuple[int, str]:
    """Quote depth and the rest of a flowed line, space-stuffing removed (4.4, 4.5)."""
    match = _QUOTE.match(line)
    depth = len(match.group(0)) if match else 0
    rest = line[depth:]
    if rest.startswith(" "):
        rest = rest[1:]
    return depth, rest


def _is_flowed(content: str) -> bool:
    return content.endswith(" ") and content != _SIGNATURE


def _render(depth: int, content: str) -> str:
    return (">" * depth + " " + content) if depth else content


def unflow(
    text: str, *, delsp: bool = False, starts_line: Callable[[str], bool] | None = None
) -> str:
    """Join flowed lines of `text` (LF line ends) into logical lines.

    `starts_line(content)` marks lines that never continue the previous one: senders
    that leave a trailing space after an empty template answer ("[I.4] label: ")
    would otherwise glue every following template line onto it.
    """
    out: list[str] = []
    pending: tuple[int, str] | None = None
    for line in text.split("\n"):
        depth, content = split_quote(line)
        if pending is not None and starts_line is not None and starts_line(content):
            out.append(_render(*pending))
            pending = None
        if pending is not None and pending[0] == depth:
            content = pending[1] + content
        elif pending is not None:
            out.append(_render(*pending))  # depth changed: RFC 3676 says end the paragraph
        pending = None
        if _is_flowed(content):
            pending = (depth, content[:-1] if delsp else content)
        else:
            out.append(_render(depth, content))
    if pending is not None:
        out.append(_render(*pending))
    return "\n".join(out)
