"""The one place the bot turns errors into replies (house style: errors handled once).

A UserError (a refused token, a closed session, a required question skipped…) is shown
as its own kind, precise text; anything else is logged by class only (no personal data)
and the person is told that nothing saved was lost. Callback queries are always
answered, so no button is left spinning.
"""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import texts
from bot.flows.common import Services
from bot.flows.respondent import language_of
from bot.flows.tap import ack
from domain.cards.model import Lang
from domain.errors import UserError

log = logging.getLogger("kartomat.bot")


class ErrorReplies:
    """PTB's error handler: a kind reply for user errors, an apology for the rest."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Reply to the person whose update failed."""
        error = context.error
        if not isinstance(error, UserError):
            log.error("update failed", extra={"error": type(error).__name__})
        if not isinstance(update, Update) or update.effective_user is None:
            return
        lang = await self._language(update)
        text = error.message(lang) if isinstance(error, UserError) else texts.failure(lang)
        if update.callback_query is not None:
            await ack(update.callback_query)
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(update.effective_user.id, text)

    async def _language(self, update: Update) -> Lang:
        assert update.effective_user is not None
        try:
            return await self.services.call(self.services.chat.language, update.effective_user.id)
        except Exception:  # the database may be what failed: answer in Polish
            return language_of(update)
