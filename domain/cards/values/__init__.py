"""Parsing answers of every question type, and their JSON and display forms.

`parse_value` is the one entry point for the bot, the email parser and the CLI;
each type lives in its own module. Rejections are `InvalidAnswer` with a kind,
precise Polish and English message that always ends with an example ("np. …").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from domain.cards.model import OptionList, Question, QuestionType
from domain.cards.values.base import AnswerValue, ParsedValue
from domain.cards.values.basic import MAX_TEXT, parse_text, parse_yesno
from domain.cards.values.choices import parse_many, parse_one
from domain.cards.values.contact import parse_email, parse_phone
from domain.cards.values.dates import EARLIEST_YEAR, parse_date
from domain.cards.values.numbers import MAX_COUNT, MAX_MONEY, parse_int, parse_money
from domain.cards.values.options import find as find_option
from domain.cards.values.options import numbered
from domain.cards.values.represent import JsonValue, display, from_json, to_json
from domain.cards.values.text import fold, normalise

__all__ = [
    "EARLIEST_YEAR",
    "MAX_COUNT",
    "MAX_MONEY",
    "MAX_TEXT",
    "AnswerValue",
    "JsonValue",
    "ParsedValue",
    "display",
    "find_option",
    "fold",
    "from_json",
    "normalise",
    "numbered",
    "parse_date",
    "parse_email",
    "parse_int",
    "parse_money",
    "parse_phone",
    "parse_text",
    "parse_value",
    "parse_yesno",
    "to_json",
]

_SIMPLE: dict[QuestionType, Callable[[str], AnswerValue]] = {
    QuestionType.INT: parse_int,
    QuestionType.MONEY: parse_money,
    QuestionType.YESNO: parse_yesno,
    QuestionType.TEXT: parse_text,
    QuestionType.EMAIL: parse_email,
    QuestionType.PHONE: parse_phone,
}


def parse_value(
    question: Question, options: OptionList | None, raw: str, *, today: date
) -> ParsedValue:
    """Parse a raw answer to `question`; raises InvalidAnswer with an example."""
    if question.type is QuestionType.DATE:
        return ParsedValue(parse_date(raw, today=today))
    if question.type in (QuestionType.ONE, QuestionType.MANY):
        if options is None:
            raise ValueError(f"{question.id}: a {question.type.value} question needs its list")
        parse = parse_one if question.type is QuestionType.ONE else parse_many
        return parse(options, raw)
    return ParsedValue(_SIMPLE[question.type](raw))
