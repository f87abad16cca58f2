"""The shortcuts of the answering path give what the full computations give.

Checks evaluated again only where an answer changed, effective answers worked out
without walking the card, and the fast paths of the value parsers: each compared with
the full computation over many answer changes on the real cards.
"""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import date
from decimal import Decimal

import pytest

from domain.cards.catalog import CardCatalog
from domain.cards.checks import evaluate_checks, evaluate_checks_since
from domain.cards.conditions import AnswerValue
from domain.cards.model import CardDefinition, Question, QuestionType
from domain.cards.skip import condition_inputs, effective_after, effective_answers
from domain.cards.values import parse_int
from domain.cards.values.text import fold, normalise
from domain.errors import InvalidAnswer


def a_value(card: CardDefinition, question: Question, rng: random.Random) -> AnswerValue:
    """Some value of the question's type (counts around the checks' thresholds)."""
    options = card.options_of(question)
    codes = [o.code for o in options.options] if options is not None else []
    match question.type:
        case QuestionType.INT:
            return rng.choice([0, 0, 1, 3, 40, 1000])
        case QuestionType.MONEY:
            return Decimal(rng.choice(["0.00", "12.50", "12500.00"]))
        case QuestionType.YESNO:
            return rng.choice([True, False])
        case QuestionType.DATE:
            return date(2026, 11, rng.randint(1, 30))
        case QuestionType.ONE:
            return rng.choice(codes)
        case QuestionType.MANY:
            return tuple(sorted(rng.sample(codes, rng.randint(1, min(3, len(codes))))))
        case _:
            return rng.choice(["Klub", "Dom", "x"])


@pytest.mark.parametrize("kind", ["ngo", "izus"])
def test_changed_answers_only_give_the_full_results(kind: str) -> None:
    card = CardCatalog.builtin().get(kind)
    rng = random.Random(f"incremental-{kind}")
    ints = [q for q in card.questions if q.type is QuestionType.INT]
    previous: dict[str, AnswerValue] = {q.id: rng.choice([2, 3]) for q in ints}
    inputs = list(condition_inputs(card))
    values: dict[str, AnswerValue] = {}
    effective = effective_answers(card, values)
    warnings = evaluate_checks(card, effective, previous)
    shortcuts = walks = 0
    for step in range(600):
        changed = set()
        for _ in range(rng.randint(1, 4)):
            # Often a condition's input, to set answers aside and bring them back.
            if inputs and rng.random() < 0.3:
                question = card.question(rng.choice(inputs))
            else:
                question = rng.choice(card.questions)
            changed.add(question.id)
            if rng.random() < 0.15:
                values.pop(question.id, None)
            else:
                values[question.id] = a_value(card, question, rng)
        expected = effective_answers(card, values)
        after = effective_after(card, effective, values, changed)
        if after is None:
            walks += 1
            assert not changed.isdisjoint(condition_inputs(card))
        else:
            shortcuts += 1
            assert list(after.items()) == list(expected.items()), step
        full = evaluate_checks(card, expected, previous)
        since = evaluate_checks_since(card, expected, previous, effective, warnings, effective=True)
        assert since == full, step
        assert evaluate_checks_since(card, values, previous, effective, warnings) == full
        effective, warnings = expected, full
    assert shortcuts > 100 and walks > 10  # both ways were exercised
    assert any(w for w in warnings)  # and some warnings were raised on the way


@pytest.mark.parametrize(
    "raw",
    ["0", "7", "35", "007", "1000000", "1000001", "99999999", "1 200", "12 345",
     "1 000 000", "1 000 001", "1 2", "12 3456", "1234 567", " 35", "1  200"],
)  # fmt: skip
def test_count_fast_path_reads_as_the_full_reading(raw: str) -> None:
    """Wrapped in spaces a value takes the full reading; bare, maybe the fast path."""

    def outcome(text: str) -> int | str:
        try:
            return parse_int(text)
        except InvalidAnswer as error:
            return error.message_pl

    assert outcome(raw) == outcome(f" {raw}\u00a0")


def reference_fold(text: str) -> str:
    """fold() as it reads without its ASCII shortcut."""
    text = text.casefold().replace("ł", "l")
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def reference_normalise(raw: str, keep_lines: bool) -> str:
    """normalise() as it reads without its ASCII shortcut."""
    text = (
        raw.replace("\r\n", "\n")
        .replace("\r", "\n")
        .translate(dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad")))
    )
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(c) == "Zs" else c for c in text)
    spaces = re.compile(r"[^\S\n]+")
    if keep_lines:
        lines = (spaces.sub(" ", line).strip() for line in text.split("\n"))
        return "\n".join(lines).strip()
    return spaces.sub(" ", text.replace("\n", " ")).strip()


@pytest.mark.parametrize(
    "text", ["Brak", "  12 OSOB  ", "tys.", "A\tb\r\nc  d", "x\x0by", "", "\r\r", "Ok\n\n 5 "]
)
def test_ascii_shortcuts_of_text_clean_up(text: str) -> None:
    assert fold(text) == reference_fold(text)
    for keep_lines in (False, True):
        assert normalise(text, keep_lines=keep_lines) == reference_normalise(text, keep_lines)
