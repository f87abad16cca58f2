"""`kartomat schedule preview` and `kartomat schedule tick` end to end on a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kartomat.cli.main import app
from tests.sample import registry_csv

pytestmark = pytest.mark.integration

# Far from the machine's own date: `session open` runs on the real clock.
HARMONOGRAM = """\
duty_hours:
  days: [mon, tue, wed, thu, fri]
  start: "08:00"
  end: "16:00"
reminders_before_deadline_days: [7, 3, 1]
staff_digest_time: "10:00"
channels:
  ngo: [telegram, email]
"""


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner over a fresh SQLite file, with the sample registry and a harmonogram file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KARTOMAT_DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    (tmp_path / "registry.csv").write_bytes(registry_csv())
    (tmp_path / "harmonogram.yaml").write_text(HARMONOGRAM)
    (tmp_path / "bad.yaml").write_text('duty_hours:\n  start: "25:00"\nstaff_digest_time: 9:00\n')
    return CliRunner()


def run(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == code, result.output + str(result.exception)
    return result.output


def _session(cli: CliRunner) -> None:
    run(cli, "registry", "import", "registry.csv")
    run(cli, "staff", "add", "--name", "Ola", "--email", "ola@cm.example", "--territory", "06",
        "--telegram-id", "5001")  # fmt: skip
    run(cli, "session", "create", "2030-H2", "--opens", "2030-11-04", "--deadline", "2030-12-02",
        "--territory", "06", "--harmonogram", "harmonogram.yaml")  # fmt: skip
    run(cli, "session", "open", "2030-H2")


def test_preview_json_then_ticks(cli: CliRunner) -> None:
    _session(cli)
    plan = json.loads(run(cli, "schedule", "preview", "2030-H2", "--at", "2030-11-20T12:00+01:00",
                          "--json"))  # fmt: skip
    assert all(
        set(item) == {"external_id", "card", "kind", "due_at", "channel", "recipient"}
        for item in plan
    )
    ngo = [(i["kind"], i["due_at"], i["channel"]) for i in plan if i["external_id"] == "NGO-001"]
    assert ngo == [
        ("reminder", "2030-11-25T08:00:00+01:00", "email"),
        ("reminder", "2030-11-29T08:00:00+01:00", "email"),
        ("overdue", "2030-12-03T08:00:00+01:00", "email"),
        ("overdue", "2030-12-06T08:00:00+01:00", "email"),
        ("overdue", "2030-12-11T08:00:00+01:00", "email"),
    ]
    staff = [(i["kind"], i["due_at"], i["recipient"]) for i in plan if i["external_id"] is None]
    assert staff == [
        ("staff_alert", "2030-12-03T08:00:00+01:00", "5001"),
        ("digest", "2030-12-04T10:00:00+01:00", "5001"),
    ]
    assert "Nic nowego" in run(cli, "schedule", "tick", "--at", "2030-11-25T07:59")
    out = run(cli, "schedule", "tick", "--at", "2030-11-25T08:00")
    assert "Dodano do kolejki: przypomnienia 5 (razem 5)." in out
    assert "Nic nowego" in run(cli, "schedule", "tick", "--at", "2030-11-25T08:00+01:00")
    out = run(cli, "schedule", "tick", "--at", "2030-12-03T07:00:00+00:00")
    assert "ponaglenia po terminie 5, alerty dla pracowników 1 (razem 6)" in out
    text = run(cli, "schedule", "preview", "2030-H2", "--at", "2030-12-03T12:00+01:00")
    assert "2030-12-04 10:00  digest" in text and "telegram: 5001" in text


def test_bad_harmonogram_and_bad_moment_are_explained(cli: CliRunner) -> None:
    run(cli, "registry", "import", "registry.csv")
    out = run(cli, "session", "create", "X", "--opens", "2030-11-04", "--deadline", "2030-12-02",
              "--harmonogram", "bad.yaml", code=1)  # fmt: skip
    assert "Harmonogram jest niepoprawny" in out
    assert "duty_hours.start" in out and "staff_digest_time" in out
    _session(cli)
    out = run(cli, "schedule", "tick", "--at", "jutro rano", code=1)
    assert "nie jest datą i godziną w formacie ISO" in out
    out = run(cli, "schedule", "preview", "nie-ma-takiej", code=1)
    assert "Nie ma sesji" in out
