"""The one place the python-telegram-bot Application is built (the service and tests use it).

No PTB persistence, no ConversationHandler state: every answer and the respondent's
position are committed by the services before the next question goes out.
"""

from __future__ import annotations

import os
from typing import Any

from telegram import BotCommand
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.errors import ErrorReplies
from bot.flows.buttons import ButtonFlow
from bot.flows.common import Services
from bot.flows.respondent import RespondentFlow
from bot.flows.staff import StaffFlow
from bot.limiter import Limits, PriorityRateLimiter
from bot.ordering import PerUserOrder
from bot.transport import AiohttpRequest
from kartomat.bootstrap import App
from storage.engine import is_sqlite

Bot = Application[Any, Any, Any, Any, Any, Any]
POOL = 8  # HTTP connections to the Bot API
SERVER_TRANSACTIONS = 8  # use cases at once on PostgreSQL (SQLite: one, its single writer)
COMMANDS = [
    ("start", "Rozpocznij / wróć do karty"),
    ("pomoc", "Jak to działa"),
    ("wstecz", "Poprzednie pytanie"),
    ("pomin", "Pomiń pytanie nieobowiązkowe"),
    ("podsumowanie", "Wszystkie odpowiedzi i wysłanie karty"),
    ("status", "Ile zostało"),
    ("przerwij", "Przerwa (odpowiedzi zostają)"),
    ("problem", "Zgłoś problem Centrum Monitoringu"),
    ("jezyk", "Polski / English"),
]


def services_of(app: App) -> Services:
    """The use cases the bot needs, from the wired application."""
    return Services(
        chat=app.chat,
        collection=app.collection,
        submission=app.submission,
        access=app.access,
        schedule=app.schedule,
        staff=app.staff,
        catalog=app.catalog,
        bot_username=app.settings.telegram_bot_username,
        transactions=1 if app.engine is None or is_sqlite(app.engine) else SERVER_TRANSACTIONS,
    )


def file_url(base_url: str) -> str:
    """The file download URL that goes with a Bot API base URL (…/bot → …/file/bot)."""
    return base_url[: -len("/bot")] + "/file/bot" if base_url.endswith("/bot") else base_url


def build_application(app: App, *, limits: Limits | None = Limits()) -> Bot:  # noqa: B008
    """The bot on the app's services: token and base URL from settings, handlers registered."""
    # PTB 22 warns on integer time periods unless this opt-in is set (errors in our tests).
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    settings = app.settings
    if settings.telegram_token is None:
        raise ValueError("KARTOMAT_TELEGRAM_TOKEN is not set")
    application = (
        Application.builder()
        .token(settings.telegram_token.get_secret_value())
        .base_url(settings.telegram_base_url)
        .base_file_url(file_url(settings.telegram_base_url))
        .concurrent_updates(PerUserOrder())
        # aiohttp instead of PTB's httpx (bot/transport.py); the rate limiter bounds what
        # is in flight, so a small pool is enough.
        .request(AiohttpRequest(POOL))
        .get_updates_request(AiohttpRequest(1))
        .rate_limiter(PriorityRateLimiter(limits))
        .build()
    )
    register(application, services_of(app))
    return application


async def set_commands(application: Bot) -> None:
    """The command menu Telegram shows (Polish); set when the bot starts."""
    await application.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS])


def register(application: Bot, services: Services) -> None:
    """Every handler, in the order PTB tries them: the first that matches handles the update."""
    respondent, buttons, staff = RespondentFlow(services), ButtonFlow(services), StaffFlow(services)
    private = filters.ChatType.PRIVATE
    command = private & filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            # Editing a sent message never changes an answer (before commands: they match edits).
            MessageHandler(private & filters.UpdateType.EDITED, respondent.edited),
            # The invitation deep link, /start <token>.
            CommandHandler("start", respondent.start, filters=command),
            # Staff: their territories only; everyone else gets "Brak uprawnień".
            CommandHandler("spoznieni", staff.late, filters=command),
            CommandHandler("postep", staff.progress, filters=command),
            CommandHandler("przypomnij", staff.remind, filters=command),
            CommandHandler("raport", staff.report, filters=command),
            # Navigation of the card.
            CommandHandler(["pomoc", "help"], respondent.help, filters=command),
            CommandHandler("wstecz", respondent.back, filters=command),
            CommandHandler("pomin", respondent.skip, filters=command),
            CommandHandler("podsumowanie", respondent.summary_command, filters=command),
            CommandHandler("status", respondent.status, filters=command),
            CommandHandler("przerwij", respondent.pause, filters=command),
            CommandHandler("problem", respondent.problem, filters=command),
            CommandHandler(["jezyk", "language"], respondent.language, filters=command),
            MessageHandler(
                private & filters.UpdateType.MESSAGE & filters.COMMAND, respondent.unknown
            ),
            # Answers come only from new text messages...
            MessageHandler(private & filters.UpdateType.MESSAGE & filters.TEXT, respondent.text),
            # ...and buttons.
            CallbackQueryHandler(buttons.press),
            # Stickers, photos, voice, locations, files: a polite "please type or press".
            MessageHandler(private & filters.UpdateType.MESSAGE, respondent.not_text),
        ]
    )
    application.add_error_handler(ErrorReplies(services))
