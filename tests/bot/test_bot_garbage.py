"""A respondent who types garbage at every kind of question still ends with a correct card."""

from __future__ import annotations

import pytest

from domain.cards.model import Question, QuestionType
from kartomat.bootstrap import App
from tests.bot.support import Manager, assignment_of, question_of, running
from tests.sample import raw_answer
from tests.telegram_standin import BotApiStandIn, SentMessage

pytestmark = pytest.mark.integration

GARBAGE = {
    QuestionType.INT: ["dużo", "-5", "10000000000", "😀😀", "2,5"],
    QuestionType.MONEY: ["sporo", "-100 zł"],
    QuestionType.TEXT: ["x" * 5000, "   "],
    QuestionType.YESNO: ["może", "nie wiem"],
    QuestionType.ONE: ["99", "coś innego"],
    QuestionType.MANY: ["xyz", "1, 77"],
    QuestionType.PHONE: ["123", "telefon"],
    QuestionType.EMAIL: ["anna(at)example", "@"],
}


class Troublemaker(Manager):
    """Tries every kind of wrong input once per question type before answering right."""

    tried: set[QuestionType]

    async def answer(self, message: SentMessage) -> SentMessage:
        question = question_of(self.app, message)
        assert question is not None
        if question.type not in self.tried and message.button_texts[:1] != ["Potwierdź"]:
            self.tried.add(question.type)
            for raw in GARBAGE.get(question.type, []):
                await self._rejected(question, raw)
        return await super().answer(message)

    async def _rejected(self, question: Question, raw: str) -> None:
        self.user.send_text(raw)
        [reply] = await self.user.wait_for_reply()
        assert reply.text is not None
        assert "np." in reply.text, (question.code, raw, reply.text)
        assert f" {question.code} " in reply.text, "the same question is asked again"
        assert len(reply.text) <= 4096


async def test_garbage_everywhere_and_still_a_correct_card(
    standin: BotApiStandIn, bot_app: App, tokens: dict[str, str]
) -> None:
    aid = assignment_of(bot_app, "NGO-001")
    async with running(bot_app):
        ewa = Troublemaker(bot_app, standin.user(502, "Ewa"))
        ewa.tried = set()
        first = await ewa.begin(tokens["NGO-001"])
        first = await _media_and_edits(ewa, first)
        last = await ewa.fill(first)
        await ewa.submit()
    state = bot_app.collection.state(aid)
    assert state.complete and state.assignment.submitted_at is not None
    for question in state.applicable:
        if question.prefill or question.system:
            continue
        expected = bot_app.collection.catalog.get("ngo")
        assert question.id in state.answers, question.id
        assert state.latest[question.id].version == 1, f"{question.id} changed by garbage"
    assert state.answers["ngo.II.1.2"] == 2 and expected is not None
    assert "Zatwierdź i wyślij" in last.button_texts
    assert standin.unanswered_callback_queries() == []


async def _media_and_edits(ewa: Troublemaker, first: SentMessage) -> SentMessage:
    """Sticker, photo, voice, location, an edit, a double tap and a stale button."""
    user = ewa.user
    for send in (user.send_sticker, user.send_photo, user.send_voice, user.send_location):
        send()
        [reply] = await user.wait_for_reply()
        assert reply.text is not None and "wpisać odpowiedź albo nacisnąć przycisk" in reply.text
    message = first
    while (question := question_of(ewa.app, message)) and question.code != "I.2":
        message = await ewa.answer(message)
    assert question is not None and question.code == "I.2"
    old = message
    for raw in GARBAGE[QuestionType.ONE]:
        await ewa._rejected(question, raw)
    user.send_text("fundacja")
    [message] = await user.wait_for_reply()
    user.edit_last("stowarzyszenie")
    [reply] = await user.wait_for_reply()
    assert reply.text is not None and "nie zmienia odpowiedzi" in reply.text
    user.press("1. stowarzyszenie", old.message_id)  # a button on an answered question
    assert (await user.wait_for_callback_answer()).text == "Ta odpowiedź jest nieaktualna."
    return await _double_tap(ewa, message)


async def _double_tap(ewa: Troublemaker, message: SentMessage) -> SentMessage:
    """Two taps on one toggle-free button: the second is stale and changes nothing."""
    while (question := question_of(ewa.app, message)) and question.type is not QuestionType.YESNO:
        message = await ewa.answer(message)
    expected = "Tak" if raw_answer(question).startswith("t") else "Nie"
    first = ewa.user.press(expected, message.message_id)
    second = ewa.user.press(expected, message)
    await ewa.user.wait_for_callback_answer(first)
    assert (
        await ewa.user.wait_for_callback_answer(second)
    ).text == "Ta odpowiedź jest nieaktualna."
    [reply] = await ewa.user.wait_for_reply()
    return reply
