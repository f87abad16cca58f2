"""Inline keyboards and their callback data.

Callback data is `k1:<action>:<assignment>:<revision>:<index>:<arg>` (at most 64 bytes,
Telegram's limit). `k1` is the scheme's version: data of any other version is an old
button and answered as stale. The revision is the assignment's, which grows with every
stored answer, so a button from before the card changed is recognised as stale. A
"many" question keeps the ticked options in the buttons themselves (a bit mask), so
toggling needs no memory between updates and survives a restart or another process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import pick
from domain.cards.model import Lang, Option, OptionList
from domain.cards.values import numbered

VERSION = "k1"
MAX_BYTES = 64
LABEL_CHARS = 48  # longer option labels are shortened on buttons (the text has them whole)

# Actions
ANSWER, TOGGLE, DONE = "a", "t", "d"
CONFIRM, CHANGE = "p", "c"
AGREE, FIX = "w", "f"
BEGIN, LATER = "s", "l"
SECTION, EDIT, SUMMARY, SUBMIT = "g", "e", "m", "x"


@dataclass(frozen=True)
class Press:
    """What a button means: an action on an assignment as it was at `revision`."""

    action: str
    assignment_id: int
    revision: int = 0
    index: int = 0  # a question's or section's position on the card
    arg: str = ""

    def encode(self) -> str:
        """The callback data; never longer than Telegram allows."""
        data = ":".join(
            (
                VERSION,
                self.action,
                str(self.assignment_id),
                str(self.revision),
                str(self.index),
                self.arg,
            )
        )
        if len(data.encode("utf-8")) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data}")
        return data


def decode(data: str | None) -> Press | None:
    """The press, or None for data of an older scheme or not ours (a stale button)."""
    parts = (data or "").split(":")
    if len(parts) != 6 or parts[0] != VERSION or not all(p.isdigit() for p in parts[2:5]):
        return None
    return Press(parts[1], int(parts[2]), int(parts[3]), int(parts[4]), parts[5])


def button(text: str, press: Press) -> InlineKeyboardButton:
    """One callback button."""
    return InlineKeyboardButton(_short(text), callback_data=press.encode())


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    """Buttons laid out `width` per row."""
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def option_text(number: str, option: Option, lang: Lang) -> str:
    """ "06 lubelskie", "2. fundacja": the number typed for it and its label."""
    label = option.label_pl if lang == "pl" else option.label_en
    return f"{number} {label}" if number.isdigit() and len(number) == 2 else f"{number}. {label}"


def one_keyboard(base: Press, options: OptionList, lang: Lang) -> InlineKeyboardMarkup:
    """One button per option."""
    items = numbered(options)
    width = 2 if all(len(o.label_pl) <= 20 for _, o in items) else 1
    buttons = [
        button(option_text(n, o, lang), _with(base, ANSWER, f"o{i}"))
        for i, (n, o) in enumerate(items)
    ]
    return InlineKeyboardMarkup(rows(buttons, width))


def yesno_keyboard(base: Press, lang: Lang) -> InlineKeyboardMarkup:
    """Tak / Nie."""
    return InlineKeyboardMarkup(
        [
            [
                button(pick(lang, "Tak", "Yes"), _with(base, ANSWER, "y")),
                button(pick(lang, "Nie", "No"), _with(base, ANSWER, "n")),
            ]
        ]
    )


def many_keyboard(base: Press, options: OptionList, mask: int, lang: Lang) -> InlineKeyboardMarkup:
    """Toggle buttons (✓ when ticked) and "Gotowe"."""
    toggles = []
    for i, (n, o) in enumerate(numbered(options)):
        mark = "✓ " if mask & (1 << i) else ""
        toggles.append(button(mark + option_text(n, o, lang), _with(base, TOGGLE, f"{mask:x}.{i}")))
    done = button(pick(lang, "Gotowe", "Done"), _with(base, DONE, f"{mask:x}"))
    return InlineKeyboardMarkup([*rows(toggles, 1), [done]])


def prefill_keyboard(base: Press, lang: Lang) -> InlineKeyboardMarkup:
    """Potwierdź / Zmień."""
    return InlineKeyboardMarkup(
        [
            [
                button(pick(lang, "Potwierdź", "Confirm"), _with(base, CONFIRM)),
                button(pick(lang, "Zmień", "Change"), _with(base, CHANGE)),
            ]
        ]
    )


def warning_keyboard(base: Press, lang: Lang) -> InlineKeyboardMarkup:
    """Tak, zgadza się / Popraw."""
    return InlineKeyboardMarkup(
        [
            [
                button(pick(lang, "Tak, zgadza się", "Yes, that's right"), _with(base, AGREE)),
                button(pick(lang, "Popraw", "Correct it"), _with(base, FIX)),
            ]
        ]
    )


def greeting_keyboard(assignment_id: int, revision: int, lang: Lang) -> InlineKeyboardMarkup:
    """Zaczynamy / Później."""
    base = Press(BEGIN, assignment_id, revision)
    return InlineKeyboardMarkup(
        [
            [
                button(pick(lang, "Zaczynamy", "Let's start"), base),
                button(pick(lang, "Później", "Later"), _with(base, LATER)),
            ]
        ]
    )


def choice_keyboard(choices: Sequence[tuple[int, int, str]]) -> InlineKeyboardMarkup:
    """One button per card: (assignment id, revision, label)."""
    return InlineKeyboardMarkup([[button(label, Press(BEGIN, a, r))] for a, r, label in choices])


def summary_keyboard(
    assignment_id: int, revision: int, sections: Sequence[tuple[int, str]], lang: Lang
) -> InlineKeyboardMarkup:
    """A button per part or sphere to correct, then "Zatwierdź i wyślij"."""
    base = Press(SECTION, assignment_id, revision)
    fixes = [button(title, _with(base, SECTION, index=i)) for i, title in sections]
    send = button(pick(lang, "Zatwierdź i wyślij", "Confirm and send"), _with(base, SUBMIT))
    return InlineKeyboardMarkup([*rows(fixes, 2), [send]])


def confirm_submit_keyboard(assignment_id: int, revision: int, lang: Lang) -> InlineKeyboardMarkup:
    """Send despite the warnings, or go back to the summary."""
    base = Press(SUBMIT, assignment_id, revision, arg="1")
    return InlineKeyboardMarkup(
        [
            [
                button(pick(lang, "Tak, zgadza się – wyślij", "Yes, send it"), base),
                button(pick(lang, "Popraw", "Correct"), _with(base, SUMMARY)),
            ]
        ]
    )


def questions_keyboard(
    assignment_id: int, revision: int, questions: Sequence[tuple[int, str]], lang: Lang
) -> InlineKeyboardMarkup:
    """A button per question of a part or sphere (to correct it), and back to the summary."""
    base = Press(EDIT, assignment_id, revision)
    edits = [button(code, _with(base, EDIT, index=i)) for i, code in questions]
    back = button(pick(lang, "« Podsumowanie", "« Summary"), _with(base, SUMMARY))
    return InlineKeyboardMarkup([*rows(edits, 4), [back]])


def _with(base: Press, action: str, arg: str = "", *, index: int | None = None) -> Press:
    return Press(
        action, base.assignment_id, base.revision, base.index if index is None else index, arg
    )
