"""Shared fixtures: a command-line runner and a deterministic environment."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from blinacli import cli


@pytest.fixture
def runner() -> CliRunner:
    """A runner for the Typer app; its results keep stdout and stderr apart."""
    return CliRunner()


@pytest.fixture(autouse=True)
def _deterministic_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bundled evidence, no colour, an 80-column terminal and --debug off for every test."""
    monkeypatch.delenv("BLINACLI_EVIDENCE", raising=False)
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(cli, "_debug", False)
