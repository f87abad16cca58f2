"""A Maildir as a `services.mail_ports.Mailbox` (stdlib `mailbox.Maildir`).

Used when no IMAP server is configured (`KARTOMAT_MAIL_SOURCE=maildir:PATH`, the
demo). New mail is read from `new/`; a handled message goes to the Maildir++ folder
`.Przetworzone` or `.Kwarantanna` (created when missing), into its `cur/`. Maildir
has no UIDs: duplicates are caught by the content hash alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from mailbox import Maildir, MaildirMessage
from pathlib import Path

from mailer.imap import sleep
from services.mail_ports import FOLDERS, Destination, MailboxItem


class MaildirMailbox:
    """The `new/` messages of one Maildir."""

    uses_uids = False

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.mailbox = f"maildir:{self.path}"
        self.box = Maildir(str(self.path), factory=None, create=True)

    def connect(self) -> None:
        """Nothing to connect; the folders are created on first use."""

    def close(self) -> None:
        """Nothing to close."""

    def uidvalidity(self) -> int | None:
        """Maildir has no UIDs."""
        return None

    def pending(self, last_uid: int) -> list[MailboxItem]:
        """Every message in `new/`, oldest file first."""
        new = self.path / "new"
        entries = [e for e in os.scandir(new) if e.is_file() and not e.name.startswith(".")]
        entries.sort(key=lambda e: (e.stat().st_mtime, e.name))
        return [MailboxItem(e.name.split(":", 1)[0], e.stat().st_size) for e in entries]

    def fetch(self, items: Sequence[MailboxItem]) -> Iterator[tuple[MailboxItem, bytes]]:
        """The raw bytes of each message still there."""
        for item in items:
            try:
                yield item, self.box.get_bytes(item.key)
            except KeyError:  # removed meanwhile by someone else
                continue

    def fetch_headers(self, item: MailboxItem) -> bytes:
        """The header block of a message (read without loading the body into memory)."""
        with self.box.get_file(item.key) as handle:
            lines = []
            for line in handle:
                if line in (b"\n", b"\r\n"):
                    break
                lines.append(line)
        return b"".join(lines)

    def file(self, items: Iterable[MailboxItem], destination: Destination) -> None:
        """Move to `.Przetworzone`/`.Kwarantanna` (cur/), then drop from the inbox."""
        name = FOLDERS[destination]
        folder = self.box.get_folder(name) if name in self.box.list_folders() else None
        folder = folder or self.box.add_folder(name)
        for item in items:
            try:
                message = MaildirMessage(self.box.get_bytes(item.key))
            except KeyError:
                continue
            message.set_subdir("cur")
            folder.add(message)
            self.box.discard(item.key)

    def wait(self, seconds: float, should_stop: Callable[[], bool]) -> bool:
        """No push for Maildir: sleep until the next poll."""
        return sleep(seconds, should_stop)
