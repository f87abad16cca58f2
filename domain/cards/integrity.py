"""The rules a card must keep beyond its pydantic shape (cards.md, "Types").

Ids unique and prefixed by the card, sections and lists known, lists exactly on
one/many questions, prefill sources known, conditions and checks well formed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from domain.cards.checks import template_codes
from domain.cards.condition_types import compile_expression
from domain.cards.conditions import CODE_PATTERN
from domain.cards.model import PREFILL_SOURCES, CardDefinition, Question, QuestionType
from domain.errors import DefinitionError

_CODE_RE = re.compile(CODE_PATTERN)
_CHOICE_TYPES = frozenset({QuestionType.ONE, QuestionType.MANY})


def check_integrity(card: CardDefinition, file: str) -> None:
    """Raise DefinitionError(file, item, reason) at the first broken rule."""
    _unique(file, "question id", (q.id for q in card.questions))
    _unique(file, "section id", (s.id for s in card.sections))
    _unique(file, "list name", (lst.name for lst in card.lists))
    _unique(file, "check id", (c.id for c in card.checks))
    for option_list in card.lists:
        _unique(
            file, f"option code in list {option_list.name}", (o.code for o in option_list.options)
        )
        if not option_list.options:
            raise DefinitionError(file, option_list.name, "the list has no options")
    for question in card.questions:
        _check_question(card, question, file)
    _check_conditions(card, file)
    _check_checks(card, file)


def _unique(file: str, what: str, names: Iterable[str]) -> None:
    duplicates = [name for name, count in Counter(names).items() if count > 1]
    if duplicates:
        raise DefinitionError(file, duplicates[0], f"duplicate {what}")


def _check_question(card: CardDefinition, q: Question, file: str) -> None:
    prefix, _, code = q.id.partition(".")
    if prefix != card.card.value:
        raise DefinitionError(file, q.id, f"the id must start with '{card.card.value}.'")
    if not _CODE_RE.fullmatch(code):
        raise DefinitionError(file, q.id, "the code must look like I.1a or II.3.2b")
    if q.section not in {s.id for s in card.sections}:
        raise DefinitionError(file, q.id, f"unknown section {q.section!r}")
    _check_list(card, q, file)
    if q.prefill is not None and q.prefill not in PREFILL_SOURCES:
        raise DefinitionError(
            file, q.id, f"unknown prefill source {q.prefill!r}; known: {sorted(PREFILL_SOURCES)}"
        )
    if q.system and (q.required or q.condition):
        raise DefinitionError(
            file,
            q.id,
            "a system question is never asked: it cannot be required or have a condition",
        )


def _check_list(card: CardDefinition, q: Question, file: str) -> None:
    if q.type in _CHOICE_TYPES and q.list is None:
        raise DefinitionError(file, q.id, f"a question of type '{q.type.value}' needs a list")
    if q.type not in _CHOICE_TYPES and q.list is not None:
        raise DefinitionError(file, q.id, f"a question of type '{q.type.value}' takes no list")
    if q.list is not None and q.list not in {lst.name for lst in card.lists}:
        raise DefinitionError(file, q.id, f"unknown list {q.list!r}")


def _check_conditions(card: CardDefinition, file: str) -> None:
    # Skip logic walks the card in order, so a condition may only look back.
    position = {q.code: i for i, q in enumerate(card.questions)}
    for index, question in enumerate(card.questions):
        if question.condition is None:
            continue
        expression = compile_expression(question.condition, card, file, question.id)
        for code in expression.codes:
            if position[code] >= index:
                raise DefinitionError(
                    file,
                    question.id,
                    f"the condition refers to {code}, which does not come before this question",
                )
            if card.question(f"{card.card.value}.{code}").system:
                raise DefinitionError(
                    file, question.id, f"the condition refers to the system question {code}"
                )


def _check_checks(card: CardDefinition, file: str) -> None:
    for check in card.checks:
        if check.when is not None:
            compile_expression(check.when, card, file, check.id)
        compile_expression(check.rule, card, file, check.id)
        if not check.about:
            raise DefinitionError(file, check.id, "'about' names no question")
        templates = (check.message_pl, check.message_en)
        codes = [*check.about, *(c for t in templates for c in template_codes(t))]
        unknown = [code for code in codes if card.by_code(code) is None]
        if unknown:
            raise DefinitionError(file, check.id, f"unknown question code {unknown[0]}")
