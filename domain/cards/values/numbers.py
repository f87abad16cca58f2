"""Counts (`int`) and amounts in PLN (`money`), written the way Polish people write them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from domain.cards.values.text import fold, quoted, tidy
from domain.errors import InvalidAnswer

MAX_COUNT = 1_000_000  # cards.md: counts above a million are typing errors
MAX_MONEY = Decimal("1000000000")  # a billion złoty: far above any one organisation's costs

_ZERO_WORDS = frozenset({"brak", "zero", "none", "nic"})  # channels.md: "brak" = 0 for counts
_MULTIPLIERS = frozenset(
    {"tys", "tysiac", "tysiace", "tysiecy", "k", "mln", "milion", "miliony", "milionow"}
    | {"mld", "miliard", "miliardy", "miliardow", "thousand", "million"}
)
_VAGUE = frozenset(
    {"kilka", "kilkanascie", "kilkadziesiat", "kilkaset", "pare", "wiele", "duzo", "malo"}
    | {"okolo", "ok", "ca", "ponad", "wiecej", "mniej", "prawie", "powyzej", "ponizej"}
    | {"max", "maks", "min", "lub", "albo", "about", "approx", "several", "many", "few"}
    | {"tak", "nie", "wiem"}
)

_NUMBER = re.compile(r"(?P<num>[0-9](?:[0-9 .,]*[0-9])?)(?P<rest>.*)", re.ASCII | re.DOTALL)
_PLAIN_COUNT = re.compile(r"[0-9]+|[0-9]{1,3}(?: [0-9]{3})+", re.ASCII)  # "35", "1 200"
_NEGATIVE = re.compile(r"^[-−–—]\s*[0-9]")
_RANGE = re.compile(r"^[0-9][0-9 .,]*\s*[-–—]\s*[0-9]")


class _Unreadable(ValueError):
    """The digits do not form a number (bad grouping, several separators...)."""


class _Ambiguous(ValueError):
    """ "1,200": a Polish decimal or an English thousands group, we cannot tell."""


def _split_decimal(num: str) -> tuple[str, str]:
    """Split digits into (integer part with grouping, decimals) by the separator used."""
    last = max(num.rfind(","), num.rfind("."))
    if last < 0:
        return num, ""
    sep, tail = num[last], num[last + 1 :]
    other = "." if sep == "," else ","
    if other in num or not tail.isdigit():
        return num[:last], tail  # both used: the last one is the decimal separator
    if num.count(sep) > 1:
        return num, ""  # "1.200.000": only grouping
    if sep == "." and len(tail) == 3:
        return num, ""  # Polish thousands dot: "1.200"
    if sep == "," and len(tail) == 3 and " " not in num:
        raise _Ambiguous(num)
    return num[:last], tail


def read_number(num: str) -> tuple[Decimal, int]:
    """The value of a digit string and how many decimals it had."""
    whole, decimals = _split_decimal(num)
    groups = re.split(r"[ .,]", whole)
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        raise _Unreadable(num)
    if not all(g.isdigit() and g.isascii() for g in groups) or not (
        decimals == "" or (decimals.isdigit() and decimals.isascii())
    ):
        raise _Unreadable(num)
    return Decimal("".join(groups) + ("." + decimals if decimals else "")), len(decimals)


def _words(rest: str) -> list[str] | None:
    """The folded words after a number, or None if anything else follows."""
    tokens = rest.split()
    if not all(t.rstrip(".").isalpha() for t in tokens):  # letters only: "osób", "szt."
        return None
    return [fold(t).rstrip(".") for t in tokens]


@dataclass(frozen=True)
class _Kind:
    """The words a count or an amount uses in its messages."""

    noun_pl: str
    noun_en: str
    example_pl: str
    example_en: str

    def error(self, pl: str, en: str) -> InvalidAnswer:
        """A rejection with this kind's example appended."""
        return InvalidAnswer(f"{pl} {self.example_pl}", f"{en} {self.example_en}")

    def unreadable(self, text: str) -> InvalidAnswer:
        """The generic "cannot read this" rejection."""
        return self.error(
            f"Nie rozumiem {quoted(text)} jako {self.noun_pl}.",
            f"I cannot read {quoted(text)} as {self.noun_en}.",
        )


_COUNT = _Kind(
    "liczby",
    "a number",
    "Wpisz samą liczbę cyframi, np. 12 (albo 0, jeśli nie było).",
    "Type just the number in digits, e.g. 12 (or 0 if there were none).",
)
_AMOUNT = _Kind(
    "kwoty",
    "an amount",
    "Wpisz kwotę w złotych cyframi, np. 12 500,50 zł (albo 0).",
    "Type the amount in złoty in digits, e.g. 12 500,50 zł (or 0).",
)


