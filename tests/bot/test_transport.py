"""The bot's aiohttp transport (bot/transport.py) under PTB, over HTTP to the stand-in.

Every other bot test runs through it too (build_application uses it); these pin what
those do not reach: uploads, the error mapping, timeouts, and the life cycle.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from bot.transport import AiohttpRequest
from tests.telegram_standin import DEFAULT_TOKEN, BotApiStandIn


@pytest.fixture
async def bot(standin: BotApiStandIn) -> AsyncIterator[Bot]:
    """A PTB Bot on the aiohttp transport, both for calls and for getUpdates."""
    async with Bot(
        DEFAULT_TOKEN,
        base_url=standin.base_url,
        request=AiohttpRequest(4, read_timeout=2.0),
        get_updates_request=AiohttpRequest(1),
    ) as client:
        yield client


async def test_a_message_with_polish_text_and_a_keyboard_arrives_whole(
    standin: BotApiStandIn, bot: Bot
) -> None:
    user = standin.user(501)
    user.send_text("dzień dobry")
    updates = await bot.get_updates(timeout=1)
    assert [u.effective_message.text for u in updates if u.effective_message] == ["dzień dobry"]
    button = InlineKeyboardButton("Tak – zgadzam się", callback_data="t")
    keyboard = InlineKeyboardMarkup([[button]])
    sent = await bot.send_message(501, "Zażółć gęślą jaźń & co? 100% = 1/1", reply_markup=keyboard)
    [message] = standin.messages(501)
    assert message.text == sent.text == "Zażółć gęślą jaźń & co? 100% = 1/1"
    assert message.button_texts == ["Tak – zgadzam się"]
    assert standin.calls("sendMessage")[0].content_type == "application/x-www-form-urlencoded"


async def test_a_document_is_uploaded_byte_for_byte_with_its_name(
    standin: BotApiStandIn, bot: Bot
) -> None:
    standin.user(502).send_text("/raport")
    content = bytes(range(256)) * 40  # binary, not valid UTF-8
    await bot.send_document(502, content, filename="Raport MP – łódzkie.xlsx", caption="Raport")
    [message] = standin.messages(502)
    assert message.document is not None
    assert message.document.content == content
    assert message.document.file_name == "Raport MP – łódzkie.xlsx"
    assert message.caption == "Raport"


async def test_telegram_errors_reach_ptb_as_its_own_exceptions(
    standin: BotApiStandIn, bot: Bot
) -> None:
    standin.user(503).send_text("hej")
    standin.inject_429(retry_after=7, method="sendMessage")
    with pytest.raises(RetryAfter) as limited:
        await bot.send_message(503, "za szybko")
    assert limited.value.retry_after.total_seconds() == 7  # type: ignore[union-attr]
    standin.block_chat(503)
    with pytest.raises(Forbidden):
        await bot.send_message(503, "zablokowany")
    assert standin.messages(503) == []


async def test_an_unreachable_server_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot = Bot(DEFAULT_TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=AiohttpRequest(1))
    with pytest.raises(NetworkError) as failed:
        async with bot:  # initialising asks getMe
            pass
    assert "aiohttp.ClientConnectorError" in str(failed.value)


async def test_a_server_that_never_answers_times_out_after_the_read_timeout() -> None:
    accepted: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)  # reads nothing, answers nothing

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = AiohttpRequest(1, read_timeout=0.3)
    await request.initialize()
    try:
        started = asyncio.get_running_loop().time()
        with pytest.raises(TimedOut):
            await request.post(f"http://127.0.0.1:{port}/bot{DEFAULT_TOKEN}/getMe")
        assert 0.25 < asyncio.get_running_loop().time() - started < 3
    finally:
        await request.shutdown()
        for writer in accepted:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_it_refuses_to_work_before_initialize_and_after_shutdown(
    standin: BotApiStandIn,
) -> None:
    request = AiohttpRequest(1)
    url = f"{standin.base_url}{DEFAULT_TOKEN}/getMe"
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(url, "POST")
    await request.initialize()
    await request.initialize()  # idempotent: the same open session
    status, body = await request.do_request(url, "POST")
    assert status == 200 and b'"ok":true' in body.replace(b" ", b"")
    await request.shutdown()
    await request.shutdown()  # idempotent
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(url, "POST")
    await request.initialize()  # PTB re-initialises a shut-down application
    assert (await request.do_request(url, "POST"))[0] == 200
    await request.shutdown()
