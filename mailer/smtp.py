"""The email Sender for the outbox: compose, then SMTP (STARTTLS or implicit TLS).

smtplib runs in a worker thread (no new dependency; one connection per message is
plenty for a few thousand emails a session). Outcomes (RFC 5321 4.2.1):
- the server unreachable or unwilling (refused, dropped or timed-out connections,
  421 "service not available") and failures that are ours (login, sender refused) →
  RetryLater(channel_down): not the message's fault, never counted as an attempt,
  so they can never switch a respondent's address off however long they last;
- other 4xx replies → RetryLater (backoff, counted);
- 5xx for the recipient (RCPT TO) or the message (DATA) → Undeliverable, which
  marks the address unreachable and tells staff (services.outbox).
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from pydantic import SecretStr

from domain.entities import OutboxMessage
from mailer.compose import build_message
from services.mail_ports import ComposedMail, MailIdentity
from services.outbox import Delivered, RetryLater, SendOutcome, Undeliverable
from services.ports import Clock


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to submit mail (KARTOMAT_SMTP_*)."""

    host: str
    port: int = 587
    security: str = "starttls"  # starttls | tls | none
    user: str | None = None
    password: SecretStr | None = None
    timeout: float = 30.0


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


class SmtpTransport:
    """Submits one message per connection; raises smtplib/OSError errors as they come."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        if c.security == "tls":  # implicit TLS (RFC 8314), usually port 465
            return smtplib.SMTP_SSL(
                c.host, c.port, timeout=c.timeout, context=ssl.create_default_context()
            )
        client = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
        if c.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        return client

    def send(self, message: EmailMessage) -> None:
        """Deliver to the server (envelope recipient: the To address)."""
        with self._connect() as client:
            if self.config.user and self.config.password is not None:
                client.login(self.config.user, self.config.password.get_secret_value())
            client.send_message(message)


def classify(error: BaseException) -> SendOutcome:
    """Map an SMTP failure to the outbox's outcome (see the module docstring)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()), (450, b"refused"))
        reason = f"{code} {_text(reply)}"
        if code == 421:
            return RetryLater(reason, channel_down=True)
        return Undeliverable(reason) if code >= 500 else RetryLater(reason)
    if isinstance(error, smtplib.SMTPAuthenticationError | smtplib.SMTPSenderRefused):
        reason = f"operator: {error.smtp_code} {_text(error.smtp_error)}"
        return RetryLater(reason, channel_down=True)
    if isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500:
        return Undeliverable(f"{error.smtp_code} {_text(error.smtp_error)}")
    if isinstance(error, smtplib.SMTPResponseException):
        reason = f"{error.smtp_code} {_text(error.smtp_error)}"
        return RetryLater(reason, channel_down=error.smtp_code == 421)
    return RetryLater(f"{type(error).__name__}: {error}", channel_down=True)


class EmailSender:
    """`services.outbox.Sender` for the email channel."""

    channel = "email"

    def __init__(
        self,
        compose: Callable[[OutboxMessage], ComposedMail],
        identity: MailIdentity,
        transport: SmtpTransport,
        clock: Clock,
    ) -> None:
        self.compose = compose
        self.identity = identity
        self.transport = transport
        self.clock = clock

    async def send(self, message: OutboxMessage) -> SendOutcome:
        """Compose (reads the database) and submit, both off the event loop."""
        mail = await asyncio.to_thread(self.compose, message)
        mime = build_message(mail, self.identity, self.clock.now())
        return await asyncio.to_thread(self._deliver, mime, mail.message_id)

    def _deliver(self, mime: EmailMessage, message_id: str) -> SendOutcome:
        try:
            self.transport.send(mime)
        except (smtplib.SMTPException, OSError) as error:
            return classify(error)
        return Delivered(provider_id=message_id)
