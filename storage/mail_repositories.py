"""SQL repositories of the email channel (issue #4): mailbox marks and sent Message-IDs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlmodel import col

from services.mail_ports import MailboxState, SentMail
from storage.repositories import SessionSource
from storage.tables import MailboxStateRow, SentMailRow


class MailboxStateRepo:
    """One row per mailbox folder: UIDVALIDITY and the highest UID stored."""

    def __init__(self, source: SessionSource) -> None:
        self.source = source

    @property
    def s(self) -> Session:
        """The unit of work's ORM session."""
        return self.source.session

    def get(self, mailbox: str) -> MailboxState | None:
        row = self.s.get(MailboxStateRow, mailbox)
        if row is None:
            return None
        return MailboxState(row.mailbox, row.uidvalidity, row.last_uid, row.updated_at)

    def save(self, state: MailboxState) -> None:
        self.s.merge(
            MailboxStateRow(
                mailbox=state.mailbox,
                uidvalidity=state.uidvalidity,
                last_uid=state.last_uid,
                updated_at=state.updated_at,
            )
        )
        self.s.flush()


class SentMailRepo:
    """The Message-IDs of the emails we sent, for matching replies (In-Reply-To)."""

    def __init__(self, source: SessionSource) -> None:
        self.source = source

    @property
    def s(self) -> Session:
        """The unit of work's ORM session."""
        return self.source.session

    def add(self, sent: SentMail) -> bool:
        """Insert unless this outbox row (or Message-ID) is already recorded."""
        table: Any = SentMailRow.__table__  # type: ignore[attr-defined]
        dialect = sqlite if self.s.get_bind().dialect.name == "sqlite" else postgresql
        values = {
            "outbox_id": sent.outbox_id, "message_id": sent.message_id,
            "assignment_id": sent.assignment_id, "recipient": sent.recipient,
            "kind": sent.kind, "created_at": sent.created_at,
        }  # fmt: skip
        stmt = dialect.insert(table).values(**values).on_conflict_do_nothing()
        stmt = stmt.returning(table.c.id)  # psycopg 3 reports rowcount -1 here
        return self.s.execute(stmt).first() is not None

    def by_message_ids(self, message_ids: Sequence[str]) -> list[SentMail]:
        if not message_ids:
            return []
        stmt = select(SentMailRow).where(col(SentMailRow.message_id).in_(list(message_ids)))
        return [
            SentMail(r.outbox_id, r.message_id, r.recipient, r.kind, r.created_at, r.assignment_id)
            for r in self.s.scalars(stmt.order_by(col(SentMailRow.id)))
        ]
