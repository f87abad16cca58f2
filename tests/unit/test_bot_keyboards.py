"""Every button the cards can produce fits Telegram's 64-byte callback data and decodes back."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardMarkup

from bot import keyboards as kb
from domain.cards.catalog import CardCatalog
from domain.cards.model import QuestionType

BIG_ID, BIG_REVISION = 2**31 - 1, 10**7  # far beyond any real assignment id and revision
CATALOG = CardCatalog.builtin()


def _data(markup: InlineKeyboardMarkup) -> list[str]:
    return [str(b.callback_data) for row in markup.inline_keyboard for b in row]


def _every_keyboard(card: str) -> list[InlineKeyboardMarkup]:
    definition = CATALOG.get(card)
    boards = []
    for index, question in enumerate(definition.questions):
        base = kb.Press("", BIG_ID, BIG_REVISION, index)
        options = definition.options_of(question)
        boards += [kb.prefill_keyboard(base, "pl"), kb.warning_keyboard(base, "en")]
        if question.type is QuestionType.YESNO:
            boards.append(kb.yesno_keyboard(base, "pl"))
        if options is not None:
            full = (1 << len(options.options)) - 1
            boards.append(kb.one_keyboard(base, options, "pl"))
            boards.append(kb.many_keyboard(base, options, 0, "pl"))
            boards.append(kb.many_keyboard(base, options, full, "en"))
    sections = [(i, s.title_pl) for i, s in enumerate(definition.sections)]
    every = [(i, q.code) for i, q in enumerate(definition.questions)]
    boards += [
        kb.summary_keyboard(BIG_ID, BIG_REVISION, sections, "pl"),
        kb.questions_keyboard(BIG_ID, BIG_REVISION, every, "pl"),
        kb.confirm_submit_keyboard(BIG_ID, BIG_REVISION, "pl"),
        kb.greeting_keyboard(BIG_ID, BIG_REVISION, "pl"),
        kb.choice_keyboard([(BIG_ID, BIG_REVISION, "Karta NGO · " + "x" * 200)]),
    ]
    return boards


@pytest.mark.parametrize("card", ["ngo", "izus"])
def test_every_button_fits_64_bytes_and_round_trips(card: str) -> None:
    data = [d for board in _every_keyboard(card) for d in _data(board)]
    assert len(data) > 100
    for item in data:
        assert len(item.encode("utf-8")) <= kb.MAX_BYTES, item
        press = kb.decode(item)
        assert press is not None and press.encode() == item
        assert press.assignment_id == BIG_ID and press.revision == BIG_REVISION


def test_toggles_carry_the_ticks_and_old_schemes_are_stale() -> None:
    options = CATALOG.get("ngo").option_list("SERVICES")
    board = kb.many_keyboard(kb.Press("", 7, 3, 6), options, 0b101, "pl")
    texts = [b.text for row in board.inline_keyboard for b in row]
    assert texts[0].startswith("✓ 1.") and texts[2].startswith("✓ 3.") and texts[-1] == "Gotowe"
    assert not texts[1].startswith("✓")
    assert kb.decode(str(board.inline_keyboard[1][0].callback_data)) == kb.Press(
        "t", 7, 3, 6, "5.1"
    )
    for old in ("v0:a:7:3:6:o1", "go", "", None, "k1:a:x:3:6:o1", "k1:a:7:3:6"):
        assert kb.decode(old) is None
    with pytest.raises(ValueError, match="64 bytes"):
        kb.Press("a", 1, 1, 1, "x" * 60).encode()
