"""A small, safe expression language for skip logic and consistency checks.

Parsed by hand (recursive descent), never `eval`-ed. Grammar:

    disjunction := conjunction ("or" conjunction)*
    conjunction := negation ("and" negation)*
    negation    := "not" negation | comparison
    comparison  := sum (("=" | "!=" | "<" | "<=" | ">" | ">=" | "has") sum)?
    sum         := atom ("+" atom)*
    atom        := NUMBER | STRING | "true" | "false" | CODE | OPTION | "(" disjunction ")"

CODE is a question code relative to the card (`I.4`, `II.3.2a`); OPTION is a bare
option code (`inst`, `menager_us`); STRING is quoted ("02", 'x'). Keywords are
case-insensitive. Evaluation is three-valued: an unanswered operand makes a result
unknown (None) unless the other side of `and`/`or` settles it (Kleene logic).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

AnswerValue = int | Decimal | bool | date | str | tuple[str, ...]
"""A parsed answer: int, money (Decimal), yesno, date, one (code), many (codes), text."""

CODE_PATTERN = r"[IVX]+(?:\.\d+[a-z]?)+"
"""A question code: a Roman part number, then dot-separated numbers (`II.3.2a`)."""

_CODE_RE = re.compile(CODE_PATTERN)
_OPTION_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOKEN_RE = re.compile(
    r"""(?P<num>\d+(?:\.\d+)?(?![\w.]))
      |(?P<str>"[^"]*"|'[^']*')
      |(?P<op>!=|<=|>=|[=<>+()])
      |(?P<word>[A-Za-z_][A-Za-z0-9_.]*)""",
    re.VERBOSE,
)
_KEYWORDS = frozenset({"and", "or", "not", "has", "true", "false"})
_COMPARISONS = frozenset({"=", "!=", "<", "<=", ">", ">=", "has"})


class ExpressionError(ValueError):
    """An expression that does not parse or does not fit its card."""


@dataclass(frozen=True)
class Const:
    """A literal: number, true/false, option code or quoted string."""

    value: int | Decimal | bool | str
    quoted: bool = False  # written as "..." rather than as a bare option code


@dataclass(frozen=True)
class Ref:
    """A reference to another question of the same card, by code."""

    code: str


@dataclass(frozen=True)
class Not:
    """Logical negation."""

    operand: Node


@dataclass(frozen=True)
class Binary:
    """A binary operation: and, or, +, a comparison or `has`."""

    op: str
    left: Node
    right: Node


Node = Const | Ref | Not | Binary


@dataclass(frozen=True)
class _Token:
    kind: str  # num, str, op, word, kw, code, end
    text: str
    pos: int


def _tokens(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(source):
        if source[pos].isspace():
            pos += 1
            continue
        match = _TOKEN_RE.match(source, pos)
        if match is None or match.lastgroup is None:
            raise ExpressionError(f"unexpected character {source[pos]!r} at position {pos}")
        tokens.append(
            _word(match.group(), pos)
            if match.lastgroup == "word"
            else _Token(match.lastgroup, match.group(), pos)
        )
        pos = match.end()
    tokens.append(_Token("end", "", len(source)))
    return tokens


def _word(text: str, pos: int) -> _Token:
    if text.lower() in _KEYWORDS:
        return _Token("kw", text.lower(), pos)
    if _CODE_RE.fullmatch(text):
        return _Token("code", text, pos)
    if _OPTION_RE.fullmatch(text):
        return _Token("word", text, pos)
    raise ExpressionError(f"{text!r} at position {pos} is neither a question code nor an option")


@dataclass
class _Parser:
    tokens: list[_Token]
    index: int = field(default=0)

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def accept(self, *texts: str) -> str | None:
        token = self.peek()
        if token.kind in ("kw", "op") and token.text in texts:
            self.index += 1
            return token.text
        return None

    def disjunction(self) -> Node:
        node = self.conjunction()
        while self.accept("or"):
            node = Binary("or", node, self.conjunction())
        return node

    def conjunction(self) -> Node:
        node = self.negation()
        while self.accept("and"):
            node = Binary("and", node, self.negation())
        return node

    def negation(self) -> Node:
        if self.accept("not"):
            return Not(self.negation())
        return self.comparison()

    def comparison(self) -> Node:
        node = self.sum()
        op = self.accept(*_COMPARISONS)
        if op is None:
            return node
        node = Binary(op, node, self.sum())
        if self.peek().text in _COMPARISONS:
            # a < b < c reads naturally but would compare a bool with a number
            raise ExpressionError(f"chained comparison at position {self.peek().pos}")
        return node

    def sum(self) -> Node:
        node = self.atom()
        while self.accept("+"):
            node = Binary("+", node, self.atom())
        return node

    def atom(self) -> Node:
        token = self.take()
        if token.kind == "op" and token.text == "(":
            node = self.disjunction()
            if not self.accept(")"):
                raise _expected("')'", self.peek())
            return node
        return _leaf(token)


def _leaf(token: _Token) -> Node:
    if token.kind == "num":
        return Const(Decimal(token.text) if "." in token.text else int(token.text))
    if token.kind == "str":
        return Const(token.text[1:-1], quoted=True)
    if token.kind == "code":
        return Ref(token.text)
    if token.kind == "word":
        return Const(token.text)
    if token.kind == "kw" and token.text in ("true", "false"):
        return Const(token.text == "true")
    raise _expected("a value", token)


def _expected(what: str, token: _Token) -> ExpressionError:
    found = repr(token.text) if token.kind != "end" else "the end"
    return ExpressionError(f"expected {what} at position {token.pos}, found {found}")


def _has(left: Any, right: Any) -> bool:
    # `has` on a many-choice answer (tuple of codes) is membership; on one, equality
    return right in left if isinstance(left, tuple) else bool(left == right)


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "has": _has,
}


def _kleene(op: str, left: AnswerValue | None, right: AnswerValue | None) -> bool | None:
    decisive = op == "or"  # True settles "or", False settles "and"
    if left is decisive or right is decisive:
        return decisive
    if left is None or right is None:
        return None
    return not decisive


def _evaluate(node: Node, answers: Mapping[str, AnswerValue | None], card: str) -> Any:
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Ref):
        return answers.get(f"{card}.{node.code}")
    if isinstance(node, Not):
        value = _evaluate(node.operand, answers, card)
        return None if value is None else not value
    left = _evaluate(node.left, answers, card)
    right = _evaluate(node.right, answers, card)
    if node.op in ("and", "or"):
        return _kleene(node.op, left, right)
    if left is None or right is None:
        return None
    return _OPERATORS[node.op](left, right)


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents first."""
    yield node
    if isinstance(node, Not):
        yield from walk(node.operand)
    elif isinstance(node, Binary):
        yield from walk(node.left)
        yield from walk(node.right)


@dataclass(frozen=True)
class Expression:
    """A parsed expression of one card; evaluate it against answers keyed by question id."""

    source: str
    card: str
    root: Node

    @property
    def codes(self) -> tuple[str, ...]:
        """The question codes the expression refers to, in order of appearance."""
        seen = (n.code for n in walk(self.root) if isinstance(n, Ref))
        return tuple(dict.fromkeys(seen))

    def evaluate(self, answers: Mapping[str, AnswerValue | None]) -> AnswerValue | None:
        """The value given the answers (keyed like "ngo.I.4"); None when unknown."""
        value: AnswerValue | None = _evaluate(self.root, answers, self.card)
        return value

    def holds(self, answers: Mapping[str, AnswerValue | None]) -> bool:
        """Whether the expression is true; unknown counts as not holding."""
        return self.evaluate(answers) is True


@lru_cache(maxsize=2048)
def parse(source: str, card: str) -> Expression:
    """Parse an expression of the given card (ExpressionError on bad syntax)."""
    parser = _Parser(_tokens(source))
    if parser.peek().kind == "end":
        raise ExpressionError("empty expression")
    root = parser.disjunction()
    if parser.peek().kind != "end":
        raise _expected("an operator or the end", parser.peek())
    return Expression(source, card, root)
