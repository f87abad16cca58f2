"""The Raport MP opened in headless Chromium: no console message, every chart drawn.

Each page sets body[data-charts] to "ok:N" once every inline SVG chart has a non-zero
size (see services/report_html.py); Chromium's --dump-dom shows the attribute, and
--enable-logging=stderr shows every console message (errors, CSP refusals) as
":CONSOLE" lines. A screenshot of the index is kept in test-artifacts/ for people.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kartomat.bootstrap import wire
from kartomat.settings import Settings
from tests.fakes import FakeClock, FakeUnitOfWork, Store
from tests.service.indicators_fixture import SECOND, build_country

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip
PAGES = ("index.html", "metody.html", "wojewodztwa/06.html", "wojewodztwa/14.html",
         "gminy/0617032.html", "gminy/0663011.html")  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> str:
    """The Chromium binary (scripts/ensure-services.sh installs it; `make test` needs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("KARTOMAT_REQUIRE_POSTGRES") or os.environ.get(
            "KARTOMAT_REQUIRE_BROWSER"
        ):
            pytest.fail("chromium is missing: run `make services` (scripts/ensure-services.sh)")
        pytest.skip("chromium is not installed (make services installs it)")
    return found


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the fixture's second session (baseline and changes included)."""
    store = Store()
    settings = Settings(
        database_url="sqlite://", secret_key_file=tmp_path_factory.mktemp("s") / "k"
    )
    clock = FakeClock(datetime(2026, 11, 2, 9, tzinfo=UTC))
    app = wire(settings, lambda: FakeUnitOfWork(store), clock, b"secret")
    build_country(app)
    return app.report.build(SECOND, tmp_path_factory.mktemp("raport")).directory


def chromium(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with a fresh profile; output captured."""
    command = [browser, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr",
               "--v=0", *args]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def console_lines(stderr: str) -> list[str]:
    """Console messages of the page (errors, warnings, refused loads), if any."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


@pytest.mark.parametrize("page", PAGES)
def test_page_has_no_console_messages_and_every_chart_drawn(
    browser: str, report: Path, page: str, tmp_path: Path
) -> None:
    result = chromium(browser, tmp_path, "--dump-dom", (report / page).as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_lines(result.stderr) == []
    charts = (report / page).read_text(encoding="utf-8").count('<svg class="chart"')
    found = re.search(r'<body data-charts="([^"]*)"', result.stdout)
    assert found is not None, result.stdout[:500]
    assert charts > 0 and found.group(1) == f"ok:{charts}"


def test_the_checks_catch_a_broken_page(browser: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!doctype html><html><body data-charts="pending"><svg class="chart" width="0" '
        'height="0"></svg><script>undefinedFunction();</script></body></html>'
    )
    result = chromium(browser, tmp_path / "profile", "--dump-dom", broken.as_uri())
    assert any("Uncaught ReferenceError" in line for line in console_lines(result.stderr))
    assert 'data-charts="pending"' in result.stdout  # the script died before judging


def test_screenshot_of_the_index(browser: str, report: Path, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    result = chromium(browser, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000",
                      (report / "index.html").as_uri())  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
