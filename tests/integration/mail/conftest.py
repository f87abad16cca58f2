"""Fixtures: Dovecot (with and without MOVE), an SMTP port, the app on a SQLite file."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from imapclient import IMAPClient
from pydantic import SecretStr

from kartomat.bootstrap import App, wire
from kartomat.settings import Settings
from mailer.imap import ImapConfig
from services.ports import UnitOfWork
from storage.uow import SqlUnitOfWork, uow_factory
from tests.conftest import SECRET, sqlite_engine
from tests.fakes import FakeClock
from tests.integration.mail.servers import (
    CAPABILITIES_WITHOUT_MOVE,
    PASSWORD,
    USER,
    Dovecot,
    free_port,
    start_dovecot,
)

FOLDERS = ("INBOX", "Przetworzone", "Kwarantanna")


def _dovecot(capabilities: str | None) -> Iterator[Dovecot]:
    if shutil.which("dovecot") is None and not os.path.exists("/usr/sbin/dovecot"):
        message = "dovecot-imapd is not installed (make services installs it)"
        if os.environ.get("CI") or os.environ.get("KARTOMAT_REQUIRE_POSTGRES"):
            pytest.fail(message)
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="kartomat-dovecot-"))
    server = start_dovecot(root, capabilities)
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """Dovecot with its full capability list (MOVE, UIDPLUS, IDLE)."""
    yield from _dovecot(None)


@pytest.fixture(scope="session")
def dovecot_no_move() -> Iterator[Dovecot]:
    """Dovecot advertising no MOVE (older servers): COPY + delete + UID EXPUNGE."""
    yield from _dovecot(CAPABILITIES_WITHOUT_MOVE)


def imap_config(port: int) -> ImapConfig:
    return ImapConfig(
        "127.0.0.1", USER, SecretStr(PASSWORD), port=port, ssl=False, read_timeout=10.0
    )


def client(port: int) -> IMAPClient:
    imap = IMAPClient("127.0.0.1", port=port, ssl=False, timeout=10)
    imap.login(USER, PASSWORD)
    return imap


def empty_mailbox(port: int) -> None:
    """Remove every message from our folders (tests share one Dovecot)."""
    imap = client(port)
    try:
        for folder in FOLDERS:
            if imap.folder_exists(folder):
                imap.select_folder(folder)
                uids = imap.search("ALL")
                if uids:
                    imap.delete_messages(uids)
                    imap.expunge()
    finally:
        imap.logout()


def counts(port: int) -> dict[str, int]:
    imap = client(port)
    try:
        return {
            f: imap.folder_status(f, ["MESSAGES"])[b"MESSAGES"]
            for f in FOLDERS
            if imap.folder_exists(f)
        }
    finally:
        imap.logout()


def append(port: int, *messages: bytes) -> None:
    imap = client(port)
    try:
        for raw in messages:
            imap.append("INBOX", raw)
    finally:
        imap.logout()


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def mail_app(tmp_path: Path, clock: FakeClock, smtp_port: int) -> Iterator[App]:
    """The wired app on a SQLite file, sending through 127.0.0.1:smtp_port."""
    engine = sqlite_engine(tmp_path / "k.db")
    sessions = uow_factory(engine)

    def sql_uow() -> UnitOfWork:
        return SqlUnitOfWork(sessions)

    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'k.db'}",
        secret_key_file=tmp_path / "secret",
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_security="none",
        mail_from="monitoring@cm.example",
        mail_reply_to="monitoring+{token}@cm.example",
    )
    yield wire(settings, sql_uow, clock, SECRET, engine)
    engine.dispose()
