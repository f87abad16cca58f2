"""`kartomat mail poll|review|purge` end to end on a Maildir (the demo's source) and SQLite."""

from __future__ import annotations

import json
from email.message import EmailMessage
from mailbox import Maildir
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kartomat.cli.main import app
from tests.sample import registry_csv

pytestmark = pytest.mark.integration


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KARTOMAT_DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    monkeypatch.setenv("KARTOMAT_MAIL_SOURCE", f"maildir:{tmp_path / 'poczta'}")
    monkeypatch.setenv("KARTOMAT_MAIL_FROM", "monitoring@cm.example")
    monkeypatch.setenv("KARTOMAT_MAIL_REPLY_TO", "monitoring+{token}@cm.example")
    (tmp_path / "registry.csv").write_bytes(registry_csv())
    return CliRunner()


def run(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def message(sender: str, to: str, body: str) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, "Re: Karta IZUS"
    mail["Message-ID"] = f"<{abs(hash(body))}@example.pl>"
    mail.set_content(body)
    return bytes(mail)


def test_poll_review_and_purge_on_a_maildir(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "registry", "import", "registry.csv")
    run(cli, "staff", "add", "--name", "Olga", "--email", "olga@cm.example", "--territory", "06")
    run(
        cli,
        "session",
        "create",
        "2026-H2",
        "--opens",
        "2026-11-02",
        "--deadline",
        "2026-12-15",
        "--cards",
        "izus",
        "--territory",
        "06",
    )
    run(cli, "session", "open", "2026-H2")
    token = next(
        i["token"]
        for i in json.loads(run(cli, "invites", "2026-H2", "--json"))
        if i["external_id"] == "IZUS-LUB"
    )
    box = Maildir(str(tmp_path / "poczta"), create=True)
    box.add(message("mops@lublin.example", f"monitoring+{token}@cm.example", "[II.0.1] x: 120"))
    box.add(message("kolega@gmail.example", f"monitoring+{token}@cm.example", "II.0.2: 7"))
    box.add(message("obcy@example.net", "monitoring@cm.example", "Oferta szkoleń"))
    out = run(cli, "mail", "poll")
    assert "Nowych wiadomości: 3" in out and "zapisane: 1" in out and "kwarantanna: 1" in out
    assert len(list(Maildir(str(tmp_path / "poczta")).iterkeys())) == 0
    assert len(Maildir(str(tmp_path / "poczta")).get_folder("Kwarantanna")) == 2
    listing = run(cli, "mail", "review")
    assert "kolega@gmail.example  IZUS-LUB (izus)" in listing and "bez dopasowania" in listing
    items = json.loads(run(cli, "mail", "review", "--json"))
    pending = next(i["id"] for i in items if i["status"] == "pending_review")
    stranger = next(i["id"] for i in items if i["status"] == "quarantined")
    assert "zapisane" in run(cli, "mail", "review", "--apply", str(pending))
    assert "odrzucona" in run(cli, "mail", "review", "--reject", str(stranger))
    assert "Brak wiadomości do sprawdzenia." in run(cli, "mail", "review")
    err = run(cli, "mail", "review", "--apply", "999", code=1)
    assert "Nie ma wiadomości nr 999" in err
    assert "Nowych wiadomości: 0" in run(cli, "mail", "poll")
    assert "starszych niż 365 dni: 0" in run(cli, "mail", "purge")


def test_poll_without_a_mailbox_is_a_configuration_error(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KARTOMAT_MAIL_SOURCE")
    out = run(cli, "mail", "poll", code=2)
    assert "KARTOMAT_MAIL_SOURCE=maildir:" in out
