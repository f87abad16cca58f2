"""Fixtures of the bot's end-to-end tests: the stand-in, a SQLite-file App, invitations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kartomat.bootstrap import App
from tests.bot.support import seed, sqlite_app
from tests.fakes import FakeClock
from tests.telegram_standin import BotApiStandIn


@pytest.fixture
def standin() -> Iterator[BotApiStandIn]:
    """The Bot API stand-in; it must end the test without internal errors."""
    with BotApiStandIn() as server:
        yield server
        assert server.server_errors == []


@pytest.fixture
def bot_app(tmp_path: Path, clock: FakeClock, standin: BotApiStandIn) -> Iterator[App]:
    """The application on a SQLite file, configured for the stand-in."""
    app = sqlite_app(tmp_path / "kartomat.db", clock, standin)
    yield app
    assert app.engine is not None
    app.engine.dispose()


@pytest.fixture
def tokens(bot_app: App) -> dict[str, str]:
    """The session is open; invitation tokens by organisation."""
    return seed(bot_app)
