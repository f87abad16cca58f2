"""The Raport MP: built into a directory (HTML, XLSX, CSV) and mailed through the outbox."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from domain.cards.values import parse_email
from domain.entities import OutboxMessage
from domain.errors import InvalidAnswer, UserError
from domain.indicators import GapView, Level, gap_view
from services.indicators import IndicatorService, SessionIndicators
from services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from services.report_pages import gmina_page, index_page, methods_page, region_page
from services.report_tables import csv_bytes, xlsx_bytes
from services.sessions import find_session
from services.unit import with_retries

Progress = Callable[[str, int, int], None]
"""Called as (step, done, total) while a report is built."""

RECIPIENTS_KEY = "report_recipients"
"""Where a session's harmonogram lists who receives the Raport MP (ROPS, ministry)."""


@dataclass
class ReportBuild:
    """What one build wrote, and its id (one per session and content)."""

    session: str
    directory: Path
    build_id: str
    files: list[str] = field(default_factory=list)  # relative to `directory`


class ReportService:
    """Builds the Raport MP of a session and queues it for its recipients."""

    def __init__(self, uow: UnitOfWorkFactory, indicators: IndicatorService, clock: Clock) -> None:
        self.uow = uow
        self.indicators = indicators
        self.clock = clock

    def build(self, name: str, out: Path, progress: Progress | None = None) -> ReportBuild:
        """Write index.html, a page per województwo and gmina, metody.html, XLSX and CSV."""
        tick = progress or (lambda step, done, total: None)
        tick("Obliczanie wskaźników", 0, 1)
        data = self.indicators.load(name)
        gaps = gap_view(data.definitions, data.current)
        now = self.clock.now()
        generated = f"{now:%d.%m.%Y %H:%M} UTC"
        pages = self._pages(data, gaps, generated)
        total = len(pages) + 2
        digest = hashlib.sha256()
        written: list[str] = []
        for done, (relative, render) in enumerate(pages.items(), start=1):
            digest.update(_write(out, relative, render().encode("utf-8"), written))
            if done % 50 == 0 or done == len(pages):
                tick("Strony HTML", done, total)
        stem = f"raport-mp-{name}"
        _write(out, f"{stem}.xlsx", xlsx_bytes(data, gaps), written)
        tick("Arkusz XLSX", total - 1, total)
        digest.update(_write(out, f"{stem}.csv", csv_bytes(data), written))
        tick("Plik CSV", total, total)
        build_id = f"{now:%Y%m%dT%H%M%SZ}-{digest.hexdigest()[:12]}"
        # An absolute directory: the email adapter reads it from another working directory.
        return ReportBuild(name, out.resolve(), build_id, written)

    def _pages(
        self, data: SessionIndicators, gaps: GapView, generated: str
    ) -> dict[str, Callable[[], str]]:
        pages: dict[str, Callable[[], str]] = {
            "index.html": lambda: index_page(data, gaps, generated),
            "metody.html": lambda: methods_page(data, generated),
        }
        for woj in data.current.at(Level.WOJEWODZTWO):
            pages[f"wojewodztwa/{woj}.html"] = partial(region_page, data, gaps, woj, generated)
        for teryt in data.current.at(Level.GMINA):
            pages[f"gminy/{teryt}.html"] = partial(gmina_page, data, gaps, teryt, generated)
        return pages

    def send(self, build: ReportBuild, extra: list[str] | None = None) -> list[str]:
        """Queue the build for the session's recipients (and `extra`); returns who gets it.

        The dedupe key names the session, the build and the recipient, so queueing the same
        build twice sends nothing twice; the email adapter renders the message.
        """

        def work(uow: UnitOfWork) -> list[str]:
            session = find_session(uow, build.session)
            recipients = _recipients(session.harmonogram.get(RECIPIENTS_KEY), extra or [])
            now = self.clock.now()
            for email in recipients:
                uow.outbox.add(
                    OutboxMessage(
                        channel="email",
                        recipient=email,
                        kind="report",
                        payload={
                            "session": build.session,
                            "dir": str(build.directory),
                            "build": build.build_id,
                            "files": build.files,
                        },
                        dedupe_key=f"report:{build.session}:{build.build_id}:{email}",
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
            uow.commit()
            return recipients

        return with_retries(self.uow, work)


def _recipients(configured: object, extra: list[str]) -> list[str]:
    """Valid, distinct addresses from the harmonogram and the command line."""
    listed = configured if isinstance(configured, list) else []
    emails: list[str] = []
    for raw in [*listed, *extra]:
        try:
            email = parse_email(str(raw))
        except InvalidAnswer:
            raise UserError(
                f"„{raw}” nie jest poprawnym adresem odbiorcy raportu, np. rops@lublin.example.",
                f"'{raw}' is not a valid report recipient address.",
            ) from None
        if email.lower() not in {e.lower() for e in emails}:
            emails.append(email)
    if not emails:
        raise UserError(
            "Brak odbiorców raportu: dodaj do harmonogramu sesji listę report_recipients "
            "albo podaj adres, np. --to rops@lublin.example.",
            "No report recipients: add report_recipients to the harmonogram or use --to.",
        )
    return emails


def _write(out: Path, relative: str, content: bytes, written: list[str]) -> bytes:
    """Write one file of the report (folders made as needed), note it, return its bytes."""
    path = out / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    written.append(relative)
    return content
