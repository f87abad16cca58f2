"""An IMAP folder as a `services.mail_ports.Mailbox` (imapclient).

Quirks handled (email-cases.md case 30, RFC 3501):
- `UID n:*` always returns the highest UID, even when it is below n (6.4.8): the
  result is filtered to UIDs above the mark.
- Messages are read with `BODY.PEEK[]`, which never sets `\\Seen`; sizes come from
  `RFC822.SIZE` first, so an oversized message is never downloaded.
- Filing uses MOVE (RFC 6851) when offered, else COPY + `\\Deleted` + UID EXPUNGE
  (RFC 4315 UIDPLUS), else a plain EXPUNGE; target folders are created when missing.
- IDLE (RFC 2177) is left and re-entered at most every `idle_seconds` (servers may
  drop an IDLE after 30 minutes, some silently): the caller polls after each round.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from imapclient import IMAPClient
from imapclient.imapclient import SocketTimeout
from pydantic import SecretStr

from services.mail_ports import FOLDERS, Destination, MailboxItem

FETCH_BYTES = 32 * 1024 * 1024  # one FETCH asks for at most this much
IDLE_STEP = 2.0  # seconds per idle_check, so a stop request is seen quickly


@dataclass(frozen=True)
class ImapConfig:
    """Where the replies arrive (KARTOMAT_IMAP_*)."""

    host: str
    user: str
    password: SecretStr
    port: int = 993
    ssl: bool = True
    folder: str = "INBOX"
    connect_timeout: float = 15.0
    read_timeout: float = 120.0


class ImapMailbox:
    """One selected folder; `connect()` before use, `close()` after."""

    uses_uids = True

    def __init__(self, config: ImapConfig, factory: Callable[..., Any] = IMAPClient) -> None:
        self.config = config
        self.factory = factory
        self.mailbox = f"imap:{config.user}@{config.host}/{config.folder}"
        self.client: Any = None
        self._uidvalidity: int | None = None
        self._prefix = ""

    def connect(self) -> None:
        """Log in, select the folder and make sure the target folders exist."""
        c = self.config
        timeout = SocketTimeout(connect=c.connect_timeout, read=c.read_timeout)
        self.client = self.factory(c.host, port=c.port, ssl=c.ssl, timeout=timeout)
        self.client.login(c.user, c.password.get_secret_value())
        self._prefix = self._personal_prefix()
        for name in FOLDERS.values():
            if not self.client.folder_exists(self._prefix + name):
                self.client.create_folder(self._prefix + name)
        selected = self.client.select_folder(c.folder)
        self._uidvalidity = int(selected[b"UIDVALIDITY"])

    def _personal_prefix(self) -> str:
        """Courier/Cyrus keep folders under `INBOX.`; Dovecot and Exchange at the top."""
        try:
            personal = self.client.namespace().personal
        except Exception:  # NAMESPACE (RFC 2342) missing: top level
            return ""
        return str(personal[0][0]) if personal else ""

    def close(self) -> None:
        """Log out; a dead connection is simply dropped."""
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.logout()
        except Exception:  # already broken: just close the socket
            with contextlib.suppress(OSError):
                client.shutdown()

    def uidvalidity(self) -> int | None:
        """UIDVALIDITY of the selected folder, read at `connect()`."""
        return self._uidvalidity

    def pending(self, last_uid: int) -> list[MailboxItem]:
        """Messages with a UID above the mark, oldest first, with their sizes."""
        uids = [u for u in self.client.search(["UID", f"{last_uid + 1}:*"]) if u > last_uid]
        if not uids:
            return []
        sizes = self.client.fetch(sorted(uids), ["RFC822.SIZE"])
        return [
            MailboxItem(str(uid), int(data.get(b"RFC822.SIZE", 0)), uid)
            for uid, data in sorted(sizes.items())
        ]

    def fetch(self, items: Sequence[MailboxItem]) -> Iterator[tuple[MailboxItem, bytes]]:
        """The raw messages, in groups of at most FETCH_BYTES, never marked read."""
        for group in _groups(items, FETCH_BYTES):
            data = self.client.fetch([i.uid for i in group], ["BODY.PEEK[]"])
            for item in group:
                raw = data.get(item.uid, {}).get(b"BODY[]")
                if raw is not None:
                    yield item, bytes(raw)

    def fetch_headers(self, item: MailboxItem) -> bytes:
        """The header block only (RFC 3501 6.4.5 BODY.PEEK[HEADER])."""
        data = self.client.fetch([item.uid], ["BODY.PEEK[HEADER]"])
        return bytes(data.get(item.uid, {}).get(b"BODY[HEADER]", b""))

    def file(self, items: Iterable[MailboxItem], destination: Destination) -> None:
        """Move to `Przetworzone`/`Kwarantanna`: MOVE, else COPY + delete + expunge."""
        uids = [i.uid for i in items if i.uid is not None]
        if not uids:
            return
        target = self._prefix + FOLDERS[destination]
        if self.client.has_capability("MOVE"):
            self.client.move(uids, target)
            return
        self.client.copy(uids, target)
        self.client.delete_messages(uids, silent=True)
        if self.client.has_capability("UIDPLUS"):
            self.client.uid_expunge(uids)
        else:
            self.client.expunge()

    def wait(self, seconds: float, should_stop: Callable[[], bool]) -> bool:
        """IDLE up to `seconds` (or sleep when IDLE is missing); True when mail arrived."""
        if not self.client.has_capability("IDLE"):
            return sleep(seconds, should_stop)
        self.client.idle()
        arrived = False
        try:
            waited = 0.0
            while waited < seconds and not should_stop() and not arrived:
                responses = self.client.idle_check(timeout=IDLE_STEP)
                arrived = any(b"EXISTS" in r for r in responses if isinstance(r, tuple))
                waited += IDLE_STEP
        finally:
            self.client.idle_done()
        return arrived


def _groups(items: Sequence[MailboxItem], limit: int) -> Iterator[list[MailboxItem]]:
    group: list[MailboxItem] = []
    size = 0
    for item in items:
        if group and size + item.size > limit:
            yield group
            group, size = [], 0
        group.append(item)
        size += item.size
    if group:
        yield group


def sleep(seconds: float, should_stop: Callable[[], bool]) -> bool:
    """Sleep in short steps (a stop request is seen quickly); never reports new mail."""
    waited = 0.0
    while waited < seconds and not should_stop():
        time.sleep(min(IDLE_STEP, seconds - waited))
        waited += IDLE_STEP
    return False
