"""429 and 403 from the stand-in: replies retry; the outbox reschedules or falls back."""

from __future__ import annotations

import time

import pytest

from bot.drain import TelegramDrain
from bot.limiter import Limits
from bot.sender import TelegramSender
from domain.entities import OutboxStatus
from kartomat.bootstrap import App
from services.outbox import OutboxService
from tests.bot.support import Manager, running
from tests.telegram_standin import BotApiStandIn

pytestmark = pytest.mark.integration


def _outbox(app: App, kind: str) -> list:  # type: ignore[type-arg]
    with app.uow() as uow:
        return [m for m in uow.outbox.all() if m.kind == kind]


async def test_an_interactive_reply_waits_out_a_429_and_arrives(
    standin: BotApiStandIn, bot_app: App, tokens: dict[str, str]
) -> None:
    async with running(bot_app, limits=Limits()):
        anna = Manager(bot_app, standin.user(501, "Anna"))
        first = await anna.begin(tokens["NGO-001"])
        standin.inject_429(times=1, retry_after=1, method="sendMessage")
        started = time.monotonic()
        second = await anna.answer(first)
        assert 1.0 <= time.monotonic() - started < 3.0
        assert second.text is not None and "(2/" in second.text
    assert standin.too_many_requests_count == 1


async def test_reminders_reschedule_on_429_and_fall_back_on_403(
    standin: BotApiStandIn, bot_app: App, tokens: dict[str, str]
) -> None:
    staff = bot_app.registry.add_staff("Ola", "ola@cm.example", ["06"], telegram_id=9001)
    outbox = OutboxService(bot_app.uow, bot_app.clock)
    async with running(bot_app, limits=Limits()) as application:
        sender = TelegramSender(application.bot, bot_app.chat.language)
        drain = TelegramDrain(outbox, sender)
        anna, ola = Manager(bot_app, standin.user(501, "Anna")), standin.user(9001, "Ola")
        await anna.begin(tokens["NGO-001"])
        ola.send_text("/start")
        await ola.wait_for_reply()
        bot_app.staff.remind(staff, "NGO-001")
        standin.inject_429(times=1, retry_after=2, method="sendMessage")
        assert await drain.drain() == 0
        [reminder] = _outbox(bot_app, "reminder")
        assert reminder.status == OutboxStatus.PENDING and reminder.last_error == "telegram 429"
        assert reminder.attempts == 0  # flood control is the bot's pace: never a give-up
        bot_app.clock.advance(seconds=3)  # type: ignore[attr-defined]
        assert await drain.drain() == 1
        [text] = [m.text for m in anna.user.messages() if m.text and "Przypomnienie" in m.text]
        assert "Fundacja Dobry Start" in text and "zostało: 28 dni" in text

        standin.block_chat(anna.user.id)
        bot_app.clock.advance(days=1)  # type: ignore[attr-defined]
        bot_app.staff.remind(staff, "NGO-001")
        assert await drain.drain() == 0  # 403: the reminder fails for good
        assert await drain.drain() == 1  # the staff notice it caused
    failed = [m for m in _outbox(bot_app, "reminder") if m.status == OutboxStatus.FAILED]
    assert len(failed) == 1 and "403" in (failed[0].last_error or "")
    respondent = bot_app.chat.respondent(501)
    assert respondent is not None and respondent.contact.telegram_unreachable
    fallback = [m for m in _outbox(bot_app, "reminder") if m.channel == "email"]
    assert [m.recipient for m in fallback] == ["anna@dobrystart.example"]
    [notice] = [m.text for m in ola.messages() if m.text and "Nie udało się doręczyć" in m.text]
    assert "telegram" in notice
    assert len([m for m in anna.user.messages() if "Przypomnienie" in (m.text or "")]) == 1
