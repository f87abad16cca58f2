"""Waiting for the bot without sleeps: async (polling the state) and blocking variants."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

from ._errors import StandInTimeoutError
from ._state import StandInState

T = TypeVar("T")
_POLL_INTERVAL = 0.005


async def wait_async(
    state: StandInState,
    probe: Callable[[], T | None],
    timeout: float,
    describe: Callable[[], str],
) -> T:
    """Await until ``probe`` (run under the state lock) returns non-``None``.

    Polls briefly instead of blocking, so the bot running on the same event loop keeps
    making progress.
    """
    deadline = time.monotonic() + timeout
    while True:
        with state.cond:
            result = probe()
        if result is not None:
            return result
        if time.monotonic() >= deadline:
            with state.cond:
                raise StandInTimeoutError(describe())
        await asyncio.sleep(_POLL_INTERVAL)


def wait_blocking(
    state: StandInState,
    probe: Callable[[], T | None],
    timeout: float,
    describe: Callable[[], str],
) -> T:
    """Block the calling thread until ``probe`` returns non-``None``.

    Only for tests whose bot runs in another thread: called from a running event loop it
    would freeze the bot it waits for, so that raises ``RuntimeError`` instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError("use the async wait_* method inside an event loop")
    deadline = time.monotonic() + timeout
    with state.cond:
        while (result := probe()) is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StandInTimeoutError(describe())
            state.cond.wait(remaining)
        return result
