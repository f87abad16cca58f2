"""Sample data shared by tests: a small registry in lubelskie and typical answers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from domain.cards.model import Question, QuestionType
from domain.entities import OutboxMessage

if TYPE_CHECKING:
    from kartomat.bootstrap import App

REGISTRY_HEADER = (
    "external_id,kind,name,org_type,teryt,miejscowosc,powiat,wojewodztwo,"
    "contact_name,email,phone,channel"
)
REGISTRY_ROWS = [
    "NGO-001,ngo,Fundacja Dobry Start,fundacja,0663011,Lublin,Lublin,lubelskie,"
    "Anna Kowalska,anna@dobrystart.example,601 234 567,telegram",
    "NGO-002,ngo,Stowarzyszenie Razem,stowarzyszenie,0663011,Lublin,Lublin,06,"
    "Jan Nowak,jan@razem.example,+48 602 345 678,telegram",
    "NGO-003,ngo,Spółdzielnia Socjalna Świt,spółdzielnia socjalna,0617011,Świdnik,świdnicki,"
    "lubelskie,Ewa Zając,ewa@swit.example,,email",
    "IZUS-LUB,izus,Miejski Ośrodek Pomocy Rodzinie w Lublinie,ops,0663011,Lublin,Lublin,"
    "lubelskie,Maria Wiśniewska,mops@lublin.example,81 466 50 00,email",
    "IZUS-SWI,izus,Centrum Usług Społecznych w Świdniku,cus,0617011,Świdnik,świdnicki,"
    "lubelskie,Piotr Lis,cus@swidnik.example,,email",
]


def registry_csv(rows: list[str] | None = None) -> bytes:
    """The sample registry as UTF-8 CSV bytes."""
    return ("\n".join([REGISTRY_HEADER, *(rows or REGISTRY_ROWS)]) + "\n").encode("utf-8")


# Raw answers as a respondent would type them, by code; consistent with the checks
# (Menager US listed ⇔ II.3.1 > 0; no Researcher LP ⇔ II.1.1 = 0).
NGO_ANSWERS = {
    "I.2": "fundacja",
    "I.3": "1, 9",
    "I.4": "zinstytucjonalizowana, niezinstytucjonalizowana",
    "I.5": "Klub Seniora",
    "I.7": "Menager US",
    "II.1.1": "0",
    "II.1.2": "2",
    "II.3.1": "1",
    "II.3.2a": "3",
    "II.3.2b": "2",
    "II.3.3a": "1",
    "II.3.3b": "Klub Seniora",
    "II.3.5a": "40",
    "II.3.5b": "1 200",
    "II.3.6a": "2",
    "II.3.7": "tak",
    "II.3.8": "tak",
    "II.6.1": "nie",
    "II.6.2": "tak",
    "II.7.1": "12",
    "II.7.2": "250 000,00 zł",
}

IZUS_ANSWERS = {
    "I.3": "Dział Organizacji Usług",
    "I.4": "Zespół Organizatorów Społeczności Lokalnej",
    "I.5": "Koordynator w Dziale Pracy Socjalnej",
    "I.6a": "tak",
    "I.6b": "14 marca 2025",
    "I.7a": "nie",
    "II.0.1": "120",
    "II.0.2": "160",
    "II.0.3": "5 400",
    "II.0.4": "9 000",
    "II.0.5": "30",
    "II.3.8": "15",
}

_DEFAULTS = {
    QuestionType.INT: "1",
    QuestionType.MONEY: "1000",
    QuestionType.YESNO: "nie",
    QuestionType.DATE: "2025-01-15",
    QuestionType.ONE: "1",
    QuestionType.MANY: "1",
    QuestionType.TEXT: "opis",
    QuestionType.EMAIL: "osoba@example.org",
    QuestionType.PHONE: "601 000 000",
}


def raw_answer(question: Question) -> str:
    """What the simulated respondent types for a question."""
    answers = NGO_ANSWERS if question.card == "ngo" else IZUS_ANSWERS
    return answers.get(question.code, _DEFAULTS[question.type])


def queue_telegram_reminders(app: App, chats: list[int], key: str, now: datetime) -> None:
    """A backlog: one reminder per chat in the outbox, as the scheduler writes them."""
    payload = {"organisation": "Fundacja", "card": "ngo", "session": "T",
               "deadline": (now + timedelta(days=3)).date().isoformat(), "days_left": 3,
               "missing": ["II.1.1", "II.3.4"]}  # fmt: skip
    with app.uow() as uow:
        uow.outbox.add_many([
            OutboxMessage(channel="telegram", recipient=str(c), kind="reminder", payload=payload,
                          dedupe_key=f"reminder:{key}:{c}", next_attempt_at=now, created_at=now)
            for c in chats
        ])  # fmt: skip
        uow.commit()
