"""From a card's state to messages: one question, the summary, a part or sphere to correct."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from bot import keyboards as kb
from bot import texts
from domain.cards.model import Lang, Question, QuestionType
from domain.cards.values import display, numbered
from services.card_state import CardState
from services.collection import prefill_value
from services.submission import summarise

LIMIT = 4000  # Telegram allows 4096 characters; keep a margin for the lead line


@dataclass(frozen=True)
class Reply:
    """One message to send: text and an optional inline keyboard."""

    text: str
    markup: InlineKeyboardMarkup | None = None


def section_title(state: CardState, question: Question, lang: Lang) -> str:
    """The part or sphere title of a question."""
    section = state.card.section(question.section)
    return section.title_pl if lang == "pl" else section.title_en


def _header(state: CardState, question: Question, always: bool) -> bool:
    """Whether the sphere name goes above the question (first one, or it changed)."""
    index, _ = state.position(question)
    if always or index <= 1:
        return True
    previous = state.applicable[index - 2]
    return previous.section != question.section


def question_reply(
    state: CardState,
    question: Question,
    lang: Lang,
    *,
    lead: str = "",
    resumed: bool = False,
    prefill: bool = True,
    mask: int = 0,
) -> Reply:
    """The question as one message: progress, sphere when it changes, label, hint, buttons."""
    index, total = state.position(question)
    lines = [lead, ""] if lead else []
    if _header(state, question, resumed):
        lines.append(f"📋 {section_title(state, question, lang)}")
    lines += [f"({index}/{total}) {question.code} {question.label(lang)}", question.hint(lang)]
    options = state.card.options_of(question)
    if options is not None and any(len(o.label_pl) > kb.LABEL_CHARS for o in options.options):
        lines += [kb.option_text(n, o, lang) for n, o in numbered(options)]
    if not question.required:
        lines.append(texts.optional_note(lang))
    known = prefill_value(state, question) if prefill and question.prefill else None
    if known is not None:
        lines.append(texts.prefilled(known, lang))
    return Reply(_fit("\n".join(lines)), _markup(state, question, lang, known is not None, mask))


def _markup(
    state: CardState, question: Question, lang: Lang, prefilled: bool, mask: int
) -> InlineKeyboardMarkup | None:
    base = kb.Press(
        "", state.assignment.id or 0, state.assignment.revision, state.card.order[question.id]
    )
    options = state.card.options_of(question)
    if prefilled:
        return kb.prefill_keyboard(base, lang)
    if question.type is QuestionType.YESNO:
        return kb.yesno_keyboard(base, lang)
    if question.type is QuestionType.ONE and options is not None:
        return kb.one_keyboard(base, options, lang)
    if question.type is QuestionType.MANY and options is not None:
        return kb.many_keyboard(base, options, mask, lang)
    return None


def short_title(title: str) -> str:
    """ "Sfera 3" of "Sfera 3 – Organizowanie…"."""
    return title.split(" – ", 1)[0]


def summary_replies(state: CardState, lang: Lang, lead: str = "") -> list[Reply]:
    """All answers grouped by part and sphere, split to fit; the last one has the buttons."""
    intro = texts.summary_intro(state.card.title(lang), state.organisation.name, lang)
    blocks = [lead, intro] if lead else [intro]
    sections = []
    for group in summarise(state, lang):
        title = group.section.title_pl if lang == "pl" else group.section.title_en
        lines = [f"📋 {title}"] + [_line(line.question, line.text, lang) for line in group.lines]
        blocks.append("\n".join(lines))
        index = [s.id for s in state.card.sections].index(group.section.id)
        sections.append((index, short_title(title)))
    blocks.append(texts.summary_outro(lang))
    messages = _pack(blocks)
    markup = kb.summary_keyboard(
        state.assignment.id or 0, state.assignment.revision, sections, lang
    )
    return [Reply(m) for m in messages[:-1]] + [Reply(messages[-1], markup)]


def section_reply(state: CardState, section_index: int, lang: Lang) -> Reply:
    """One part or sphere with its answers and a button per question to correct."""
    section = state.card.sections[section_index]
    title = section.title_pl if lang == "pl" else section.title_en
    mine = [q for q in state.applicable if q.section == section.id]
    lines = [texts.section_pick(title, lang)]
    lines += [_line(q, _shown(state, q, lang), lang) for q in mine]
    buttons = [(state.card.order[q.id], q.code) for q in mine]
    markup = kb.questions_keyboard(
        state.assignment.id or 0, state.assignment.revision, buttons, lang
    )
    return Reply(_fit("\n".join(lines)), markup)


def shown_value(state: CardState, question: Question, lang: Lang) -> str | None:
    """The answer as the respondent reads it (None: not answered)."""
    return _shown(state, question, lang)


def _shown(state: CardState, question: Question, lang: Lang) -> str | None:
    value = state.answers.get(question.id)
    if value is None:
        return None
    record = state.latest.get(question.id)
    options = state.card.options_of(question)
    return display(question, options, value, lang, record.other_text if record else None)


def _line(question: Question, text: str | None, lang: Lang) -> str:
    label = question.label(lang)
    label = label if len(label) <= 70 else label[:69].rstrip() + "…"
    return f"{question.code} {label}: {text if text is not None else texts.no_answer(lang)}"


def _pack(blocks: list[str]) -> list[str]:
    """Blocks joined into as few messages as fit Telegram's length limit."""
    messages: list[str] = []
    for block in blocks:
        for piece in _split(block):
            if messages and len(messages[-1]) + 2 + len(piece) <= LIMIT:
                messages[-1] += "\n\n" + piece
            else:
                messages.append(piece)
    return messages


def _split(text: str) -> list[str]:
    """A text cut at line ends into pieces under the limit."""
    pieces: list[str] = []
    for line in text.split("\n"):
        line = _fit(line)
        if pieces and len(pieces[-1]) + 1 + len(line) <= LIMIT:
            pieces[-1] += "\n" + line
        else:
            pieces.append(line)
    return pieces


def _fit(text: str) -> str:
    return text if len(text) <= LIMIT else text[: LIMIT - 1] + "…"
