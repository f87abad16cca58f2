"""Invitation tokens, several cards per contact, staff vs non-staff, /problem and /jezyk."""

from __future__ import annotations

from datetime import date

import pytest

from kartomat.bootstrap import App
from tests.bot.support import SESSION, Manager, running
from tests.telegram_standin import BotApiStandIn, SimUser

pytestmark = pytest.mark.integration


async def _say(user: SimUser, text: str) -> str:
    user.send_text(text)
    [reply] = await user.wait_for_reply()
    return reply.text or ""


async def test_unknown_expired_and_someone_elses_tokens_bind_nothing(
    standin: BotApiStandIn, bot_app: App, tokens: dict[str, str]
) -> None:
    async with running(bot_app):
        mallory = standin.user(666, "Mallory")
        assert "osobisty link z zaproszenia" in await _say(mallory, "/start")
        assert "nieważny albo wygasł" in await _say(mallory, "/start nie-ma-takiego-tokenu")
        anna = Manager(bot_app, standin.user(501, "Anna"))
        await anna.begin(tokens["NGO-001"])
        assert "już użyty na innym koncie" in await _say(mallory, f"/start {tokens['NGO-001']}")
        assert "osobisty link" in await _say(mallory, "5")  # still nothing bound
        bot_app.sessions.close(SESSION)
        assert "nieważny albo wygasł" in await _say(mallory, f"/start {tokens['NGO-002']}")
    assert bot_app.chat.respondent(666) is None


async def test_a_contact_with_several_cards_picks_one(
    standin: BotApiStandIn, bot_app: App, tokens: dict[str, str]
) -> None:
    bot_app.sessions.create("2027-H1", date(2026, 11, 2), date(2026, 12, 20), ["ngo"], ["06"])
    bot_app.sessions.open("2027-H1")
    async with running(bot_app):
        anna = standin.user(501, "Anna")
        anna.start(tokens["NGO-001"])
        [pick] = await anna.wait_for_reply()
        assert pick.text is not None and "kilka kart" in pick.text
        assert [b for b in pick.button_texts if "2027-H1" in b]
        anna.press(next(b for b in pick.button_texts if "2027-H1" in b))
        [first] = await anna.wait_for_reply()
        assert first.text is not None and "(1/" in first.text
        anna.press("Potwierdź")
        await anna.wait_for_reply()
    chosen = bot_app.chat.respondent(501)
    assert chosen is not None and chosen.active is not None
    assert chosen.active.session.name == "2027-H1"
    assert "ngo.I.1a" in bot_app.collection.state(chosen.active.id).answers


async def test_staff_commands_only_for_staff_of_the_territory(
    standin: BotApiStandIn, bot_app: App, tokens: dict[str, str]
) -> None:
    bot_app.registry.add_staff("Ola", "ola@cm.example", ["06"], telegram_id=9001)
    bot_app.registry.add_staff("Kuba", "kuba@cm.example", ["14"], telegram_id=9002)
    async with running(bot_app):
        anna = Manager(bot_app, standin.user(501, "Anna"))
        await anna.begin(tokens["NGO-001"])
        for command in ("/spoznieni", "/postep", "/przypomnij NGO-001", "/raport"):
            assert await _say(anna.user, command) == "Brak uprawnień."
        ola, kuba = standin.user(9001, "Ola"), standin.user(9002, "Kuba")
        assert "NGO-001" not in await _say(ola, "/spoznieni")
        progress = await _say(ola, "/postep")
        assert "Karta NGO: 0 / 0 / 3" in progress and "Karta IZUS: 0 / 0 / 2" in progress
        assert "przypomnienie wysłane (telegram)" in await _say(ola, "/przypomnij NGO-001")
        assert "już dziś wysłane" in await _say(ola, "/przypomnij NGO-001")
        assert "nie leży na terytorium" in await _say(kuba, "/przypomnij NGO-001")
        assert "Nie zbudowano jeszcze" in await _say(ola, "/raport")
        bot_app.clock.advance(days=30)  # type: ignore[attr-defined]
        late = await _say(ola, "/spoznieni")
        assert "NGO-001 Fundacja Dobry Start" in late and "Spóźnione karty: 5" in late
    with bot_app.uow() as uow:
        reminders = [m for m in uow.outbox.all() if m.kind == "reminder"]
    assert [(m.channel, m.recipient) for m in reminders] == [("telegram", "501")]


async def test_problem_reports_go_to_staff_and_language_switches(
    standin: BotApiStandIn, bot_app: App, tokens: dict[str, str]
) -> None:
    bot_app.registry.add_staff("Ola", "ola@cm.example", ["06"], telegram_id=9001)
    async with running(bot_app):
        anna = Manager(bot_app, standin.user(501, "Anna"))
        await anna.begin(tokens["NGO-001"])
        assert "opisać problem" in await _say(anna.user, "/problem")
        assert "przekazaliśmy" in await _say(anna.user, "/problem Nie widzę przycisków")
        assert "Language: English" in await _say(anna.user, "/jezyk")
        assert "How it works" in await _say(anna.user, "/pomoc")
        assert "I do not know this command" in await _say(anna.user, "/cokolwiek")
        assert "Język: polski" in await _say(anna.user, "/jezyk pl")
    with bot_app.uow() as uow:
        alerts = [m for m in uow.outbox.all() if m.kind == "problem_alert"]
    assert [(m.channel, m.recipient) for m in alerts] == [("telegram", "9001")]
    assert alerts[0].payload["text"] == "Nie widzę przycisków"
