"""A bot stopped at the wrong moment: redelivered updates, repeated answers, sends cut short.

Telegram redelivers an update until getUpdates confirms it, so a bot killed after
storing an answer sees the same message again; and a person who got no reply repeats
their answer. Neither may answer the next question. (tests/reliability kills `serve`
for real; these pin the behaviour down deterministically.)
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from telegram import Update

from bot.application import build_application
from bot.drain import TelegramDrain
from bot.limiter import Limits
from bot.sender import TelegramSender
from domain.cards.model import Question, QuestionType
from domain.entities import OutboxMessage
from kartomat.bootstrap import App
from services.card_state import Provenance
from services.outbox import OutboxService, SendOutcome
from tests.bot.support import Manager, assignment_of, question_of, running
from tests.fakes import FakeClock
from tests.sample import raw_answer
from tests.telegram_standin import BotApiStandIn, SentMessage

pytestmark = pytest.mark.integration


async def _to_typed_question(app: App, anna: Manager, token: str) -> SentMessage:
    """Answer until the bot asks a question answered by typing."""
    message = await anna.begin(token)
    for _ in range(30):
        question = question_of(app, message)
        typed = question is not None and question.type in (QuestionType.INT, QuestionType.TEXT)
        if typed and "Potwierdź" not in message.button_texts:
            return message
        message = await anna.answer(message)
    raise AssertionError("no typed question")


async def _anna_at_a_typed_question(
    standin: BotApiStandIn, app: App, tokens: dict[str, str]
) -> tuple[int, Manager, Question]:
    """Anna's assignment, Anna, and the typed question the bot has just asked her."""
    aid = assignment_of(app, "NGO-001")
    anna = Manager(app, standin.user(501, "Anna"))
    async with running(app):
        message = await _to_typed_question(app, anna, tokens["NGO-001"])
    question = question_of(app, message)
    assert question is not None
    return aid, anna, question


def _versions(app: App, aid: int) -> dict[str, list[int]]:
    with app.uow() as uow:
        history = uow.answers.history_for([aid]).get(aid, [])
    found: dict[str, list[int]] = {}
    for record in history:
        found.setdefault(record.question_id, []).append(record.version)
    return found


async def test_a_redelivered_update_does_not_answer_the_next_question(
    standin: BotApiStandIn, bot_app: App, tokens: dict[str, str]
) -> None:
    aid, anna, question = await _anna_at_a_typed_question(standin, bot_app, tokens)
    anna.user.send_text(raw_answer(question))  # no bot polls: the update stays unconfirmed
    [update] = [u for u in standin.pending_updates() if "message" in u]
    application = build_application(bot_app, limits=None)
    async with application:
        await application.process_update(Update.de_json(update, application.bot))
        [following] = await anna.user.wait_for_reply()
        after = question_of(bot_app, following)
        assert after is not None and after != question
        # The bot died before confirming the update: it comes again, to a new process.
        await application.process_update(Update.de_json(update, application.bot))
        [again] = await anna.user.wait_for_reply()
    assert question_of(bot_app, again) == after  # asked again, not answered
    state = bot_app.collection.state(aid)
    assert after.id not in state.answers
    assert _versions(bot_app, aid)[question.id] == [1]


async def test_an_answer_repeated_after_a_crash_does_not_answer_the_next_question(
    standin: BotApiStandIn, bot_app: App, tokens: dict[str, str]
) -> None:
    aid, anna, question = await _anna_at_a_typed_question(standin, bot_app, tokens)
    raw = raw_answer(question)
    contact = bot_app.chat.respondent(501)
    assert contact is not None
    # What the handler does with Anna's answer, up to the crash: stored, next one not sent.
    stored = bot_app.collection.record(aid, question.id, raw, expected_current=True,
                                       provenance=Provenance("telegram", "tg-update:1",
                                                             contact.contact.id))  # fmt: skip
    assert stored.accepted
    following = stored.state.current_question()
    assert following is not None and following.type is not QuestionType.YESNO
    async with running(bot_app):
        anna.user.send_text(raw)  # no reply came: she types her answer again
        [reply] = await anna.user.wait_for_reply()
        assert question_of(bot_app, reply) == following
        assert "Wracamy do pytania" in (reply.text or "")
        assert following.id not in bot_app.collection.state(aid).answers
        after = await anna.answer(reply)  # now she sees the question: her answer counts
    assert question_of(bot_app, after) != following
    versions = _versions(bot_app, aid)
    assert versions[question.id] == [1] and versions[following.id] == [1]


async def test_the_telegram_drain_commits_sending_right_before_each_request(
    standin: BotApiStandIn, bot_app: App, clock: FakeClock
) -> None:
    now, chats = clock.now(), [900 + i for i in range(6)]
    for chat in chats:
        standin.user(chat).start()  # they wrote to the bot once
    with bot_app.uow() as uow:
        uow.outbox.add_many([
            OutboxMessage(channel="telegram", recipient=str(chat), kind="reminder",
                          payload={"card": "ngo", "organisation": "Fundacja", "session": "S",
                                   "deadline": "2026-11-30", "days_left": 3},
                          dedupe_key=f"reminder:test:{chat}",
                          next_attempt_at=now - timedelta(seconds=1), created_at=now)
            for chat in chats
        ])  # fmt: skip
        uow.commit()
    application = build_application(bot_app, limits=Limits(per_second=5, burst=1, reserve=0))
    async with application:
        sender = _StatusAtSend(bot_app, TelegramSender(application.bot))
        drain = TelegramDrain(OutboxService(bot_app.uow, bot_app.clock), sender)
        draining = asyncio.create_task(drain.drain())
        await draining
        assert draining.result() == len(chats)
    # Each row is committed `sending` before its request completes (a kill leaves it
    # `unknown`, never resent); the rows still waiting for the rate limiter are not, so a
    # kill lets them go later, once.
    assert [own for own, _ in sender.seen] == ["sending"] * len(chats)
    assert max(sending for _, sending in sender.seen) <= 2
    with bot_app.uow() as uow:
        rows: list[Any] = uow.outbox.all()
    assert [(r.status, r.attempts) for r in rows] == [("sent", 1)] * len(chats)
    assert [len(standin.messages(chat)) for chat in chats] == [1] * len(chats)


class _StatusAtSend:
    """The real sender, noting the outbox as each request has gone out."""

    def __init__(self, app: App, sender: TelegramSender) -> None:
        self.app, self.sender, self.channel = app, sender, sender.channel
        self.seen: list[tuple[str, int]] = []  # (this row's status, rows `sending`)

    async def send(self, message: OutboxMessage) -> SendOutcome:
        outcome = await self.sender.send(message)
        with self.app.uow() as uow:
            rows = uow.outbox.all()
        own = next(r.status for r in rows if r.id == message.id)
        self.seen.append((own, sum(1 for r in rows if r.status == "sending")))
        return outcome
