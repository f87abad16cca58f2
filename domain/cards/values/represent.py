"""Values as JSON (exports, CLI) and as text for people (cards.md "Value representation")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from domain.cards.model import Lang, OptionList, Question, QuestionType
from domain.cards.values.base import AnswerValue
from domain.cards.values.options import label
from domain.errors import InvalidAnswer

JsonValue = int | str | bool | list[str] | None

_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def to_json(question: Question, value: AnswerValue | None) -> JsonValue:
    """The JSON form: int, "12500.50", true/false, "YYYY-MM-DD", code or list of codes."""
    if value is None:
        return None
    match question.type:
        case QuestionType.MONEY:
            assert isinstance(value, Decimal)
            return f"{value:.2f}"
        case QuestionType.DATE:
            assert isinstance(value, date)
            return value.isoformat()
        case QuestionType.MANY:
            assert isinstance(value, tuple)
            return list(value)
        case _:
            assert isinstance(value, int | bool | str)
            return value


def _bad(question: Question, data: object) -> InvalidAnswer:
    return InvalidAnswer(
        f"Wartość {data!r} nie pasuje do pytania {question.code} (typ {question.type.value}), "
        "np. dla liczby: 12.",
        f"The value {data!r} does not fit question {question.code} "
        f"(type {question.type.value}), e.g. for a number: 12.",
    )


def _money_from_json(question: Question, data: object) -> Decimal:
    if isinstance(data, bool) or not isinstance(data, int | str):
        raise _bad(question, data)
    try:
        amount = Decimal(str(data))
    except InvalidOperation:
        raise _bad(question, data) from None
    if not amount.is_finite() or amount < 0:
        raise _bad(question, data)
    return amount.quantize(Decimal("0.01"))


def from_json(question: Question, data: object) -> AnswerValue:
    """The value from its JSON form (the inverse of `to_json`)."""
    kind = question.type
    if kind is QuestionType.INT and isinstance(data, int) and not isinstance(data, bool):
        return data
    if kind is QuestionType.MONEY:
        return _money_from_json(question, data)
    if kind is QuestionType.YESNO and isinstance(data, bool):
        return data
    if kind is QuestionType.DATE and isinstance(data, str):
        try:
            return date.fromisoformat(data)
        except ValueError:
            raise _bad(question, data) from None
    if (
        kind is QuestionType.MANY
        and isinstance(data, list | tuple)
        and all(isinstance(code, str) for code in data)
    ):
        return tuple(data)
    text_kinds = (QuestionType.ONE, QuestionType.TEXT, QuestionType.EMAIL, QuestionType.PHONE)
    if kind in text_kinds and isinstance(data, str):
        return data
    raise _bad(question, data)


def _group(digits: str, sep: str) -> str:
    """Thousands grouping: "1200" -> "1 200"."""
    head = len(digits) % 3 or 3
    return sep.join([digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)])


def _money(amount: Decimal, lang: Lang) -> str:
    whole, cents = f"{amount:.2f}".split(".")
    if lang == "pl":
        return f"{_group(whole, ' ')},{cents} zł"
    return f"PLN {_group(whole, ',')}.{cents}"


def _option(options: OptionList | None, code: str, lang: Lang, other_text: str | None) -> str:
    """An option's label (the code if it is no longer on the list), with its "inny" text."""
    option = options.by_code(code) if options else None
    text = label(option, lang) if option else code
    if option and option.other and other_text:
        text = f"{text}: {other_text}"
    return text


def display(
    question: Question,
    options: OptionList | None,
    value: AnswerValue,
    lang: Lang,
    other_text: str | None = None,
) -> str:
    """The value as a person reads it: "tak", "14.03.2025", "12 500,50 zł", labels."""
    match value:
        case bool():
            return ("tak" if value else "nie") if lang == "pl" else ("yes" if value else "no")
        case int():
            return _group(str(value), " " if lang == "pl" else ",")
        case Decimal():
            return _money(value, lang)
        case date():
            if lang == "pl":
                return f"{value:%d.%m.%Y}"
            return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"
        case tuple():
            return ", ".join(_option(options, code, lang, other_text) for code in value)
    if question.type is QuestionType.ONE:
        return _option(options, value, lang, other_text)
    return value
