"""Line helpers shared by quote detection and keyed-line extraction."""

from __future__ import annotations

import re

# "> ", ">>", "> > " as Gmail, Thunderbird and Roundcube write quote prefixes.
_QUOTE_PREFIX = re.compile(r"^((?:[ \t]*>)+)[ \t]?")


def split_quote_prefix(line: str) -> tuple[int, str]:
    """Quote depth (number of ">") and the line without its quote prefix."""
    match = _QUOTE_PREFIX.match(line)
    if match is None:
        return 0, line
    return match.group(1).count(">"), line[match.end() :]
