"""`make demo` end to end: the pipeline runs and its Raport MP opens cleanly in Chromium."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from kartomat.demo.run import main
from tests.integration.test_report_browser import browser, chromium, console_lines

pytestmark = [pytest.mark.integration, pytest.mark.slow]
__all__ = ["browser"]  # the fixture, re-used


def test_demo_writes_a_report_that_opens_without_console_errors(
    browser: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = asyncio.run(main(tmp_path / "demo"))
    narration = capsys.readouterr().out
    assert "Karta została wysłana" in narration and "spóźnione karty" in narration
    assert "Odczytano 3 wiadomości: {'applied': 3}" in narration
    files = {p.name for p in index.parent.iterdir()}
    assert {"index.html", "raport-mp-2026-H2.xlsx", "raport-mp-2026-H2.csv"} <= files
    result = chromium(browser, tmp_path / "profile", "--dump-dom", index.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_lines(result.stderr) == []
    charts = index.read_text(encoding="utf-8").count('<svg class="chart"')
    found = re.search(r'<body data-charts="([^"]*)"', result.stdout)
    assert found is not None and charts > 0 and found.group(1) == f"ok:{charts}"
