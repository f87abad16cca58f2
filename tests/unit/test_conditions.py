"""The skip-logic / check expression language: parsing, typing, three-valued evaluation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.cards.catalog import CardCatalog
from domain.cards.condition_types import check_expression, compile_expression
from domain.cards.conditions import AnswerValue, Binary, Const, ExpressionError, Not, Ref, parse
from domain.cards.model import CardDefinition
from domain.errors import DefinitionError


@pytest.fixture(scope="module")
def ngo() -> CardDefinition:
    return CardCatalog.builtin().get("ngo")


@pytest.fixture(scope="module")
def izus() -> CardDefinition:
    return CardCatalog.builtin().get("izus")


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        ("I.4 has inst", Binary("has", Ref("I.4"), Const("inst"))),
        ("II.3.2a + II.3.2b > 0",
         Binary(">", Binary("+", Ref("II.3.2a"), Ref("II.3.2b")), Const(0))),
        ("I.6a = true", Binary("=", Ref("I.6a"), Const(True))),
        ("not (I.4 has inst)", Not(Binary("has", Ref("I.4"), Const("inst")))),
        ("a or b and c", Binary("or", Const("a"), Binary("and", Const("b"), Const("c")))),
        ("(a or b) and c", Binary("and", Binary("or", Const("a"), Const("b")), Const("c"))),
        ("not not true", Not(Not(Const(True)))),
        ("II.7.2 >= 12.5", Binary(">=", Ref("II.7.2"), Const(Decimal("12.5")))),
        ("I.1d = \"02\"", Binary("=", Ref("I.1d"), Const("02", quoted=True))),
        ("I.1d != '02'", Binary("!=", Ref("I.1d"), Const("02", quoted=True))),
        ("II.0.1 <= 3 AND FALSE",
         Binary("and", Binary("<=", Ref("II.0.1"), Const(3)), Const(False))),
        ("1 + 2 + 3 < 7",
         Binary("<", Binary("+", Binary("+", Const(1), Const(2)), Const(3)), Const(7))),
    ],
)  # fmt: skip
def test_parse_builds_the_tree(source: str, tree: object) -> None:
    assert parse(source, "ngo").root == tree


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("I.4 has", "expected a value at position 7, found the end"),
        ("(I.4 has inst", "expected ')'"),
        ("I.4 has inst)", "expected an operator or the end"),
        ("II.1.1 > 0 0", "expected an operator or the end"),
        ("II.1.1 == 0", "expected a value"),
        ("II.1.1 > 0 # comment", "unexpected character '#'"),
        ("1 < II.1.1 < 5", "chained comparison"),
        ("II.3.2a > 0 = (I.4 has inst)", "chained comparison at position 12"),
        ("II.x.1 > 0", "neither a question code nor an option"),
        ("2a > 0", "unexpected character"),
        ("__import__('os')", "expected an operator or the end"),
        ("and", "expected a value"),
    ],
)
def test_parse_errors(source: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(source, "ngo")


def test_codes_lists_referenced_questions_once() -> None:
    expression = parse("II.3.2a + II.3.2b > 0 and II.3.2a < 5", "ngo")
    assert expression.codes == ("II.3.2a", "II.3.2b")


NGO_ANSWERS: dict[str, AnswerValue] = {
    "ngo.I.4": ("inst", "noninst"),
    "ngo.I.2": "fundacja",
    "ngo.I.5": "Klub Seniora",
    "ngo.II.1.1": 0,
    "ngo.II.3.2a": 2,
    "ngo.II.3.2b": 0,
    "ngo.II.3.8": True,
    "ngo.II.7.2": Decimal("12500.50"),
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("I.4 has inst", True),
        ("I.4 has noninst", True),
        ("I.2 has fundacja", True),  # `has` on a one-choice answer is equality
        ("I.2 = fundacja", True),
        ("I.2 != fundacja", False),
        ("I.2 = stowarzyszenie", False),
        ("II.3.2a + II.3.2b > 0", True),
        ("II.3.2a + II.3.2b = 2", True),
        ("II.1.1 > 0", False),
        ("II.1.1 >= 0", True),
        ("II.1.1 < 1", True),
        ("II.1.1 <= 0", True),
        ("II.3.8 = true", True),
        ("II.3.8", True),
        ("not II.3.8", False),
        ("II.7.2 > 12500.5", False),
        ("II.7.2 >= 12500.5", True),
        ("I.5 = 'Klub Seniora'", True),
        ("II.1.1 > 0 or I.4 has inst", True),
        ("II.1.1 > 0 and I.4 has inst", False),
        ("(I.7 has researcher_lp) = (II.1.1 > 0)", None),  # I.7 unanswered
        ("(II.3.2a > 0) = (I.4 has inst)", True),
        ("(II.1.1 > 0) != (I.4 has inst)", True),
    ],
)
def test_evaluate(ngo: CardDefinition, source: str, expected: object) -> None:
    expression = compile_expression(source, ngo, "test", "ngo.X")
    assert expression.evaluate(NGO_ANSWERS) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("II.3.1 > 0", None),  # unanswered
        ("II.3.1 + II.3.2a > 0", None),
        ("not (II.3.1 > 0)", None),
        ("II.3.1 > 0 and II.1.1 > 0", False),  # false settles "and"
        ("II.3.1 > 0 and II.3.2a > 0", None),
        ("II.3.1 > 0 or II.3.2a > 0", True),  # true settles "or"
        ("II.3.1 > 0 or II.1.1 > 0", None),
        ("I.7 has brak", None),
    ],
)
def test_unanswered_operands_make_the_result_unknown(
    ngo: CardDefinition, source: str, expected: object
) -> None:
    expression = compile_expression(source, ngo, "test", "ngo.X")
    assert expression.evaluate(NGO_ANSWERS) == expected
    assert expression.holds(NGO_ANSWERS) is (expected is True)


def test_none_values_count_as_unanswered(ngo: CardDefinition) -> None:
    expression = compile_expression("II.3.1 >= 0", ngo, "test", "ngo.X")
    assert expression.evaluate({"ngo.II.3.1": None}) is None
    assert expression.evaluate({"ngo.II.3.1": 0}) is True


def test_codes_map_to_ids_of_the_expressions_card(izus: CardDefinition) -> None:
    expression = compile_expression("I.6a = true", izus, "test", "izus.X")
    assert expression.evaluate({"izus.I.6a": True}) is True
    assert expression.evaluate({"ngo.I.6a": True}) is None


def test_dates_compare(izus: CardDefinition) -> None:
    expression = compile_expression("I.6b <= I.7b", izus, "test", "izus.X")
    answers = {"izus.I.6b": date(2025, 3, 14), "izus.I.7b": date(2025, 4, 1)}
    assert expression.evaluate(answers) is True


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("II.9.9 > 0", "unknown question code II.9.9"),
        ("I.4 has foo", "'foo' is not an option of list FORM (question I.4)"),
        ("I.2 = inst", "'inst' is not an option of list NGO_TYPE (question I.2)"),
        ("inst = I.2", "'inst' is not an option of list NGO_TYPE"),
        ("I.4 = inst", "use 'has' with the multiple-choice question I.4"),
        ("II.1.1 has inst", "'has' needs a choice question"),
        ("I.4 has II.1.1", "'has' needs a choice question"),
        ("II.1.1 + I.4 > 0", "'+' adds numbers"),
        ("II.1.1 + true > 0", "'+' adds numbers"),
        ("II.1.1 > inst", "cannot order"),
        ("II.3.8 > 0", "cannot order"),
        ("II.3.8 = 0", "cannot compare"),
        ("II.1.1 = true", "cannot compare"),
        ("I.1d = I.2", "cannot compare"),
        ("inst = inst", "cannot compare"),
        ("II.1.1 > 0 and II.1.1", "'and' needs a true/false operand"),
        ("not II.1.1", "'not' needs a true/false operand"),
        ("II.1.1 + 1", "must be true or false"),
        ("inst", "must be true or false"),
        ("II.1.1 = ", "expected a value"),
    ],
)
def test_definition_errors_name_file_item_and_reason(
    ngo: CardDefinition, source: str, reason: str
) -> None:
    with pytest.raises(DefinitionError) as caught:
        compile_expression(source, ngo, "ngo.yaml", "ngo.I.5")
    assert caught.value.file == "ngo.yaml"
    assert caught.value.item == "ngo.I.5"
    assert reason in caught.value.reason
    assert source in caught.value.reason


def test_check_expression_accepts_the_well_typed(ngo: CardDefinition) -> None:
    for source in ['I.1d = "06"', "I.5 = 'x'", "'x' = I.5", "I.5 = III.1", "II.7.2 > 1"]:
        check_expression(parse(source, "ngo"), ngo)


def test_parse_is_cached() -> None:
    assert parse("II.1.1 > 0", "ngo") is parse("II.1.1 > 0", "ngo")
