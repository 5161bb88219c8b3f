"""Shared fixtures: a command-line runner and a deterministic environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from blinacli.base.resources import evidence_dir
from blinacli.cli import edge
from blinacli.load import loader
from blinacli.model import Study

SYNTHETIC = Path(__file__).parent / "fixtures" / "synthetic"


@pytest.fixture
def runner() -> CliRunner:
    """A runner for the Typer app; its results keep stdout and stderr apart."""
    return CliRunner()


@pytest.fixture(scope="session")
def bundled() -> list[Study]:
    """The bundled studies, loaded once."""
    return loader.load([evidence_dir()]).studies


@pytest.fixture(scope="session")
def synthetic() -> list[Study]:
    """The synthetic fixture studies (tests/fixtures/synthetic), loaded once."""
    return loader.load([SYNTHETIC]).studies


@pytest.fixture(autouse=True)
def _deterministic_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Bundled evidence, no colour, an 80-column terminal and --debug off for every test;
    a study cache of the test's own, so no test reads or writes the user's."""
    monkeypatch.delenv("BLINACLI_EVIDENCE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(edge, "_debug", False)


def _register_hypothesis_profiles() -> None:
    """Hypothesis profiles, chosen by $HYPOTHESIS_PROFILE (default: "default").

    "default" runs in every test run: no deadline (a command run through CliRunner
    takes tens of milliseconds, more on a busy machine), 150 examples for each property
    test that does not set its own count (tests/test_fuzz.py: 300 examples in about a
    minute), and derandomized when $CI is set, so a CI failure replays exactly.

    "fuzz" is the long run of tests/test_fuzz.py, random each time (a failure prints
    the @reproduce_failure blob that replays it):

        HYPOTHESIS_PROFILE=fuzz .venv/bin/pytest tests/test_fuzz.py
    """
    import os

    from hypothesis import settings

    settings.register_profile(
        "default",
        settings.get_profile("default"),  # Hypothesis's own, even when $CI chose "ci"
        max_examples=150,
        deadline=None,
        derandomize=bool(os.environ.get("CI")),
        print_blob=True,
    )
    settings.register_profile(
        "fuzz", settings.get_profile("default"), max_examples=2500, derandomize=False
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


_register_hypothesis_profiles()
