"""What the bot says to Centrum staff (Polish: staff work in Polish)."""

from __future__ import annotations

from services.staff import GminaLate, Progress, Reminded, ReportFiles

NO_PERMISSION = "Brak uprawnień."
CARD = {"ngo": "Karta NGO", "izus": "Karta IZUS"}


def staff_help() -> str:
    """/start or /pomoc of a staff member."""
    return (
        "Dzień dobry! Komendy dla pracowników Centrum Monitoringu:\n"
        "/spoznieni – spóźnione karty na Pana/Pani terytoriach, według gmin\n"
        "/postep – postęp wypełniania kart według terytoriów\n"
        "/przypomnij ID – przypomnienie teraz, np. /przypomnij NGO-001\n"
        "/raport – najnowsze pliki Raportu MP"
    )


def late(groups: list[GminaLate]) -> str:
    """/spoznieni."""
    if not groups:
        return "Brak spóźnionych kart na Pana/Pani terytoriach. 👍"
    count = sum(len(g.cards) for g in groups)
    lines = [f"Spóźnione karty: {count}"]
    for group in groups:
        lines.append(f"\n📍 {group.name} ({group.teryt})")
        for c in group.cards:
            seen = f"{c.last_activity_at:%d.%m %H:%M}" if c.last_activity_at else "brak"
            lines.append(
                f"• {c.external_id} {c.organisation} – {CARD.get(c.card, c.card)}, termin "
                f"{c.deadline:%d.%m.%Y}, ostatnia aktywność: {seen}, kanał: {c.channel}"
            )
    return "\n".join(lines)


def progress(rows: list[Progress]) -> str:
    """/postep."""
    if not rows:
        return "Brak otwartych sesji z kartami na Pana/Pani terytoriach."
    lines = ["Postęp (wysłane / rozpoczęte / wszystkie):"]
    for r in rows:
        share = round(100 * r.submitted / r.assigned) if r.assigned else 0
        lines.append(
            f"• {r.session} · {r.name} ({r.territory}) · {CARD.get(r.card, r.card)}: "
            f"{r.submitted} / {r.started} / {r.assigned} ({share}%)"
        )
    return "\n".join(lines)


def remind_usage() -> str:
    """/przypomnij without an organisation."""
    return "Proszę podać identyfikator organizacji z rejestru, np. /przypomnij NGO-001."


def reminded(external_id: str, results: list[Reminded]) -> str:
    """/przypomnij ID."""
    lines = []
    for r in results:
        card = CARD.get(r.card, r.card)
        if r.channel is None:
            lines.append(
                f"• {card}: brak działającego kanału kontaktu – przypomnienie nie pójdzie."
            )
        elif r.queued:
            lines.append(f"• {card}: przypomnienie wysłane ({r.channel}).")
        else:
            lines.append(f"• {card}: przypomnienie zostało już dziś wysłane – jedno dziennie.")
    return f"{external_id}:\n" + "\n".join(lines)


def reports(found: list[ReportFiles]) -> str:
    """/raport."""
    if not found:
        return "Nie zbudowano jeszcze żadnego Raportu MP (kartomat report --session …)."
    lines = ["Najnowsze Raporty MP:"]
    for r in found:
        main = [f for f in r.files if f.endswith((".xlsx", ".csv")) or f == "index.html"]
        lines.append(f"• {r.session} (wersja {r.build}): {r.directory}\n  " + ", ".join(main))
    return "\n".join(lines)
