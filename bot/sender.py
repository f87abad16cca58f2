"""The outbox's Telegram sender: reminders and alerts as bulk traffic behind live replies."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import ExtBot

from bot.limiter import BULK, retry_seconds
from bot.notifications import render
from domain.cards.model import Lang
from domain.entities import OutboxMessage
from services.outbox import Delivered, RetryLater, SendOutcome, Undeliverable

# Telegram's 400s that mean this chat cannot be written to, ever (not a bug of ours).
GONE = ("chat not found", "user is deactivated", "bot was kicked", "peer_id_invalid")


class TelegramSender:
    """Delivers outbox messages of channel "telegram" through the bot's rate limiter."""

    channel = "telegram"

    def __init__(self, bot: ExtBot[Any], language: Callable[[int], Lang] | None = None) -> None:
        self.bot = bot
        self.language = language

    async def send(self, message: OutboxMessage) -> SendOutcome:
        """Send one message: 403 → Undeliverable, 429 → RetryLater(retry_after)."""
        if not message.recipient.lstrip("-").isdigit():
            return Undeliverable(f"not a Telegram chat id: {message.recipient[:40]}")
        chat_id = int(message.recipient)
        lang = await asyncio.to_thread(self.language, chat_id) if self.language else "pl"
        text = render(message, lang)
        if text is None:
            return Undeliverable(f"kind {message.kind} is not sent by Telegram")
        try:
            sent = await self.bot.send_message(chat_id, text, rate_limit_args=BULK)
        except Forbidden as error:  # blocked, or the person never wrote to the bot
            return Undeliverable(f"telegram 403: {error.message}")
        except RetryAfter as error:  # flood control: the bot's pace, not the chat's fault
            return RetryLater("telegram 429", retry_seconds(error), channel_down=True)
        except BadRequest as error:
            if any(reason in error.message.lower() for reason in GONE):
                return Undeliverable(f"telegram 400: {error.message}")
            return RetryLater(f"telegram 400: {error.message}")
        except NetworkError as error:  # timeouts, 5xx, connection resets: the API, not the chat
            return RetryLater(f"telegram: {type(error).__name__}", channel_down=True)
        return Delivered(str(sent.message_id))
