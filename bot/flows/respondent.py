"""The respondent's commands and typed messages (channels.md, Respondent flow)."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import ContextTypes

from bot import keyboards as kb
from bot import render, texts, texts_help
from bot.flows.common import Conversation, provenance, user_id
from bot.render import Reply
from bot.staff_texts import staff_help
from domain.cards.model import Lang
from services.chat import CardChoice, Respondent
from services.texts import cannot_skip_required

Context = ContextTypes.DEFAULT_TYPE
# "II.3.4 = 5", "[I.2]: fundacja": a correction by the question's code.
CORRECTION = re.compile(
    r"^\s*\[?(?P<code>(?:I{1,3}|IV)(?:\.[0-9]+[a-z]?)+)\]?\s*[=:]\s*(?P<value>.*\S)\s*$", re.DOTALL
)


def language_of(update: Update) -> Lang:
    """The language Telegram reports for a person not bound yet."""
    code = update.effective_user.language_code if update.effective_user else None
    return "en" if code and not code.startswith("pl") else "pl"


class RespondentFlow(Conversation):
    """Commands and messages of NGO managers and other respondents."""

    async def _who(self, update: Update, context: Context) -> Respondent | None:
        """The respondent, or None after telling an unbound account how to start."""
        uid = user_id(update)
        respondent = await self.services.call(self.services.chat.respondent, uid)
        if respondent is None:
            await self.say(
                context.bot,
                uid,
                texts_help.not_bound(self.services.bot_username, language_of(update)),
            )
        return respondent

    async def _card(self, update: Update, context: Context) -> tuple[Respondent, CardChoice] | None:
        """The respondent and the card they are on, or None after saying why there is none."""
        respondent = await self._who(update, context)
        if respondent is None:
            return None
        if respondent.active is None:
            await self.say(context.bot, user_id(update), texts.no_open_cards(respondent.lang))
            return None
        return respondent, respondent.active

    async def start(self, update: Update, context: Context) -> None:
        """/start [token]: bind the invitation, then greet."""
        uid = user_id(update)
        if context.args:
            lang = language_of(update)
            await self.services.call(self.services.access.bind_telegram, context.args[0], uid, lang)
        elif await self.services.call(self.services.staff.member, uid) is not None:
            await self.say(context.bot, uid, staff_help())
            return
        respondent = await self._who(update, context)
        if respondent is not None:
            await self.greet(context, uid, respondent)

    async def greet(self, context: Context, uid: int, respondent: Respondent) -> None:
        """Organisation, card, session, deadline, questions; or a choice of cards."""
        lang, open_cards = respondent.lang, respondent.choices
        pending = [c for c in open_cards if c.assignment.submitted_at is None]
        if len(pending) > 1:
            labels = [(c.id, c.assignment.revision, _label(c, lang)) for c in pending]
            await self.send(
                context.bot, uid, Reply(texts.several_cards(lang), kb.choice_keyboard(labels))
            )
            return
        choice = pending[0] if pending else respondent.active
        if choice is None:
            await self.say(context.bot, uid, texts.no_open_cards(lang))
            return
        state = await self.services.call(self.services.collection.state, choice.id)
        text = texts_help.greeting(
            choice.organisation.name,
            state.card.title(lang),
            choice.session.name,
            state.deadline,
            len(state.applicable),
            lang,
        )
        markup = kb.greeting_keyboard(choice.id, choice.assignment.revision, lang)
        await self.send(context.bot, uid, Reply(text, markup))

    async def text(self, update: Update, context: Context) -> None:
        """A typed message: a correction by code, an answer, or the way back into the card."""
        found = await self._card(update, context)
        assert update.message is not None and update.message.text is not None
        if found is None:
            return
        respondent, choice = found
        uid, raw = user_id(update), update.message.text
        if match := CORRECTION.match(raw):
            await self._correct(update, context, respondent, match["code"], match["value"])
        elif (cursor := choice.assignment.cursor) is None or choice.assignment.asked != cursor:
            # Outside the card, or its current question never reached the chat (the bot
            # stopped after storing the previous answer): this is not an answer to it.
            await self.resume(context.bot, uid, uid, choice.id, respondent.lang)
        else:
            await self._answer(update, context, respondent, choice, raw)

    async def _answer(
        self, update: Update, context: Context, respondent: Respondent, choice: CardChoice, raw: str
    ) -> None:
        """Record the answer to the question the respondent is on."""
        uid, lang = user_id(update), respondent.lang
        result = await self.services.call(
            self.services.collection.record,
            choice.id,
            choice.assignment.cursor,
            raw,
            provenance(update, respondent),
            expected_current=True,
        )
        if result.stale:
            await self.ask(context.bot, uid, result.state, lang)
        elif not result.accepted:
            await self.rejected(context.bot, uid, result, lang)
        else:
            await self.after(context.bot, uid, result, lang)

    async def _correct(
        self, update: Update, context: Context, respondent: Respondent, code: str, raw: str
    ) -> None:
        """`II.3.4 = 5`: set any answer by its code, then carry on."""
        uid, lang = user_id(update), respondent.lang
        assert respondent.active is not None
        result = await self.services.call(
            self.services.collection.record_by_code,
            respondent.active.id,
            code,
            raw,
            provenance(update, respondent),
        )
        if not result.accepted:
            await self.rejected(context.bot, uid, result, lang)
            return
        shown = render.shown_value(result.state, result.question, lang) or "—"
        await self.after(
            context.bot, uid, result, lang, texts.saved(result.question.code, shown, lang)
        )

    async def back(self, update: Update, context: Context) -> None:
        """/wstecz: the previous question."""
        if found := await self._card(update, context):
            state = await self.services.call(self.services.collection.back, found[1].id)
            await self.ask(context.bot, user_id(update), state, found[0].lang, resumed=True)

    async def skip(self, update: Update, context: Context) -> None:
        """/pomin: skip the current question if it is optional."""
        if not (found := await self._card(update, context)):
            return
        respondent, choice = found
        state = await self.services.call(self.services.collection.state, choice.id)
        question = state.current_question()
        if question is None or question.required:  # only optional questions can be skipped
            lead = cannot_skip_required().message(respondent.lang) if question else ""
            await self.ask(context.bot, user_id(update), state, respondent.lang, lead=lead)
            return
        result = await self.services.call(
            self.services.collection.skip, choice.id, question.id, provenance(update, respondent)
        )
        await self.after(context.bot, user_id(update), result, respondent.lang)

    async def summary_command(self, update: Update, context: Context) -> None:
        """/podsumowanie: every answer, correction buttons, "Zatwierdź i wyślij"."""
        if found := await self._card(update, context):
            state = await self.services.call(self.services.collection.state, found[1].id)
            await self.summary(context.bot, user_id(update), state, found[0].lang)

    async def status(self, update: Update, context: Context) -> None:
        """/status: how much is answered and what is missing."""
        if not (found := await self._card(update, context)):
            return
        choice, lang = found[1], found[0].lang
        state = await self.services.call(self.services.collection.state, choice.id)
        a = state.assignment
        text = (
            texts.submitted_status(a.submission_no or "", a.submitted_at, state.deadline, lang)
            if a.submitted_at
            else texts.status(
                state.card.title(lang),
                choice.organisation.name,
                state.answered_count,
                len(state.applicable),
                len(state.missing),
                lang,
            )
        )
        await self.say(context.bot, user_id(update), text)

    async def pause(self, update: Update, context: Context) -> None:
        """/przerwij: step out of the card; the draft stays."""
        if not (found := await self._card(update, context)):
            return
        await self.services.call(self.services.chat.pause, user_id(update), found[1].id)
        state = await self.services.call(self.services.collection.state, found[1].id)
        question = state.current_question()
        index, total = state.position(question) if question else (len(state.applicable),) * 2
        await self.say(context.bot, user_id(update), texts.paused(index, total, found[0].lang))

    async def help(self, update: Update, context: Context) -> None:
        """/pomoc."""
        respondent = await self.services.call(self.services.chat.respondent, user_id(update))
        lang = respondent.lang if respondent else language_of(update)
        await self.say(context.bot, user_id(update), texts_help.help_text(lang))

    async def problem(self, update: Update, context: Context) -> None:
        """/problem <text>: forwarded to the staff covering the organisation's gmina."""
        if not (found := await self._card(update, context)):
            return
        description = " ".join(context.args or [])
        if not description.strip():
            await self.say(context.bot, user_id(update), texts.problem_prompt(found[0].lang))
            return
        await self.services.call(
            self.services.schedule.report_problem,
            found[1].id,
            description,
            provenance(update, found[0]),
        )
        await self.say(context.bot, user_id(update), texts.problem_sent(found[0].lang))

    async def language(self, update: Update, context: Context) -> None:
        """/jezyk [pl|en]: switch the language (without an argument: the other one)."""
        if not (respondent := await self._who(update, context)):
            return
        wanted = (context.args or [""])[0].lower()
        lang: Lang = "en" if wanted == "en" or (not wanted and respondent.lang == "pl") else "pl"
        await self.services.call(self.services.chat.set_language, user_id(update), lang)
        await self.say(context.bot, user_id(update), texts.language_set(lang))

    async def not_text(self, update: Update, context: Context) -> None:
        """Stickers, photos, voice, locations, files: a polite request to type or press."""
        respondent = await self.services.call(self.services.chat.respondent, user_id(update))
        lang = respondent.lang if respondent else language_of(update)
        await self.say(context.bot, user_id(update), texts.not_text(lang))

    async def edited(self, update: Update, context: Context) -> None:
        """An edited message changes nothing; say how to correct instead."""
        respondent = await self.services.call(self.services.chat.respondent, user_id(update))
        lang = respondent.lang if respondent else language_of(update)
        await self.say(context.bot, user_id(update), texts.edited(lang))

    async def unknown(self, update: Update, context: Context) -> None:
        """A command the bot does not know."""
        respondent = await self.services.call(self.services.chat.respondent, user_id(update))
        lang = respondent.lang if respondent else language_of(update)
        await self.say(context.bot, user_id(update), texts.unknown_command(lang))


def _label(choice: CardChoice, lang: Lang) -> str:
    card = "Karta NGO" if choice.assignment.card == "ngo" else "Karta IZUS"
    if lang == "en":
        card = "NGO card" if choice.assignment.card == "ngo" else "IZUS card"
    return f"{card} · {choice.organisation.name} · {choice.session.name}"
