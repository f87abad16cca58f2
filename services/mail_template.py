"""The fill-in template of a card in an email, its XLSX rows and the subject tag.

channels.md "Email": one `[CODE] label: value` line per question under the marker
line; answered questions (and registry prefills) show their value; the XLSX copy has
the columns `Kod | Pytanie | Odpowiedź`. The reply parser splits a line at its first
`:` or `=`, so nothing we put into a label may contain either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from domain.cards.model import CardDefinition, Lang, Question, QuestionType
from domain.cards.values import display, numbered, parse_value
from domain.cards.values.options import label as option_label
from domain.errors import InvalidAnswer
from services.card_state import CardState, local_date

MARKER = "--- Prosimy odpowiadać nad tą linią ---"
SHEET_HEADER = ("Kod", "Pytanie", "Odpowiedź")
_CODES = re.compile(r"\b(?:III|II|I)\.\d{1,2}(?:\.\d{1,2})?[a-z]?\b")
_HINTS: dict[QuestionType, tuple[str, str]] = {
    QuestionType.YESNO: ("tak/nie", "yes/no"),
    QuestionType.DATE: ("DD.MM.RRRR", "DD.MM.YYYY"),
    QuestionType.MONEY: ("zł", "PLN"),
    QuestionType.ONE: ("numer z listy poniżej", "number from the list below"),
    QuestionType.MANY: ("numery z listy poniżej, po przecinku", "numbers from the list below"),
}


def subject_tag(card: str, session: str, token: str) -> str:
    """`[Karta IZUS · 2026-H2 · #abcdEFGH]`: card, session and the short token."""
    return f"[Karta {card.upper()} · {session} · #{token[:8]}]"


def _notes(question: Question, lang: Lang) -> list[str]:
    notes = []
    hint = _HINTS.get(question.type)
    if hint:
        notes.append(hint[0] if lang == "pl" else hint[1])
    if question.condition:
        codes = ", ".join(dict.fromkeys(_CODES.findall(question.condition)))
        notes.append(
            f"jeśli dotyczy – zależy od {codes}" if lang == "pl" else f"if it applies, see {codes}"
        )
    if not question.required:
        notes.append("nieobowiązkowe" if lang == "pl" else "optional")
    return notes


def line_label(question: Question, lang: Lang) -> str:
    """The label of a template line, with its type hint; never a `:` or `=` in it."""
    notes = _notes(question, lang)
    text = question.label(lang) + (f" ({'; '.join(notes)})" if notes else "")
    return text.replace(":", " –").replace("=", "–")


def _prefill(state: CardState, question: Question, lang: Lang, prefill: str) -> str:
    """The registry's value as a person reads it ("lubelskie", not "06")."""
    options = state.card.options_of(question)
    try:
        parsed = parse_value(question, options, prefill, today=local_date(state.now))
    except InvalidAnswer:
        return prefill
    return display(question, options, parsed.value, lang, parsed.other_text)


def shown_value(state: CardState, question: Question, lang: Lang, prefill: str | None) -> str:
    """The answer in force as a person reads it, else the registry's value, else ""."""
    value = state.answers.get(question.id)
    if value is None:
        return _prefill(state, question, lang, prefill) if prefill else ""
    record = state.latest.get(question.id)
    other = record.other_text if record else None
    return display(question, state.card.options_of(question), value, lang, other)


def template_lines(rows: Iterable[tuple[Question, str]], lang: Lang) -> list[str]:
    """`[CODE] label: value` lines (trailing space kept after an empty answer)."""
    return [f"[{q.code}] {line_label(q, lang)}: {value}" for q, value in rows]


def option_lines(card: CardDefinition, questions: Sequence[Question], lang: Lang) -> list[str]:
    """The lists of the choice questions shown, as `Pytanie I.2 – 1 stowarzyszenie; …`."""
    lines = []
    word = "Pytanie" if lang == "pl" else "Question"
    for question in questions:
        options = card.options_of(question)
        if options is None:
            continue
        items = "; ".join(f"{n} {option_label(o, lang)}" for n, o in numbered(options))
        lines.append(f"{word} {question.code} – {items}".replace(":", " –").replace("=", "–"))
    return lines


def sheet_rows(rows: Iterable[tuple[Question, str]], lang: Lang) -> list[tuple[str, str, str]]:
    """The XLSX rows: header, then code, label with hint, value."""
    return [SHEET_HEADER] + [(q.code, line_label(q, lang), value) for q, value in rows]
