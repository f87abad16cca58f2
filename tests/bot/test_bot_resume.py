"""Restart mid-card, pause and resume, two managers at once, corrections and navigation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from kartomat.bootstrap import App
from tests.bot.support import Manager, assignment_of, question_of, running, sqlite_app
from tests.fakes import FakeClock
from tests.telegram_standin import BotApiStandIn

pytestmark = pytest.mark.integration


async def test_a_new_bot_process_continues_at_the_right_question(
    standin: BotApiStandIn, bot_app: App, tokens: dict[str, str], tmp_path: Path, clock: FakeClock
) -> None:
    aid = assignment_of(bot_app, "NGO-001")
    async with running(bot_app):
        anna = Manager(bot_app, standin.user(501, "Anna"))
        message = await anna.begin(tokens["NGO-001"])
        for _ in range(12):
            message = await anna.answer(message)
    pending = question_of(bot_app, message)
    assert pending is not None
    answered = bot_app.collection.state(aid).answered_count
    fresh = sqlite_app(tmp_path / "kartomat.db", clock, standin)  # a new process, same database
    async with running(fresh):
        anna = Manager(fresh, standin.user(501, "Anna"))
        after = await anna.answer(message)  # the answer typed to the question shown before
        assert question_of(fresh, after) != pending
        state = fresh.collection.state(aid)
        assert state.answered_count == answered + 1 and pending.id in state.answers
        last = await anna.fill(after)
        assert "Zatwierdź i wyślij" in last.button_texts
    assert fresh.engine is not None
    fresh.engine.dispose()


async def test_pause_and_resume_at_the_first_unanswered_question(
    standin: BotApiStandIn, bot_app: App, tokens: dict[str, str]
) -> None:
    async with running(bot_app):
        anna = Manager(bot_app, standin.user(501, "Anna"))
        message = await anna.begin(tokens["NGO-001"])
        for _ in range(8):
            message = await anna.answer(message)
        anna.user.send_command("przerwij")
        [paused] = await anna.user.wait_for_reply()
        assert paused.text is not None and "pytania 9 z" in paused.text
        anna.user.send_text("dzień dobry")  # not an answer: the way back in
        [back] = await anna.user.wait_for_reply()
        assert back.text is not None and back.text.startswith("Wracamy do pytania 9 z")
        assert question_of(bot_app, back) == question_of(bot_app, message)
        anna.user.send_command("pomin")  # a required question cannot be skipped
        [refused] = await anna.user.wait_for_reply()
        assert refused.text is not None and "obowiązkowe" in refused.text and "(9/" in refused.text
        anna.user.send_command("wstecz")
        [previous] = await anna.user.wait_for_reply()
        assert previous.text is not None and "(8/" in previous.text
        anna.user.send_command("status")
        [status] = await anna.user.wait_for_reply()
        assert status.text is not None and "Odpowiedzi: 8 z" in status.text


async def test_two_managers_fill_their_cards_at_the_same_time(
    standin: BotApiStandIn, bot_app: App, tokens: dict[str, str]
) -> None:
    async with running(bot_app):
        anna = Manager(bot_app, standin.user(501, "Anna"))
        jan = Manager(bot_app, standin.user(601, "Jan"))

        async def fill(manager: Manager, org: str) -> None:
            last = await manager.fill(await manager.begin(tokens[org]))
            assert "Zatwierdź i wyślij" in last.button_texts
            await manager.submit()

        await asyncio.gather(fill(anna, "NGO-001"), fill(jan, "NGO-002"))
    one, two = (bot_app.collection.state(assignment_of(bot_app, o)) for o in ("NGO-001", "NGO-002"))
    assert one.assignment.submitted_at and two.assignment.submitted_at
    assert one.answers["ngo.I.1a"] == "Fundacja Dobry Start"
    assert two.answers["ngo.I.1a"] == "Stowarzyszenie Razem"
    contacts = {r.contact_id for s in (one, two) for r in s.latest.values() if r.contact_id}
    assert len(contacts) == 2


async def test_corrections_by_code_and_from_the_summary(
    standin: BotApiStandIn, bot_app: App, tokens: dict[str, str]
) -> None:
    aid = assignment_of(bot_app, "NGO-001")
    async with running(bot_app):
        anna = Manager(bot_app, standin.user(501, "Anna"))
        await anna.fill(await anna.begin(tokens["NGO-001"]))
        anna.user.send_text("II.3.4 = 5")
        replies = await anna.user.wait_for_reply()
        assert replies[0].text is not None and replies[0].text.startswith("Zapisano: II.3.4 = 5")
        await standin.wait_until(
            lambda: "Zatwierdź i wyślij" in anna.user.last_message().button_texts
        )
        anna.user.press("Sfera 3")
        [sphere] = await anna.user.wait_for_reply()
        assert "II.3.4" in sphere.button_texts
        anna.user.press("II.3.1")
        [question] = await anna.user.wait_for_reply()
        assert question.text is not None and "(" in question.text and " II.3.1 " in question.text
        anna.user.send_text("3")
        await standin.wait_until(
            lambda: "Zatwierdź i wyślij" in anna.user.last_message().button_texts
        )
        receipt = await anna.submit()
        assert receipt.text is not None and "Karta została wysłana" in receipt.text
    state = bot_app.collection.state(aid)
    assert state.answers["ngo.II.3.4"] == 5 and state.answers["ngo.II.3.1"] == 3
    assert state.latest["ngo.II.3.4"].version == 2