def _check_words(text: str, words: list[str], kind: _Kind) -> None:
    """Reject vague words ("kilka", "ok.") and multipliers ("tys.") in the answer."""
    if any(w in _VAGUE for w in words):
        raise kind.error(
            f"Potrzebna jest jedna dokładna liczba, a nie {quoted(text)}.",
            f"An exact number is needed, not {quoted(text)}.",
        )
    if any(w in _MULTIPLIERS for w in words):
        raise InvalidAnswer(
            f"Wpisz pełną liczbę cyframi, bez skrótów „tys.” czy „mln” ({quoted(text)}), "
            "np. 12000.",
            f"Type the full number in digits, without 'tys.' or 'mln' ({quoted(text)}), "
            "e.g. 12000.",
        )


def _number_match(
    text: str, kind: _Kind, shown: str | None = None
) -> tuple[re.Match[str], list[str]]:
    """Checks shared by counts and amounts; the number match and the words after it."""
    if not text:
        raise kind.error("Odpowiedź jest pusta.", "The answer is empty.")
    shown = shown or text
    _check_words(shown, [fold(w).rstrip(".") for w in text.split()], kind)
    if _NEGATIVE.match(text):
        raise kind.error(
            f"Wartość nie może być ujemna ({quoted(shown)}).",
            f"The value cannot be negative ({quoted(shown)}).",
        )
    if _RANGE.match(text):
        raise kind.error(
            f"Podaj jedną wartość, a nie przedział ({quoted(shown)}).",
            f"Give one value, not a range ({quoted(shown)}).",
        )
    match = _NUMBER.fullmatch(text)
    words = _words(match["rest"]) if match else None
    if match is None or words is None:
        raise kind.unreadable(shown)
    _check_words(shown, words, kind)  # glued units: "12k"
    return match, words


def parse_int(raw: str) -> int:
    """A count: a whole number from 0 to 1 000 000 ("1 200", "12 osób", "brak")."""
    if _PLAIN_COUNT.fullmatch(raw) and (count := int(raw.replace(" ", ""))) <= MAX_COUNT:
        return count  # "35", "1 200": what the reading below gives, sooner
    text = tidy(raw).replace("\n", " ")
    if fold(text) in _ZERO_WORDS:
        return 0
    match, _units = _number_match(text, _COUNT)  # any unit word is fine: "osób", "szt."
    try:
        value, _ = read_number(match["num"])
    except _Ambiguous:
        raise InvalidAnswer(
            f"Nie wiem, czy {quoted(text)} to tysiące, czy ułamek. "
            "Wpisz liczbę bez przecinka i kropki, np. 1200.",
            f"I cannot tell whether {quoted(text)} means thousands or a fraction. "
            "Type the number without commas or dots, e.g. 1200.",
        ) from None
    except _Unreadable:
        raise _COUNT.unreadable(text) from None
    if value != value.to_integral_value():
        raise _COUNT.error(
            f"{quoted(text)} nie jest liczbą całkowitą – potrzebna jest liczba bez ułamka.",
            f"{quoted(text)} is not a whole number – no fractions, please.",
        )
    if value > MAX_COUNT:
        raise _COUNT.error(
            f"{quoted(text)} to za dużo – największa możliwa wartość to 1 000 000. "
            "Sprawdź, czy nie ma literówki.",
            f"{quoted(text)} is too large – the largest possible value is 1,000,000. "
            "Check for a typo.",
        )
    return int(value)


_CURRENCY_BEFORE = re.compile(r"^(?:pln|zł|zl)\s*", re.IGNORECASE)
_CURRENCY_AFTER = re.compile(
    r"\s*(?:,\s*[-–—]+)?\s*(?:pln|zł|zl|złotych|złote|złoty|zlotych|zlote|zloty)?$", re.IGNORECASE
)


def parse_money(raw: str) -> Decimal:
    """An amount in PLN, 0 to a billion, at most 2 decimals ("12 500,50 zł", "12500.5")."""
    text = tidy(raw).replace("\n", " ")
    bare = _CURRENCY_AFTER.sub("", _CURRENCY_BEFORE.sub("", text), count=1)
    match, words = _number_match(bare or text, _AMOUNT, shown=text)
    if words:
        raise _AMOUNT.unreadable(text)
    try:
        value, decimals = read_number(match["num"])
    except _Ambiguous:
        decimals = 3
    except _Unreadable:
        raise _AMOUNT.unreadable(text) from None
    if decimals > 2:
        raise _AMOUNT.error(
            f"Kwota może mieć najwyżej 2 miejsca po przecinku (grosze), a podano {quoted(text)}.",
            f"An amount has at most 2 decimal places (grosze); got {quoted(text)}.",
        )
    if value > MAX_MONEY:
        raise _AMOUNT.error(
            f"{quoted(text)} to za dużo – największa możliwa kwota to 1 000 000 000 zł. "
            "Sprawdź, czy nie ma literówki.",
            f"{quoted(text)} is too large – the largest possible amount is 1,000,000,000 zł. "
            "Check for a typo.",
        )
    return value.quantize(Decimal("0.01"))
