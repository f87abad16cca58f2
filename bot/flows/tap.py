"""A button press with everything an action needs, and the Telegram calls every action uses."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import keyboards as kb
from bot import render
from domain.cards.model import Lang
from services.card_state import Provenance
from services.chat import CardChoice, Respondent


@dataclass(frozen=True)
class Tap:
    """A button pressed by a respondent on one of their cards, already checked as current."""

    update: Update
    bot: Bot
    respondent: Respondent
    choice: CardChoice
    press: kb.Press

    @property
    def query(self) -> CallbackQuery:
        """The callback query (always answered)."""
        assert self.update.callback_query is not None
        return self.update.callback_query

    @property
    def uid(self) -> int:
        """The respondent's Telegram id (also the chat id)."""
        assert self.update.effective_user is not None
        return self.update.effective_user.id

    @property
    def lang(self) -> Lang:
        """The respondent's language."""
        return self.respondent.lang

    @property
    def aid(self) -> int:
        """The assignment the button belongs to."""
        return self.choice.id

    @property
    def provenance(self) -> Provenance:
        """Provenance of an answer given with this button."""
        return Provenance(
            "telegram", f"tg-update:{self.update.update_id}", self.respondent.contact.id
        )


async def ack(query: CallbackQuery, text: str | None = None) -> None:
    """Answer the callback query (Telegram shows a spinner until then); late ones are fine."""
    with contextlib.suppress(BadRequest):
        await query.answer(text)


async def settle(query: CallbackQuery, shown: str | None = None) -> None:
    """Take the buttons off the message pressed, noting the answer chosen."""
    text = getattr(query.message, "text", None)
    with contextlib.suppress(BadRequest):
        if shown and text and len(text) + len(shown) < render.LIMIT:
            await query.edit_message_text(f"{text}\n\n✓ {shown}")
        else:
            await query.edit_message_reply_markup(None)


async def relabel(query: CallbackQuery, markup: InlineKeyboardMarkup) -> None:
    """New buttons on the message pressed (a toggle ticked or unticked)."""
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(markup)
