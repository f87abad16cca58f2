"""Building the email channel from the settings (called by `kartomat.bootstrap` only)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from domain.cards.catalog import CardCatalog
from kartomat.serve.component import Disabled
from kartomat.settings import Settings
from mailer.component import MailboxComponent, MailSource
from mailer.imap import ImapConfig, ImapMailbox
from mailer.maildir import MaildirMailbox
from mailer.parser import ReplyParser
from mailer.smtp import EmailSender, SmtpConfig, SmtpTransport
from services.collection import CollectionService
from services.mail_apply import MailApplier
from services.mail_compose import MailComposeService
from services.mail_ingest import MailIngestService
from services.mail_ports import MailIdentity
from services.mail_process import MailProcessor
from services.mail_review import MailReviewService
from services.ports import Clock, UnitOfWorkFactory
from services.submission import SubmissionService


@dataclass
class MailServices:
    """The email use cases, wired."""

    identity: MailIdentity
    parser: ReplyParser
    compose: MailComposeService
    processor: MailProcessor
    ingest: MailIngestService
    review: MailReviewService


def identity(settings: Settings) -> MailIdentity:
    """From, Reply-To template and bot name from the settings."""
    return MailIdentity(
        address=settings.mail_from,
        name=settings.mail_from_name,
        reply_to_template=settings.mail_reply_to,
        bot_username=settings.telegram_bot_username,
        language=settings.language,
    )


def our_addresses(settings: Settings) -> list[str]:
    """Our From address and the Reply-To mailbox without its `+{token}`."""
    addresses = [settings.mail_from]
    if settings.mail_reply_to and "@" in settings.mail_reply_to:
        local, _, domain = settings.mail_reply_to.rpartition("@")
        addresses.append(local.split("+", 1)[0].split("{", 1)[0].rstrip(".") + "@" + domain)
    return list(dict.fromkeys(a.lower() for a in addresses))


def wire_mail(
    settings: Settings,
    uow: UnitOfWorkFactory,
    catalog: CardCatalog,
    clock: Clock,
    secret: bytes,
    collection: CollectionService,
    submission: SubmissionService,
) -> MailServices:
    """Every email use case over one unit-of-work factory."""
    me = identity(settings)
    parser = ReplyParser(catalog, our_addresses(settings), settings.mail_from_name)
    processor = MailProcessor(uow, catalog, clock, parser, MailApplier(collection, submission))
    ingest = MailIngestService(
        uow, clock, processor,
        max_bytes=settings.mail_max_size_mb * 1024 * 1024,
        retention_days=settings.mail_retention_days,
    )  # fmt: skip
    return MailServices(
        me, parser, MailComposeService(uow, catalog, clock, secret, me), processor, ingest,
        MailReviewService(uow, processor),
    )  # fmt: skip


def email_sender(settings: Settings, mail: MailServices, clock: Clock) -> EmailSender | None:
    """The outbox's email sender, or None when no SMTP server is configured."""
    if not settings.smtp_host:
        return None
    config = SmtpConfig(
        settings.smtp_host, settings.smtp_port, settings.smtp_security,
        settings.smtp_user, settings.smtp_password,
    )  # fmt: skip
    return EmailSender(mail.compose.compose, mail.identity, SmtpTransport(config), clock)


def mail_source(settings: Settings) -> Callable[[], MailSource] | None:
    """IMAP when configured, else the Maildir of KARTOMAT_MAIL_SOURCE, else None."""
    if settings.imap_host and settings.imap_user and settings.imap_password is not None:
        config = ImapConfig(
            settings.imap_host, settings.imap_user, settings.imap_password,
            settings.imap_port, settings.imap_ssl, settings.imap_folder,
        )  # fmt: skip
        return lambda: ImapMailbox(config)
    source = settings.mail_source or ""
    if source.startswith("maildir:"):
        path = Path(source.removeprefix("maildir:")).expanduser()
        return lambda: MaildirMailbox(path)
    return None


def mailbox_component(settings: Settings, mail: MailServices) -> MailboxComponent | Disabled:
    """The `serve` component for incoming mail (disabled without a source)."""
    source = mail_source(settings)
    if source is None:
        return Disabled("mailbox", "brak KARTOMAT_IMAP_HOST i KARTOMAT_MAIL_SOURCE")
    return MailboxComponent(mail.ingest, source, poll_seconds=settings.mail_poll_seconds)
