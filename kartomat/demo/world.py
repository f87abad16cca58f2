"""The demo's outside world on loopback: an SMTP server that keeps what it receives."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    """One message as delivered to the local SMTP server."""

    recipients: list[str]
    raw: bytes

    @property
    def subject(self) -> str:
        """Its decoded subject."""
        return str(message_from_bytes(self.raw, policy=policy.default)["Subject"])


@dataclass
class Inbox:
    """aiosmtpd handler: every message, in order."""

    messages: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Keep the message (aiosmtpd's handler hook)."""
        self.messages.append(Received(list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        """Messages delivered to one address."""
        return [m for m in self.messages if address in m.recipients]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def smtp_server(inbox: Inbox) -> Controller:
    """A started SMTP server on loopback (plain, no auth: loopback only)."""
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller
