"""The rate limiter and the per-user update order, without Telegram."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

import pytest
from telegram import Chat, Message, Update, User
from telegram.error import RetryAfter

from bot.limiter import BULK, Limits, PriorityRateLimiter
from bot.ordering import PerUserOrder

FAST = Limits(per_second=100.0, burst=5, chat_per_second=100.0, chat_burst=100, reserve=3)


async def _send(limiter: PriorityRateLimiter, log: list[str], tag: str, bulk: bool = False) -> Any:
    async def callback() -> bool:
        log.append(tag)
        return True

    return await limiter.process_request(
        callback, (), {}, "sendMessage", {"chat_id": tag}, BULK if bulk else None
    )


async def test_bulk_leaves_a_reserve_for_interactive_replies() -> None:
    limiter, log = PriorityRateLimiter(FAST), []
    bulk = [asyncio.create_task(_send(limiter, log, f"b{i}", bulk=True)) for i in range(4)]
    await asyncio.sleep(0)
    await _send(limiter, log, "reply")
    await asyncio.gather(*bulk)
    assert log.index("reply") <= 2, log  # bulk took 2 of 5 tokens, then left the reserve
    assert sorted(log) == sorted(["reply", "b0", "b1", "b2", "b3"])


async def test_pacing_and_429() -> None:
    limiter, log = PriorityRateLimiter(Limits(per_second=20.0, burst=1)), []
    started = time.monotonic()
    for i in range(5):
        await _send(limiter, log, f"m{i}")
    assert time.monotonic() - started >= 0.19  # 4 waits of 1/20 s

    calls = []

    async def flooded() -> bool:
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise RetryAfter(1)
        return True

    assert await limiter.process_request(flooded, (), {}, "sendMessage", {}, None)
    assert calls[1] - calls[0] >= 0.95 and limiter.too_many_requests == 1
    with pytest.raises(RetryAfter):  # bulk gives up at once: the outbox reschedules it
        await limiter.process_request(lambda: _raise(), (), {}, "sendMessage", {}, BULK)


async def _raise() -> bool:
    raise RetryAfter(1)


def _update(update_id: int, user_id: int) -> Update:
    user = User(user_id, "U", is_bot=False)
    chat = Chat(user_id, "private")
    return Update(update_id, message=Message(update_id, datetime.now(), chat, from_user=user))


async def test_an_edit_or_callback_answer_refused_429_is_retried_only_after_retry_after() -> None:
    calls: list[float] = []

    async def flooded() -> bool:
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise RetryAfter(1)
        return True

    limiter = PriorityRateLimiter(FAST)  # answerCallbackQuery takes no token: not paced
    assert await limiter.process_request(flooded, (), {}, "answerCallbackQuery", {}, None)
    assert calls[1] - calls[0] >= 0.95


async def test_one_users_updates_in_order_others_concurrently() -> None:
    order: list[str] = []
    processor = PerUserOrder()

    async def handle(tag: str, delay: float) -> None:
        await asyncio.sleep(delay)
        order.append(tag)

    jobs = [
        processor.process_update(_update(1, 501), handle("anna-1", 0.05)),
        processor.process_update(_update(2, 501), handle("anna-2", 0.0)),
        processor.process_update(_update(3, 601), handle("jan-1", 0.0)),
    ]
    await asyncio.gather(*(asyncio.create_task(j) for j in jobs))
    assert order == ["jan-1", "anna-1", "anna-2"]
