"""Finding list options from what people type: number, code or label."""

from __future__ import annotations

import re

from domain.cards.model import Lang, Option, OptionList
from domain.cards.values.text import fold

_OTHER_WORDS = ("inny", "inna", "inne", "other")  # every gender of "other" opens the follow-up
_PUNCTUATION = re.compile(r"[-–—_/„”“\"'()\[\]]")
_PARENTHESISED = re.compile(r"^(?P<name>.*?)\s*\((?P<short>[^()]+)\)$")
_MIN_PREFIX = 4  # "mazow" finds mazowieckie; shorter prefixes are guesses
# "woj. łódzkie", "województwo łódzkie": people name the województwo with its title.
_TITLE = re.compile(r"^(?:woj|wojewodztwo|voivodeship)\.?\s+")


def key(text: str) -> str:
    """A matching key: folded, punctuation and dashes as spaces ("Kujawsko-Pomorskie")."""
    return " ".join(_PUNCTUATION.sub(" ", fold(text)).split())


def numbered(options: OptionList) -> tuple[tuple[str, Option], ...]:
    """Each option with the number a person types for it.

    The number is the 1-based position, except in lists whose codes are all
    digits (WOJ, TERYT codes): there the code is the number, so "10" is always
    łódzkie and never the tenth item.
    """
    items = options.options
    if all(o.code.isdigit() for o in items):
        return tuple((o.code, o) for o in items)
    return tuple((str(i), o) for i, o in enumerate(items, start=1))


def label(option: Option, lang: Lang) -> str:
    """The option's label in the given language."""
    return option.label_pl if lang == "pl" else option.label_en


def _names(option: Option) -> set[str]:
    """Every name an option answers to: code, labels, a label's short form."""
    names = {option.code, option.label_pl, option.label_en}
    for text in (option.label_pl, option.label_en):
        if m := _PARENTHESISED.match(text):  # "klub integracji społecznej (KIS)"
            names |= {m["name"], m["short"]}
    if option.other:
        names |= set(_OTHER_WORDS)
    return {key(n) for n in names if key(n)}


def _by_number(options: OptionList, token: str) -> Option | None:
    """The option with this typed number (leading zeros ignored)."""
    if len(token) > 6:
        return None
    return next((o for n, o in numbered(options) if int(n) == int(token)), None)


def find(options: OptionList, text: str, *, prefix: bool = True) -> Option | None:
    """The one option `text` names, by number, code, label or a unique label prefix."""
    token = _TITLE.sub("", key(text).rstrip(".)"))
    if not token:
        return None
    if token.isdigit() and token.isascii():
        return _by_number(options, token)
    exact = [o for o in options.options if token in _names(o)]
    if exact:
        return exact[0]
    if not prefix or len(token) < _MIN_PREFIX:
        return None
    starts = [
        o
        for o in options.options
        if key(o.label_pl).startswith(token) or key(o.label_en).startswith(token)
    ]
    return starts[0] if len(starts) == 1 else None


def other_option(options: OptionList) -> Option | None:
    """The list's "inny"/"inne" option, if it has one."""
    return next((o for o in options.options if o.other), None)


def other_names(option: Option) -> tuple[str, ...]:
    """Words that introduce an "other" answer with its text ("inne: pomoc prawna")."""
    names = {option.code, option.label_pl, option.label_en, *_OTHER_WORDS}
    return tuple(sorted({fold(n) for n in names}, key=len, reverse=True))
