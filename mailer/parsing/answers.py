"""Typing raw answers against a card (the second layer of the parser).

Given the raw winners per source (the body's value nearest the top, each
attachment's row), keep only codes of the card, parse each with the domain's
`parse_value` and merge the sources (channels.md "Incoming replies"):
- one distinct valid value -> the answer;
- several distinct valid values (body vs attachment) -> a conflict, not guessed;
- no valid value -> rejected with the Polish reason (the first invalid one);
- a `>`-quoted body value (our own earlier text) yields to an attachment's value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from domain.cards.model import CardDefinition, Question
from domain.cards.values import parse_value, to_json
from domain.errors import InvalidAnswer
from mailer.parsing.model import BODY, Conflict, RawAnswer, Rejection

CARD_KINDS = ("izus", "ngo")
_GENERIC_PL = "Nie udało się odczytać tej wartości; prosimy wpisać ją ponownie, np. 12."
_GENERIC_EN = "This value could not be read; please type it again, e.g. 12."
_SPACES = re.compile(r"\s+")


class CardSource(Protocol):
    """What the parser needs of the card catalog (`domain.cards.catalog.CardCatalog`)."""

    def get(self, kind: str) -> CardDefinition:
        """The card definition of this kind ("ngo", "izus")."""
        ...


@dataclass
class TypedAnswers:
    """The typed outcome for one card."""

    answers: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    other_texts: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Parsed:
    raw: RawAnswer
    json_value: Any = None
    value: Any = None
    other_text: str | None = None
    rejection: Rejection | None = None
    note: str | None = None  # a defect in a value parser, for the operator

    def key(self) -> str:
        """Equality of meaning: JSON value; text compared without case and extra spaces."""

        def fold(item: Any) -> Any:
            """Strings casefolded with single spaces; other values as they are."""
            return _SPACES.sub(" ", item).strip().casefold() if isinstance(item, str) else item

        return json.dumps([fold(self.json_value), fold(self.other_text)], default=str)


def _parse(card: CardDefinition, question: Question, raw: RawAnswer, today: date) -> _Parsed:
    try:
        parsed = parse_value(question, card.options_of(question), raw.raw, today=today)
    except InvalidAnswer as exc:
        rejection = Rejection(raw.code, raw.raw, exc.message_pl, exc.message_en, raw.source)
        return _Parsed(raw, rejection=rejection)
    except Exception as exc:  # a defect in a value parser must not lose the other answers
        rejection = Rejection(raw.code, raw.raw, _GENERIC_PL, _GENERIC_EN, raw.source)
        return _Parsed(raw, rejection=rejection, note=f"{raw.code}: {type(exc).__name__}: {exc}")
    return _Parsed(raw, to_json(question, parsed.value), parsed.value, parsed.other_text)


def _drop_quoted(items: Sequence[RawAnswer]) -> list[RawAnswer]:
    """A `>`-quoted body value is our earlier text: an attachment's value replaces it."""
    if any(i.source != BODY for i in items):
        return [i for i in items if not (i.source == BODY and i.quote_depth > 0)]
    return list(items)


def _merge(question: Question, outcomes: Sequence[_Parsed], out: TypedAnswers) -> None:
    code = question.code
    valid = [o for o in outcomes if o.rejection is None]
    if len(valid) < 2:  # the usual case: one value, nothing to compare
        distinct = valid
    else:
        distinct = list({o.key(): o for o in reversed(valid)}.values())[::-1]
    if len(distinct) == 1:
        best = distinct[0]
        out.answers[code], out.values[code] = best.json_value, best.value
        out.sources[code] = best.raw.source
        if best.other_text:
            out.other_texts[code] = best.other_text
    elif distinct:
        values = tuple(o.json_value for o in distinct)
        out.conflicts.append(Conflict(code, values, tuple(o.raw.source for o in distinct)))
    else:
        first = outcomes[0]
        assert first.rejection is not None
        out.rejected.append(first.rejection)
    out.notes.extend(o.note for o in outcomes if o.note)


def type_answers(card: CardDefinition, raws: Iterable[RawAnswer], *, today: date) -> TypedAnswers:
    """Type the raw winners against `card`; codes not on it are listed as ignored."""
    out = TypedAnswers()
    by_code: dict[str, list[RawAnswer]] = {}
    for raw in raws:
        if raw.card and raw.card != card.card.value:
            out.ignored.append(f"{raw.card}.{raw.code}")
            continue
        by_code.setdefault(raw.code, []).append(raw)
    for question in card.questions:
        items = by_code.pop(question.code, [])
        if not items:
            continue
        if not question.asked:
            out.ignored.append(question.code)  # set by the system (III.3), never answered
            continue
        outcomes = [_parse(card, question, raw, today) for raw in _drop_quoted(items)]
        _merge(question, outcomes, out)
    out.ignored.extend(by_code)
    return out


def guess_card(catalog: CardSource, raws: Sequence[RawAnswer]) -> str | None:
    """The card whose codes the message uses: by `izus.`/`ngo.` prefixes, else by count."""
    prefixes = {raw.card for raw in raws if raw.card}
    if len(prefixes) == 1:
        return prefixes.pop()
    codes = {raw.code for raw in raws}
    scores: dict[str, int] = {}
    for kind in CARD_KINDS:
        try:
            definition = catalog.get(kind)
        except KeyError:
            continue
        scores[kind] = sum(1 for c in codes if (q := definition.by_code(c)) and q.asked)
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    if not ranked or ranked[0][1] == 0 or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]
