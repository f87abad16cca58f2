"""A local Telegram Bot API stand-in for driving the real python-telegram-bot stack.

Telegram is unreachable from CI, so tests point PTB's ``base_url`` at this server instead
of patching PTB::

    with BotApiStandIn() as standin:
        app = (
            Application.builder()
            .token(standin.token)
            .base_url(standin.base_url)
            .base_file_url(standin.base_file_url)
            .build()
        )
        ...  # run the app with updater.start_polling(poll_interval=0, timeout=1)
        anna = standin.user(1001, "Anna")
        anna.start("invitation-token")
        [greeting] = await anna.wait_for_reply()
        anna.press("Zaczynamy")

The server itself is standard library only; ``tests.telegram_standin.ptb`` holds optional
PTB conveniences. See ``BotApiStandIn`` and ``SimUser`` for the API.
"""

from ._errors import ApiError, StandInAssertionError, StandInTimeoutError
from ._limits import RateLimitConfig
from ._models import (
    CallbackAnswer,
    CallbackQueryRecord,
    ChatEvent,
    InlineButton,
    PressedButton,
    RecordedRequest,
    SentMessage,
    StoredFile,
)
from ._standin import DEFAULT_BOT_USERNAME, DEFAULT_TOKEN, BotApiStandIn
from ._users import SimUser

__all__ = [
    "DEFAULT_BOT_USERNAME",
    "DEFAULT_TOKEN",
    "ApiError",
    "BotApiStandIn",
    "CallbackAnswer",
    "CallbackQueryRecord",
    "ChatEvent",
    "InlineButton",
    "PressedButton",
    "RateLimitConfig",
    "RecordedRequest",
    "SentMessage",
    "SimUser",
    "StandInAssertionError",
    "StandInTimeoutError",
    "StoredFile",
]
