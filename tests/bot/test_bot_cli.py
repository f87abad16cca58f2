"""`kartomat bot` as a process: long-polls the stand-in, answers, stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import pytest

from tests.telegram_standin import BotApiStandIn

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_kartomat_bot_runs_alone(standin: BotApiStandIn, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "KARTOMAT_DATABASE_URL": f"sqlite:///{tmp_path / 'kartomat.db'}",
        "KARTOMAT_SECRET_KEY_FILE": str(tmp_path / "secret"),
        "KARTOMAT_TELEGRAM_TOKEN": standin.token,
        "KARTOMAT_TELEGRAM_BASE_URL": standin.base_url,
        "KARTOMAT_TELEGRAM_BOT_USERNAME": standin.bot_username,
    }
    kartomat = str(Path(sys.executable).parent / "kartomat")  # the console script
    command = [kartomat, "bot", "--health-port", str(_free_port())]
    child = await asyncio.create_subprocess_exec(
        *command, env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE
    )
    try:
        anna = standin.user(501, "Anna")
        anna.start()
        [reply] = await anna.wait_for_reply(timeout=20)
        assert reply.text is not None and "osobisty link z zaproszenia" in reply.text
        assert [c["command"] for c in standin.commands()][:2] == ["start", "pomoc"]
    finally:
        child.send_signal(signal.SIGTERM)
        _, errors = await asyncio.wait_for(child.communicate(), timeout=30)
    assert child.returncode == 0, errors.decode()[-2000:]
    assert standin.token not in errors.decode(), "the token never reaches the logs"
