"""A manager fills the whole Karta NGO in the chat, over HTTP, on a SQLite file."""

from __future__ import annotations

import pytest

from domain.entities import AssignmentStatus
from kartomat.bootstrap import App
from tests.bot.support import Manager, assignment_of, running
from tests.telegram_standin import BotApiStandIn

pytestmark = pytest.mark.integration


async def test_a_manager_fills_and_submits_the_whole_card(
    standin: BotApiStandIn, bot_app: App, tokens: dict[str, str]
) -> None:
    async with running(bot_app):
        anna = Manager(bot_app, standin.user(501, "Anna"))
        first = await anna.begin(tokens["NGO-001"])
        assert first.text is not None and "(1/" in first.text
        assert "Część I" in first.text and "Zapisane: Fundacja Dobry Start" in first.text
        last = await anna.fill(first)
        receipt = await anna.submit()
    aid = assignment_of(bot_app, "NGO-001")
    assert receipt.text is not None and f"MP/2026-H2/NGO/{aid:06d}" in receipt.text
    assert "30.11.2026" in receipt.text
    state = bot_app.collection.state(aid)
    assert state.status is AssignmentStatus.SUBMITTED and state.complete
    assert state.answers["ngo.II.3.5b"] == 1200
    assert state.answers["ngo.I.3"] == ("s01", "s09")
    assert all(r.channel in ("telegram", "system") for r in state.latest.values())
    assert "Zatwierdź i wyślij" in last.button_texts
    assert standin.unanswered_callback_queries() == []
