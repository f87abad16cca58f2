"""Inline buttons of the respondent flow. Every callback query is answered, stale ones too."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import keyboards as kb
from bot import render, texts
from bot.flows.common import Conversation, Services, call, provenance, user_id
from bot.render import Reply
from domain.cards.model import Lang, Question
from domain.cards.values import numbered
from services.chat import CardChoice, Respondent, changed_since_submission
from services.collection import RecordResult
from services.submission import Incomplete, NeedsConfirmation

Context = ContextTypes.DEFAULT_TYPE
Action = Callable[[Update, Context, Respondent, CardChoice, kb.Press], Awaitable[None]]
# Actions whose button belongs to the question the respondent is on.
ON_QUESTION = frozenset({kb.ANSWER, kb.TOGGLE, kb.DONE, kb.CONFIRM, kb.CHANGE, kb.FIX})


async def ack(query: CallbackQuery, text: str | None = None) -> None:
    """Answer the callback query (Telegram shows a spinner until then); late ones are fine."""
    with contextlib.suppress(BadRequest):
        await query.answer(text)


async def settle(query: CallbackQuery, shown: str | None = None) -> None:
    """Take the buttons off the message pressed, noting the answer chosen."""
    message = query.message
    text = getattr(message, "text", None)
    with contextlib.suppress(BadRequest):
        if shown and text and len(text) + len(shown) < render.LIMIT:
            await query.edit_message_text(f"{text}\n\n✓ {shown}")
        else:
            await query.edit_message_reply_markup(None)


class ButtonFlow(Conversation):
    """Answers, toggles, prefill, warnings, greeting, summary and submission buttons."""

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.actions: dict[str, Action] = {
            kb.ANSWER: self.answer, kb.TOGGLE: self.toggle, kb.DONE: self.done,
            kb.CONFIRM: self.confirm, kb.CHANGE: self.change, kb.AGREE: self.agree,
            kb.FIX: self.fix, kb.BEGIN: self.begin, kb.LATER: self.later,
            kb.SECTION: self.section, kb.EDIT: self.edit, kb.SUMMARY: self.summary_button,
            kb.SUBMIT: self.submit,
        }  # fmt: skip

    async def press(self, update: Update, context: Context) -> None:
        """Any button: check it is still current, then do what it says."""
        query = update.callback_query
        assert query is not None
        press = kb.decode(query.data)
        respondent = await call(self.services.chat.respondent, user_id(update))
        choice = respondent.choice(press.assignment_id) if respondent and press else None
        action = self.actions.get(press.action) if press else None
        if respondent is None or choice is None or press is None or action is None:
            await ack(query, texts.stale(respondent.lang if respondent else "pl"))
        elif self._stale(choice, press):
            await ack(query, texts.stale(respondent.lang))
        else:
            await action(update, context, respondent, choice, press)

    def _stale(self, choice: CardChoice, press: kb.Press) -> bool:
        """The card changed since the button was sent, or it is not about the current question."""
        assignment = choice.assignment
        if press.revision != assignment.revision:
            return True
        if press.action in ON_QUESTION:
            question = self._question(choice, press)
            return question is None or assignment.cursor != question.id
        return False

    def _question(self, choice: CardChoice, press: kb.Press) -> Question | None:
        questions = self.services.catalog.get(choice.assignment.card).questions
        return questions[press.index] if 0 <= press.index < len(questions) else None

    async def _record(self, update: Update, context: Context, respondent: Respondent,
                      result: RecordResult) -> None:  # fmt: skip
        """After an answer given by a button: settle the message, then what follows."""
        query, uid, lang = update.callback_query, user_id(update), respondent.lang
        assert query is not None
        if result.stale:
            await ack(query, texts.stale(lang))
        elif not result.accepted:
            await ack(query)
            await self.rejected(context.bot, uid, result, lang)
        else:
            await ack(query)
            await settle(query, render.shown_value(result.state, result.question, lang))
            await self.after(context.bot, uid, result, lang)

    async def answer(self, update: Update, context: Context, respondent: Respondent,
                     choice: CardChoice, press: kb.Press) -> None:  # fmt: skip
        """One option, tak or nie."""
        question = self._question(choice, press)
        assert question is not None and update.callback_query is not None
        options = self.services.catalog.get(choice.assignment.card).options_of(question)
        raw = {"y": "tak", "n": "nie"}.get(press.arg, "")
        if options is not None and press.arg.startswith("o") and press.arg[1:].isdigit():
            items = numbered(options)
            number, option = items[min(int(press.arg[1:]), len(items) - 1)]
            if option.other:
                await ack(update.callback_query)
                label = option.label_pl if respondent.lang == "pl" else option.label_en
                await self.say(context.bot, user_id(update), texts.other_prompt(label, "",
                                                                               respondent.lang))  # fmt: skip
                return
            raw = number
        result = await call(self.services.collection.record, choice.id, question.id, raw,
                            provenance(update, respondent), expected_current=True)  # fmt: skip
        await self._record(update, context, respondent, result)

    async def toggle(self, update: Update, context: Context, respondent: Respondent,
                     choice: CardChoice, press: kb.Press) -> None:  # fmt: skip
        """Tick or untick one option of a "many" question (kept in the buttons)."""
        query, question = update.callback_query, self._question(choice, press)
        assert query is not None and question is not None
        mask_hex, _, item = press.arg.partition(".")
        mask = int(mask_hex or "0", 16) ^ (1 << int(item or "0"))
        options = self.services.catalog.get(choice.assignment.card).options_of(question)
        assert options is not None
        await ack(query)
        base = kb.Press("", press.assignment_id, press.revision, press.index)
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(
                kb.many_keyboard(base, options, mask, respondent.lang)
            )

    async def done(self, update: Update, context: Context, respondent: Respondent,
                   choice: CardChoice, press: kb.Press) -> None:  # fmt: skip
        """"Gotowe": the ticked options are the answer."""
        query, question = update.callback_query, self._question(choice, press)
        assert query is not None and question is not None
        options = self.services.catalog.get(choice.assignment.card).options_of(question)
        assert options is not None
        mask = int(press.arg or "0", 16)
        ticked = [(n, o) for i, (n, o) in enumerate(numbered(options)) if mask & (1 << i)]
        if not ticked:
            await ack(query, texts.nothing_chosen(respondent.lang))
            return
        raw = ", ".join(n for n, _ in ticked)
        if other := next((o for _, o in ticked if o.other), None):
            await ack(query)
            chosen = ", ".join(n for n, o in ticked if not o.other)
            label = other.label_pl if respondent.lang == "pl" else other.label_en
            await self.say(context.bot, user_id(update),
                           texts.other_prompt(label, chosen, respondent.lang))  # fmt: skip
            return
        result = await call(self.services.collection.record, choice.id, question.id, raw,
                            provenance(update, respondent), expected_current=True)  # fmt: skip
        await self._record(update, context, respondent, result)

    async def confirm(self, update: Update, context: Context, respondent: Respondent,
                      choice: CardChoice, press: kb.Press) -> None:  # fmt: skip
        """"Potwierdź": the value from the registry is the answer."""
        question = self._question(choice, press)
        assert question is not None
        result = await call(self.services.collection.confirm_prefill, choice.id, question.id,
                            provenance(update, respondent))  # fmt: skip
        await self._record(update, context, respondent, result)

    async def change(self, update: Update, context: Context, respondent: Respondent,
                     choice: CardChoice, press: kb.Press) -> None:  # fmt: skip
        """"Zmień": ask the prefilled question from scratch."""
        query = update.callback_query
        assert query is not None
        state = await call(self.services.collection.state, choice.id)
        question = self._question(choice, press)
        assert question is not None
        await ack(query)
        await settle(query)
        reply = render.question_reply(state, question, respondent.lang,
                                      lead=texts.change_prompt(respondent.lang), prefill=False)  # fmt: skip
        await self.send(context.bot, user_id(update), reply)

    async def agree(self, update: Update, context: Context, respondent: Respondent,
                    choice: CardChoice, press: kb.Press) -> None:  # fmt: skip
        """"Tak, zgadza się": keep the answer and go on."""
        query, question = update.callback_query, self._question(choice, press)
        assert query is not None and question is not None
        state = await call(self.services.chat.confirm_warning, user_id(update), choice.id,
                           question.id, press.revision)  # fmt: skip
        if state is None:
            await ack(query, texts.stale(respondent.lang))
            return
        await ack(query)
        await settle(query)
        await self.ask(context.bot, user_id(update), state, respondent.lang)

    async def fix(self, update: Update, context: Context, respondent: Respondent,
                  choice: CardChoice, press: kb.Press) -> None:  # fmt: skip
        """"Popraw": the same question again."""
        query = update.callback_query
        assert query is not None
        state = await call(self.services.collection.state, choice.id)
        question = self._question(choice, press)
        assert question is not None
        await ack(query)
        await settle(query)
        reply = render.question_reply(state, question, respondent.lang,
                                      lead=texts.fix_prompt(respondent.lang), prefill=False)  # fmt: skip
        await self.send(context.bot, user_id(update), reply)

    async def begin(self, update: Update, context: Context, respondent: Respondent,
                    choice: CardChoice, press: kb.Press) -> None:  # fmt: skip
        """"Zaczynamy" (or a card picked from several): into the card."""
        assert update.callback_query is not None
        await ack(update.callback_query)
        await settle(update.callback_query)
        await self.resume(context.bot, user_id(update), user_id(update), choice.id,
                          respondent.lang)  # fmt: skip

    async def later(self, update: Update, context: Context, respondent: Respondent,
                    choice: CardChoice, press: kb.Press) -> None:  # fmt: skip
        """"Później": the card waits for any message."""
        assert update.callback_query is not None
        await call(self.services.chat.pause, user_id(update), choice.id)
        await ack(update.callback_query)
        await settle(update.callback_query)
        await self.say(context.bot, user_id(update), texts.later(respondent.lang))

    async def section(self, update: Update, context: Context, respondent: Respondent,
                      choice: CardChoice, press: kb.Press) -> None:  # fmt: skip
        """A part or sphere of the summary: which question to correct."""
        assert update.callback_query is not None
        state = await call(self.services.collection.state, choice.id)
        await ack(update.callback_query)
        if 0 <= press.index < len(state.card.sections):
            reply = render.section_reply(state, press.index, respondent.lang)
            await self.send(context.bot, user_id(update), reply)

    async def edit(self, update: Update, context: Context, respondent: Respondent,
                   choice: CardChoice, press: kb.Press) -> None:  # fmt: skip
        """A question picked for correction: ask it again."""
        question = self._question(choice, press)
        assert update.callback_query is not None and question is not None
        state = await call(self.services.collection.goto, choice.id, question.id)
        await ack(update.callback_query)
        shown = render.shown_value(state, question, respondent.lang)
        lead = texts.saved(question.code, shown, respondent.lang) if shown else ""
        reply = render.question_reply(state, question, respondent.lang, lead=lead, prefill=False)
        await self.send(context.bot, user_id(update), reply)

    async def summary_button(self, update: Update, context: Context, respondent: Respondent,
                             choice: CardChoice, press: kb.Press) -> None:  # fmt: skip
        """Back to the summary."""
        assert update.callback_query is not None
        state = await call(self.services.collection.state, choice.id)
        await ack(update.callback_query)
        await self.summary(context.bot, user_id(update), state, respondent.lang)

    async def submit(self, update: Update, context: Context, respondent: Respondent,
                     choice: CardChoice, press: kb.Press) -> None:  # fmt: skip
        """"Zatwierdź i wyślij": submit on explicit confirmation, then the receipt."""
        query, uid, lang = update.callback_query, user_id(update), respondent.lang
        assert query is not None
        state = await call(self.services.collection.state, choice.id)
        if not changed_since_submission(state):
            await ack(query, texts.stale(lang))
            return
        await ack(query)
        try:
            receipt = await call(self.services.submission.submit, choice.id,
                                 provenance(update, respondent), confirm_warnings=press.arg == "1")  # fmt: skip
        except NeedsConfirmation as needed:
            markup = kb.confirm_submit_keyboard(choice.id, press.revision, lang)
            await self.send(context.bot, uid, Reply(texts.confirm_warnings(
                [w.message(lang) for w in needed.warnings], lang), markup))  # fmt: skip
            return
        except Incomplete as missing:
            await self.ask(context.bot, uid, state, lang, lead=missing.message(lang))
            return
        await settle(query)
        await self.say(context.bot, uid, texts.receipt(receipt.submission_no,
                       receipt.submitted_at, state.deadline, receipt.corrected, lang))  # fmt: skip
