"""The demo's fictional registry: three gminy of the lubelskie województwo."""

from __future__ import annotations

HEADER = (
    "external_id,kind,name,org_type,teryt,miejscowosc,powiat,wojewodztwo,"
    "contact_name,email,phone,channel"
)
# (external_id, kind, name, org_type, teryt, town, powiat, contact, email, phone, channel)
ORGANISATIONS = [
    ("LUB-N1", "ngo", "Fundacja Dobry Start", "fundacja", "0663011", "Lublin", "Lublin",
     "Anna Kowalska", "anna@dobrystart.example", "601 234 567", "telegram"),
    ("LUB-N2", "ngo", "Stowarzyszenie Razem dla Seniorów", "stowarzyszenie", "0663011",
     "Lublin", "Lublin", "Jan Nowak", "jan@razem.example", "602 345 678", "telegram"),
    ("LUB-N3", "ngo", "Spółdzielnia Socjalna Pod Zamkiem", "spoldzielnia_socjalna", "0663011",
     "Lublin", "Lublin", "Ewa Zając", "ewa@podzamkiem.example", "603 456 789", "telegram"),
    ("SWI-N1", "ngo", "Fundacja Otwarte Drzwi", "fundacja", "0617011", "Świdnik", "świdnicki",
     "Piotr Lis", "piotr@otwartedrzwi.example", "604 567 890", "telegram"),
    ("SWI-N2", "ngo", "Klub Integracji Społecznej Świdnik", "kis", "0617011", "Świdnik",
     "świdnicki", "Marta Wójcik", "marta@kis-swidnik.example", "605 678 901", "telegram"),
    ("PUL-N1", "ngo", "Stowarzyszenie Wiślany Brzeg", "stowarzyszenie", "0614011", "Puławy",
     "puławski", "Tomasz Kamiński", "tomasz@wislanybrzeg.example", "606 789 012", "telegram"),
    ("PUL-N2", "ngo", "Fundacja Cicha Przystań", "fundacja", "0614011", "Puławy", "puławski",
     "Katarzyna Lewandowska", "kasia@cichaprzystan.example", "607 890 123", "telegram"),
    ("LUB-I", "izus", "Miejski Ośrodek Pomocy Rodzinie w Lublinie", "ops", "0663011", "Lublin",
     "Lublin", "Maria Wiśniewska", "mopr@lublin.example", "81 466 50 00", "email"),
    ("SWI-I", "izus", "Centrum Usług Społecznych w Świdniku", "cus", "0617011", "Świdnik",
     "świdnicki", "Paweł Dąbrowski", "cus@swidnik.example", "81 751 00 00", "email"),
    ("PUL-I", "izus", "Miejski Ośrodek Pomocy Społecznej w Puławach", "ops", "0614011",
     "Puławy", "puławski", "Agnieszka Mazur", "mops@pulawy.example", "81 887 00 00", "email"),
]  # fmt: skip
LATE = "PUL-N2"  # this organisation never answers: the staff alert shows it

STAFF = ("Olga Staff", "olga@centrum-monitoringu.example", 7001, ["06"])


def registry_csv() -> bytes:
    """The registry as the Centrum would export it from Excel (UTF-8)."""
    rows = [HEADER]
    for ext, kind, name, org_type, teryt, town, powiat, person, email, phone, ch in ORGANISATIONS:
        rows.append(f"{ext},{kind},{name},{org_type},{teryt},{town},{powiat},lubelskie,"
                    f"{person},{email},{phone},{ch}")  # fmt: skip
    return ("\n".join(rows) + "\n").encode("utf-8")


def ngo_answers(index: int) -> dict[str, str]:
    """What the n-th simulated NGO manager types (varied, consistent with the checks)."""
    manager = index % 2 == 0
    return {
        "I.2": "fundacja", "I.3": "1, 9" if manager else "6, 14",
        "I.4": "1, 2" if index % 3 else "2",
        "I.5": "Klub Seniora", "I.7": "Menager US" if manager else "brak",
        "II.1.1": "0", "II.1.2": str(index % 3), "II.1.3a": "1", "II.1.3b": "0",
        "II.1.3c": str(index % 2), "II.1.3d": "2", "II.1.4": str(index % 2),
        "II.2.1": "1", "II.2.2": str(index % 2), "II.2.3": "3", "II.2.4": "0",
        "II.3.1": "1" if manager else "0", "II.3.2a": "2", "II.3.2b": "1",
        "II.3.2c": "usługi opiekuńcze", "II.3.3a": "1" if index % 3 else "0",
        "II.3.3b": "Klub Seniora", "II.3.4": str(index % 3),
        "II.3.5a": "0" if index % 3 == 0 else "40",
        "II.3.5b": f"{100 + 25 * index}", "II.3.6a": "2", "II.3.6b": "asystencja osobista",
        "II.3.7": "tak", "II.3.8": "tak" if index % 2 else "nie",
        "II.4.1a": "0", "II.4.1b": str(index % 2), "II.4.2": "1", "II.4.3": str(index % 2),
        "II.5.1": "1", "II.5.2": str(index % 2), "II.6.1": "tak" if index % 2 else "nie",
        "II.6.2": "tak", "II.7.1": f"{5 + index}", "II.7.2": f"{150_000 + 10_000 * index} zł",
    }  # fmt: skip


def izus_answers(index: int) -> dict[str, str]:
    """What the n-th simulated CUS/OPS contact writes into the email template."""
    base = 40 + 30 * index
    return {
        "I.3": "Dział Organizacji Usług Społecznych", "I.4": "Zespół OSL",
        "I.5": "Koordynator w Dziale Pracy Socjalnej", "I.6a": "tak",
        "I.6b": "14 marca 2025", "I.7a": "tak", "I.7b": "12.12.2024",
        "II.0.1": str(base), "II.0.2": str(base + 25), "II.0.3": f"{2000 + 500 * index}",
        "II.0.4": f"{4000 + 700 * index}", "II.0.5": str(10 + index),
        "II.1.1": "2", "II.1.2": "3", "II.1.3": "2", "II.1.4": "1",
        "II.2.1": "4", "II.2.2": "6", "II.2.3": "1", "II.2.4": "2",
        "II.3.1": "5", "II.3.2": "4", "II.3.3": "4", "II.3.4": "1",
        "II.3.5a": "3", "II.3.5b": "6", "II.3.6": f"{300 + 50 * index}", "II.3.7": "150",
        "II.3.8": "9", "II.4.1": "0", "II.4.2": "2", "II.5.1": "2",
        "II.6.1": "5", "II.6.2": "3",
    }  # fmt: skip
