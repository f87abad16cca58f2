"""Formula expressions compiled to closures, for evaluating tens of thousands of cards.

`Expression.evaluate` walks the tree on every call; at national scale (25,000 cards
× 30 terms) that walk dominates, so each tree is turned once into nested closures
with the same three-valued semantics (an unanswered operand gives None).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from domain.cards.conditions import Binary, Const, Node, Not, Ref, parse

Answers = Mapping[str, Any]
Compiled = Callable[[Answers], Any]

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def compile_term(source: str, card: str) -> Compiled:
    """A function of answers (keyed by question id) giving the expression's value or None."""
    return _compile(parse(source, card).root, card)


def _compile(node: Node, card: str) -> Compiled:
    if isinstance(node, Const):
        constant = node.value
        return lambda answers: constant
    if isinstance(node, Ref):
        key = f"{card}.{node.code}"
        return lambda answers: answers.get(key)
    if isinstance(node, Not):
        inner = _compile(node.operand, card)
        return lambda answers: _negate(inner(answers))
    if node.op in ("and", "or"):
        return _logical(node, card)
    if node.op == "has":
        return _membership(node, card)
    return _arithmetic(node, card)


def _negate(value: Any) -> Any:
    return None if value is None else not value


def _logical(node: Binary, card: str) -> Compiled:
    """Kleene and/or: a decisive side settles the result even when the other is unknown."""
    left, right = _compile(node.left, card), _compile(node.right, card)
    decisive = node.op == "or"

    def evaluate(answers: Answers) -> Any:
        a = left(answers)
        if a is decisive:
            return decisive
        b = right(answers)
        if b is decisive:
            return decisive
        return None if a is None or b is None else not decisive

    return evaluate


def _membership(node: Binary, card: str) -> Compiled:
    left, right = _compile(node.left, card), _compile(node.right, card)

    def evaluate(answers: Answers) -> bool | None:
        a, b = left(answers), right(answers)
        if a is None or b is None:
            return None
        return b in a if isinstance(a, tuple) else bool(a == b)

    return evaluate


def _arithmetic(node: Binary, card: str) -> Compiled:
    apply = _COMPARE[node.op]
    if isinstance(node.left, Ref) and isinstance(node.right, Const):
        key, constant = f"{card}.{node.left.code}", node.right.value
        if node.op in _SHORTCUTS:
            return _SHORTCUTS[node.op](key, constant)

        def compare(answers: Answers) -> Any:
            value = answers.get(key)
            return None if value is None else apply(value, constant)

        return compare
    left, right = _compile(node.left, card), _compile(node.right, card)

    def evaluate(answers: Answers) -> Any:
        a = left(answers)
        if a is None:
            return None
        b = right(answers)
        return None if b is None else apply(a, b)

    return evaluate


def _greater(key: str, constant: Any) -> Compiled:
    """II.1.1 > 0, the most common test of all: one lookup, one inline comparison."""

    def compare(answers: Answers) -> Any:
        value = answers.get(key)
        return None if value is None else value > constant

    return compare


def _equal(key: str, constant: Any) -> Compiled:
    """II.3.7 = true."""

    def compare(answers: Answers) -> Any:
        value = answers.get(key)
        return None if value is None else value == constant

    return compare


_SHORTCUTS: dict[str, Callable[[str, Any], Compiled]] = {">": _greater, "=": _equal}
