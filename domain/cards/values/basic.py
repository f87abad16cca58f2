"""`yesno` and `text` answers."""

from __future__ import annotations

import re

from domain.cards.values.text import fold, normalise, plural_pl, quoted, tidy
from domain.errors import InvalidAnswer

MAX_TEXT = 1000  # cards.md: free text is 1–1000 characters

_YES = frozenset({"tak", "t", "yes", "y", "true", "prawda", "owszem"})
_NO = frozenset({"nie", "n", "no", "false", "falsz"})
# "Nie wiem" starts with "nie" but answers nothing: these openings are not a "no".
_UNSURE = re.compile(
    r"^(?:nie\s+(?:wiem|jestem|pamietam|mam pewnosci|dotyczy)"
    r"|(?:tak|nie|yes|no)\s*(?:/|\s(?:i|lub|albo|czy|or)\s)\s*(?:tak|nie|yes|no)\b)"
)
_FIRST_WORD = re.compile(r"[^\W_]+")


def parse_yesno(raw: str) -> bool:
    """Yes or no: tak/nie/yes/no/t/n/y, judged by the first word ("Tak, jest")."""
    text = tidy(raw)
    folded = fold(text)
    first = _FIRST_WORD.match(folded)
    if first and not _UNSURE.match(folded):
        if first[0] in _YES:
            return True
        if first[0] in _NO:
            return False
    what_pl = f"Nie rozumiem {quoted(text)}" if text else "Odpowiedź jest pusta"
    what_en = f"I cannot read {quoted(text)}" if text else "The answer is empty"
    raise InvalidAnswer(
        f"{what_pl} – potrzebna jest odpowiedź „tak” albo „nie”, np. tak.",
        f"{what_en} – the answer must be 'yes' or 'no' ('tak'/'nie'), e.g. tak.",
    )


def parse_text(raw: str) -> str:
    """Free text, trimmed, 1 to 1000 characters; line breaks are kept."""
    text = normalise(raw, keep_lines=True)
    if not text:
        raise InvalidAnswer(
            "Odpowiedź jest pusta. Wpisz kilka słów, np. Klub Seniora.",
            "The answer is empty. Type a few words, e.g. Klub Seniora.",
        )
    if len(text) > MAX_TEXT:
        n = len(text)
        raise InvalidAnswer(
            f"Odpowiedź ma {n} {plural_pl(n, 'znak', 'znaki', 'znaków')} – może mieć "
            f"najwyżej {MAX_TEXT}. Skróć ją, np. zostaw same nazwy.",
            f"The answer has {n} characters – at most {MAX_TEXT} are allowed. "
            "Shorten it, e.g. keep just the names.",
        )
    return text
