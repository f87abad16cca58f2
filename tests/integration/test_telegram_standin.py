"""The Bot API stand-in, driven by a real python-telegram-bot 22 Application over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.telegram_standin import BotApiStandIn, SimUser, StandInAssertionError
from tests.telegram_standin._text import parse_html, parse_markdown_v2
from tests.telegram_standin.ptb import application_builder, polling

pytestmark = pytest.mark.integration

App = Application[Any, Any, Any, Any, Any, Any]
POLL_TIMEOUT = 10.0  # long enough that a prompt reply proves long polling wakes up early


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta periods; the int form warns (an error under our config)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
def standin() -> Iterator[BotApiStandIn]:
    with BotApiStandIn() as server:
        yield server
        assert server.server_errors == []


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Zaczynamy", callback_data="go"),
                InlineKeyboardButton("Później", callback_data="later"),
            ]
        ]
    )
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"Witaj! args={context.args}", reply_markup=keyboard)


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    del context
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"echo: {update.effective_message.text}")


async def _edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    del context
    assert update.edited_message is not None
    await update.edited_message.reply_text(f"poprawiono: {update.edited_message.text}")


async def _media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    del context
    message = update.effective_message
    assert message is not None
    kinds = ("sticker", "photo", "voice", "location")
    await message.reply_text(next(kind for kind in kinds if getattr(message, kind)))


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    del context
    query = update.callback_query
    assert query is not None
    await query.answer(f"ok {query.data}")
    if query.data == "go":
        await query.edit_message_text(f"Wybrano: {query.data}")


def _build_app(standin: BotApiStandIn) -> App:
    application = application_builder(standin).build()
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, _edited))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    media = filters.Sticker.ALL | filters.PHOTO | filters.VOICE | filters.LOCATION
    application.add_handler(MessageHandler(media, _media))
    application.add_handler(CallbackQueryHandler(_button))
    return application


@pytest.fixture
async def app(standin: BotApiStandIn) -> AsyncIterator[App]:
    async with polling(_build_app(standin), timeout=POLL_TIMEOUT) as application:
        yield application


async def _started_user(standin: BotApiStandIn, user_id: int = 501) -> SimUser:
    """A user who has opened the bot (so the bot may write to them)."""
    user = standin.user(user_id, "Anna")
    user.start()
    await user.wait_for_reply()
    return user


# ------------------------------------------------------------------- basics


async def test_get_me_gives_the_bot_username(standin: BotApiStandIn, app: App) -> None:
    assert app.bot.username == "kartomat_test_bot"
    assert app.bot.id == standin.bot_id
    assert standin.calls("getMe")[0].ok
    assert standin.calls("deleteWebhook"), "PTB's polling bootstrap removes the webhook"


async def test_text_is_echoed(standin: BotApiStandIn, app: App) -> None:
    anna = standin.user(501, "Anna")
    anna.send_text("Dzień dobry 👋")
    [reply] = await anna.wait_for_reply()
    assert reply.text == "echo: Dzień dobry 👋"
    assert anna.last_message() == reply
    assert standin.calls("sendMessage")[0].params["chat_id"] == "501"


async def test_commands_carry_bot_command_entities(standin: BotApiStandIn, app: App) -> None:
    anna = standin.user(501, "Anna")
    sent = anna.start("tok_123")
    assert sent["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    [reply] = await anna.wait_for_reply()
    assert reply.text == "Witaj! args=['tok_123']"

    anna.send_text(f"/start@{standin.bot_username} a b")
    [reply] = await anna.wait_for_reply()
    assert reply.text == "Witaj! args=['a', 'b']"

    later = anna.send_text("Hej 😀 /pomoc")
    assert later["entities"] == [{"type": "bot_command", "offset": 7, "length": 6}]


async def test_pressed_button_is_answered_and_message_edited(
    standin: BotApiStandIn, app: App
) -> None:
    anna = standin.user(501, "Anna")
    anna.start()
    [greeting] = await anna.wait_for_reply()
    assert greeting.button_texts == ["Zaczynamy", "Później"]
    assert greeting.callback_data == ["go", "later"]

    pressed = anna.press("Zaczynamy")
    answer = await anna.wait_for_callback_answer(pressed)
    [edited] = await anna.wait_for_reply(edits=True)

    assert answer.text == "ok go"
    assert edited.message_id == greeting.message_id
    assert edited.text == "Wybrano: go"
    assert edited.buttons == [], "editMessageText without reply_markup drops the keyboard"
    assert standin.unanswered_callback_queries() == []


async def test_stale_buttons(standin: BotApiStandIn, app: App) -> None:
    anna = standin.user(501, "Anna")
    anna.start()
    [first] = await anna.wait_for_reply()
    anna.start()
    [second] = await anna.wait_for_reply()

    anna.press("later", message=first.message_id)  # a button on an older message
    answer = await anna.wait_for_callback_answer()
    assert answer.text == "ok later"
    assert standin.callback_queries()[0].message_id == first.message_id

    anna.press("go", message=second.message_id)
    await anna.wait_for_reply(edits=True)
    with pytest.raises(StandInAssertionError, match="no button"):
        anna.press("go", message=second.message_id)  # the keyboard is gone now
    anna.press("go", message=second)  # ...but the user may have pressed the old snapshot
    assert (await anna.wait_for_callback_answer()).text == "ok go"


async def test_edited_messages_and_media_reach_the_bot(standin: BotApiStandIn, app: App) -> None:
    anna = standin.user(501, "Anna")
    anna.send_text("12")
    await anna.wait_for_reply()
    anna.edit_last("13")
    [reply] = await anna.wait_for_reply()
    assert reply.text == "poprawiono: 13"

    for send, kind in (
        (anna.send_sticker, "sticker"),
        (anna.send_photo, "photo"),
        (anna.send_voice, "voice"),
        (anna.send_location, "location"),
    ):
        send()
        [reply] = await anna.wait_for_reply()
        assert reply.text == kind


# ------------------------------------------------------------------- limits


async def test_callback_data_over_64_bytes_is_rejected(standin: BotApiStandIn, app: App) -> None:
    anna = await _started_user(standin)

    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data=data)]])

    await app.bot.send_message(anna.id, "ok", reply_markup=keyboard("x" * 64))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await app.bot.send_message(anna.id, "za długie", reply_markup=keyboard("x" * 65))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await app.bot.send_message(anna.id, "bajty", reply_markup=keyboard("ż" * 33))


async def test_text_length_and_emptiness(standin: BotApiStandIn, app: App) -> None:
    anna = await _started_user(standin)
    await app.bot.send_message(anna.id, "a" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await app.bot.send_message(anna.id, "a" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await app.bot.send_message(anna.id, "   ")
    assert len(anna.messages()) == 2


async def test_editing_with_identical_content_is_not_modified(
    standin: BotApiStandIn, app: App
) -> None:
    anna = await _started_user(standin)
    message = await app.bot.send_message(anna.id, "Pytanie 1")
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await message.edit_text("Pytanie 1")
    await message.edit_text("Pytanie 1 ✓")
    assert anna.last_message().text == "Pytanie 1 ✓"


async def test_answering_an_unknown_callback_query_fails(standin: BotApiStandIn, app: App) -> None:
    await _started_user(standin)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await app.bot.answer_callback_query("12345")


async def test_html_and_markdown_v2_are_parsed_like_telegram(
    standin: BotApiStandIn, app: App
) -> None:
    anna = await _started_user(standin)
    await app.bot.send_message(anna.id, "<b>Sfera I</b> (1/41) &lt;5", parse_mode=ParseMode.HTML)
    assert anna.last_message().text == "Sfera I (1/41) <5"
    assert anna.last_message().entities == ({"type": "bold", "offset": 0, "length": 7},)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await app.bot.send_message(anna.id, "liczba < 5", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)reserved"):
        await app.bot.send_message(anna.id, "Koniec.", parse_mode=ParseMode.MARKDOWN_V2)


async def test_rate_limit_returns_429_for_bursts_in_one_chat(
    standin: BotApiStandIn, app: App
) -> None:
    anna = await _started_user(standin, 501)
    bob = await _started_user(standin, 502)
    standin.enable_rate_limits(per_chat_per_second=1.0, chat_burst=3)

    for number in range(3):  # the documented burst tolerance
        await app.bot.send_message(anna.id, f"wiadomość {number}")
    with pytest.raises(RetryAfter) as raised:
        await app.bot.send_message(anna.id, "o jedną za dużo")
    await app.bot.send_message(bob.id, "inny czat ma własny limit")

    assert raised.value.retry_after == dtm.timedelta(seconds=1)
    assert standin.too_many_requests_count == 1


async def test_rate_limit_caps_the_whole_bot(standin: BotApiStandIn, app: App) -> None:
    users = [await _started_user(standin, 700 + n) for n in range(3)]
    standin.enable_rate_limits(global_per_second=1.0, global_burst=2)
    for user in users[:2]:
        await app.bot.send_message(user.id, "ok")
    with pytest.raises(RetryAfter):
        await app.bot.send_message(users[2].id, "ponad limit bota")
    standin.disable_rate_limits()
    await app.bot.send_message(users[2].id, "limity wyłączone")


async def test_blocking_wait_works_from_another_thread(standin: BotApiStandIn, app: App) -> None:
    anna = standin.user(501, "Anna")
    anna.send_text("z wątku")
    [reply] = await asyncio.to_thread(anna.wait_for_reply_sync)
    assert reply.text == "echo: z wątku"
    with pytest.raises(RuntimeError, match="async"):
        anna.wait_for_reply_sync(timeout=0.1)  # would freeze the bot on this loop


@pytest.mark.parametrize(
    ("markup", "text", "entity_types"),
    [
        ("<i>Pytanie</i> <b>3</b>/41", "Pytanie 3/41", ["italic", "bold"]),
        (
            '<a href="https://mp.pl">MP</a> &amp; <code>II.3</code>',
            "MP & II.3",
            ["text_link", "code"],
        ),
        ('<pre><code class="language-yaml">a: 1</code></pre>', "a: 1", ["pre"]),
    ],
)
def test_html_parsing(markup: str, text: str, entity_types: list[str]) -> None:
    plain, entities = parse_html(markup)
    assert (plain, [e["type"] for e in entities]) == (text, entity_types)


@pytest.mark.parametrize(
    ("markup", "text", "entity_types"),
    [
        ("*Sfera I* \\(12/41\\)", "Sfera I (12/41)", ["bold"]),
        ("__podkreślone__ ||ukryte|| ~skreślone~", "podkreślone ukryte skreślone", None),
        ("`kod.` [link](https://mp.pl/a\\)b)", "kod. link", ["code", "text_link"]),
    ],
)
def test_markdown_v2_parsing(markup: str, text: str, entity_types: list[str] | None) -> None:
    plain, entities = parse_markdown_v2(markup)
    assert plain == text
    if entity_types is not None:
        assert [e["type"] for e in entities] == entity_types


# ------------------------------------------------------------------- faults


async def test_injected_429_surfaces_as_retry_after(standin: BotApiStandIn, app: App) -> None:
    anna = await _started_user(standin)
    standin.inject_429(retry_after=7)
    with pytest.raises(RetryAfter) as raised:
        await app.bot.send_message(anna.id, "teraz nie")
    assert raised.value.retry_after == dtm.timedelta(seconds=7)
    await app.bot.send_message(anna.id, "już można")
    assert standin.too_many_requests_count == 1
    assert standin.calls("sendMessage")[-2].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }


async def test_429_for_a_while_and_the_record_of_early_retries(
    standin: BotApiStandIn, app: App
) -> None:
    anna = await _started_user(standin)
    standin.inject_429(retry_after=1, duration=30, method="sendMessage")
    for _ in range(2):
        with pytest.raises(RetryAfter):  # still refused: the window is not over
            await app.bot.send_message(anna.id, "za wcześnie")
    [early] = standin.retry_after_violations()  # the second call came before retry_after
    assert early is standin.calls("sendMessage")[-1]
    standin.clear_faults()
    await asyncio.sleep(1.05)
    await app.bot.send_message(anna.id, "po czasie")
    assert len(standin.retry_after_violations()) == 1
    assert standin.too_many_requests_count == 2


async def test_blocked_chat_surfaces_as_forbidden(standin: BotApiStandIn, app: App) -> None:
    anna = await _started_user(standin)
    standin.block_chat(anna.id)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await app.bot.send_message(anna.id, "przypomnienie")
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await app.bot.send_message(standin.user(999).id, "nigdy nie pisał")


async def test_5xx_and_failures_on_demand(standin: BotApiStandIn, app: App) -> None:
    anna = await _started_user(standin)
    standin.inject_5xx(times=1)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await app.bot.send_message(anna.id, "x")
    standin.fail_next("sendChatAction", 400, "Bad Request: chat not found")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await app.bot.send_chat_action(anna.id, "typing")
    await app.bot.send_chat_action(anna.id, "typing")
    assert anna.chat_actions() == ["typing"]


async def test_wrong_token_is_unauthorized(standin: BotApiStandIn) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("123:wrong", base_url=standin.base_url):  # initialize() calls getMe
            pass
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{standin.base_url}123:wrong/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


# ------------------------------------------------------------------ polling


async def test_long_polling_returns_as_soon_as_an_update_arrives(
    standin: BotApiStandIn, app: App
) -> None:
    await standin.wait_until(
        lambda: any(r.status is None for r in standin.calls("getUpdates")), what="a pending poll"
    )
    anna = standin.user(501, "Anna")
    started = time.monotonic()
    anna.send_text("szybko?")
    await anna.wait_for_reply()
    assert time.monotonic() - started < 1.0

    delivering = next(r for r in standin.calls("getUpdates") if r.response and r.response["result"])
    assert delivering.params["timeout"] == str(int(POLL_TIMEOUT))
    assert delivering.finished_at is not None
    assert delivering.finished_at - delivering.started_at < POLL_TIMEOUT / 2


async def test_offsets_confirm_updates_exactly_once(standin: BotApiStandIn, app: App) -> None:
    users = [standin.user(600 + n, f"U{n}") for n in range(3)]
    sent = [user.send_text(f"{user.id}-{i}") for i in range(3) for user in users]
    for user in users:
        replies = await user.wait_for_reply(count=3)
        assert [r.text for r in replies] == [f"echo: {user.id}-{i}" for i in range(3)]
    await standin.wait_until_confirmed()

    counts = standin.delivery_counts()
    assert len(counts) == len(sent)
    assert set(counts.values()) == {1}, "no update may be delivered twice"
    assert sorted(counts) == list(counts), "update ids increase"
    assert standin.updates_pending() == 0
    assert [m["message_id"] for m in sent[::3]] == [1, 2, 3]  # per-chat message ids


async def test_a_newer_get_updates_ends_an_older_long_poll_and_stop_is_prompt() -> None:
    standin = BotApiStandIn().start()
    url = f"{standin.base_url}{standin.token}/getUpdates"
    async with httpx.AsyncClient() as client:
        first = asyncio.create_task(client.post(url, data={"timeout": "30"}))
        await standin.wait_until(lambda: len(standin.calls("getUpdates")) == 1)
        second = asyncio.create_task(client.post(url, json={"timeout": 30}))
        assert (await first).status_code == 409
        await standin.wait_until(lambda: len(standin.calls("getUpdates")) == 2)
        started = time.monotonic()
        standin.stop()
        assert (await second).json() == {"ok": True, "result": []}
    assert time.monotonic() - started < 2.0


# ------------------------------------------------------ formats and documents


async def test_json_form_and_query_bodies_are_accepted(standin: BotApiStandIn) -> None:
    standin.user(501).send_text("hej")
    base = f"{standin.base_url}{standin.token}"
    markup = {"inline_keyboard": [[{"text": "Tak", "callback_data": "y"}]]}
    async with httpx.AsyncClient() as client:
        as_json = await client.post(
            f"{base}/sendMessage", json={"chat_id": 501, "text": "json", "reply_markup": markup}
        )
        as_form = await client.post(
            f"{base}/sendMessage",
            data={"chat_id": "501", "text": "form", "reply_markup": json.dumps(markup)},
        )
        as_query = await client.get(f"{base}/sendMessage?chat_id=501&text=query")
    assert [r.status_code for r in (as_json, as_form, as_query)] == [200, 200, 200]
    assert as_json.json()["result"]["reply_markup"] == markup
    assert [m.text for m in standin.messages(501)] == ["json", "form", "query"]
    assert standin.messages(501)[1].reply_markup == markup


async def test_documents_upload_and_download(standin: BotApiStandIn, app: App) -> None:
    anna = await _started_user(standin)
    content = b"PK\x03\x04 raport \r\n\x00\xff"
    message = await app.bot.send_document(
        anna.id, document=content, filename="raport.xlsx", caption="Raport"
    )
    sent = anna.last_message()
    assert sent.document is not None
    assert (sent.document.file_name, sent.document.content) == ("raport.xlsx", content)
    assert sent.caption == "Raport"
    assert message.document is not None
    downloaded = await (await message.document.get_file()).download_as_bytearray()
    assert bytes(downloaded) == content


async def test_webhooks_and_get_chat(standin: BotApiStandIn) -> None:
    standin.user(501, "Anna", username="anna_ngo").send_text("hej")
    async with Bot(standin.token, base_url=standin.base_url) as bot:
        chat = await bot.get_chat(501)
        assert (chat.first_name, chat.username, chat.type) == ("Anna", "anna_ngo", "private")
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.get_chat(404)

        await bot.set_webhook("https://kartomat.example/hook")
        info = await bot.get_webhook_info()
        assert (info.url, info.pending_update_count) == ("https://kartomat.example/hook", 1)
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        await bot.delete_webhook(drop_pending_updates=True)
        assert await bot.get_updates() == ()
    assert standin.updates_pending() == 0


async def test_commands_are_stored_and_validated(standin: BotApiStandIn, app: App) -> None:
    await app.bot.set_my_commands([("pomoc", "Pomoc"), ("wstecz", "Poprzednie pytanie")])
    assert [c.command for c in await app.bot.get_my_commands()] == ["pomoc", "wstecz"]
    assert standin.commands()[0] == {"command": "pomoc", "description": "Pomoc"}
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await app.bot.set_my_commands([("Pomoc", "wielka litera")])
    await app.bot.delete_my_commands()
    assert await app.bot.get_my_commands() == ()
