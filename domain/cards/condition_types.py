"""Load-time checks of expressions against their card: known codes, options, types.

An expression that passes cannot compare a number with an option or name an option
its question does not have, so evaluation needs no defensive code.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.cards.conditions import Binary, Const, Expression, ExpressionError, Node, Not, parse
from domain.cards.model import CardDefinition, QuestionType
from domain.errors import DefinitionError

_TAGS = {
    QuestionType.INT: "number",
    QuestionType.MONEY: "number",
    QuestionType.YESNO: "bool",
    QuestionType.DATE: "date",
    QuestionType.ONE: "one",
    QuestionType.MANY: "many",
    QuestionType.TEXT: "text",
    QuestionType.EMAIL: "text",
    QuestionType.PHONE: "text",
}
_ORDERED = frozenset({"<", "<=", ">", ">="})


@dataclass(frozen=True)
class _Kind:
    tag: str  # number, bool, date, text, one, many, literal
    list: str | None = None  # option list of a one/many question
    code: str | None = None  # the question, for messages
    literal: str | None = None  # the option code or quoted string


def _infer(node: Node, card: CardDefinition) -> _Kind:
    if isinstance(node, Const):
        if isinstance(node.value, bool):
            return _Kind("bool")
        if isinstance(node.value, str):
            return _Kind("literal", literal=node.value)
        return _Kind("number")
    if isinstance(node, Not):
        _expect_bool(_infer(node.operand, card), "not")
        return _Kind("bool")
    if isinstance(node, Binary):
        return _binary(node, _infer(node.left, card), _infer(node.right, card), card)
    question = card.by_code(node.code)
    if question is None:
        raise ExpressionError(f"unknown question code {node.code}")
    return _Kind(_TAGS[question.type], question.list, node.code)


def _binary(node: Binary, left: _Kind, right: _Kind, card: CardDefinition) -> _Kind:
    if node.op in ("and", "or"):
        _expect_bool(left, node.op)
        _expect_bool(right, node.op)
        return _Kind("bool")
    if node.op == "+":
        if left.tag != "number" or right.tag != "number":
            raise ExpressionError(f"'+' adds numbers, not {_describe(left)} and {_describe(right)}")
        return _Kind("number")
    if node.op == "has":
        return _has(left, right, card)
    if node.op in _ORDERED:
        if left.tag == right.tag and left.tag in ("number", "date"):
            return _Kind("bool")
        raise ExpressionError(f"cannot order {_describe(left)} and {_describe(right)}")
    return _equality(left, right, card)


def _has(left: _Kind, right: _Kind, card: CardDefinition) -> _Kind:
    if left.tag not in ("one", "many") or right.tag != "literal":
        raise ExpressionError(
            f"'has' needs a choice question on the left and an option code on the right, "
            f"not {_describe(left)} and {_describe(right)}"
        )
    _check_option(left, right, card)
    return _Kind("bool")


def _equality(left: _Kind, right: _Kind, card: CardDefinition) -> _Kind:
    if left.tag == "literal" and right.tag in ("one", "text"):
        left, right = right, left
    if left.tag == "one" and right.tag == "literal":
        _check_option(left, right, card)
    elif left.tag == "many" or right.tag == "many":
        raise ExpressionError(
            f"use 'has' with the multiple-choice question {left.code or right.code}"
        )
    elif left.tag == "text" and right.tag == "literal":
        pass
    elif left.tag != right.tag or left.tag == "literal" or left.list != right.list:
        raise ExpressionError(f"cannot compare {_describe(left)} with {_describe(right)}")
    return _Kind("bool")


def _check_option(question: _Kind, option: _Kind, card: CardDefinition) -> None:
    assert question.list is not None
    assert option.literal is not None
    if card.option_list(question.list).by_code(option.literal) is None:
        raise ExpressionError(
            f"{option.literal!r} is not an option of list {question.list} "
            f"(question {question.code})"
        )


def _expect_bool(kind: _Kind, op: str) -> None:
    if kind.tag != "bool":
        raise ExpressionError(f"'{op}' needs a true/false operand, not {_describe(kind)}")


def _describe(kind: _Kind) -> str:
    if kind.tag == "literal":
        return f"the option/text {kind.literal!r}"
    if kind.code:
        return f"{kind.code} ({kind.tag})"
    return f"a {kind.tag} value"


def check_expression(expression: Expression, card: CardDefinition) -> None:
    """Raise ExpressionError unless the expression is a well-typed test on this card."""
    kind = _infer(expression.root, card)
    if kind.tag != "bool":
        raise ExpressionError(f"the expression must be true or false, not {_describe(kind)}")


def compile_expression(source: str, card: CardDefinition, file: str, item: str) -> Expression:
    """Parse and check an expression; problems become DefinitionError(file, item, reason)."""
    try:
        expression = parse(source, card.card.value)
        check_expression(expression, card)
    except ExpressionError as exc:
        raise DefinitionError(file, item, f"expression {source!r}: {exc}") from exc
    return expression
