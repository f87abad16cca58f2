"""A `kartomat serve` process we can kill -9, and the loopback world around it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from kartomat.demo.world import free_port
from tests.telegram_standin import BotApiStandIn

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class ServeProcess:
    """One `kartomat serve` child process."""

    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    health_port: int = 0

    def start(self) -> None:
        """Start it; returns once /healthz answers (or the process died)."""
        self.health_port = free_port()
        cmd = [sys.executable, "-c", "from kartomat.cli.main import run; run()", "serve",
               "--health-port", str(self.health_port), "--tick-seconds", "2"]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(cmd, env=self.env, cwd=ROOT, stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            if self.healthz() is not None:
                return
            time.sleep(0.1)
        raise AssertionError(f"serve did not come up; see {self.log}")

    def healthz(self) -> dict[str, object] | None:
        """The health report, or None when not answering."""
        try:
            response = httpx.get(f"http://127.0.0.1:{self.health_port}/healthz", timeout=2)
        except httpx.HTTPError:
            return None
        return dict(response.json())

    def kill9(self) -> None:
        """SIGKILL: no chance to clean up."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def terminate(self) -> int:
        """SIGTERM and wait for a graceful exit; returns the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=40)


def serve_env(db_url: str, smtp_port: int, maildir: Path) -> dict[str, str]:
    """The child's environment: loopback SMTP, a Maildir source, no Telegram."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KARTOMAT_")}
    env.update(
        KARTOMAT_DATABASE_URL=db_url,
        KARTOMAT_SECRET_KEY="reliability-secret-key",
        KARTOMAT_SMTP_HOST="127.0.0.1",
        KARTOMAT_SMTP_PORT=str(smtp_port),
        KARTOMAT_SMTP_SECURITY="none",
        KARTOMAT_MAIL_FROM="monitoring@centrum.example",
        KARTOMAT_MAIL_REPLY_TO="monitoring+{token}@centrum.example",
        KARTOMAT_MAIL_SOURCE=f"maildir:{maildir}",
        PYTHONPATH=str(ROOT),
    )
    return env


def telegram_env(env: dict[str, str], standin: BotApiStandIn) -> dict[str, str]:
    """`env` plus the Telegram channel, pointed at the Bot API stand-in (long polling)."""
    return env | {
        "KARTOMAT_TELEGRAM_TOKEN": standin.token,
        "KARTOMAT_TELEGRAM_BASE_URL": standin.base_url,
        "KARTOMAT_TELEGRAM_BOT_USERNAME": standin.bot_username,
    }
