"""Consistency checks (cards.md): warnings the respondent confirms, never errors.

The rules are data in the card YAML (`checks:`); one generic rule lives here: a
count more than ten times (and at least 50 above) the organisation's answer in the
previous session is probably a typo.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.cards.conditions import CODE_PATTERN, AnswerValue, parse
from domain.cards.model import CardDefinition, ConsistencyCheck, Lang, Question, QuestionType
from domain.cards.skip import Answers, effective_answers

_PLACEHOLDER = re.compile(r"\{(" + CODE_PATTERN + r")\}")
_JUMP_FACTOR = 10
_JUMP_MINIMUM = 50  # small counts (2 → 25) legitimately jump; only flag large ones
JUMP_CHECK = "previous_session_jump"
"""The check id of the generic ten-fold rule."""


@dataclass(frozen=True)
class ConsistencyWarning:
    """A warning for the respondent to confirm; `about` holds question codes."""

    check: str
    about: tuple[str, ...]
    message_pl: str
    message_en: str

    def message(self, lang: Lang = "pl") -> str:
        """The message in the given language."""
        return self.message_pl if lang == "pl" else self.message_en


Warning = ConsistencyWarning
"""Alias kept for callers; prefer ConsistencyWarning (it does not shadow a builtin)."""


def template_codes(template: str) -> list[str]:
    """The question codes a message template quotes as `{II.0.1}`."""
    return _PLACEHOLDER.findall(template)


def evaluate_checks(
    card: CardDefinition, answers: Answers, previous: Answers | None = None
) -> list[ConsistencyWarning]:
    """The warnings the answers raise; unknown (unanswered) rules raise none."""
    effective = effective_answers(card, answers)
    warnings = [
        _warning(card, check, effective) for check in card.checks if _fails(card, check, effective)
    ]
    if previous:
        warnings += _jumps(card, effective, previous)
    return warnings


def evaluate_checks_since(
    card: CardDefinition,
    answers: Answers,
    previous: Answers | None,
    before: Answers,
    before_warnings: Sequence[ConsistencyWarning],
    *,
    effective: bool = False,
) -> list[ConsistencyWarning]:
    """`evaluate_checks(card, answers, previous)`, given `before_warnings` were the
    warnings of the answers `before` (same card, same previous answers): only the rules
    that read or quote an answer that changed are evaluated again. `effective`: both
    `answers` and `before` already are `effective_answers`.
    """
    if effective:
        now, earlier = answers, before
    else:
        now, earlier = effective_answers(card, answers), effective_answers(card, before)
    return _since(card, now, previous, earlier, before_warnings)


def _since(
    card: CardDefinition,
    effective: Answers,
    previous: Answers | None,
    earlier: Answers,
    before_warnings: Sequence[ConsistencyWarning],
) -> list[ConsistencyWarning]:
    changed = {
        qid
        for qid, now in effective.items()
        if (before := earlier.get(qid)) is not now and not _same(now, before)
    }
    changed.update(qid for qid in earlier if qid not in effective)
    if not changed:
        return list(before_warnings)
    inputs = _check_inputs(card)
    if JUMP_CHECK in inputs:  # a rule named like the generic one: tell them apart in full
        return evaluate_checks(card, effective, previous)
    kept = {w.check: w for w in before_warnings if w.check != JUMP_CHECK}
    warnings = []
    for check in card.checks:
        if changed.isdisjoint(inputs[check.id]):
            if (warning := kept.get(check.id)) is not None:
                warnings.append(warning)
        elif _fails(card, check, effective):
            warnings.append(_warning(card, check, effective))
    if previous:
        jumps = {w.about[0]: w for w in before_warnings if w.check == JUMP_CHECK}
        for question in card.questions:
            if question.id in changed:
                warnings += _jumps_of(question, effective, previous)
            elif question.code in jumps:
                warnings.append(jumps[question.code])
    return warnings


def _same(a: AnswerValue | None, b: AnswerValue | None) -> bool:
    return type(a) is type(b) and a == b


def _check_inputs(card: CardDefinition) -> dict[str, frozenset[str]]:
    """Per check id, the question ids its rule reads and its messages quote."""

    def compute() -> dict[str, frozenset[str]]:
        kind = card.card.value
        inputs = {}
        for check in card.checks:
            codes = list(parse(check.rule, kind).codes)
            if check.when is not None:
                codes += parse(check.when, kind).codes
            codes += template_codes(check.message_pl) + template_codes(check.message_en)
            inputs[check.id] = frozenset(f"{kind}.{code}" for code in codes)
        return inputs

    return card.memo("checks.inputs", compute)


def _fails(card: CardDefinition, check: ConsistencyCheck, answers: Answers) -> bool:
    kind = card.card.value
    if check.when is not None and not parse(check.when, kind).holds(answers):
        return False
    return parse(check.rule, kind).evaluate(answers) is False


def _warning(card: CardDefinition, check: ConsistencyCheck, answers: Answers) -> ConsistencyWarning:
    return ConsistencyWarning(
        check=check.id,
        about=check.about,
        message_pl=render(card, check.message_pl, answers, "pl"),
        message_en=render(card, check.message_en, answers, "en"),
    )


def _jumps(card: CardDefinition, answers: Answers, previous: Answers) -> list[ConsistencyWarning]:
    warnings = []
    for question in card.questions:
        warnings += _jumps_of(question, answers, previous)
    return warnings


def _jumps_of(question: Question, answers: Answers, previous: Answers) -> list[ConsistencyWarning]:
    now, before = answers.get(question.id), previous.get(question.id)
    if question.type is not QuestionType.INT or not (_count(now) and _count(before)):
        return []
    assert isinstance(now, int)
    assert isinstance(before, int)
    if now > _JUMP_FACTOR * before and now - before >= _JUMP_MINIMUM:
        return [_jump_warning(question.code, now, before)]
    return []


def _count(value: AnswerValue | None) -> bool:
    # bool is an int subclass; a yes/no answer is never a count
    return isinstance(value, int) and not isinstance(value, bool)


def _jump_warning(code: str, now: int, before: int) -> ConsistencyWarning:
    return ConsistencyWarning(
        check=JUMP_CHECK,
        about=(code,),
        message_pl=(
            f"W pytaniu {code} podano {now}, a w poprzedniej sesji {before} – to ponad "
            f"dziesięć razy więcej. Czy to się zgadza?"
        ),
        message_en=(
            f"Question {code} says {now}, while the previous session said {before} – more "
            f"than ten times as much. Is that right?"
        ),
    )


def render(card: CardDefinition, template: str, answers: Answers, lang: Lang) -> str:
    """The template with each `{CODE}` replaced by that question's answer, readably."""

    def value_of(match: re.Match[str]) -> str:
        code = match.group(1)
        return format_value(card, code, answers.get(f"{card.card.value}.{code}"), lang)

    return _PLACEHOLDER.sub(value_of, template)


def format_value(card: CardDefinition, code: str, value: AnswerValue | None, lang: Lang) -> str:
    """An answer as a person reads it: labels for options, tak/nie, 12,50 in Polish."""
    if value is None or value == ():
        return "—"
    if isinstance(value, bool):
        return ("tak" if value else "nie") if lang == "pl" else ("yes" if value else "no")
    if isinstance(value, Decimal):
        text = f"{value:.2f}"
        return text.replace(".", ",") if lang == "pl" else text
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y") if lang == "pl" else value.isoformat()
    if isinstance(value, int):
        return str(value)
    return _option_labels(card, code, value, lang)


def _option_labels(
    card: CardDefinition, code: str, value: str | tuple[str, ...], lang: Lang
) -> str:
    question = card.by_code(code)
    options = card.options_of(question) if question else None
    codes = (value,) if isinstance(value, str) else value
    if options is None:
        return ", ".join(codes)
    found = [(item, options.by_code(item)) for item in codes]
    return ", ".join(
        item if option is None else (option.label_pl if lang == "pl" else option.label_en)
        for item, option in found
    )
